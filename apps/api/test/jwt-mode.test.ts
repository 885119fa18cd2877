import { createHmac } from 'node:crypto';
import { ErrorBody, Jwks, JwtLoginResponse, modeTraits, paths, refreshResponses, type ErrorCode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { foreignOrigin, useTestApp } from './support/test-app';
import { accessTokenCarrier, tokenModes } from './support/access-token';
import { parseSetCookie, type TestClient } from './support/test-client';
import { createTestKey, decodeParts, keysEnv, signAccessToken, tamperedToken, unsignedToken } from './support/tokens';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

const current = createTestKey();
const previous = createTestKey();

describe('jwt mode: tokens at login', () => {
  const t = useTestApp('jwt', { env: { JWT_PRIVATE_KEYS: keysEnv(current, previous) } });

  it('answers with an ES256 Bearer token carrying the pinned claims, signed by the newest key', async () => {
    const user = await t.newUser();
    const res = await t.client().login({ email: user.email, password: user.password });
    const body = JwtLoginResponse.parse(res.body);
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 300 });
    const { header, payload } = decodeParts(body.accessToken);
    expect(header).toMatchObject({ alg: 'ES256', kid: current.jwk.kid });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub'].sort());
    expect(payload).toMatchObject({ sub: body.user.id, iss: 'authbench', aud: 'authbench-web' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
  });

  it('sets the refresh cookie rt: HttpOnly, SameSite=Strict, Path=/api/auth, Max-Age of REFRESH_TOKEN_TTL', async () => {
    const user = await t.newUser();
    const res = await t.client().login({ email: user.email, password: user.password });
    const rt = parseSetCookie(res, 'rt');
    expect(rt?.attributes).toMatchObject({ httponly: true, samesite: 'Strict', path: '/api/auth', 'max-age': String(7 * 86400) });
    expect(rt?.attributes.secure).toBeUndefined();
    expect(rt?.value).toMatch(/^[\w-]{43}$/);
    expect(res.headers['set-cookie']?.toString()).not.toMatch(/sid=/);
  });

  it('publishes every verification key at the JWKS endpoint, without private parts', async () => {
    const res = await t.client().get(paths.jwks);
    expect(res.status).toBe(200);
    const { keys } = Jwks.parse(res.body);
    expect(keys.map((k) => k.kid)).toEqual([current.jwk.kid, previous.jwk.kid]);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('still accepts tokens signed by the previous key (rotation)', async () => {
    const user = await t.newUser();
    const { sub, sid } = decodeParts(user.client.state.accessToken!).payload;
    const now = Math.floor(t.clock.now() / 1000);
    const token = signAccessToken(previous, { sub, sid, jti: 'j1', iss: 'authbench', aud: 'authbench-web', iat: now, exp: now + 60 });
    expect((await t.client().get(paths.me).set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe.each(tokenModes)('%s mode: forged and broken access tokens', (mode) => {
  const t = useTestApp(mode, { env: { JWT_PRIVATE_KEYS: keysEnv(current) } });
  const stranger = createTestKey(current.jwk.kid); // same kid, different key
  const carrier = accessTokenCarrier[mode];

  const claimsFor = async () => {
    const user = await t.newUser();
    const token = carrier.of(user.client)!;
    return { token, payload: decodeParts(token).payload };
  };
  const me = (token: string) => carrier.present(supertest(t.app.app).get(paths.me), token);
  const now = () => Math.floor(t.clock.now() / 1000);

  it('accepts the genuine token', async () => {
    const { token } = await claimsFor();
    expect((await me(token)).status).toBe(200);
  });

  it.each([
    ['alg none', (token: string, payload: Record<string, unknown>) => unsignedToken(decodeParts(token).header, payload)],
    [
      'HS256 signed with the public key',
      (_token: string, payload: Record<string, unknown>) => {
        const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: current.jwk.kid })).toString('base64url');
        const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
        const signature = createHmac('sha256', current.publicPem).update(`${header}.${body}`).digest('base64url');
        return `${header}.${body}.${signature}`;
      },
    ],
    ['an unknown kid', (_token: string, payload: Record<string, unknown>) => signAccessToken(createTestKey(), payload)],
    ['a key that is not ours under our kid', (_token: string, payload: Record<string, unknown>) => signAccessToken(stranger, payload)],
    ['a tampered payload', (token: string, payload: Record<string, unknown>) => tamperedToken(token, { ...payload, sub: 'someone-else' })],
    ['nbf in the future', (_token: string, payload: Record<string, unknown>) => signAccessToken(current, { ...payload, nbf: now() + 120 })],
    ['a wrong issuer', (_token: string, payload: Record<string, unknown>) => signAccessToken(current, { ...payload, iss: 'someone' })],
    ['a wrong audience', (_token: string, payload: Record<string, unknown>) => signAccessToken(current, { ...payload, aud: 'other-app' })],
    [
      'no sid claim',
      (_token: string, payload: Record<string, unknown>) => {
        const { sid: _sid, ...rest } = payload;
        return signAccessToken(current, rest);
      },
    ],
    ['an expired token with a forged signature', (token: string, payload: Record<string, unknown>) => tamperedToken(token, { ...payload, exp: now() - 10 })],
    ['garbage', () => 'not.a.token'],
    ['three dots of nothing', () => '..'],
    ['a header that is not JSON', () => `${Buffer.from('{oops').toString('base64url')}.e30.sig`],
  ])('refuses %s with 401 token_invalid', async (_label, forge) => {
    const { token, payload } = await claimsFor();
    expectError(await me(forge(token, payload)), 401, 'token_invalid');
  });

  it('refuses an expired genuine token with 401 token_expired', async () => {
    const { payload } = await claimsFor();
    const expired = signAccessToken(current, { ...payload, iat: now() - 400, exp: now() - 100 });
    expectError(await me(expired), 401, 'token_expired');
  });

  it('expires the token after ACCESS_TOKEN_TTL, and a refresh brings a working one', async () => {
    const user = await t.newUser();
    t.clock.advance(301_000);
    expectError(await user.client.me(), 401, 'token_expired');
    const refreshed = await user.client.refresh();
    expect(refreshed.status).toBe(200);
    refreshResponses[mode].parse(refreshed.body);
    expect((await user.client.me()).status).toBe(200);
  });
});

describe('jwt mode: the Authorization header', () => {
  const t = useTestApp('jwt');

  it('refuses a malformed Authorization header with 401', async () => {
    expectError(await supertest(t.app.app).get(paths.me).set('Authorization', 'Bearer'), 401, 'token_invalid');
    expectError(await supertest(t.app.app).get(paths.me).set('Authorization', 'Bearer a b'), 401, 'token_invalid');
    expectError(await supertest(t.app.app).get(paths.me).set('Authorization', 'Basic dXNlcjpwYXNz'), 401, 'unauthenticated');
  });
});

describe.each(tokenModes)('%s mode: refresh tokens', (mode) => {
  const t = useTestApp(mode, { env: { REFRESH_TOKEN_TTL: '1d' } });
  /** A refresh from this client (its Origin, cookies and CSRF token) presenting this rt cookie instead of its own. */
  const refreshWith = (client: TestClient, rt: string) => {
    const cookies = client.cookieHeader(paths.refresh).split('; ').filter((c) => c && !c.startsWith('rt='));
    return supertest(t.app.app)
      .post(paths.refresh)
      .set({ ...client.headersFor('post', paths.refresh), Cookie: [...cookies, `rt=${rt}`].join('; ') });
  };

  it('rotates the refresh token on every refresh', async () => {
    const { client } = await t.newUser();
    const first = client.cookie('rt');
    const res = await client.refresh();
    expect(res.status).toBe(200);
    const second = parseSetCookie(res, 'rt')?.value;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect((await client.refresh()).status).toBe(200);
  });

  it('revokes the whole family when a rotated token is presented again, and leaves other families alone', async () => {
    const user = await t.newUser();
    const laptop = t.client();
    await laptop.login({ email: user.email, password: user.password });
    const stolen = user.client.cookie('rt')!;
    expect((await user.client.refresh()).status).toBe(200); // the owner rotates
    // The thief, from a browser of its own; where tokens are bound to a key, only one that signs
    // with the owner's key can present the token at all (a script in the owner's page).
    const thief = t.client(modeTraits[mode].proof ? { dpopKey: user.client.dpopKey! } : {});
    const replay = await refreshWith(await thief.ready(), stolen);
    expectError(replay, 401, 'token_invalid');
    expect(parseSetCookie(replay, 'rt')?.attributes.expires).toMatch(/1970/);
    // The owner's fresh refresh token and access token die with the family...
    const ownersToken = accessTokenCarrier[mode].of(user.client)!;
    expectError(await user.client.refresh(), 401, 'token_invalid');
    expectError(await accessTokenCarrier[mode].present(supertest(t.app.app).get(paths.me), ownersToken), 401, 'token_invalid');
    // ...and the same user's other login is untouched.
    expect((await laptop.me()).status).toBe(200);
    expect((await laptop.refresh()).status).toBe(200);
  });

  it('lets exactly one of concurrent refreshes with one token succeed', async () => {
    const { client } = await t.newUser();
    const token = client.cookie('rt')!;
    const results = await Promise.all(Array.from({ length: 5 }, () => refreshWith(client, token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    for (const r of results.filter((r) => r.status !== 200)) expectError(r, 401, 'token_invalid');
  });

  it('answers a refresh without the cookie with 401 unauthenticated, and a garbage cookie with token_invalid', async () => {
    expectError(await t.client().refresh(), 401, 'unauthenticated');
    const client = await t.client().ready();
    expectError(await refreshWith(client, '%E0%A4%A'), 401, 'token_invalid');
  });

  it('refuses an expired refresh token', async () => {
    const { client } = await t.newUser();
    t.clock.advance(86_401_000);
    expectError(await client.refresh(), 401, 'token_invalid');
  });

  it('ends a family at its absolute lifetime of 30 days, however often it refreshes', async () => {
    const { client } = await t.newUser();
    for (let day = 0; day < 29; day++) {
      t.clock.advance(86_400_000 - 60_000);
      expect((await client.refresh()).status, `day ${day}`).toBe(200);
    }
    t.clock.advance(2 * 86_400_000);
    expectError(await client.refresh(), 401, 'token_invalid');
  });

  it('refuses refresh and logout without an allowed Origin, and the refused request consumes nothing', async () => {
    const { client } = await t.newUser();
    const { Origin: _origin, ...withoutOrigin } = client.headersFor('post', paths.refresh);
    const bare = supertest(t.app.app);
    expectError(await bare.post(paths.refresh).set(withoutOrigin), 403, 'forbidden_origin');
    expectError(await bare.post(paths.refresh).set({ ...withoutOrigin, Origin: foreignOrigin }), 403, 'forbidden_origin');
    expectError(await bare.post(paths.logout).set(withoutOrigin), 403, 'forbidden_origin');
    expect((await client.me()).status).toBe(200);
    expect((await client.refresh()).status).toBe(200);
  });
});

describe.each(tokenModes)('%s mode: logout and revocation', (mode) => {
  const t = useTestApp(mode);
  const carrier = accessTokenCarrier[mode];
  const me = (token: string) => carrier.present(supertest(t.app.app).get(paths.me), token);

  it('revokes the family of the rt cookie, and its access token is refused at once', async () => {
    const { client } = await t.newUser();
    const token = carrier.of(client)!;
    expect((await client.logout()).status).toBe(204);
    expectError(await me(token), 401, 'token_invalid');
    expectError(await client.refresh(), 401, 'unauthenticated'); // the cookie was cleared
  });

  it('revokes the family of the access token when there is no refresh cookie', async () => {
    const { client } = await t.newUser();
    const token = carrier.of(client)!;
    const rt = client.cookie('rt')!;
    const { Cookie: _cookies, ...headers } = client.headersFor('post', paths.logout);
    const res = await carrier.present(supertest(t.app.app).post(paths.logout).set(headers), token);
    expect(res.status).toBe(204);
    expectError(await me(token), 401, 'token_invalid');
    const { Cookie: _none, ...refreshHeaders } = client.headersFor('post', paths.refresh);
    const refresh = await supertest(t.app.app)
      .post(paths.refresh)
      .set({ ...refreshHeaders, Cookie: `rt=${rt}; at=${token}` });
    expectError(refresh, 401, 'token_invalid');
  });

  it('does not let a long-expired access token end its login', async () => {
    const { client } = await t.newUser();
    const token = carrier.of(client)!;
    t.clock.advance(2 * 301_000);
    await client.learnNonce(); // jwt-dpop: as the browser keeps the nonce of every answer
    const { Cookie: _cookies, ...headers } = client.headersFor('post', paths.logout);
    expect((await carrier.present(supertest(t.app.app).post(paths.logout).set(headers), token)).status).toBe(204);
    expect((await client.refresh()).status).toBe(200);
    expect((await client.me()).status).toBe(200);
  });

  it('lists families as sessions and revokes one by id, whose access token is refused at once', async () => {
    const user = await t.newUser();
    const { sid } = decodeParts(carrier.of(user.client)!).payload;
    const laptop = t.client();
    await laptop.login({ email: user.email, password: user.password });
    const laptopSid = decodeParts(carrier.of(laptop)!).payload.sid as string;
    const list = await user.client.get(paths.sessions);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: sid, current: true }), expect.objectContaining({ id: laptopSid, current: false })]),
    );
    expect((await user.client.delete(paths.session(laptopSid))).status).toBe(204);
    expectError(await laptop.me(), 401, 'token_invalid');
    expectError(await laptop.refresh(), 401, 'token_invalid');
    expect((await user.client.me()).status).toBe(200);
    expect((await user.client.get(paths.sessions)).body.sessions).toEqual([expect.objectContaining({ id: sid })]);
  });
});

describe.each(tokenModes)('%s mode: revocation check off', (mode) => {
  const t = useTestApp(mode, { env: { JWT_REVOCATION_CHECK: 'off' } });
  const carrier = accessTokenCarrier[mode];

  it('lets a logged-out access token live until it expires, but never refresh', async () => {
    const { client } = await t.newUser();
    const token = carrier.of(client)!;
    const refreshCookie = client.cookieHeader(paths.refresh);
    expect((await client.post(paths.logout)).status).toBe(204);
    const me = () => carrier.present(supertest(t.app.app).get(paths.me), token);
    expect((await me()).status).toBe(200);
    t.clock.advance(301_000);
    expectError(await me(), 401, 'token_expired');
    await client.learnNonce();
    const refresh = supertest(t.app.app).post(paths.refresh).set({ ...client.headersFor('post', paths.refresh), Cookie: refreshCookie });
    expectError(await refresh, 401, 'token_invalid');
  });
});

describe('jwt mode: Secure cookies', () => {
  const t = useTestApp('jwt', { env: { COOKIE_SECURE: 'on', TRUST_PROXY: '1' } });

  it('names the refresh cookie __Secure-rt and marks it Secure', async () => {
    const user = await t.newUser();
    const res = await t.client().login({ email: user.email, password: user.password });
    const rt = parseSetCookie(res, '__Secure-rt');
    expect(rt?.attributes).toMatchObject({ secure: true, httponly: true, samesite: 'Strict', path: '/api/auth' });
  });
});
