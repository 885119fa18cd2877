import { paths } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { MeResponse } from '@authbench/contract';
import {
  NetworkDown,
  createChannelHub,
  createFakeAdapter,
  createFakeLocks,
  errorReply,
  noLocks,
  tick,
  type FakeReply,
} from '../test/fake-server';
import { isApiError } from './api-error';
import { createApi, type ApiOptions, type AuthEvent } from './client';

const user = { id: 'u1', email: 'ada@example.test', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };
const credentials = { email: 'ada@example.test', password: 'correct horse' };

/**
 * A jwt-mode API with a browser cookie jar shared by every "tab": the server rotates `rt` on
 * each refresh and, like the real one, revokes the whole family when a rotated value comes back.
 */
function createJwtServer(options: { refreshDelayMs?: number } = {}) {
  const jar: { rt: string | null } = { rt: null };
  const state = {
    currentRt: null as string | null,
    familyRevoked: false,
    reuseDetected: false,
    issued: 0,
    expired: new Set<string>(),
    valid: new Set<string>(),
    refreshes: 0,
    /** Override the refresh answer (after the cookie checks are skipped). */
    refreshReply: null as null | (() => FakeReply),
    /** Override the GET /api/me answer. */
    meReply: null as null | (() => FakeReply | Promise<FakeReply>),
  };
  const issue = () => {
    const token = `at-${++state.issued}`;
    state.valid.add(token);
    return token;
  };
  const rotate = () => {
    state.currentRt = `rt-${state.issued}-${Math.random().toString(36).slice(2)}`;
    jar.rt = state.currentRt; // Set-Cookie lands in the jar before the response reaches JS
  };
  const tokenBody = (token: string) => ({ accessToken: token, tokenType: 'Bearer', expiresIn: 300 });

  const fake = createFakeAdapter(async (request): Promise<FakeReply> => {
    const cookie = request.withCredentials ? jar.rt : null;
    switch (`${request.method} ${request.path}`) {
      case `POST ${paths.login}`: {
        const token = issue();
        rotate();
        state.familyRevoked = false;
        return { status: 200, body: { user, ...tokenBody(token) } };
      }
      case `POST ${paths.refresh}`: {
        state.refreshes++;
        if (state.refreshReply) return state.refreshReply();
        if (cookie === null) return errorReply(401, 'unauthenticated');
        await tick(options.refreshDelayMs ?? 5); // the cookie was read when the request arrived
        if (state.familyRevoked) return errorReply(401, 'token_invalid');
        if (cookie !== state.currentRt) {
          state.reuseDetected = true;
          state.familyRevoked = true;
          return errorReply(401, 'token_invalid');
        }
        const token = issue();
        rotate();
        return { status: 200, body: tokenBody(token) };
      }
      case `POST ${paths.logout}`:
        jar.rt = null;
        return { status: 204 };
      case `GET ${paths.me}`: {
        await tick(1);
        if (state.meReply) return state.meReply();
        if (request.bearer === null) return errorReply(401, 'unauthenticated');
        if (state.expired.has(request.bearer)) return errorReply(401, 'token_expired');
        if (state.familyRevoked || !state.valid.has(request.bearer)) return errorReply(401, 'token_invalid');
        return { status: 200, body: { user } };
      }
      default:
        return errorReply(404, 'not_found');
    }
  });
  const expireAll = () => {
    for (const token of state.valid) state.expired.add(token);
  };
  const callsTo = (path: string) => fake.calls.filter((call) => call.path === path);
  return { jar, state, adapter: fake.adapter, calls: fake.calls, callsTo, expireAll };
}

type JwtServer = ReturnType<typeof createJwtServer>;

function openTab(server: JwtServer, options: ApiOptions = {}) {
  const api = createApi({
    baseUrl: 'http://api.test',
    config: { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [] },
    adapter: server.adapter,
    locks: createFakeLocks(),
    openChannel: () => undefined,
    ...options,
  });
  const events: AuthEvent[] = [];
  api.subscribe((event) => events.push(event));
  return { api, events };
}

const getMe = (tab: ReturnType<typeof openTab>) => tab.api.get(paths.me, MeResponse);

describe('jwt transport', () => {
  it('keeps the access token in memory and sends it as a Bearer header, cookies only to /api/auth', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await getMe(tab);

    const [login, me] = server.calls;
    expect(login).toMatchObject({ path: paths.login, withCredentials: true, bearer: null });
    expect(me).toMatchObject({ path: paths.me, withCredentials: false, bearer: 'at-1' });
    expect(tab.api.credentials()).toMatchObject({ mode: 'jwt', accessToken: 'at-1', expiresIn: 300 });
  });

  it('shares one refresh among parallel token_expired failures and retries each request once', async () => {
    const server = createJwtServer({ refreshDelayMs: 20 });
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAll();

    const results = await Promise.all(Array.from({ length: 5 }, () => getMe(tab)));

    expect(results.every((result) => result.user.id === user.id)).toBe(true);
    expect(server.state.refreshes).toBe(1);
    const meCalls = server.callsTo(paths.me);
    expect(meCalls).toHaveLength(10); // 5 failures, 5 retries
    expect(meCalls.slice(0, 5).every((call) => call.bearer === 'at-1')).toBe(true);
    expect(meCalls.slice(5).every((call) => call.bearer === 'at-2')).toBe(true);
    expect(server.callsTo(paths.refresh)[0]).toMatchObject({ withCredentials: true, bearer: null });
  });

  it('retries a request that failed after the refresh had finished without refreshing again', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAll();
    // The first request's 401 arrives late, after the second one's refresh has completed.
    let calls = 0;
    server.state.meReply = async () => {
      const n = ++calls;
      if (n === 1) await tick(40);
      return n <= 2 ? errorReply(401, 'token_expired') : { status: 200, body: { user } };
    };

    await Promise.all([getMe(tab), getMe(tab)]);

    expect(server.state.refreshes).toBe(1);
    expect(server.callsTo(paths.me).map((call) => call.bearer)).toEqual(['at-1', 'at-1', 'at-2', 'at-2']);
  });

  it('surfaces a second token_expired instead of looping', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.state.meReply = () => errorReply(401, 'token_expired');

    const results = await Promise.allSettled(Array.from({ length: 3 }, () => getMe(tab)));

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
      expect(isApiError(reason) && reason.code).toBe('token_expired');
    }
    expect(server.state.refreshes).toBe(1);
    expect(server.callsTo(paths.me)).toHaveLength(6); // each request exactly twice
  });

  it('logs out once when the refresh is refused, and forgets the token', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await getMe(tab);
    server.expireAll();
    server.state.refreshReply = () => errorReply(401, 'token_invalid');

    const results = await Promise.allSettled(Array.from({ length: 4 }, () => getMe(tab)));

    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(server.state.refreshes).toBe(1);
    expect(tab.events.filter((event) => event.type === 'signed-out')).toEqual([
      { type: 'signed-out', reason: 'expired' },
    ]);
    expect(tab.api.credentials()).toMatchObject({ accessToken: null });

    // Logged out stays logged out: no Bearer header and no further refresh attempts.
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.calls.at(-1)).toMatchObject({ path: paths.me, bearer: null });
    expect(server.state.refreshes).toBe(1);
  });

  it('keeps the login when the refresh fails for want of a network', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAll();
    server.state.refreshReply = () => {
      throw new NetworkDown();
    };

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'network_error' });
    expect(tab.events.filter((event) => event.type === 'signed-out')).toEqual([]);
    expect(tab.api.credentials()).toMatchObject({ accessToken: 'at-1' });
  });

  it('treats token_invalid (a revoked sid) as the end of the login', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await getMe(tab);
    server.state.meReply = () => errorReply(401, 'token_invalid');

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'token_invalid' });
    expect(server.state.refreshes).toBe(0);
    expect(tab.events.at(-1)).toEqual({ type: 'signed-out', reason: 'expired' });
    expect(tab.api.credentials()).toMatchObject({ accessToken: null });
  });

  it('restores the login after a reload through the refresh cookie, once for parallel requests', async () => {
    const server = createJwtServer();
    await openTab(server).api.login(credentials); // the tab before the reload
    const reloaded = openTab(server);

    const results = await Promise.all([getMe(reloaded), getMe(reloaded), getMe(reloaded)]);

    expect(results.map((result) => result.user.id)).toEqual([user.id, user.id, user.id]);
    expect(server.state.refreshes).toBe(1);
    expect(server.callsTo(paths.me).every((call) => call.bearer === 'at-2')).toBe(true);
  });

  it('stays quietly logged out at start-up without a refresh cookie', async () => {
    const server = createJwtServer();
    const tab = openTab(server);

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.state.refreshes).toBe(1); // the silent refresh is tried once, not per request
    expect(tab.events).toEqual([]);
  });

  it('logout forgets the token and tells listeners', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await tab.api.logout();

    expect(server.callsTo(paths.logout)[0]).toMatchObject({ withCredentials: true, bearer: 'at-1' });
    expect(tab.api.credentials()).toMatchObject({ accessToken: null });
    expect(tab.events.map((event) => event.type)).toEqual(['signed-in', 'signed-out']);
  });
});

describe('jwt transport across tabs', () => {
  function openTwoTabs(server: JwtServer, shared: { locks: ApiOptions['locks']; channels: boolean }) {
    const hub = createChannelHub();
    const options = (): ApiOptions => ({
      ...(shared.locks && { locks: shared.locks }),
      openChannel: shared.channels ? hub.tab() : () => undefined,
    });
    return [openTab(server, options()), openTab(server, options())] as const;
  }

  it('spends the refresh cookie once when both tabs expire together (lock + shared token)', async () => {
    const server = createJwtServer({ refreshDelayMs: 20 });
    const [a, b] = openTwoTabs(server, { locks: createFakeLocks(), channels: true });
    await a.api.login(credentials);
    expect(b.api.credentials()).toMatchObject({ accessToken: 'at-1' }); // shared at login
    server.expireAll();

    await Promise.all([getMe(a), getMe(b), getMe(a), getMe(b)]);

    expect(server.state.refreshes).toBe(1);
    expect(server.state.reuseDetected).toBe(false);
    expect(a.api.credentials()).toMatchObject({ accessToken: 'at-2' });
    expect(b.api.credentials()).toMatchObject({ accessToken: 'at-2' });
  });

  it('never presents a rotated cookie even when no token is shared: the lock alone serialises', async () => {
    const server = createJwtServer({ refreshDelayMs: 20 });
    const [a, b] = openTwoTabs(server, { locks: createFakeLocks(), channels: false });
    await a.api.login(credentials);
    await getMe(b); // b restores through the cookie: at-2
    server.expireAll();

    await Promise.all([getMe(a), getMe(b)]);

    expect(server.state.refreshes).toBe(3);
    expect(server.state.reuseDetected).toBe(false);
  });

  it('without the lock two tabs would spend the same cookie and lose the family (why the lock exists)', async () => {
    const server = createJwtServer({ refreshDelayMs: 20 });
    const [a, b] = openTwoTabs(server, { locks: noLocks, channels: true });
    await a.api.login(credentials);
    server.expireAll();

    await Promise.allSettled([getMe(a), getMe(b)]);

    expect(server.state.reuseDetected).toBe(true);
  });
});
