import { AccessTokenClaims, csrfHeader, ErrorBody, JwtCookieLoginResponse, MeResponse, paths, type ErrorCode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, uniqueEmail, useTestApp } from './support/test-app';
import { parseSetCookie, type TestClient } from './support/test-client';
import { decodeParts } from './support/tokens';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

const jwtShape = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** Everything a response lets script see: its body and every header but Set-Cookie. */
const visibleToScript = (res: Response) => {
  const { 'set-cookie': _cookies, ...headers } = res.headers as Record<string, unknown>;
  return JSON.stringify([res.body, headers]);
};

describe('jwt-cookie mode: where the access token travels', () => {
  const t = useTestApp('jwt-cookie');

  it('sets at: HttpOnly, SameSite=Lax, Path=/, Max-Age of the refresh token, beside rt', async () => {
    const user = await t.newUser();
    const res = await t.client().login({ email: user.email, password: user.password });
    expect(res.status).toBe(200);
    const at = parseSetCookie(res, 'at');
    expect(at?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/', 'max-age': String(7 * 86400) });
    expect(at?.attributes.secure).toBeUndefined();
    expect(at?.attributes.domain).toBeUndefined();
    expect(decodeParts(at!.value).header).toMatchObject({ alg: 'ES256' });
    expect(parseSetCookie(res, 'rt')?.attributes).toMatchObject({ httponly: true, samesite: 'Strict', path: '/api/auth' });
  });

  it('never puts the token in a body or a header script can read: login, register, refresh, me', async () => {
    const client = t.client();
    const register = await client.register({ email: uniqueEmail(), password: 'correct horse battery', name: 'Hidden' });
    expect(register.status).toBe(201);
    expect(Object.keys(JwtCookieLoginResponse.parse(register.body)).sort()).toEqual(['csrfToken', 'expiresIn', 'user']);
    const refresh = await client.refresh();
    expect(refresh.status).toBe(200);
    expect(refresh.body).toEqual({ expiresIn: 300 });
    const me = await client.me();
    for (const res of [register, refresh, me]) {
      expect(visibleToScript(res)).not.toMatch(jwtShape);
      expect(visibleToScript(res)).not.toContain(client.cookie('at'));
    }
  });

  it('reports the verified claims of the presented cookie, so /inspect can show them', async () => {
    const { client } = await t.newUser();
    const { login } = MeResponse.parse((await client.me()).body);
    const claims = AccessTokenClaims.parse(login?.claims);
    expect(claims).toEqual(decodeParts(client.cookie('at')!).payload);
    expect(login?.sessionId).toBe(claims.sid);
  });

  it('does not take a Bearer header as a credential, even carrying a genuine token', async () => {
    const { client } = await t.newUser();
    const res = await supertest(t.app.app).get(paths.me).set('Authorization', `Bearer ${client.cookie('at')!}`);
    expectError(res, 401, 'unauthenticated');
  });

  it('clears both cookies at logout, and the captured access token is refused at once', async () => {
    const { client } = await t.newUser();
    const at = client.cookie('at')!;
    const res = await client.logout();
    expect(res.status).toBe(204);
    expect(parseSetCookie(res, 'at')?.attributes.expires).toMatch(/1970/);
    expect(parseSetCookie(res, 'rt')?.attributes.expires).toMatch(/1970/);
    expect(client.cookie('at')).toBeUndefined();
    expectError(await supertest(t.app.app).get(paths.me).set('Cookie', `at=${at}`), 401, 'token_invalid');
  });
});

describe('jwt-cookie mode: CSRF on every unsafe request', () => {
  const t = useTestApp('jwt-cookie');

  /** The same request with the CSRF header missing, wrong, and right. */
  const attempts = async (client: TestClient, send: (headers: Record<string, string>) => supertest.Test) => {
    const { [csrfHeader]: token, ...headers } = client.headersFor('post', paths.me);
    return {
      missing: await send(headers),
      wrong: await send({ ...headers, [csrfHeader]: `${token!.slice(0, -2)}xx` }),
      right: () => send({ ...headers, [csrfHeader]: token! }),
    };
  };

  it.each([
    ['login', (user: { email: string; password: string }) => ({ path: paths.login, body: { email: user.email, password: user.password }, ok: 200 })],
    ['register', () => ({ path: paths.register, body: { email: uniqueEmail(), password: 'correct horse battery', name: 'New' }, ok: 201 })],
  ])('refuses %s without the token, or with a wrong one', async (_name, request) => {
    const user = await t.newUser();
    const client = await t.client().ready();
    const { path, body, ok } = request(user);
    const tries = await attempts(client, (headers) => supertest(t.app.app).post(path).set(headers).send(body));
    expectError(tries.missing, 403, 'csrf_failed');
    expectError(tries.wrong, 403, 'csrf_failed');
    expect(parseSetCookie(tries.missing, 'at')).toBeUndefined();
    expect((await tries.right()).status).toBe(ok);
  });

  it('refuses refresh, logout, logout-all, PATCH /api/me and revoking a session without the token, and none of them happens', async () => {
    const user = await t.newUser();
    const other = t.client();
    await other.login({ email: user.email, password: user.password });
    const { sid: otherSid } = decodeParts(other.cookie('at')!).payload;
    const rt = user.client.cookie('rt');
    const unsafe: [string, (headers: Record<string, string>) => supertest.Test][] = [
      ['refresh', (h) => supertest(t.app.app).post(paths.refresh).set(h)],
      ['logout', (h) => supertest(t.app.app).post(paths.logout).set(h)],
      ['logout-all', (h) => supertest(t.app.app).post(paths.logoutAll).set(h)],
      ['PATCH /api/me', (h) => supertest(t.app.app).patch(paths.me).set(h).send({ name: 'Forged' })],
      ['DELETE a session', (h) => supertest(t.app.app).delete(paths.session(String(otherSid))).set(h)],
    ];
    for (const [name, send] of unsafe) {
      const tries = await attempts(user.client, (headers) => send({ ...headers, Cookie: user.client.cookieHeader(paths.refresh) }));
      expect(tries.missing.status, name).toBe(403);
      expectError(tries.missing, 403, 'csrf_failed');
      expectError(tries.wrong, 403, 'csrf_failed');
    }
    // Nothing of it happened: the refresh cookie was not spent, the name is unchanged, both logins live.
    expect(user.client.cookie('rt')).toBe(rt);
    expect(MeResponse.parse((await user.client.me()).body).user.name).toBe(user.name);
    expect((await other.me()).status).toBe(200);
    expect((await user.client.refresh()).status).toBe(200);
  });

  it('refuses the CSRF token of another login, and of the same browser before login', async () => {
    const alice = await t.newUser('Alice');
    const bob = await t.newUser('Bob');
    const withAlicesToken = await supertest(t.app.app)
      .patch(paths.me)
      .set({ ...bob.client.headersFor('patch', paths.me), [csrfHeader]: alice.client.state.csrfToken! })
      .send({ name: 'Forged' });
    expectError(withAlicesToken, 403, 'csrf_failed');
    const anonymous = await t.client().ready();
    const withAnonymousToken = await supertest(t.app.app)
      .patch(paths.me)
      .set({ ...bob.client.headersFor('patch', paths.me), [csrfHeader]: anonymous.state.csrfToken! })
      .send({ name: 'Forged' });
    expectError(withAnonymousToken, 403, 'csrf_failed');
  });

  it('keeps the login’s CSRF token valid across refreshes, and hands it out again from GET /api/auth/csrf', async () => {
    const { client } = await t.newUser();
    const token = client.state.csrfToken!;
    t.clock.advance(301_000); // the access token expires: the cookie still names the login
    expect((await client.refresh()).status).toBe(200);
    expect((await client.csrf()).body).toEqual({ csrfToken: token });
    expect((await client.patch(paths.me, { name: 'Still me' })).status).toBe(200);
  });

  it('accepts a request with the token from an allowed origin only', async () => {
    const { client } = await t.newUser();
    const headers = { ...client.headersFor('patch', paths.me), Origin: 'http://evil.example' };
    expectError(await supertest(t.app.app).patch(paths.me).set(headers).send({ name: 'X' }), 403, 'forbidden_origin');
    expect((await supertest(t.app.app).patch(paths.me).set({ ...headers, Origin: allowedOrigin }).send({ name: 'X' })).status).toBe(200);
  });
});

describe('jwt-cookie mode: Secure cookies', () => {
  const t = useTestApp('jwt-cookie', { env: { COOKIE_SECURE: 'on', TRUST_PROXY: '1' } });

  it('names the cookies __Host-at, __Host-csrf and __Secure-rt and marks them Secure', async () => {
    const https = (req: supertest.Test, cookie?: string) => req.set('X-Forwarded-Proto', 'https').set('Origin', allowedOrigin).set(cookie ? { Cookie: cookie } : {});
    const csrf = await https(supertest(t.app.app).get(paths.csrf));
    const csrfCookie = parseSetCookie(csrf, '__Host-csrf');
    expect(csrfCookie?.attributes).toMatchObject({ secure: true, httponly: true, path: '/' });
    const res = await https(supertest(t.app.app).post(paths.register), `__Host-csrf=${csrfCookie!.value}`)
      .set(csrfHeader, String(csrf.body.csrfToken))
      .send({ email: uniqueEmail(), password: 'correct horse battery', name: 'Secure' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(parseSetCookie(res, '__Host-at')?.attributes).toMatchObject({ secure: true, httponly: true, path: '/', samesite: 'Lax' });
    expect(parseSetCookie(res, '__Secure-rt')?.attributes).toMatchObject({ secure: true, httponly: true, path: '/api/auth' });
    const at = parseSetCookie(res, '__Host-at')!.value;
    expect((await https(supertest(t.app.app).get(paths.me), `__Host-at=${at}`)).status).toBe(200);
    expectError(await https(supertest(t.app.app).get(paths.me), `at=${at}`), 401, 'unauthenticated');
  });
});
