import {
  authModes,
  ConfigResponse,
  createOpenApiDocument,
  endpointList,
  endpoints,
  endpointsOf,
  ErrorBody,
  errorsOf,
  HealthResponse,
  loginResponses,
  MeResponse,
  modeTraits,
  paths,
  SessionsResponse,
  statusAt,
  type ErrorCode,
} from '@authbench/contract';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Response } from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { hashQueue, prepareDummyHash } from '../src/auth/passwords';
import { routesOf } from './support/routes';
import { allowedOrigin, foreignOrigin, uniqueEmail, useTestApp } from './support/test-app';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
};

describe.each(authModes)('the HTTP contract in %s mode', (mode) => {
  const t = useTestApp(mode);
  const LoginBody = loginResponses[mode];
  // A revoked login whose client still presents its credential; a client whose cookies were cleared presents none.
  const revokedCode = modeTraits[mode].refreshToken ? 'token_invalid' : 'unauthenticated';
  const clearedCode = modeTraits[mode].tokenInScript ? 'token_invalid' : 'unauthenticated';

  describe('meta endpoints', () => {
    it('reports health with the mode', async () => {
      const res = await t.client().get(paths.health);
      expect(res.status).toBe(200);
      expect(HealthResponse.parse(res.body)).toEqual({ status: 'ok', authMode: mode });
    });

    it('serves the configuration the SPA needs, with every cookie this mode sets', async () => {
      const res = await t.client().get(paths.config);
      const body = ConfigResponse.parse(res.body);
      expect(body.authMode).toBe(mode);
      const traits = modeTraits[mode];
      expect(body.accessTokenTtlSeconds).toBe(traits.refreshToken ? 300 : undefined);
      expect(body.revocationCheck).toBe(traits.refreshToken ? true : undefined);
      expect(body.csrfHeader).toBe(traits.csrf ? 'X-CSRF-Token' : undefined);
      const cookies = {
        session: { name: 'sid', httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAgeSeconds: 43_200 },
        at: { name: 'at', httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAgeSeconds: 604_800 },
        rt: { name: 'rt', httpOnly: true, sameSite: 'strict', secure: false, path: '/api/auth', maxAgeSeconds: 604_800 },
        csrf: { name: 'csrf', httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAgeSeconds: 86_400 },
      };
      const expected = { session: [cookies.session, cookies.csrf], jwt: [cookies.rt], 'jwt-cookie': [cookies.at, cookies.csrf, cookies.rt], 'jwt-dpop': [cookies.rt] }[mode];
      expect(body.cookies).toEqual(expected.map((cookie): unknown => expect.objectContaining(cookie)));
    });

    it('serves a valid OpenAPI 3.1 document listing exactly the routes this mode answers', async () => {
      const res = await t.client().get(paths.openapi);
      expect(res.status).toBe(200);
      const validation = await new Validator().validate(res.body);
      expect(validation.errors ?? []).toEqual([]);
      expect(validation.valid).toBe(true);
      const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(routesOf(t.app.app)).toEqual(documented.sort());
      expect(documented).toContain(`GET ${paths.openapi}`);
      expect(documented.includes(`POST ${paths.refresh}`)).toBe(modeTraits[mode].refreshToken);
      expect(documented.includes(`GET ${paths.csrf}`)).toBe(modeTraits[mode].csrf);
    });

    it('lists every error code and status each endpoint can answer', async () => {
      type Response = { description: string; content?: { 'application/json': { schema: { allOf?: unknown[] } } } };
      const doc = (await t.client().get(paths.openapi)).body as { paths: Record<string, Record<string, { responses: Record<string, Response> }>> };
      const isErrorBody = (response: Response) => Boolean(response.content?.['application/json'].schema.allOf);
      for (const endpoint of endpointsOf(mode)) {
        const responses = doc.paths[endpoint.path]![endpoint.method]!.responses;
        const listed = Object.values(responses)
          .filter(isErrorBody)
          .flatMap((response) => response.description.split(', '));
        expect(listed.sort(), `${endpoint.method} ${endpoint.path}`).toEqual(errorsOf(endpoint, mode).sort());
        for (const code of errorsOf(endpoint, mode)) expect(responses[String(statusAt(code, endpoint))], code).toBeDefined();
      }
      expect(doc.paths[paths.me]!.get!.responses['401']!.description).toBe(modeTraits[mode].authErrors.join(', '));
    });

    it('names each operation after its endpoint, says what credential it needs, and serves it from PUBLIC_ORIGIN', async () => {
      type Operation = { operationId: string; security: Record<string, string[]>[] };
      const doc = (await t.client().get(paths.openapi)).body as {
        servers: { url: string }[];
        paths: Record<string, Record<string, Operation>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(doc.servers.map((server) => server.url)).toEqual([t.config.publicOrigin]);
      const credential = Object.fromEntries(Object.keys(doc.components.securitySchemes).map((name) => [name, []]));
      for (const [name, endpoint] of Object.entries(endpoints).filter(([, e]) => e.modes.includes(mode))) {
        const operation = doc.paths[endpoint.path]![endpoint.method]!;
        expect(operation.operationId).toBe(name);
        expect(operation.security, name).toEqual(endpoint.authenticated ? [credential] : []);
      }
    });

    it('names the cookie of a Secure deployment in its OpenAPI security scheme', () => {
      const doc = createOpenApiDocument(mode, { publicOrigin: 'https://api.example.test', cookieSecure: true }) as { components: { securitySchemes: Record<string, { name?: string }> } };
      const scheme = Object.values(doc.components.securitySchemes)[0]!;
      expect(scheme.name).toBe({ session: '__Host-sid', jwt: undefined, 'jwt-cookie': '__Host-at', 'jwt-dpop': undefined }[mode]);
    });

    const foreign = endpointList.filter((e) => !e.modes.includes(mode));
    if (foreign.length > 0) {
      it('answers the other modes’ endpoints with a JSON 404', async () => {
        const client = await t.client().ready();
        for (const endpoint of foreign) expectError(await client.request(endpoint.method, endpoint.path), 404, 'not_found');
      });
    }

    it('answers unknown paths with a JSON 404, before authentication', async () => {
      const client = await t.client().ready();
      expectError(await client.get('/api/nothing-here'), 404, 'not_found');
      expectError(await client.post('/api/nothing-here', {}), 404, 'not_found');
      expectError(await client.get('/%E0%A4%A'), 404, 'not_found');
    });
  });

  describe('exact routing', () => {
    /** Paths that differ from a real one only in case, a trailing slash, doubled or dotted segments, or an escape. */
    const variantsOf = (path: string) => {
      const last = path.lastIndexOf('/');
      const head = path.slice(0, last);
      const tail = path.slice(last + 1);
      return [
        `${path}/`,
        path.toUpperCase(),
        `${head}/${tail.charAt(0).toUpperCase()}${tail.slice(1)}`,
        `${head}//${tail}`,
        `${head}/./${tail}`,
        `${head}/x/../${tail}`,
        `${head}/%${tail.charCodeAt(0).toString(16)}${tail.slice(1)}`,
        `${path}%2F`,
        `${path};x`,
      ];
    };

    it('answers every variant of every path of this mode with 404, with a valid login, CSRF token and Origin', async () => {
      const { client } = await t.newUser();
      for (const endpoint of endpointsOf(mode).filter((e) => !e.params)) {
        for (const variant of variantsOf(endpoint.path)) {
          const res = await client.request(endpoint.method, variant).set(client.headersFor(endpoint.method, endpoint.path));
          expect(res.status, `${endpoint.method} ${variant}`).toBe(404);
        }
      }
      expect((await client.me()).status).toBe(200);
    });

    if (modeTraits[mode].refreshToken) {
      it('keeps the Origin rule of refresh and logout: a variant without Origin spends and ends nothing', async () => {
        const { client } = await t.newUser();
        for (const path of [paths.refresh, paths.logout]) {
          for (const variant of variantsOf(path)) {
            const { Origin: _origin, ...headers } = client.headersFor('post', path);
            const res = await client.agent.post(variant).set(headers);
            expect([403, 404], `${variant}: ${res.status}`).toContain(res.status);
          }
        }
        expect((await client.refresh()).status).toBe(200);
        expect((await client.me()).status).toBe(200);
      });
    }

    it('keeps the login limit: a variant of the login path logs nobody in and counts nothing', async () => {
      const user = await t.newUser();
      const client = await t.client().ready();
      for (const variant of variantsOf(paths.login)) {
        const res = await client.request('post', variant).send({ email: user.email, password: 'wrong password' });
        expect(res.status, variant).toBe(404);
      }
      expect((await client.login({ email: user.email, password: user.password })).status).toBe(200);
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

    it('costs an unknown email the same work as a wrong password: one Argon2id verification at the same parameters', async () => {
      // Work, not wall-clock time: a timing comparison on a loaded machine flakes, and the time
      // is the work's (the bench measures it).
      const user = await t.newUser();
      const run = vi.spyOn(hashQueue, 'run');
      const verificationsFor = async (email: string) => {
        const client = await t.client().ready();
        run.mockClear();
        expectError(await client.post(paths.login, { email, password: 'wrong password' }), 401, 'invalid_credentials');
        return run.mock.calls.length;
      };
      expect(await verificationsFor(uniqueEmail('ghost'))).toBe(1);
      expect(await verificationsFor(user.email)).toBe(1);
      run.mockRestore();
      const parameters = (hash: string) => /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$/.exec(hash)?.[0];
      const stored = (await t.app.storage.users.findByEmail(user.email))!.passwordHash;
      expect(parameters(stored)).toBe('$argon2id$v=19$m=19456,t=2,p=1$');
      expect(parameters(await prepareDummyHash())).toBe(parameters(stored));
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
      expectError(await laptop.me(), 401, revokedCode);
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
      expectError(await other.me(), 401, revokedCode);
      expectError(await user.client.me(), 401, clearedCode);
      expect((await bystander.client.me()).status).toBe(200);
    });
  });

  describe('logout', () => {
    it('ends the login at once and clears the cookie', async () => {
      const { client } = await t.newUser();
      const captured = client.headersFor('get', paths.me);
      const res = await client.logout();
      expect(res.status).toBe(204);
      expect(String(res.headers['set-cookie'])).toMatch(/Expires=Thu, 01 Jan 1970/);
      expectError(await client.me(), 401, 'unauthenticated');
      // The credential as it was before the logout, replayed: refused at once.
      expectError(await client.agent.get(paths.me).set(captured), 401, revokedCode);
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
        .client()
        .agent.options(paths.me)
        .set('Origin', allowedOrigin)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'content-type, x-csrf-token');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(allowedOrigin);
      expect(preflight.headers['access-control-allow-credentials']).toBe('true');
      expect(String(preflight.headers['access-control-allow-methods'])).toMatch(/PATCH/);
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toMatch(/x-csrf-token/);
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
