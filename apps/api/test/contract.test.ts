import {
  authModes,
  ConfigResponse,
  ErrorBody,
  HealthResponse,
  JwtLoginResponse,
  MeResponse,
  paths,
  SessionLoginResponse,
  SessionsResponse,
  type ErrorCode,
} from '@authbench/contract';
import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, foreignOrigin, uniqueEmail, useTestApp } from './support/test-app';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
};

describe.each(authModes)('the HTTP contract in %s mode', (mode) => {
  const t = useTestApp(mode);
  const LoginBody = mode === 'session' ? SessionLoginResponse : JwtLoginResponse;

  describe('meta endpoints', () => {
    it('reports health with the mode', async () => {
      const res = await t.client().get(paths.health);
      expect(res.status).toBe(200);
      expect(HealthResponse.parse(res.body)).toEqual({ status: 'ok', authMode: mode });
    });

    it('serves the configuration the SPA needs', async () => {
      const res = await t.client().get(paths.config);
      const body = ConfigResponse.parse(res.body);
      expect(body.authMode).toBe(mode);
      expect(body.accessTokenTtlSeconds).toBe(mode === 'jwt' ? 300 : undefined);
      expect(body.cookies).toEqual([
        mode === 'session'
          ? expect.objectContaining({ name: 'sid', httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAgeSeconds: 43_200 })
          : expect.objectContaining({ name: 'rt', httpOnly: true, sameSite: 'strict', secure: false, path: '/api/auth', maxAgeSeconds: 604_800 }),
      ]);
    });

    it('serves an OpenAPI 3.1 document of this mode’s endpoints', async () => {
      const res = await t.client().get(paths.openapi);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toContain(paths.login);
      expect(Object.keys(res.body.paths).includes(paths.refresh)).toBe(mode === 'jwt');
      expect(Object.keys(res.body.paths).includes(paths.csrf)).toBe(mode === 'session');
      expect(res.body.paths[paths.login].post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    });

    it('answers the other mode’s endpoints with a JSON 404', async () => {
      const client = await t.client().ready();
      const other = mode === 'session' ? [client.post(paths.refresh), client.get(paths.jwks)] : [client.get(paths.csrf)];
      for (const res of await Promise.all(other)) expectError(res, 404, 'not_found');
    });

    it('answers unknown paths with a JSON 404, before authentication', async () => {
      const client = await t.client().ready();
      expectError(await client.get('/api/nothing-here'), 404, 'not_found');
      expectError(await client.post('/api/nothing-here', {}), 404, 'not_found');
      expectError(await client.get('/%E0%A4%A'), 404, 'not_found');
    });
  });

  describe('register', () => {
    it('creates the account and logs it in, answering as login does', async () => {
      const client = t.client();
      const email = uniqueEmail();
      const res = await client.register({ email: `  ${email.toUpperCase()} `, password: 'long enough pw', name: '  Ada  ' });
      expect(res.status).toBe(201);
      const body = LoginBody.parse(res.body);
      expect(body.user).toMatchObject({ email, name: 'Ada' });
      expect(Date.parse(body.user.createdAt)).not.toBeNaN();
      expect(JSON.stringify(body)).not.toMatch(/password|argon/i);
      const me = await client.me();
      expect(MeResponse.parse(me.body).user).toEqual(body.user);
    });

    it('refuses a taken email, whatever its case', async () => {
      const user = await t.newUser();
      const res = await t.client().register({ email: user.email.toUpperCase(), password: 'another password', name: 'Other' });
      expectError(res, 409, 'email_taken');
    });

    it.each([
      ['a malformed email', { email: 'not-an-email', password: 'long enough pw', name: 'X' }, 'email'],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.test`, password: 'long enough pw', name: 'X' }, 'email'],
      ['a short password', { email: uniqueEmail(), password: 'short', name: 'X' }, 'password'],
      ['a password over 128 characters', { email: uniqueEmail(), password: 'x'.repeat(129), name: 'X' }, 'password'],
      ['a blank name', { email: uniqueEmail(), password: 'long enough pw', name: '   ' }, 'name'],
      ['a name over 80 characters', { email: uniqueEmail(), password: 'long enough pw', name: 'n'.repeat(81) }, 'name'],
      ['a missing field', { email: uniqueEmail(), password: 'long enough pw' }, 'name'],
      ['a wrong type', { email: uniqueEmail(), password: 12345678, name: 'X' }, 'password'],
    ])('refuses %s with validation details', async (_label, body, field) => {
      const res = await (await t.client().ready()).post(paths.register, body);
      expectError(res, 400, 'validation_failed');
      expect(ErrorBody.parse(res.body).error.details?.issues.map((i) => i.path)).toContain(field);
    });
  });

  describe('login', () => {
    it('logs in with the password exactly as typed', async () => {
      const user = await t.newUser();
      const client = t.client();
      const res = await client.login({ email: user.email, password: user.password });
      expect(res.status).toBe(200);
      expect(LoginBody.parse(res.body).user.email).toBe(user.email);
      expect((await client.me()).status).toBe(200);
      const padded = await t.client().login({ email: user.email, password: ` ${user.password}` });
      expectError(padded, 401, 'invalid_credentials');
    });

    it('answers an unknown email exactly as it answers a wrong password', async () => {
      const user = await t.newUser();
      const unknown = await t.client().login({ email: uniqueEmail('nobody'), password: 'wrong password' });
      const wrong = await t.client().login({ email: user.email, password: 'wrong password' });
      expectError(wrong, 401, 'invalid_credentials');
      expect([unknown.status, unknown.body]).toEqual([wrong.status, wrong.body]);
    });

    it('takes about as long for an unknown email as for a wrong password', async () => {
      const user = await t.newUser();
      const time = async (email: string) => {
        const client = await t.client().ready();
        const start = performance.now();
        await client.post(paths.login, { email, password: 'wrong password' });
        return performance.now() - start;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const unknown: number[] = [];
      const known: number[] = [];
      for (let i = 0; i < 4; i++) {
        unknown.push(await time(uniqueEmail('ghost')));
        known.push(await time(user.email));
      }
      // Both pay one Argon2id verification; a missing hash would make the unknown email ~50x faster.
      expect(median(unknown)).toBeGreaterThan(median(known) / 2);
      expect(median(unknown)).toBeLessThan(median(known) * 2);
    });

    it('limits failed logins per email and client, then refuses even the right password with Retry-After', async () => {
      const user = await t.newUser();
      const client = await t.client().ready();
      for (let i = 0; i < t.config.loginMaxFailures; i++) {
        expectError(await client.post(paths.login, { email: user.email, password: `wrong password ${i}` }), 401, 'invalid_credentials');
      }
      const limited = await client.post(paths.login, { email: user.email.toUpperCase(), password: user.password });
      expectError(limited, 429, 'rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      // Another email from the same client is counted separately.
      const other = await t.newUser();
      expect((await t.client().login({ email: other.email, password: other.password })).status).toBe(200);
    });

    it('counts unknown emails exactly as known ones', async () => {
      const client = await t.client().ready();
      const email = uniqueEmail('ghost');
      for (let i = 0; i < t.config.loginMaxFailures; i++) {
        expectError(await client.post(paths.login, { email, password: 'wrong password' }), 401, 'invalid_credentials');
      }
      expectError(await client.post(paths.login, { email, password: 'wrong password' }), 429, 'rate_limited');
    });

    it('does not count successful logins', async () => {
      const user = await t.newUser();
      for (let i = 0; i < t.config.loginMaxFailures + 2; i++) {
        expect((await t.client().login({ email: user.email, password: user.password })).status).toBe(200);
      }
    });
  });

  describe('the current user', () => {
    it('refuses an anonymous caller', async () => {
      expectError(await t.client().me(), 401, 'unauthenticated');
      expectError(await (await t.client().ready()).patch(paths.me, { name: 'X' }), 401, 'unauthenticated');
    });

    it('edits the name, trimmed, and validates it after authentication', async () => {
      const { client } = await t.newUser();
      const res = await client.patch(paths.me, { name: '  Grace Hopper ' });
      expect(res.status).toBe(200);
      expect(MeResponse.parse(res.body).user.name).toBe('Grace Hopper');
      expect(MeResponse.parse((await client.me()).body).user.name).toBe('Grace Hopper');
      expectError(await client.patch(paths.me, { name: '' }), 400, 'validation_failed');
      expectError(await client.patch(paths.me, { name: 'a\u0000b' }), 400, 'validation_failed');
    });
  });

  describe('sessions', () => {
    it('lists the user’s logins with the login request’s user agent, marking the current one', async () => {
      const user = await t.newUser();
      const phone = t.client({ userAgent: 'Phone/1.0' });
      await phone.login({ email: user.email, password: user.password });
      const res = await phone.get(paths.sessions);
      expect(res.status).toBe(200);
      const { sessions } = SessionsResponse.parse(res.body);
      expect(sessions).toHaveLength(2);
      const current = sessions.filter((s) => s.current);
      expect(current).toHaveLength(1);
      expect(current[0]!.userAgent).toBe('Phone/1.0');
      for (const s of sessions) expect(Date.parse(s.expiresAt)).toBeGreaterThan(Date.parse(s.lastSeenAt));
    });

    it('revokes another of the user’s sessions, which is refused at its next request', async () => {
      const user = await t.newUser();
      const laptop = t.client();
      await laptop.login({ email: user.email, password: user.password });
      const { sessions } = SessionsResponse.parse((await user.client.get(paths.sessions)).body);
      const laptopSession = sessions.find((s) => !s.current)!;
      expect((await user.client.delete(paths.session(laptopSession.id))).status).toBe(204);
      expectError(await laptop.me(), 401, mode === 'session' ? 'unauthenticated' : 'token_invalid');
      expect((await user.client.me()).status).toBe(200);
      const after = SessionsResponse.parse((await user.client.get(paths.sessions)).body).sessions;
      expect(after.map((s) => s.id)).not.toContain(laptopSession.id);
    });

    it('answers 404 for a session that is not the caller’s', async () => {
      const alice = await t.newUser();
      const bob = await t.newUser();
      const bobs = SessionsResponse.parse((await bob.client.get(paths.sessions)).body).sessions;
      expectError(await alice.client.delete(paths.session(bobs[0]!.id)), 404, 'not_found');
      expectError(await alice.client.delete(paths.session('no-such-session')), 404, 'not_found');
      expect((await bob.client.me()).status).toBe(200);
    });

    it('logs out everywhere', async () => {
      const user = await t.newUser();
      const other = t.client();
      await other.login({ email: user.email, password: user.password });
      const bystander = await t.newUser();
      expect((await user.client.post(paths.logoutAll)).status).toBe(204);
      const code = mode === 'session' ? 'unauthenticated' : 'token_invalid';
      expectError(await other.me(), 401, code);
      expectError(await user.client.me(), 401, code);
      expect((await bystander.client.me()).status).toBe(200);
    });
  });

  describe('logout', () => {
    it('ends the login at once and clears the cookie', async () => {
      const { client } = await t.newUser();
      const res = await client.logout();
      expect(res.status).toBe(204);
      expect(String(res.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/);
      expectError(await client.me(), 401, mode === 'session' ? 'unauthenticated' : 'token_invalid');
    });

    it('answers 204 when there is nothing to end', async () => {
      expect((await (await t.client().ready()).post(paths.logout)).status).toBe(204);
    });
  });

  describe('request bodies', () => {
    it('refuses a body that is not JSON with 415', async () => {
      const client = await t.client().ready();
      expectError(await client.post(paths.login).set('Content-Type', 'text/plain').send('email=a'), 415, 'unsupported_media_type');
      expectError(await client.post(paths.login).type('form').send({ email: 'a' }), 415, 'unsupported_media_type');
    });

    it('accepts a request with no body and no Content-Type', async () => {
      const client = await t.client().ready();
      expect((await client.post(paths.logout)).status).toBe(204);
    });

    it('refuses bodies over 10,240 bytes, with or without Content-Length', async () => {
      const client = await t.client().ready();
      const big = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(10_300) });
      expectError(await client.post(paths.login).set('Content-Type', 'application/json').send(big), 413, 'payload_too_large');
      const chunked = client.post(paths.login).set('Content-Type', 'application/json').set('Transfer-Encoding', 'chunked');
      chunked.write(big.slice(0, 6000));
      chunked.write(big.slice(6000));
      expectError(await chunked, 413, 'payload_too_large');
    });

    it('refuses malformed JSON with 400 invalid_json', async () => {
      const client = await t.client().ready();
      expectError(await client.post(paths.login).set('Content-Type', 'application/json').send('{"email":'), 400, 'invalid_json');
      expectError(await client.post(paths.login).set('Content-Type', 'application/json').send('"just a string"'), 400, 'invalid_json');
    });

    it('checks the media type before the route', async () => {
      const client = await t.client().ready();
      expectError(await client.post('/api/nothing-here').set('Content-Type', 'text/plain').send('x'), 415, 'unsupported_media_type');
    });
  });

  describe('headers', () => {
    it('sends helmet’s headers and an X-Request-Id on every response', async () => {
      for (const res of [await t.client().get(paths.health), await t.client().get('/nowhere')]) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toBeDefined();
        expect(res.headers['content-security-policy']).toBeDefined();
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/);
      }
    });

    it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
      expect((await t.client().get(paths.health).set('X-Request-Id', 'trace-123')).headers['x-request-id']).toBe('trace-123');
      expect((await t.client().get(paths.health).set('X-Request-Id', 'bad id\u00ff')).headers['x-request-id']).not.toContain('bad');
    });
  });

  describe('CORS', () => {
    it('allows the listed origin with credentials, never a wildcard', async () => {
      const res = await t.client({ origin: allowedOrigin }).get(paths.config);
      expect(res.headers['access-control-allow-origin']).toBe(allowedOrigin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      const preflight = await t
        .client({ origin: allowedOrigin })
        .request('get', paths.me)
        .set('Access-Control-Request-Method', 'PATCH');
      expect(preflight.headers['access-control-allow-origin']).toBe(allowedOrigin);
    });

    it('gives a foreign origin no CORS headers and refuses its unsafe requests', async () => {
      const user = await t.newUser();
      const foreign = t.client({ origin: foreignOrigin });
      const read = await foreign.get(paths.config);
      expect(read.headers['access-control-allow-origin']).toBeUndefined();
      const options = await foreign.agent.options(paths.login).set('Origin', foreignOrigin).set('Access-Control-Request-Method', 'POST');
      expect(options.headers['access-control-allow-origin']).toBeUndefined();
      expectError(await foreign.post(paths.login, { email: user.email, password: user.password }), 403, 'forbidden_origin');
      expectError(await foreign.post(paths.register, { email: uniqueEmail(), password: 'long enough pw', name: 'X' }), 403, 'forbidden_origin');
      expectError(await t.client({ origin: 'null' }).post(paths.login, { email: user.email, password: user.password }), 403, 'forbidden_origin');
    });

    it('does not refuse a non-browser client for sending no Origin', async () => {
      const client = t.client({ origin: null });
      const email = uniqueEmail();
      expect((await client.register({ email, password: 'long enough pw', name: 'Curl' })).status).toBe(201);
      expect((await client.me()).status).toBe(200);
    });

    it('checks the Origin before anything else', async () => {
      const foreign = t.client({ origin: foreignOrigin });
      expectError(await foreign.post('/api/nothing-here').set('Content-Type', 'text/plain').send('x'), 403, 'forbidden_origin');
    });
  });
});
