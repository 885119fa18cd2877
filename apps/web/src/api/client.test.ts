import { MeResponse, paths } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { NetworkDown, createFakeAdapter, errorReply } from '../test/fake-server';
import { ApiError } from './api-error';
import { createApi, fetchApiConfig, type AuthEvent } from './client';

const user = { id: 'u1', email: 'ada@example.test', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };

describe('api client', () => {
  it('reads the mode from GET /api/config and builds the matching transport', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.config
        ? { status: 200, body: { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [] } }
        : errorReply(404, 'not_found'),
    );
    const config = await fetchApiConfig('http://api.test', { adapter: fake.adapter });
    const api = createApi({ baseUrl: 'http://api.test', config, adapter: fake.adapter });

    expect(api.mode).toBe('jwt');
    expect(api.credentials()).toMatchObject({ mode: 'jwt', accessToken: null });
    expect(fake.calls[0]).toMatchObject({ path: paths.config, withCredentials: false });
  });

  it('parses responses with the contract schema, so drift fails loudly', async () => {
    const fake = createFakeAdapter(() => ({ status: 200, body: { user: { id: 1 } } }));
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [] }, adapter: fake.adapter });

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
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'jwt', cookies: [] }, adapter: fake.adapter });

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

  it('turns a 401 on an authenticated request into one signed-out event, only after a login', async () => {
    let loggedIn = true;
    const fake = createFakeAdapter((request) =>
      request.path === paths.me && loggedIn ? { status: 200, body: { user } } : errorReply(401, 'unauthenticated'),
    );
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [] }, adapter: fake.adapter });
    const events: AuthEvent[] = [];
    api.subscribe((event) => events.push(event));

    await api.get(paths.me, MeResponse);
    loggedIn = false; // e.g. the idle timeout passed
    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(api.get(paths.me, MeResponse)).rejects.toMatchObject({ code: 'unauthenticated' });

    expect(events).toEqual([{ type: 'signed-out', reason: 'expired' }]);
  });

  it('records recent requests in a ring buffer: method, path, status and what each carried', async () => {
    const fake = createFakeAdapter((request) =>
      request.path === paths.csrf
        ? { status: 200, body: { csrfToken: 'c' } }
        : request.method === 'POST'
          ? errorReply(401, 'invalid_credentials')
          : { status: 200, body: { user } },
    );
    const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [] }, adapter: fake.adapter });
    await api.login({ email: 'a@b.test', password: 'whatever1' }).catch(() => undefined);
    for (let i = 0; i < 45; i++) await api.get(paths.me, MeResponse);

    const entries = api.requests.entries();
    expect(entries).toHaveLength(40);
    expect(entries[0]).toMatchObject({ method: 'GET', path: paths.me, status: 200, withCredentials: true, bearer: false, csrfHeader: false });

    const early = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [] }, adapter: fake.adapter });
    await early.login({ email: 'a@b.test', password: 'whatever1' }).catch(() => undefined);
    expect(early.requests.entries().map(({ method, path, status, csrfHeader, errorCode }) => ({ method, path, status, csrfHeader, errorCode }))).toEqual([
      { method: 'POST', path: paths.login, status: 401, csrfHeader: true, errorCode: 'invalid_credentials' },
      { method: 'GET', path: paths.csrf, status: 200, csrfHeader: false, errorCode: null },
    ]);
  });
});
