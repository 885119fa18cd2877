import { MeResponse, authModes, paths, type AuthMode } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { NetworkDown, createFakeAdapter, errorReply } from '../test/fake-server';
import { crossSite, sameOrigin } from '../test/deployment';
import { ApiError } from './api-error';
import { createApi, fetchApiConfig, type AuthEvent } from './client';

const user = { id: 'u1', email: 'ada@example.test', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };

/** What each mode's transport holds before any login. */
const emptyCredentials: Record<AuthMode, object> = {
  session: { mode: 'session', csrfToken: null },
  jwt: { mode: 'jwt', accessToken: null },
  'jwt-cookie': { mode: 'jwt-cookie', csrfToken: null, receivedAt: null },
  'jwt-dpop': { mode: 'jwt-dpop', accessToken: null, dpop: { key: null, nonce: null } },
};

describe('api client', () => {
  it.each(authModes)('reads %s mode from GET /api/config and builds the matching transport', async (mode) => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.config
        ? { status: 200, body: { authMode: mode, accessTokenTtlSeconds: 300, cookies: [], deployment: sameOrigin } }
        : errorReply(404, 'not_found'),
    );
    const config = await fetchApiConfig('http://api.test', { adapter: fake.adapter });
    const api = createApi({ baseUrl: 'http://api.test', config, adapter: fake.adapter, openChannel: () => undefined });

    expect(api.mode).toBe(mode);
    expect(api.credentials()).toMatchObject(emptyCredentials[mode]);
    expect(fake.calls[0]).toMatchObject({ path: paths.config, withCredentials: false });
    api.dispose();
  });

  it('parses responses with the contract schema, so drift fails loudly', async () => {
    const fake = createFakeAdapter(() => ({ status: 200, body: { user: { id: 1 } } }));
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [], deployment: sameOrigin }, adapter: fake.adapter });

    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
  });

  it('wraps error bodies in ApiError with code, status, issues and Retry-After', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.register
        ? errorReply(400, 'validation_failed', {
            details: { issues: [{ path: 'password', message: 'At least 8 characters.' }] },
          })
        : { ...errorReply(429, 'rate_limited'), headers: { 'retry-after': '120' } },
    );
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'jwt', cookies: [], deployment: sameOrigin }, adapter: fake.adapter });

    const validation = await api.register({ email: 'a@b.test', password: 'short', name: 'A' }).catch((e: unknown) => e);
    expect(validation).toBeInstanceOf(ApiError);
    expect(validation).toMatchObject({
      code: 'validation_failed',
      status: 400,
      issues: [{ path: 'password', message: 'At least 8 characters.' }],
    });
    await expect(api.login({ email: 'a@b.test', password: 'whatever1' })).rejects.toMatchObject({
      code: 'rate_limited',
      status: 429,
      retryAfterSeconds: 120,
    });
  });

  it('reports an unreachable API as network_error', async () => {
    const fake = createFakeAdapter(() => {
      throw new NetworkDown();
    });
    await expect(fetchApiConfig('http://api.test', { adapter: fake.adapter })).rejects.toMatchObject({
      code: 'network_error',
      status: 0,
    });
  });

  it.each(authModes)('turns a 401 on an authenticated request into one signed-out event, only after a login (%s)', async (mode) => {
    let loggedIn = true;
    const fake = createFakeAdapter((request) =>
      request.path === paths.me && loggedIn ? { status: 200, body: { user } } : errorReply(401, 'unauthenticated'),
    );
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: mode, cookies: [], deployment: sameOrigin }, adapter: fake.adapter, openChannel: () => undefined });
    const events: AuthEvent[] = [];
    api.subscribe((event) => events.push(event));

    await api.get(paths.me, MeResponse);
    loggedIn = false; // e.g. the idle timeout passed
    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'unauthenticated' });

    expect(events).toEqual([{ type: 'signed-out', reason: 'expired' }]);
  });

  const quiet = { openChannel: () => undefined } as const;
  const thirdParty = (name: string) => ({ name, purpose: name, httpOnly: true, secure: true, sameSite: 'none' as const, path: '/', maxAgeSeconds: 600, partitioned: false });

  it('says which cookie the browser dropped, and why, when a login is refused for want of the csrf cookie', async () => {
    const fake = createFakeAdapter((request) => (request.path === paths.csrf ? { status: 200, body: { csrfToken: 't' } } : errorReply(403, 'csrf_failed')));
    const config = { authMode: 'session' as const, cookies: [thirdParty('__Host-sid'), thirdParty('__Host-csrf')], csrfHeader: 'X-CSRF-Token', deployment: crossSite };
    const api = createApi({ baseUrl: 'https://api.other.test', config, adapter: fake.adapter, ...quiet });

    const error = await api.login({ email: 'a@b.test', password: 'long enough' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cookie_dropped' });
    expect((error as ApiError).message).toMatch(/did not send back the API’s __Host-csrf cookie .*different sites.*not Partitioned: set COOKIE_PARTITIONED=on/);
    expect(fake.calls.filter((call) => call.path === paths.login)).toHaveLength(2); // a fresh token, once more
  });

  it('takes the API’s word on sites: a.github.io and b.github.io are two sites, though they share two labels', async () => {
    const fake = createFakeAdapter((request) => (request.path === paths.csrf ? { status: 200, body: { csrfToken: 't' } } : errorReply(403, 'csrf_failed')));
    // As the API reports it for a page on a.github.io (github.io is a public suffix).
    const deployment = { topology: 'cross-site', pageOrigin: 'https://a.github.io', pageSite: 'https://a.github.io', apiOrigin: 'https://b.github.io', apiSite: 'https://b.github.io' } as const;
    const config = { authMode: 'session' as const, cookies: [thirdParty('__Host-sid'), thirdParty('__Host-csrf')], csrfHeader: 'X-CSRF-Token', deployment };
    const api = createApi({ baseUrl: 'https://b.github.io', config, adapter: fake.adapter, ...quiet });

    expect(api.deployment).toEqual(deployment);
    const error = await api.login({ email: 'a@b.test', password: 'long enough' }).catch((e: unknown) => e);
    expect((error as ApiError).message).toMatch(/This page \(https:\/\/a\.github\.io\) and the API \(https:\/\/b\.github\.io\) are on different sites/);
  });

  it('ends the login with reason cookie-dropped when the first request after it arrives without the cookie', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.csrf
        ? { status: 200, body: { csrfToken: 't' } }
        : request.path === paths.login
          ? { status: 200, body: { user, csrfToken: 't2' } }
          : errorReply(401, 'unauthenticated'),
    );
    const config = { authMode: 'session' as const, cookies: [thirdParty('__Host-sid')], csrfHeader: 'X-CSRF-Token', deployment: crossSite };
    const api = createApi({ baseUrl: 'https://api.other.test', config, adapter: fake.adapter, ...quiet });
    const events: AuthEvent[] = [];
    api.subscribe((event) => events.push(event));

    await api.login({ email: 'a@b.test', password: 'long enough' });
    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'cookie_dropped' });
    expect(events.at(-1)).toEqual({ type: 'signed-out', reason: 'cookie-dropped' });
    expect(api.cookieProblem()?.message).toMatch(/__Host-sid cookie that the login set/);
  });

  it('ends a jwt login with reason cookie-dropped when its refresh arrives without the rt cookie', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.login
        ? { status: 200, body: { user, accessToken: 'a1', tokenType: 'Bearer', expiresIn: 3 } }
        : request.path === paths.refresh
          ? errorReply(401, 'unauthenticated')
          : errorReply(401, 'token_expired'),
    );
    const config = { authMode: 'jwt' as const, cookies: [thirdParty('__Secure-rt')], refreshTokenTtlSeconds: 600, deployment: crossSite };
    const api = createApi({ baseUrl: 'https://api.other.test', config, adapter: fake.adapter, ...quiet });
    const events: AuthEvent[] = [];
    api.subscribe((event) => events.push(event));

    await api.login({ email: 'a@b.test', password: 'long enough' });
    await expect(api.get(paths.me, MeResponse)).rejects.toBeInstanceOf(ApiError);
    expect(events.at(-1)).toEqual({ type: 'signed-out', reason: 'cookie-dropped' });
    expect(api.cookieProblem()?.message).toMatch(/__Secure-rt cookie that the login set, so the access token could not be renewed/);
  });

  it('records recent requests in a ring buffer: method, path, status and what each carried', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.csrf
        ? { status: 200, body: { csrfToken: 'c' } }
        : request.method === 'POST'
          ? errorReply(401, 'invalid_credentials')
          : { status: 200, body: { user } },
    );
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [], deployment: sameOrigin }, adapter: fake.adapter });
    await api.login({ email: 'a@b.test', password: 'whatever1' }).catch(() => undefined);
    for (let i = 0; i < 45; i++) await api.get(paths.me, MeResponse);

    const entries = api.requests.entries();
    expect(entries).toHaveLength(40);
    expect(entries[0]).toMatchObject({ method: 'GET', path: paths.me, status: 200, withCredentials: true, authScheme: null, proof: null, csrfHeader: false });

    const early = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [], deployment: sameOrigin }, adapter: fake.adapter });
    await early.login({ email: 'a@b.test', password: 'whatever1' }).catch(() => undefined);
    expect(early.requests.entries().map(({ method, path, status, csrfHeader, errorCode }) => ({ method, path, status, csrfHeader, errorCode }))).toEqual([
      { method: 'POST', path: paths.login, status: 401, csrfHeader: true, errorCode: 'invalid_credentials' },
      { method: 'GET', path: paths.csrf, status: 200, csrfHeader: false, errorCode: null },
    ]);
  });
});
