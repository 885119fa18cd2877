import { authModes, ErrorBody, modeTraits, paths, SessionsResponse } from '@authbench/contract';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { sharedStores } from '../support/namespaces';
import { useTestApp } from '../support/test-app';

// REDIS_URL without DATABASE_URL: users and refresh families in PGlite, the rest in Redis.
describe.each(authModes)('Redis beside the embedded database in %s mode', (mode) => {
  const t = useTestApp(mode, { env: { DATABASE_URL: '' } });
  // A revoked login whose client still presents its credential, and one whose cookies the API cleared.
  const refused = modeTraits[mode].refreshToken ? 'token_invalid' : 'unauthenticated';
  const cleared = modeTraits[mode].tokenInScript ? 'token_invalid' : 'unauthenticated';

  it('keeps users in PGlite and the rest in Redis', () => {
    expect(t.config.databaseUrl).toBeUndefined();
    expect(t.config.redisUrl).toBeDefined();
    expect(Object.keys(t.app.storage.checks).sort()).toEqual(['database', 'redis']);
  });

  it('logs in, lists the user’s sessions, revokes one and logs out everywhere', async () => {
    const user = await t.newUser();
    const other = t.client();
    expect((await other.login(user)).status).toBe(200);
    const { sessions } = SessionsResponse.parse((await user.client.get(paths.sessions)).body);
    expect(sessions).toHaveLength(2);
    const otherId = sessions.find((s) => !s.current)!.id;
    expect((await user.client.delete(paths.session(otherId))).status).toBe(204);
    expect(ErrorBody.parse((await other.me()).body).error.code).toBe(refused);
    const again = t.client();
    expect((await again.login(user)).status).toBe(200);
    expect((await user.client.post(paths.logoutAll)).status).toBe(204);
    expect(ErrorBody.parse((await again.me()).body).error.code).toBe(refused);
    expect(ErrorBody.parse((await user.client.me()).body).error.code).toBe(cleared);
  });

  it('counts failed logins in Redis', async () => {
    const user = await t.newUser();
    const client = await t.client().ready();
    const counter = `${t.namespace}:rate-limit:count:login:${user.email}|127.0.0.1`;
    const redis = createClient({ url: sharedStores().redisUrl });
    await redis.connect();
    try {
      expect(await redis.exists(counter)).toBe(0);
      for (let i = 0; i < t.config.loginMaxFailures; i++) {
        expect((await client.post(paths.login, { email: user.email, password: `wrong ${i} password` })).status).toBe(401);
        expect(Number(await redis.get(counter))).toBe(i + 1);
      }
      expect(await redis.pTTL(counter)).toBeGreaterThan(0);
      expect((await client.post(paths.login, { email: user.email, password: user.password })).status).toBe(429);
    } finally {
      await redis.close();
    }
  });
});
