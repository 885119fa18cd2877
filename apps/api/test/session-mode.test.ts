import { CsrfResponse, csrfHeader, ErrorBody, paths, SessionLoginResponse, type ErrorCode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { touchIntervalMs } from '../src/storage/session-store';
import { parseSetCookie } from './support/test-client';
import { allowedOrigin, uniqueEmail, useTestApp } from './support/test-app';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

describe('session mode: the sid cookie', () => {
  const t = useTestApp('session');

  it('is HttpOnly, SameSite=Lax, Path=/ and not Secure by default', async () => {
    const user = await t.newUser();
    const res = await t.client().login({ email: user.email, password: user.password });
    const sid = parseSetCookie(res, 'sid');
    expect(sid?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(sid?.attributes.secure).toBeUndefined();
    expect(sid?.attributes.domain).toBeUndefined();
  });

  it('keeps no session, and sets no sid, for a visitor who has not logged in', async () => {
    const client = t.client();
    const csrf = await client.csrf();
    expect(csrf.status).toBe(200);
    expect(parseSetCookie(csrf, 'sid')).toBeUndefined();
    expect(parseSetCookie(csrf, 'csrf')?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    const refused = await client.post(paths.login, { email: uniqueEmail(), password: 'wrong password' });
    expectError(refused, 401, 'invalid_credentials');
    expect(parseSetCookie(refused, 'sid')).toBeUndefined();
  });

  it('gets a new id at login, and the id planted before login is worth nothing after it', async () => {
    // The attacker plants the id of a session of their own (the only kind they can get signed).
    const attacker = await t.newUser('Attacker');
    const planted = attacker.client.cookie('sid')!;
    expect(planted).toBeTruthy();
    const victim = await t.newUser('Victim');
    const client = t.client();
    client.agent.jar.setCookie(`sid=${planted}; Path=/`, '127.0.0.1', '/');
    await client.csrf();
    const res = await client.login({ email: victim.email, password: victim.password });
    expect(res.status).toBe(200);
    const fresh = client.cookie('sid');
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(planted);
    // The planted id never becomes the victim's login: login regenerates (and so ends) it.
    expectError(await supertest(t.app.app).get(paths.me).set('Cookie', `sid=${planted}`), 401, 'unauthenticated');
    expect((await client.me()).body.user.name).toBe('Victim');
  });

  it('is destroyed at logout: the old cookie no longer authenticates', async () => {
    const { client } = await t.newUser();
    const sid = client.cookie('sid');
    const res = await client.logout();
    expect(res.status).toBe(204);
    expect(parseSetCookie(res, 'sid')?.attributes.expires).toMatch(/1970/);
    expectError(await supertest(t.app.app).get(paths.me).set('Cookie', `sid=${sid}`), 401, 'unauthenticated');
  });

  it('refuses a cookie whose signature is wrong', async () => {
    const { client } = await t.newUser();
    const sid = decodeURIComponent(client.cookie('sid')!);
    const forged = `${sid.slice(0, -3)}abc`;
    expectError(await supertest(t.app.app).get(paths.me).set('Cookie', `sid=${encodeURIComponent(forged)}`), 401, 'unauthenticated');
  });
});

describe('session mode: Secure cookies', () => {
  const t = useTestApp('session', { env: { COOKIE_SECURE: 'on', TRUST_PROXY: '1' } });

  it('uses the __Host- prefix with Secure and Path=/ behind an HTTPS proxy', async () => {
    // Over "HTTPS" (the proxy says so), with the cookies a browser would send back over it.
    const https = (req: supertest.Test, cookie?: string) => req.set('X-Forwarded-Proto', 'https').set('Origin', allowedOrigin).set(cookie ? { Cookie: cookie } : {});
    const csrf = await https(supertest(t.app.app).get(paths.csrf));
    const csrfCookie = parseSetCookie(csrf, '__Host-csrf');
    expect(csrfCookie?.attributes).toMatchObject({ secure: true, httponly: true, path: '/', samesite: 'Lax' });
    const res = await https(supertest(t.app.app).post(paths.register), `__Host-csrf=${csrfCookie!.value}`)
      .set(csrfHeader, CsrfResponse.parse(csrf.body).csrfToken)
      .send({ email: uniqueEmail(), password: 'correct horse battery', name: 'Secure' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const sid = parseSetCookie(res, '__Host-sid');
    expect(sid?.attributes).toMatchObject({ secure: true, httponly: true, path: '/', samesite: 'Lax' });
    expect(sid?.attributes.domain).toBeUndefined();
    expect((await https(supertest(t.app.app).get(paths.me), `__Host-sid=${sid!.value}`)).status).toBe(200);
  });
});

describe('session mode: CSRF', () => {
  const t = useTestApp('session');

  it('refuses login and register without the token, or with a wrong one', async () => {
    const user = await t.newUser();
    const client = t.client();
    expectError(await client.post(paths.login, { email: user.email, password: user.password }), 403, 'csrf_failed');
    expectError(await client.post(paths.register, { email: uniqueEmail(), password: 'long enough pw', name: 'X' }), 403, 'csrf_failed');
    await client.csrf();
    const wrong = await client.request('post', paths.login).set(csrfHeader, 'x'.repeat(43)).send({ email: user.email, password: user.password });
    expectError(wrong, 403, 'csrf_failed');
    expect((await client.login({ email: user.email, password: user.password })).status).toBe(200);
  });

  it('refuses every unsafe request of a logged-in user without the token', async () => {
    const user = await t.newUser();
    const bare = (method: 'post' | 'patch' | 'delete', path: string) => {
      const { csrfToken } = user.client.state;
      user.client.state.csrfToken = undefined;
      const test = user.client.request(method, path);
      user.client.state.csrfToken = csrfToken;
      return test;
    };
    expectError(await bare('patch', paths.me).send({ name: 'Mallory' }), 403, 'csrf_failed');
    expectError(await bare('post', paths.logout), 403, 'csrf_failed');
    expectError(await bare('post', paths.logoutAll), 403, 'csrf_failed');
    expectError(await bare('delete', paths.session('anything')), 403, 'csrf_failed');
    // CSRF is checked before the route: an unknown path is refused the same way.
    expectError(await bare('post', '/api/nothing-here'), 403, 'csrf_failed');
    expect((await user.client.me()).status).toBe(200);
    expect((await user.client.me()).body.user.name).toBe(user.name);
  });

  it('refuses a token that belongs to another session', async () => {
    const alice = await t.newUser();
    const bob = await t.newUser();
    const res = await alice.client.request('patch', paths.me).set(csrfHeader, bob.client.state.csrfToken!).send({ name: 'X' });
    expectError(res, 403, 'csrf_failed');
  });

  it('issues a new token at login, retiring the one from before login', async () => {
    const user = await t.newUser();
    const client = await t.client().ready();
    const before = client.state.csrfToken!;
    const res = await client.login({ email: user.email, password: user.password });
    const after = SessionLoginResponse.parse(res.body).csrfToken;
    expect(after).not.toBe(before);
    expect((await client.get(paths.csrf)).body.csrfToken).toBe(after);
    expectError(await client.request('patch', paths.me).set(csrfHeader, before).send({ name: 'X' }), 403, 'csrf_failed');
  });

  it('checks the media type before CSRF', async () => {
    const client = t.client();
    expectError(await client.post(paths.login).set('Content-Type', 'text/plain').send('x'), 415, 'unsupported_media_type');
  });
});

describe('session mode: timeouts', () => {
  const t = useTestApp('session', { env: { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '2' } });
  const minute = 60_000;

  it('ends a session idle for longer than SESSION_IDLE_MINUTES', async () => {
    const { client } = await t.newUser();
    t.clock.advance(29 * minute);
    expect((await client.me()).status).toBe(200);
    t.clock.advance(29 * minute); // rolling: activity moved the deadline
    expect((await client.me()).status).toBe(200);
    t.clock.advance(31 * minute);
    expectError(await client.me(), 401, 'unauthenticated');
  });

  it('keeps a session alive at most SESSION_ABSOLUTE_HOURS, however active', async () => {
    const { client } = await t.newUser();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(20 * minute);
      expect((await client.me()).status).toBe(200);
    }
    t.clock.advance(21 * minute); // 121 minutes since login, never idle for more than 21

    expectError(await client.me(), 401, 'unauthenticated');
  });

  it('writes the session back at most once per touch interval', async () => {
    const { client } = await t.newUser();
    const listed = async () => (await client.get(paths.sessions)).body.sessions[0].expiresAt as string;
    await client.me();
    t.clock.advance(touchIntervalMs(t.config.sessionIdleSeconds) / 2);
    await client.me();
    const early = await listed();
    t.clock.advance(touchIntervalMs(t.config.sessionIdleSeconds));
    await client.me();
    expect(Date.parse(await listed())).toBeGreaterThan(Date.parse(early));
  });
});

describe('session mode: origin', () => {
  const t = useTestApp('session');

  it('lets the allowed origin log out with its CSRF token', async () => {
    const { client } = await t.newUser();
    expect(client.state.csrfToken).toBeTruthy();
    expect((await client.request('post', paths.logout).set('Origin', allowedOrigin)).status).toBe(204);
  });
});
