import { AuthMode, cookieNames } from '@authbench/contract';
import { getDomain } from 'tldts';
import { z } from 'zod';
import { parseDuration } from './duration';
import { redactUrl, urlPasswords } from './redact';
import { familyTrustedWhole, readTrustProxy, type TrustProxy } from './trust-proxy';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const onOff = (fallback: boolean) =>
  z
    .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], {
      error: 'expected on or off (true/false, 1/0, yes/no)',
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['on', 'true', '1', 'yes'].includes(v)));

/** A login's absolute lifetime in the token modes: its refresh tokens rotate within it. */
const refreshFamilyLifetimeSeconds = 30 * 86400;

// Every lifetime here ends up in a cookie, and browsers keep none longer than 400 days (RFC 6265bis).
const maxSeconds = 400 * 86400;

const duration = (fallback: string, max: { seconds: number; means: string } = { seconds: maxSeconds, means: '400d, the longest browsers keep a cookie' }) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === undefined || seconds > max.seconds) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 300, 300s, 5m, 12h or 7d, at most ${max.means}` });
        return z.NEVER;
      }
      return seconds;
    });

/**
 * A number of minutes or hours, which the API uses as whole seconds: refused when it rounds to
 * no time at all (0.001 minutes would end every session at once) or beyond the cookie limit.
 */
const amountInSeconds = (fallback: number, unit: { name: string; seconds: number }) => {
  const range = `expected a number of ${unit.name} from ${+(0.5 / unit.seconds).toPrecision(2)} to ${maxSeconds / unit.seconds} (one second to 400 days, in whole seconds)`;
  return z.coerce
    .number({ error: range })
    .default(fallback)
    .transform((amount, ctx) => {
      const seconds = Math.round(amount * unit.seconds);
      if (seconds >= 1 && seconds <= maxSeconds) return seconds;
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    });
};

const wholeNumber = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a whole number of at least 1' })
    .int('expected a whole number of at least 1')
    .min(1, 'expected a whole number of at least 1')
    .default(fallback);

const isOrigin = (text: string) => {
  try {
    return new URL(text).origin === text && text !== 'null';
  } catch {
    return false;
  }
};

// Credentials are allowed on every listed origin, so `*` and `null` (any sandboxed iframe, any
// file:// page) would hand the user's login to any page at all: refused, not merely warned about.
const origin = z.string().refine(isOrigin, {
  error:
    'expected exact origins such as http://localhost:5173 (scheme, host and port; no path or trailing slash); "*" and "null" are refused, as credentials are allowed on every listed origin',
});

const url = (schemes: string[], path?: { pattern: RegExp; means: string }) =>
  z
    .string()
    .refine((text) => URL.canParse(text) && schemes.includes(new URL(text).protocol) && (!path || path.pattern.test(new URL(text).pathname)), {
      error: `expected a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}${path ? `, ${path.means}` : ''}`,
    })
    .optional();

// TRUST_PROXY: a hop count or the proxies' addresses, compiled as Express will compile them
// (trust-proxy.ts). A list that trusts every address of a family, `on` included, makes Express
// take the left-most X-Forwarded-For, which the client writes: it is refused in production
// (loadConfig) and warned about elsewhere (configWarnings).
const trustProxy = z
  .string()
  .default('off')
  .transform((text, ctx): TrustProxy => {
    const reading = readTrustProxy(text);
    if ('value' in reading) return reading.value;
    ctx.addIssue({ code: 'custom', message: reading.error });
    return z.NEVER;
  });

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  AUTH_MODE: AuthMode.default('session'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  // node-redis takes a database number as the path, and throws (at start, stack and all) on anything else.
  REDIS_URL: url(['redis:', 'rediss:'], { pattern: /^(\/\d*)?$/, means: 'with at most a database number as its path (/0)' }),
  // Becomes a Postgres schema name (unquoted in search_path) and a Redis key prefix: keep it plain.
  STORE_NAMESPACE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case name of letters, digits and underscores, starting with a letter or underscore, at most 63 characters')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:5173')
    .transform((text) => text.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(origin)),
  COOKIE_SECURE: z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { error: 'expected on or off' }).optional(),
  COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none'], { error: 'expected lax, strict or none' }).default('lax'),
  COOKIE_PARTITIONED: onOff(false),
  // The origin browsers use to reach the API (behind a proxy, not HOST:PORT): the start-up
  // linter compares its site with the allowed origins', and the OpenAPI document names it as
  // its server.
  PUBLIC_ORIGIN: z
    .string()
    .refine(isOrigin, { error: 'expected the origin browsers reach the API at, such as https://api.example.com (scheme, host and port; no path or trailing slash)' })
    .optional(),
  SESSION_SECRET: z.string().optional(),
  JWT_PRIVATE_KEYS: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('authbench'),
  JWT_AUDIENCE: z.string().min(1).default('authbench-web'),
  ACCESS_TOKEN_TTL: duration('5m'),
  // A refresh token never outlives its login (refreshFamilyLifetimeSeconds): a longer TTL would mean nothing.
  REFRESH_TOKEN_TTL: duration('7d', { seconds: refreshFamilyLifetimeSeconds, means: "30d, a login's absolute lifetime" }),
  SESSION_IDLE_MINUTES: amountInSeconds(30, { name: 'minutes', seconds: 60 }),
  SESSION_ABSOLUTE_HOURS: amountInSeconds(12, { name: 'hours', seconds: 3600 }),
  LOGIN_MAX_FAILURES: wholeNumber(5),
  LOGIN_MAX_FAILURES_PER_IP: wholeNumber(50),
  REGISTER_MAX_PER_IP: wholeNumber(10),
  CSP_REPORTS_PER_MINUTE: wholeNumber(60),
  JWT_REVOCATION_CHECK: onOff(true),
  DPOP_NONCE: onOff(true),
  DPOP_PROOF_WINDOW: duration('60s'),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.input<typeof Env>;

const trustsEveryone = (family: 'IPv4' | 'IPv6' | 'every') => (family === 'every' ? 'on trusts every hop' : `the list trusts every ${family} address`);

// Values a config error may never echo: secrets are not shown at all, URLs without their password.
const secretVariables = new Set(['SESSION_SECRET', 'JWT_PRIVATE_KEYS']);
const urlVariables = new Set(['DATABASE_URL', 'REDIS_URL']);

function shown(name: string, value: string | undefined): string {
  if (value === undefined || secretVariables.has(name)) return '';
  return ` (got ${JSON.stringify(urlVariables.has(name) ? redactUrl(value) : value)})`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means unset, as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}${shown(name, present[name])}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const trustedWhole = familyTrustedWhole(e.TRUST_PROXY);
  if (production && trustedWhole) {
    throw new ConfigError(
      `TRUST_PROXY: ${trustsEveryone(trustedWhole)}, so any client could pick its IP (and its rate limits) with X-Forwarded-For; expected a hop count or the proxies' addresses and subnets`,
    );
  }
  const cookieSecure = e.COOKIE_SECURE === undefined ? production : ['on', 'true', '1', 'yes'].includes(e.COOKIE_SECURE);
  return Object.freeze({
    production,
    port: e.PORT,
    host: e.HOST,
    authMode: e.AUTH_MODE,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    storeNamespace: e.STORE_NAMESPACE,
    corsOrigins: e.CORS_ORIGINS,
    cookieSecure,
    cookieSameSite: e.COOKIE_SAMESITE,
    /** SPEC's names, with the prefixes browsers enforce when cookies are Secure. */
    cookieNames: cookieNames(cookieSecure),
    cookiePartitioned: e.COOKIE_PARTITIONED,
    publicOrigin: e.PUBLIC_ORIGIN ?? `http://localhost:${e.PORT}`,
    sessionSecrets: e.SESSION_SECRET?.split(',').map((s) => s.trim()).filter(Boolean),
    jwtPrivateKeys: e.JWT_PRIVATE_KEYS,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
    refreshFamilyLifetimeSeconds,
    sessionIdleSeconds: e.SESSION_IDLE_MINUTES,
    sessionAbsoluteSeconds: e.SESSION_ABSOLUTE_HOURS,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginWindowSeconds: 15 * 60,
    registerMaxPerIp: e.REGISTER_MAX_PER_IP,
    registerWindowSeconds: 60 * 60,
    /** Page-policy violation reports (POST /api/csp-reports) per client IP per minute. */
    cspReportsPerMinute: e.CSP_REPORTS_PER_MINUTE,
    jwtRevocationCheck: e.JWT_REVOCATION_CHECK,
    dpopNonce: e.DPOP_NONCE,
    dpopProofWindowSeconds: e.DPOP_PROOF_WINDOW,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  });
}

export type Config = ReturnType<typeof loadConfig>;

/** Settings that start fine but that browsers will quietly break (SPEC §7), or that only development may keep. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const trustedWhole = familyTrustedWhole(config.trustProxy);
  if (trustedWhole) {
    warnings.push(
      `TRUST_PROXY: ${trustsEveryone(trustedWhole)}: any client can pick its IP, and so its rate limits, with X-Forwarded-For (refused in production); give a hop count or the proxies' addresses`,
    );
  }
  if (config.cookieSameSite === 'none' && !config.cookieSecure) {
    warnings.push('COOKIE_SAMESITE=none without COOKIE_SECURE: browsers drop SameSite=None cookies that are not Secure');
  }
  if (config.cookieSecure && config.trustProxy === false) {
    warnings.push(
      'COOKIE_SECURE is on but TRUST_PROXY is off: behind a TLS-terminating proxy the API sees plain HTTP and will not send Secure cookies; set TRUST_PROXY',
    );
  }
  if (config.production && !config.cookieSecure) {
    warnings.push('NODE_ENV=production with COOKIE_SECURE off: cookies travel over plain HTTP');
  }
  if (config.cookiePartitioned && !config.cookieSecure) {
    warnings.push('COOKIE_PARTITIONED without COOKIE_SECURE: browsers refuse a Partitioned cookie that is not Secure');
  }
  warnings.push(...topologyWarnings(config));
  return warnings;
}

/**
 * The credentials in the environment, valid or not: what no error line may show. Read from the
 * raw variables, so that an error thrown before (or while) the configuration loads is covered too.
 */
export function secretValues(env: Record<string, string | undefined> = process.env): string[] {
  const values: string[] = [];
  for (const name of urlVariables) values.push(...urlPasswords(env[name] ?? ''));
  const sessionSecret = env.SESSION_SECRET ?? '';
  values.push(sessionSecret, ...sessionSecret.split(','));
  // PEM lines and JWK members, as they would appear if an error quoted part of a key.
  const keys = env.JWT_PRIVATE_KEYS ?? '';
  values.push(keys, ...keys.split(/\\n|[\n",:{}[\]]/).filter((part) => part.trim().length >= 16 && !part.includes('-----')));
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))];
}

/**
 * `pnpm dev`'s configuration: the environment's, except that one person on localhost registers
 * (and the lab fails logins, and has the browser report the sinks it refuses) far more often than
 * the production defaults allow one client. An explicit setting still wins.
 *
 * `pnpm dev` serves every mode from one process, one port each (PORT, PORT+1, …), so each needs
 * a public origin of its own: a DPoP proof names the URL it is for (htu), which the API compares
 * with PUBLIC_ORIGIN. DEV_PUBLIC_ORIGINS (scripts/dev.mjs sets it under a topology) lists them in
 * the order of authModes; without it each mode's origin follows its port.
 */
export function loadDevConfig(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig({ REGISTER_MAX_PER_IP: '200', LOGIN_MAX_FAILURES_PER_IP: '500', CSP_REPORTS_PER_MINUTE: '1000', ...env });
  const listed = env.DEV_PUBLIC_ORIGINS?.split(',').map((part) => part.trim()).filter(Boolean);
  if (listed && (listed.length !== AuthMode.options.length || !listed.every(isOrigin))) {
    throw new ConfigError(`DEV_PUBLIC_ORIGINS: expected ${AuthMode.options.length} origins, one per mode (${AuthMode.options.join(', ')}), comma-separated (got ${JSON.stringify(env.DEV_PUBLIC_ORIGINS)})`);
  }
  const publicOrigins = Object.fromEntries(
    AuthMode.options.map((mode, i) => [mode, listed?.[i] ?? (env.PUBLIC_ORIGIN ? config.publicOrigin : `http://localhost:${config.port + i}`)]),
  ) as Record<AuthMode, string>;
  return { config, publicOrigins };
}

/** The site of an origin (scheme and registrable domain), as browsers decide SameSite and third parties. */
export function siteOf(origin: string): string {
  const { protocol, hostname } = new URL(origin);
  return `${protocol}//${getDomain(hostname, { allowPrivateDomains: true }) ?? hostname}`;
}

/** What the deployment implies: an allowed origin on another site than the API needs cross-site cookies. */
function topologyWarnings(config: Config): string[] {
  const apiSite = siteOf(config.publicOrigin);
  const crossSite = config.corsOrigins.filter((origin) => siteOf(origin) !== apiSite);
  if (crossSite.length === 0) return [];
  const pages = crossSite.join(', ');
  const warnings: string[] = [];
  if (config.cookieSameSite !== 'none') {
    warnings.push(
      `CORS_ORIGINS: ${pages} is on another site than the API (${config.publicOrigin}), but COOKIE_SAMESITE=${config.cookieSameSite}: browsers will not send the API's cookies from it; serve both from one site (or one origin, through a proxy), or set COOKIE_SAMESITE=none with COOKIE_SECURE`,
    );
  } else if (!config.cookiePartitioned) {
    warnings.push(
      `CORS_ORIGINS: ${pages} is on another site than the API (${config.publicOrigin}): browsers that block third-party cookies (Chrome's default in Incognito and under Playwright, Safari always, Firefox's strict mode) will drop the API's cookies there; set COOKIE_PARTITIONED, or serve both from one site`,
    );
  }
  return warnings;
}