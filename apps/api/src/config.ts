import { AuthMode } from '@authbench/contract';
import { z } from 'zod';
import { parseDuration } from './duration';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const onOff = (fallback: boolean) =>
  z
    .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], {
      message: 'expected on or off (true/false, 1/0, yes/no)',
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['on', 'true', '1', 'yes'].includes(v)));

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration such as 300, 300s, 5m, 12h or 7d' });
        return z.NEVER;
      }
      return seconds;
    });

const positiveNumber = (fallback: number) =>
  z.coerce.number({ message: 'expected a positive number' }).positive('expected a positive number').default(fallback);

const origin = z.string().refine(
  (text) => {
    if (text === '*' || text === 'null') return true; // accepted, then warned about: see configWarnings
    try {
      return new URL(text).origin === text;
    } catch {
      return false;
    }
  },
  { message: 'expected exact origins such as http://localhost:5173 (scheme, host and port; no path or trailing slash)' },
);

const url = (schemes: string[]) =>
  z
    .string()
    .refine((text) => URL.canParse(text) && schemes.includes(new URL(text).protocol), {
      message: `expected a URL starting with ${schemes.map((s) => `${s}//`).join(' or ')}`,
    })
    .optional();

// TRUST_PROXY takes what Express's 'trust proxy' takes: on/off, a hop count, or addresses and subnets.
const trustProxy = z
  .string()
  .default('off')
  .transform((text): boolean | number | string[] => {
    if (['on', 'true', 'yes'].includes(text)) return true;
    if (['off', 'false', 'no', ''].includes(text)) return false;
    if (/^\d+$/.test(text)) return Number(text);
    return text.split(',').map((part) => part.trim()).filter(Boolean);
  });

const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  AUTH_MODE: AuthMode.default('session'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
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
  COOKIE_SECURE: z.enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'], { message: 'expected on or off' }).optional(),
  COOKIE_SAMESITE: z.enum(['lax', 'strict', 'none'], { message: 'expected lax, strict or none' }).default('lax'),
  SESSION_SECRET: z.string().optional(),
  JWT_PRIVATE_KEYS: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('authbench'),
  JWT_AUDIENCE: z.string().min(1).default('authbench-web'),
  ACCESS_TOKEN_TTL: duration('5m'),
  REFRESH_TOKEN_TTL: duration('7d'),
  SESSION_IDLE_MINUTES: positiveNumber(30),
  SESSION_ABSOLUTE_HOURS: positiveNumber(12),
  LOGIN_MAX_FAILURES: z.coerce.number({ message: 'expected a whole number of at least 1' }).int('expected a whole number of at least 1').min(1, 'expected a whole number of at least 1').default(5),
  JWT_REVOCATION_CHECK: onOff(true),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.input<typeof Env>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means unset, as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'} (got ${JSON.stringify(present[name] ?? '')})`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
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
    sessionSecrets: e.SESSION_SECRET?.split(',').map((s) => s.trim()).filter(Boolean),
    jwtPrivateKeys: e.JWT_PRIVATE_KEYS,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
    refreshFamilyLifetimeSeconds: 30 * 86400,
    sessionIdleSeconds: Math.round(e.SESSION_IDLE_MINUTES * 60),
    sessionAbsoluteSeconds: Math.round(e.SESSION_ABSOLUTE_HOURS * 3600),
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginWindowSeconds: 15 * 60,
    jwtRevocationCheck: e.JWT_REVOCATION_CHECK,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
  });
}

export type Config = ReturnType<typeof loadConfig>;

/** Settings that start fine but that browsers will quietly break (SPEC §7). */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  for (const bad of config.corsOrigins.filter((o) => o === '*' || o === 'null')) {
    warnings.push(
      `CORS_ORIGINS contains "${bad}": credentialed requests are never allowed from it (browsers refuse a wildcard with credentials, and "null" is any sandboxed page); list exact origins`,
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
  return warnings;
}
