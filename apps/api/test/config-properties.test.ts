import type { IncomingMessage } from 'node:http';
import { ConfigResponse, paths } from '@authbench/contract';
import fc from 'fast-check';
import proxyAddr from 'proxy-addr';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { parseDuration } from '../src/duration';
import { startTestApp } from './support/test-app';
import { parseSetCookie } from './support/test-client';
import { decodeParts } from './support/tokens';

// Configuration read as its consumers read it (SPEC §8): whatever text a variable holds, the API
// either refuses it with one line naming the variable, or starts and behaves as documented.

// --- What an operator might write -----------------------------------------------------------------

const anyText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
const spaced = (text: fc.Arbitrary<string>) => fc.tuple(fc.constantFrom('', ' '), text, fc.constantFrom('', ' ')).map(([a, t, b]) => `${a}${t}${b}`);

const numberText = fc.oneof(
  fc.double({ noNaN: false }).map(String),
  fc.double({ min: 0, max: 0.1 }).map(String),
  fc.integer({ min: -10, max: 10_000_000 }).map(String),
  fc.constantFrom('0', '0.001', '0.0083', '0.0084', '1e3', '1e-3', '0x10', '-0', 'Infinity', '1e400', '576000', '576001', '9600', '9601', '.5', '5.', '1_000'),
  anyText,
);
const durationText = fc.oneof(
  fc.tuple(fc.oneof(fc.nat({ max: 40_000_000 }), fc.bigInt({ min: 0n, max: 10n ** 20n })), fc.constantFrom('', 's', 'm', 'h', 'd', 'w', 'ms', ' m', 'S')).map(([n, unit]) => `${n}${unit}`),
  fc.constantFrom('30d', '31d', '400d', '401d', '2592000', '2592001', '0s', '1.5h', '-5m'),
  anyText,
);
const prefix = fc.oneof(
  fc.integer({ min: -1, max: 140 }).map(String),
  fc.constantFrom(1, 2, 8, 16, 24, 32, 64, 96, 97, 128).map(String),
  fc.ipV4(),
  fc.constantFrom('0.0.0.0', '255.255.255.255', '255.0.0.0', '255.0.255.0', '128.0.0.0', '08', '1e1', ''),
);
const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.constantFrom('loopback', 'linklocal', 'uniquelocal', '0.0.0.0', '128.0.0.0', '::', '8000::', '::ffff:0.0.0.0', '::ffff:10.0.0.1', 'localhost', 'LOOPBACK'),
);
const trustEntry = fc.oneof(address, fc.tuple(address, prefix).map(([a, p]) => `${a}/${p}`));
const trustProxyText = fc.oneof(
  fc.array(trustEntry, { minLength: 1, maxLength: 4 }).chain((list) => fc.constantFrom(',', ', ', ' ,').map((comma) => list.join(comma))),
  fc.nat({ max: 30 }).map(String),
  fc.constantFrom('on', 'off', 'true', 'false', 'yes', 'no', 'ON', '1', '99999999999999999999'),
  anyText,
);

const variables = {
  TRUST_PROXY: trustProxyText,
  ACCESS_TOKEN_TTL: spaced(durationText),
  REFRESH_TOKEN_TTL: spaced(durationText),
  SESSION_IDLE_MINUTES: spaced(numberText),
  SESSION_ABSOLUTE_HOURS: spaced(numberText),
  LOGIN_MAX_FAILURES: spaced(numberText),
  LOGIN_MAX_FAILURES_PER_IP: spaced(numberText),
  REGISTER_MAX_PER_IP: spaced(numberText),
} satisfies Record<string, fc.Arbitrary<string>>;
type Variable = keyof typeof variables;

/** The configuration, or the one line that refuses it. */
function attempt(env: Record<string, string>): { config: Config } | { refusal: string } {
  try {
    return { config: loadConfig(env) };
  } catch (err) {
    // Only a ConfigError becomes one line (startup-error.ts); anything else would print a stack.
    expect(err).toBeInstanceOf(ConfigError);
    return { refusal: (err as ConfigError).message };
  }
}

describe('every configuration value is accepted, or refused in one line naming its variable', () => {
  it.each(Object.keys(variables) as Variable[])('%s', (name) => {
    fc.assert(
      fc.property(variables[name], fc.constantFrom('development', 'production'), (value, nodeEnv) => {
        const outcome = attempt({ NODE_ENV: nodeEnv, [name]: value });
        if ('refusal' in outcome) {
          expect(outcome.refusal).toMatch(new RegExp(`^${name}: `));
          expect(outcome.refusal).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// --- Meaning: an independent reading of IPv4-only lists -------------------------------------------

const ipv4ToInt = (text: string) => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
/** Whether CIDR blocks cover all of IPv4: their union, merged as intervals. */
function coversIpv4(blocks: { first: number; size: number }[]): boolean {
  let reached = 0;
  for (const { first, size } of [...blocks].sort((a, b) => a.first - b.first)) {
    if (first > reached) return false;
    reached = Math.max(reached, first + size);
  }
  return reached >= 2 ** 32;
}

describe('a trust list is refused in production exactly when it trusts every address', () => {
  it('agrees with the union of the IPv4 blocks it names', () => {
    const block = fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 4 }));
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 12 }), (list) => {
        const text = list.map(([ip, bits]) => `${ip}/${bits}`).join(',');
        const blocks = list.map(([ip, bits]) => {
          const size = 2 ** (32 - bits);
          return { first: Math.floor(ipv4ToInt(ip) / size) * size, size };
        });
        const outcome = attempt({ NODE_ENV: 'production', TRUST_PROXY: text });
        expect('refusal' in outcome, text).toBe(coversIpv4(blocks));
      }),
      { numRuns: 500 },
    );
  });
});

// --- Accepted values start the API and do what the README says -------------------------------------

/** Express's own reading of `trust proxy` (express/lib/utils.js compileTrust), for the expected client address. */
const expressTrust = (value: Config['trustProxy']) =>
  value === true ? () => true : typeof value === 'number' ? (_address: string, hop: number) => hop < value : proxyAddr.compile(value || []);
const clientAddress = (value: Config['trustProxy'], forwardedFor: string) =>
  proxyAddr({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage, expressTrust(value));

/** Accepted values only, in the environment of the mode that uses them. */
const acceptedIn = (name: Variable, env: Record<string, string>) =>
  variables[name].filter((value) => 'config' in attempt({ ...env, [name]: value }));

// Each run starts an app of its own (its own storage: the session timeouts are the storage's):
// seconds apiece on a busy machine, hence the few runs and the long timeouts.
describe('an accepted value starts the API, which then behaves as documented', () => {
  it('TRUST_PROXY: the client address is the one proxy-addr reads from X-Forwarded-For', { timeout: 240_000 }, async () => {
    const production = { NODE_ENV: 'production', JWT_PRIVATE_KEYS: '', COOKIE_SECURE: 'off' };
    await fc.assert(
      fc.asyncProperty(acceptedIn('TRUST_PROXY', production), fc.ipV4(), fc.ipV4(), async (value, first, second) => {
        fc.pre(first !== second);
        // One registration per client address: a second from the same address is refused.
        const t = await startTestApp('jwt', { env: { TRUST_PROXY: value, REGISTER_MAX_PER_IP: '1' } });
        try {
          const register = (forwardedFor: string) =>
            t.client().request('post', paths.register).set('X-Forwarded-For', forwardedFor).send({ email: `${forwardedFor}-${Date.now()}@example.test`, password: 'correct horse battery', name: 'Proxy' });
          expect((await register(first)).status).toBe(201);
          const again = await register(second);
          const sameClient = clientAddress(t.config.trustProxy, first) === clientAddress(t.config.trustProxy, second);
          expect(again.status, `TRUST_PROXY=${value}`).toBe(sameClient ? 429 : 201);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL: the token and the refresh cookie live that long', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(acceptedIn('ACCESS_TOKEN_TTL', {}), acceptedIn('REFRESH_TOKEN_TTL', {}), async (access, refresh) => {
        const t = await startTestApp('jwt', { env: { ACCESS_TOKEN_TTL: access, REFRESH_TOKEN_TTL: refresh } });
        try {
          // An empty variable is an unset one: the default.
          const [accessSeconds, refreshSeconds] = [parseDuration(access || '5m'), parseDuration(refresh || '7d')];
          const config = ConfigResponse.parse((await t.client().get(paths.config)).body);
          expect([config.accessTokenTtlSeconds, config.refreshTokenTtlSeconds]).toEqual([accessSeconds, refreshSeconds]);
          const { client } = await t.newUser();
          const { iat, exp } = decodeParts(client.state.accessToken!).payload as { iat: number; exp: number };
          expect(exp - iat).toBe(accessSeconds);
          const login = await client.login({ email: (await client.me()).body.user.email, password: 'correct horse battery' });
          expect(parseSetCookie(login, 'rt')?.attributes['max-age']).toBe(String(refreshSeconds));
          expect((await client.me()).status).toBe(200);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 8 },
    );
  });

  it('SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS: a session lives until the first of them, in whole seconds', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(acceptedIn('SESSION_IDLE_MINUTES', {}), acceptedIn('SESSION_ABSOLUTE_HOURS', {}), async (idle, absolute) => {
        const t = await startTestApp('session', { env: { SESSION_IDLE_MINUTES: idle, SESSION_ABSOLUTE_HOURS: absolute } });
        try {
          // An empty variable is an unset one: the default.
          const [idleSeconds, absoluteSeconds] = [Math.round(Number(idle || 30) * 60), Math.round(Number(absolute || 12) * 3600)];
          const config = ConfigResponse.parse((await t.client().get(paths.config)).body);
          expect([config.sessionIdleSeconds, config.sessionAbsoluteSeconds]).toEqual([idleSeconds, absoluteSeconds]);
          const { client } = await t.newUser();
          expect((await client.me()).status).toBe(200);
          t.clock.advance(Math.min(idleSeconds, absoluteSeconds) * 1000 + 1000);
          expect((await client.me()).status).toBe(401);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 8 },
    );
  });
});
