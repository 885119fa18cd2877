import { rm } from 'node:fs/promises';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, loadConfig, secretValues, type Config } from '../src/config';
import { parseDuration } from '../src/duration';
import { createLogger } from '../src/logger';
import { redact } from '../src/redact';
import { resolveSecrets, signingKeyFingerprint, signingKeysRecord } from '../src/auth/secrets';
import { parseSigningKeys } from '../src/auth/signing-keys';
import { openDatabase, type Db } from '../src/storage/database';
import { createSecretStore } from '../src/storage/secret-store';
import { createDataDir } from './support/test-app';
import { createTestKey, keysEnv } from './support/tokens';

describe('durations', () => {
  it.each([
    ['300', 300],
    ['300s', 300],
    ['5m', 300],
    ['12h', 43_200],
    ['7d', 604_800],
    [' 90s ', 90],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '0', '5 m', '5w', '-5m', '1.5h', 'soon', '9'.repeat(30)])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('configuration', () => {
  it('has the spec’s defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      authMode: 'session',
      dataDir: './.data',
      corsOrigins: ['http://localhost:5173'],
      cookieSecure: false,
      jwtIssuer: 'authbench',
      jwtAudience: 'authbench-web',
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 604_800,
      sessionIdleSeconds: 1800,
      sessionAbsoluteSeconds: 43_200,
      loginMaxFailures: 5,
      jwtRevocationCheck: true,
      trustProxy: false,
    });
  });

  it('turns Secure cookies on in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).cookieSecure).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', COOKIE_SECURE: 'off' }).cookieSecure).toBe(false);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '4500',
      AUTH_MODE: 'jwt',
      CORS_ORIGINS: 'https://a.example, http://localhost:3000',
      ACCESS_TOKEN_TTL: '2m',
      REFRESH_TOKEN_TTL: '1d',
      SESSION_IDLE_MINUTES: '0.5',
      SESSION_ABSOLUTE_HOURS: '1',
      LOGIN_MAX_FAILURES: '3',
      JWT_REVOCATION_CHECK: 'off',
      TRUST_PROXY: '1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SESSION_SECRET: 'a,b',
    });
    expect(config).toMatchObject({
      port: 4500,
      authMode: 'jwt',
      corsOrigins: ['https://a.example', 'http://localhost:3000'],
      accessTokenTtlSeconds: 120,
      refreshTokenTtlSeconds: 86_400,
      sessionIdleSeconds: 30,
      sessionAbsoluteSeconds: 3600,
      loginMaxFailures: 3,
      jwtRevocationCheck: false,
      trustProxy: 1,
      sessionSecrets: ['a', 'b'],
    });
  });

  it.each([
    ['AUTH_MODE', 'cookies'],
    ['PORT', 'eighty'],
    ['ACCESS_TOKEN_TTL', '5 minutes'],
    ['CORS_ORIGINS', 'http://localhost:5173/'],
    ['CORS_ORIGINS', 'localhost:5173'],
    ['LOGIN_MAX_FAILURES', '0'],
    ['SESSION_IDLE_MINUTES', '-1'],
    ['SESSION_IDLE_MINUTES', '0.001'],
    ['SESSION_IDLE_MINUTES', 'Infinity'],
    ['SESSION_ABSOLUTE_HOURS', '0.0001'],
    ['SESSION_ABSOLUTE_HOURS', '9601'],
    ['ACCESS_TOKEN_TTL', '401d'],
    ['REFRESH_TOKEN_TTL', '31d'],
    ['JWT_REVOCATION_CHECK', 'maybe'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['COOKIE_SECURE', 'sometimes'],
  ])('stops on a bad %s with one line naming it', (name, value) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${name}: `));
    try {
      load();
    } catch (err) {
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('warns about settings that browsers will break', () => {
    expect(configWarnings(loadConfig({}))).toEqual([]);
    const warnings = configWarnings(loadConfig({ COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'off' }));
    expect(warnings.join('\n')).toMatch(/SameSite=None/);
    expect(configWarnings(loadConfig({ COOKIE_SECURE: 'on' })).join('\n')).toMatch(/TRUST_PROXY/);
    expect(configWarnings(loadConfig({ COOKIE_SECURE: 'on', TRUST_PROXY: '1' }))).toEqual([]);
  });

  describe('for the topology the origins imply', () => {
    const secure = { COOKIE_SECURE: 'on', TRUST_PROXY: '1' };
    const warningsFor = (env: Record<string, string>) => configWarnings(loadConfig({ ...secure, ...env })).join('\n');

    it.each([
      ['same-origin, through a proxy', 'https://app.example.test', 'https://app.example.test'],
      ['same-site', 'https://app.example.test', 'https://api.example.test'],
      ['same-site under a public suffix', 'https://app.example.co.uk', 'https://api.example.co.uk'],
    ])('says nothing %s, with SameSite=Lax cookies', (_label, page, api) => {
      expect(warningsFor({ CORS_ORIGINS: page, PUBLIC_ORIGIN: api })).toBe('');
    });

    it('warns that a page on another site gets no SameSite=Lax or Strict cookie, naming the variables', () => {
      for (const sameSite of ['lax', 'strict']) {
        const warnings = warningsFor({ CORS_ORIGINS: 'https://app.example.test', PUBLIC_ORIGIN: 'https://api.other.test', COOKIE_SAMESITE: sameSite });
        expect(warnings).toMatch(/^CORS_ORIGINS: https:\/\/app\.example\.test is on another site than the API/m);
        expect(warnings).toMatch(new RegExp(`COOKIE_SAMESITE=${sameSite}`));
      }
      // Sites differ by scheme too (schemeful same-site).
      expect(warningsFor({ CORS_ORIGINS: 'http://app.example.test', PUBLIC_ORIGIN: 'https://api.example.test' })).toMatch(/another site/);
    });

    it('warns that cross-site cookies not Partitioned are dropped where third-party cookies are blocked', () => {
      const env = { CORS_ORIGINS: 'https://app.example.test', PUBLIC_ORIGIN: 'https://api.other.test', COOKIE_SAMESITE: 'none' };
      expect(warningsFor(env)).toMatch(/block third-party cookies.*COOKIE_PARTITIONED/);
      expect(warningsFor({ ...env, COOKIE_PARTITIONED: 'on' })).toBe('');
    });

    it('warns about Partitioned or SameSite=None without Secure', () => {
      const insecure = configWarnings(loadConfig({ COOKIE_PARTITIONED: 'on', COOKIE_SAMESITE: 'none' })).join('\n');
      expect(insecure).toMatch(/COOKIE_PARTITIONED without COOKIE_SECURE/);
      expect(insecure).toMatch(/COOKIE_SAMESITE=none without COOKIE_SECURE/);
    });

    it('refuses a PUBLIC_ORIGIN that is not an origin, naming it', () => {
      expect(() => loadConfig({ PUBLIC_ORIGIN: 'https://api.example.test/path' })).toThrow(/^PUBLIC_ORIGIN: expected the origin browsers reach the API at/);
      expect(() => loadConfig({ PUBLIC_ORIGIN: 'api.example.test' })).toThrow(/^PUBLIC_ORIGIN: /);
    });

    it('takes PUBLIC_ORIGIN as given, else the API at http://localhost:PORT', () => {
      expect(loadConfig({}).publicOrigin).toBe('http://localhost:4000');
      expect(loadConfig({ PORT: '4100' }).publicOrigin).toBe('http://localhost:4100');
      expect(loadConfig({ PUBLIC_ORIGIN: 'https://api.example.test' }).publicOrigin).toBe('https://api.example.test');
    });
  });
});

describe('secrets', () => {
  const opened: Db[] = [];
  const dataDirs: string[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.destroy()));
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  /** A copy of the migrated template, removed after the block. */
  const dataDir = async () => {
    const dir = await createDataDir();
    dataDirs.push(dir);
    return dir;
  };
  /** Resolves the secrets of `config` against the embedded database in its DATA_DIR. */
  const resolveIn = async (config: Config) => {
    const db = await openDatabase({ dataDir: config.dataDir });
    opened.push(db);
    return resolveSecrets(config, createSecretStore(db), Date.now);
  };
  it.each([
    ['session', 'SESSION_SECRET'],
    ['jwt', 'JWT_PRIVATE_KEYS'],
  ])('refuses a production start in %s mode without %s, naming it', async (mode, variable) => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_MODE: mode, DATA_DIR: await dataDir() });
    await expect(resolveIn(config)).rejects.toThrow(new RegExp(`^${variable}: required`));
  });

  it('starts in production with its secrets given', async () => {
    const key = createTestKey();
    const config = loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: keysEnv(key), DATA_DIR: await dataDir() });
    expect((await resolveIn(config)).signingKeys[0]!.kid).toBe(key.jwk.kid);
  });

  it('generates development secrets once into the database in DATA_DIR and reuses them', async () => {
    const config = loadConfig({ DATA_DIR: await dataDir() });
    const db = await openDatabase({ dataDir: config.dataDir });
    const store = createSecretStore(db);
    const first = await resolveSecrets(config, store, Date.now);
    const second = await resolveSecrets(config, store, Date.now);
    const stored = await db.selectFrom('dev_secrets').select('name').orderBy('name').execute();
    await db.destroy();
    expect(second.sessionSecrets).toEqual(first.sessionSecrets);
    expect(second.signingKeys.map((k) => k.kid)).toEqual(first.signingKeys.map((k) => k.kid));
    expect(stored.map((row) => row.name)).toEqual(['jwt_private_keys', 'session_secret']);
  });

  const spliced = () => {
    const [mine, theirs] = [createTestKey(), createTestKey()];
    return keysEnv({ ...mine, jwk: { ...mine.jwk, x: theirs.jwk.x!, y: theirs.jwk.y! } });
  };
  const twice = () => {
    const key = createTestKey();
    return `${key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()}${key.privateKey.export({ format: 'pem', type: 'sec1' }).toString()}`;
  };
  it.each([
    ['not a key at all', () => 'not a key at all', /^JWT_PRIVATE_KEYS: no private key found/],
    ['an RSA JWK', () => '{"kty":"RSA"}', /^JWT_PRIVATE_KEYS: /],
    ['a JWK whose public key is another key’s', spliced, /^JWT_PRIVATE_KEYS: key 1 carries a public key that is not its private key's/],
    ['one key in two encodings', twice, /^JWT_PRIVATE_KEYS: keys 1 and 2 are one key/],
  ])('refuses unusable JWT_PRIVATE_KEYS (%s) with a line naming it', async (_what, keys, message) => {
    const value = keys();
    const config = loadConfig({ AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: value, SESSION_SECRET: 'x'.repeat(32), DATA_DIR: await dataDir() });
    await expect(resolveIn(config)).rejects.toThrow(message);
  });

  it('refuses to start beside processes that use the same key under another kid, naming the variable', async () => {
    const key = createTestKey();
    const config = loadConfig({ AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: keysEnv(key), SESSION_SECRET: 'x'.repeat(32), DATA_DIR: await dataDir() });
    const db = await openDatabase({ dataDir: config.dataDir });
    opened.push(db);
    const store = createSecretStore(db);
    // As a process that named the key otherwise would have recorded it (its JWK's own kid).
    const [parsed] = parseSigningKeys(keysEnv(key));
    const renamed = { ...parsed!, kid: 'prod-2026', publicJwk: { ...parsed!.publicJwk, kid: 'prod-2026' } };
    await store.agree(signingKeysRecord, [signingKeyFingerprint(renamed)], new Date());
    await expect(resolveSecrets(config, store, Date.now)).rejects.toThrow(/^JWT_PRIVATE_KEYS: shares no key with the API processes already on these stores/);
  });

  it('accepts PEM keys, newest first', async () => {
    const pem = createTestKey().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const config = loadConfig({ AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: pem.replaceAll('\n', '\\n'), SESSION_SECRET: 'x'.repeat(32), DATA_DIR: await dataDir() });
    const { signingKeys } = await resolveIn(config);
    expect(signingKeys).toHaveLength(1);
    expect(signingKeys[0]!.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });
});

describe('rate-limit settings', () => {
  it('has the spec’s defaults', () => {
    expect(loadConfig({})).toMatchObject({ loginMaxFailures: 5, loginMaxFailuresPerIp: 50, registerMaxPerIp: 10, loginWindowSeconds: 900, registerWindowSeconds: 3600 });
    expect(loadConfig({ LOGIN_MAX_FAILURES_PER_IP: '20', REGISTER_MAX_PER_IP: '3' })).toMatchObject({ loginMaxFailuresPerIp: 20, registerMaxPerIp: 3 });
    expect(loadConfig({}).cspReportsPerMinute).toBe(60);
    expect(loadConfig({ CSP_REPORTS_PER_MINUTE: '500' }).cspReportsPerMinute).toBe(500);
  });

  it.each([
    ['LOGIN_MAX_FAILURES_PER_IP', '0'],
    ['LOGIN_MAX_FAILURES_PER_IP', 'many'],
    ['REGISTER_MAX_PER_IP', '1.5'],
    ['REGISTER_MAX_PER_IP', '-1'],
    ['CSP_REPORTS_PER_MINUTE', '0'],
  ])('stops on a bad %s (%j) with one line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: expected a whole number of at least 1 \\(got "${value}"\\)$`));
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    ['off', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.2', ['10.0.0.2']],
    ['10.0.0.0/8, fd00::/8,loopback', ['10.0.0.0/8', 'fd00::/8', 'loopback']],
    ['192.168.0.0/255.255.0.0', ['192.168.0.0/255.255.0.0']],
  ])('takes %j as a hop count or the proxies’ addresses', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value, NODE_ENV: 'production' }).trustProxy).toEqual(expected);
  });

  it.each(['proxy.internal', '10.0.0.1/8/8', '1.2.3', '010.0.0.1', 'on,10.0.0.1'])('refuses %j with one line naming it', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY: expected off, a hop count .*$/);
  });

  // What Express's parser (proxy-addr) refuses at start, refused by the same parser, in one line.
  it.each(['10.0.0.0/33', '::1/129', '0.0.0.0/0', '::/0', '10.0.0.0/0.0.0.0', '10.0.0.0/255.0.255.0', 'loopback, 10.0.0.0/0'])(
    'refuses %j, which proxy-addr would refuse, with one line naming it',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY: invalid range on address: [^\n]*expected off, a hop count [^\n]*$/);
    },
  );

  it.each([
    ['0.0.0.0/1,128.0.0.0/1', 'IPv4'],
    ['0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/1, loopback', 'IPv4'],
    ['::ffff:0.0.0.0/97, ::ffff:128.0.0.0/97', 'IPv4'],
    ['::ffff:0.0.0.0/96', 'IPv4'],
    ['::/1, 8000::/1', 'IPv6'],
  ])('refuses %j in production: it trusts every %s address', (value, family) => {
    const load = () => loadConfig({ NODE_ENV: 'production', TRUST_PROXY: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^TRUST_PROXY: the list trusts every ${family} address, so any client could pick its IP [^\n]*$`));
    expect(configWarnings(loadConfig({ TRUST_PROXY: value })).join('\n')).toMatch(new RegExp(`^TRUST_PROXY: the list trusts every ${family} address`, 'm'));
  });

  it.each(['0.0.0.0/1', '0.0.0.0/1,128.0.0.0/2', '10.0.0.0/8,::/1', '::/1,8000::/2', 'loopback,linklocal,uniquelocal'])(
    'takes %j in production: some addresses stay untrusted',
    (value) => {
      expect(loadConfig({ NODE_ENV: 'production', TRUST_PROXY: value }).trustProxy).toEqual(value.split(',').map((part) => part.trim()));
    },
  );

  it.each(['on', 'true', 'yes', 'ON'])('refuses %j (trust every hop) in production, naming the variable', (value) => {
    const load = () => loadConfig({ NODE_ENV: 'production', TRUST_PROXY: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^TRUST_PROXY: on trusts every hop, so any client could pick its IP .*; expected a hop count or the proxies' addresses and subnets$/);
  });

  it('accepts on in development with a warning', () => {
    const config = loadConfig({ TRUST_PROXY: 'on' });
    expect(config.trustProxy).toBe(true);
    expect(configWarnings(config).join('\n')).toMatch(/^TRUST_PROXY: on trusts every hop: any client can pick its IP/m);
    expect(configWarnings(loadConfig({ TRUST_PROXY: '1' }))).toEqual([]);
  });
});

describe('CORS_ORIGINS', () => {
  it.each(['*', 'null', 'http://localhost:5173,null', '*, https://app.example'])('refuses %j at start with one line naming it and what it accepts', (value) => {
    const load = () => loadConfig({ CORS_ORIGINS: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^CORS_ORIGINS: expected exact origins such as http:\/\/localhost:5173 .*"\*" and "null" are refused[^\n]*$/);
  });
});

describe('configuration errors and credentials', () => {
  const password = 'S3cret-Pa55word';

  it.each([
    ['DATABASE_URL', `mysql://app:${password}@db.internal/app`, 'mysql://app:***@db.internal/app'],
    ['DATABASE_URL', `postgres://app:${password}@db internal:5432/app`, 'postgres://app:***@db internal:5432/app'],
    ['DATABASE_URL', `postgres://app:${password}@[::1/app`, 'postgres://app:***@[::1/app'],
    ['DATABASE_URL', `http://db.internal/app?password=${password}`, 'http://db.internal/app?password=***'],
    ['REDIS_URL', `redis://:${password}@cache.internal:99999`, 'redis://:***@cache.internal:99999'],
    ['REDIS_URL', `redis://default:${password}@cache.internal:6379/sessions`, 'redis://default:***@cache.internal:6379/sessions'],
    ['REDIS_URL', `redis://default:p@ss/${password}@cache.internal:6379/x`, 'redis://default:***@cache.internal:6379/x'],
  ])('shows a malformed %s with its password masked', (name, value, shown) => {
    const load = () => loadConfig({ [name]: value });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(new RegExp(`^${name}: `));
      expect(message).toContain(JSON.stringify(shown));
      expect(message).not.toContain(password);
      expect(message).not.toContain('p@ss');
    }
  });

  it('knows the credentials of the environment, valid or not, to mask them in any error', () => {
    const pem = createTestKey().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const secrets = secretValues({
      DATABASE_URL: `postgres://app:${password}@db internal/app`,
      REDIS_URL: `redis://:${password}2@cache/0?password=${password}3`,
      SESSION_SECRET: 'first-secret-of-32-characters-xx, second-secret-of-32-characters-x',
      JWT_PRIVATE_KEYS: pem.replaceAll('\n', '\\n'),
      PORT: '4000',
    });
    expect(secrets).toEqual(expect.arrayContaining([password, `${password}2`, `${password}3`, 'first-secret-of-32-characters-xx', 'second-secret-of-32-characters-x']));
    // Every line of the key's body, so that no quoted part of it survives.
    for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      expect(redact(`key: ${line}`, secrets)).not.toContain(line);
    }
    expect(secrets).not.toContain('4000');
  });

  it('masks URL passwords and the given secrets in free text: a URL error’s input, a driver’s message', () => {
    let thrown: unknown;
    try {
      new URL(`postgres://app:${password}@db internal/app`);
    } catch (err) {
      thrown = err;
    }
    const text = redact(inspect(thrown), []);
    expect(text).toContain("input: 'postgres://app:***@db internal/app'");
    expect(text).not.toContain(password);
    expect(redact(`connect to redis://u:${password}@h failed; token=${password}`, [password])).toBe('connect to redis://u:***@h failed; token=***');
    expect(redact(`the escaped ${encodeURIComponent('p@ss/wörd!')} leaks`, ['p@ss/wörd!'])).toBe('the escaped *** leaks');
  });

  it('redacts errors in log lines: pino’s error serialiser masks URL passwords', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    const err = Object.assign(new Error(`cannot reach postgres://app:${password}@db.internal/app`), { input: `redis://:${password}@cache` });
    logger.error({ err }, 'start-up failed');
    expect(lines.join('\n')).toContain('postgres://app:***@db.internal/app');
    expect(lines.join('\n')).not.toContain(password);
  });
});
