import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configWarnings, loadConfig } from '../src/config';
import { parseDuration } from '../src/duration';
import { resolveSecrets } from '../src/secrets';
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
    const warnings = configWarnings(loadConfig({ CORS_ORIGINS: '*,null', COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'off' }));
    expect(warnings.join('\n')).toMatch(/"\*"/);
    expect(warnings.join('\n')).toMatch(/"null"/);
    expect(warnings.join('\n')).toMatch(/SameSite=None/);
    expect(configWarnings(loadConfig({ COOKIE_SECURE: 'on' })).join('\n')).toMatch(/TRUST_PROXY/);
    expect(configWarnings(loadConfig({ COOKIE_SECURE: 'on', TRUST_PROXY: 'on' }))).toEqual([]);
  });
});

describe('secrets', () => {
  it.each([
    ['session', 'SESSION_SECRET'],
    ['jwt', 'JWT_PRIVATE_KEYS'],
  ])('refuses a production start in %s mode without %s, naming it', async (mode, variable) => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_MODE: mode, DATA_DIR: await createDataDir() });
    await expect(resolveSecrets(config)).rejects.toThrow(new RegExp(`^${variable}: required`));
  });

  it('starts in production with its secrets given', async () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: keysEnv(createTestKey('prod')), DATA_DIR: await createDataDir() });
    expect((await resolveSecrets(config)).signingKeys[0]!.kid).toBe('prod');
  });

  it('generates development secrets once into DATA_DIR and reuses them', async () => {
    const dataDir = await createDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = await resolveSecrets(config);
    const second = await resolveSecrets(config);
    expect(second.sessionSecrets).toEqual(first.sessionSecrets);
    expect(second.signingKeys.map((k) => k.kid)).toEqual(first.signingKeys.map((k) => k.kid));
    const file = JSON.parse(await readFile(path.join(dataDir, 'dev-secrets.json'), 'utf8')) as object;
    expect(Object.keys(file).sort()).toEqual(['jwtPrivateKeys', 'sessionSecret']);
  });

  it.each([
    ['not a key at all', /JWT_PRIVATE_KEYS: /],
    ['{"kty":"RSA"}', /JWT_PRIVATE_KEYS: /],
  ])('refuses unusable JWT_PRIVATE_KEYS (%s) with a line naming it', async (value, message) => {
    const config = loadConfig({ AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: value, SESSION_SECRET: 'x'.repeat(32), DATA_DIR: await createDataDir() });
    await expect(resolveSecrets(config)).rejects.toThrow(message);
  });

  it('accepts PEM keys, newest first', async () => {
    const pem = createTestKey('pem').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const config = loadConfig({ AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: pem.replaceAll('\n', '\\n'), SESSION_SECRET: 'x'.repeat(32), DATA_DIR: await createDataDir() });
    const { signingKeys } = await resolveSecrets(config);
    expect(signingKeys).toHaveLength(1);
    expect(signingKeys[0]!.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });
});
