import { authModes, modeTraits, paths } from '@authbench/contract';
import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { sharedStores } from '../support/namespaces';
import { givenSecrets, leaksIn, redisValues, storedSecrets } from '../support/redis-values';
import { useTestApp } from '../support/test-app';
import { parseSetCookie, type TestClient } from '../support/test-client';

// Everything a mode puts in Redis (sessions and their index, the user cache, rate-limit counters,
// the revocation list), after every route has run: no value may hold a password hash or a
// password, nor any token or cookie value the API handed out, nor a secret the API holds.
// (Every test app of the distributed run is also checked for hashes and secrets as it closes.)
describe.each(authModes)('%s mode: what Redis holds', (mode) => {
  const t = useTestApp(mode);
  const handedOut: string[] = [];
  /** Keeps every credential an answer carried: its cookies' values and the tokens in its body. */
  const seen = (res: Response) => {
    for (const raw of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      const name = raw.slice(0, raw.indexOf('='));
      const value = parseSetCookie(res, name)?.value;
      if (value) handedOut.push(value, decodeURIComponent(value));
    }
    const body = res.body as { accessToken?: unknown; csrfToken?: unknown };
    for (const token of [body.accessToken, body.csrfToken]) if (typeof token === 'string') handedOut.push(token);
    return res;
  };
  const everyRoute = async (client: TestClient, user: { email: string; password: string }) => {
    if (modeTraits[mode].csrf) seen(await client.csrf());
    seen(await client.login(user));
    seen(await client.me());
    seen(await client.patch(paths.me, { name: 'Cached Name' }));
    seen(await client.me());
    seen(await client.get(paths.sessions));
    if (modeTraits[mode].refreshToken) seen(await client.refresh());
    seen(await client.post(paths.login, { email: user.email, password: 'a wrong password' }));
  };

  it('holds no password hash, password, token, cookie value or secret in any value', async () => {
    const user = await t.newUser();
    const laptop = t.client();
    await everyRoute(laptop, user);
    const phone = t.client();
    await everyRoute(phone, user);
    const stores = sharedStores();
    // Read with the logins live (sessions, their index, the cache), then once they have ended (the revocation list).
    const values = await redisValues(stores.redisUrl, t.namespace!);
    seen(await laptop.logout());
    seen(await phone.post(paths.logoutAll));
    values.push(...(await redisValues(stores.redisUrl, t.namespace!)));
    expect(values.length, 'Redis holds something to look at').toBeGreaterThan(0);
    const secrets = [user.password, ...handedOut, ...givenSecrets(t.config.sessionSecrets, t.config.jwtPrivateKeys), ...(await storedSecrets(stores.databaseUrl, t.namespace!))];
    expect(leaksIn(values, secrets)).toEqual([]);
  });
});
