import { MeResponse, paths, type ConfigResponse } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { createChannelHub, createFakeAdapter, errorReply, tick, type FakeReply } from '../test/fake-server';
import { describeTokenRefresh, openTab, type Tab } from './token-refresh-tests';
import { sameOrigin } from '../test/deployment';

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
  const expireAccessTokens = () => {
    for (const token of state.valid) state.expired.add(token);
  };
  const callsTo = (path: string) => fake.calls.filter((call) => call.path === path);
  const config: ConfigResponse = { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [], deployment: sameOrigin };
  return { config, jar, state, adapter: fake.adapter, calls: fake.calls, callsTo, meCalls: () => callsTo(paths.me), expireAccessTokens };
}

const getMe = (tab: Tab) => tab.api.get(paths.me, MeResponse);

describeTokenRefresh({ mode: 'jwt', createServer: createJwtServer });

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

  it('refreshes with the cookie and no Bearer header, and retries with the renewed token', async () => {
    const server = createJwtServer({ refreshDelayMs: 20 });
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAccessTokens();

    await Promise.all(Array.from({ length: 5 }, () => getMe(tab)));

    const meCalls = server.meCalls();
    expect(meCalls.slice(0, 5).every((call) => call.bearer === 'at-1')).toBe(true);
    expect(meCalls.slice(5).every((call) => call.bearer === 'at-2')).toBe(true);
    expect(server.callsTo(paths.refresh)[0]).toMatchObject({ withCredentials: true, bearer: null });
  });

  it('after a refused refresh, sends no Bearer header any more', async () => {
    const server = createJwtServer();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAccessTokens();
    server.state.refreshReply = () => errorReply(401, 'token_invalid');
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'token_invalid' });

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.calls.at(-1)).toMatchObject({ path: paths.me, bearer: null });
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

  it('hands the token of a login to the other tabs, so they need no refresh of their own', async () => {
    const server = createJwtServer();
    const hub = createChannelHub();
    const a = openTab(server, { openChannel: hub.tab() });
    const b = openTab(server, { openChannel: hub.tab() });
    await a.api.login(credentials);

    expect(b.api.credentials()).toMatchObject({ accessToken: 'at-1' });
    await getMe(b);
    expect(server.state.refreshes).toBe(0);
  });
});
