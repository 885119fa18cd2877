import { MeResponse, UpdateMeRequest, csrfHeader, paths } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { createFakeAdapter, errorReply, tick, type FakeReply } from '../test/fake-server';
import { createApi, type AuthEvent } from './client';
import { sameOrigin } from '../test/deployment';

const user = { id: 'u1', email: 'ada@example.test', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };

/** A session-mode API: one CSRF token per session; login regenerates both. */
function createSessionServer() {
  const state = {
    session: 1,
    csrfFetches: 0,
    /** Refuse the next n unsafe requests whatever token they carry. */
    refuseCsrf: 0,
  };
  const tokenOf = (session: number) => `csrf-${session}`;
  const fake = createFakeAdapter(async (request): Promise<FakeReply> => {
    if (request.method === 'GET' && request.path === paths.csrf) {
      state.csrfFetches++;
      await tick(5);
      return { status: 200, body: { csrfToken: tokenOf(state.session) } };
    }
    if (request.method !== 'GET') {
      if (state.refuseCsrf > 0) {
        state.refuseCsrf--;
        return errorReply(403, 'csrf_failed');
      }
      if (request.csrf !== tokenOf(state.session)) return errorReply(403, 'csrf_failed');
    }
    switch (`${request.method} ${request.path}`) {
      case `POST ${paths.login}`:
        state.session++; // no fixation: a new session id, and a new CSRF token with it
        return { status: 200, body: { user, csrfToken: tokenOf(state.session) } };
      case `POST ${paths.logout}`:
        state.session++;
        return { status: 204 };
      case `GET ${paths.me}`:
        return { status: 200, body: { user } };
      case `PATCH ${paths.me}`:
        return { status: 200, body: { user: { ...user, ...(request.body as object) } } };
      default:
        return errorReply(404, 'not_found');
    }
  });
  const callsTo = (method: string, path: string) =>
    fake.calls.filter((call) => call.method === method && call.path === path);
  return { state, adapter: fake.adapter, calls: fake.calls, callsTo };
}

function openTab(server: ReturnType<typeof createSessionServer>) {
  const api = createApi({ baseUrl: 'http://api.test', config: { authMode: 'session', cookies: [], deployment: sameOrigin }, adapter: server.adapter });
  const events: AuthEvent[] = [];
  api.subscribe((event) => events.push(event));
  return { api, events };
}

const rename = (api: ReturnType<typeof openTab>['api'], name: string) =>
  api.patch(paths.me, { name } satisfies UpdateMeRequest, MeResponse);

describe('session transport', () => {
  it('sends cookies on every request and one CSRF token, fetched once, on unsafe methods only', async () => {
    const server = createSessionServer();
    const { api } = openTab(server);

    await api.get(paths.me, MeResponse);
    await Promise.all([rename(api, 'A'), rename(api, 'B'), rename(api, 'C')]);

    expect(server.state.csrfFetches).toBe(1);
    expect(server.calls.every((call) => call.withCredentials)).toBe(true);
    expect(server.callsTo('GET', paths.me)[0]?.csrf).toBeNull();
    expect(server.callsTo('PATCH', paths.me).map((call) => call.csrf)).toEqual(['csrf-1', 'csrf-1', 'csrf-1']);
    expect(server.callsTo('PATCH', paths.me).every((call) => call.bearer === null)).toBe(true);
    expect(api.credentials()).toEqual({ mode: 'session', csrfToken: 'csrf-1' });
  });

  it('uses the CSRF token that comes with the login response', async () => {
    const server = createSessionServer();
    const { api } = openTab(server);

    await api.login({ email: user.email, password: 'correct horse' });
    await rename(api, 'Ada L.');

    expect(server.state.csrfFetches).toBe(1); // before login only: login is an unsafe request too
    expect(server.callsTo('POST', paths.login)[0]?.csrf).toBe('csrf-1');
    expect(server.callsTo('PATCH', paths.me)[0]?.csrf).toBe('csrf-2');
  });

  it('re-fetches the token once and retries once on 403 csrf_failed', async () => {
    const server = createSessionServer();
    const { api } = openTab(server);
    await rename(api, 'first'); // caches csrf-1
    server.state.session++; // e.g. the session expired and a new one began: csrf-1 is stale

    const result = await rename(api, 'second');

    expect(result.user.name).toBe('second');
    expect(server.state.csrfFetches).toBe(2);
    expect(server.callsTo('PATCH', paths.me).map((call) => call.csrf)).toEqual(['csrf-1', 'csrf-1', 'csrf-2']);
  });

  it('shares one re-fetch among parallel csrf failures', async () => {
    const server = createSessionServer();
    const { api } = openTab(server);
    await rename(api, 'first');
    server.state.session++;

    await Promise.all([rename(api, 'a'), rename(api, 'b'), rename(api, 'c')]);

    expect(server.state.csrfFetches).toBe(2);
  });

  it('surfaces a second csrf_failed instead of looping', async () => {
    const server = createSessionServer();
    const { api } = openTab(server);
    await rename(api, 'first');
    server.state.refuseCsrf = 10;

    await expect(rename(api, 'second')).rejects.toMatchObject({ code: 'csrf_failed', status: 403 });
    expect(server.callsTo('PATCH', paths.me)).toHaveLength(3); // the first rename, then 2 attempts
    expect(server.state.csrfFetches).toBe(2);
  });

  it('forgets the token on logout and fetches a new one for the next unsafe request', async () => {
    const server = createSessionServer();
    const { api, events } = openTab(server);
    await api.login({ email: user.email, password: 'correct horse' });
    await api.logout();

    expect(api.credentials()).toEqual({ mode: 'session', csrfToken: null });
    expect(events.map((event) => event.type)).toEqual(['signed-in', 'signed-out']);
    await api.login({ email: user.email, password: 'correct horse' });
    expect(server.state.csrfFetches).toBe(2);
    expect(server.calls.filter((call) => call.csrf !== null).map((call) => call.csrf)).toEqual([
      'csrf-1', // login
      'csrf-2', // logout, with the token from the login response
      'csrf-3', // login again, with a freshly fetched token
    ]);
  });

  it('is the header the contract names', () => {
    expect(csrfHeader).toBe('X-CSRF-Token');
  });
});
