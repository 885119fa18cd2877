import { MeResponse, paths, type ConfigResponse } from '@authbench/contract';
import type { AxiosAdapter } from 'axios';
import { describe, expect, it } from 'vitest';
import { NetworkDown, createChannelHub, createFakeLocks, errorReply, noLocks, tick, type FakeReply, type FakeRequest } from '../test/fake-server';
import { isApiError } from './api-error';
import { createApi, type Api, type ApiOptions, type AuthEvent } from './client';
import type { DpopKeyStore } from './dpop-key-store';

// What the modes with a refresh token (jwt, jwt-cookie, jwt-dpop) share, whatever carries the access
// token: on 401 token_expired one refresh in flight, serialised across tabs, then each failed
// request retried once; a refused refresh ends the login, a network failure does not.
// jwt-transport.test.ts and jwt-cookie-transport.test.ts run these against their own fake API
// (as e2e/token-refresh-tests.ts does against the real ones), beside their mode's own tests.

/** What these tests need of a mode's fake API, which keeps the browser's cookie jar for every tab. */
export interface RefreshingFakeApi {
  config: ConfigResponse;
  adapter: AxiosAdapter;
  /** The browser's IndexedDB, where the mode keeps something in it (jwt-dpop's key). */
  keyStore?: DpopKeyStore;
  state: {
    refreshes: number;
    reuseDetected: boolean;
    refreshReply: null | (() => FakeReply);
    meReply: null | (() => FakeReply | Promise<FakeReply>);
  };
  /** Every access token issued so far answers 401 token_expired from now on. */
  expireAccessTokens(): void;
  /** The GET /api/me requests it has seen. */
  meCalls(): FakeRequest[];
}

export interface Tab {
  api: Api;
  events: AuthEvent[];
}

/** A tab of the app on a fake API: its client, and the events it told its listeners. */
export function openTab(server: Pick<RefreshingFakeApi, 'config' | 'adapter' | 'keyStore'>, options: ApiOptions = {}): Tab {
  const api = createApi({
    baseUrl: 'http://api.test',
    config: server.config,
    adapter: server.adapter,
    locks: createFakeLocks(),
    openChannel: () => undefined,
    ...(server.keyStore && { keyStore: server.keyStore }),
    ...options,
  });
  const events: AuthEvent[] = [];
  api.subscribe((event) => events.push(event));
  return { api, events };
}

export interface RefreshKit {
  mode: 'jwt' | 'jwt-cookie' | 'jwt-dpop';
  /** refreshDelayMs: how long a refresh takes once the server has read the cookie (reuse needs an overlap). */
  createServer: (options?: { refreshDelayMs?: number }) => RefreshingFakeApi;
}

const credentials = { email: 'ada@example.test', password: 'correct horse' };
const getMe = (tab: Tab) => tab.api.get(paths.me, MeResponse);
const signedOut = (tab: Tab) => tab.events.filter((event) => event.type === 'signed-out');
/** Whether the tab holds a login: both modes note when they last received an access token. */
const holdsLogin = (tab: Tab) => {
  const held = tab.api.credentials();
  return held.mode !== 'session' && held.receivedAt !== null;
};

export function describeTokenRefresh(kit: RefreshKit) {
  const { createServer } = kit;
  const loggedIn = async (options?: { refreshDelayMs?: number }) => {
    const server = createServer(options);
    const tab = openTab(server);
    await tab.api.login(credentials);
    return { server, tab };
  };

  describe(`${kit.mode} transport: token refresh`, () => {
    it('shares one refresh among parallel token_expired failures and retries each request once', async () => {
      const { server, tab } = await loggedIn({ refreshDelayMs: 20 });
      server.expireAccessTokens();

      const results = await Promise.all(Array.from({ length: 5 }, () => getMe(tab)));

      expect(results.every((result) => result.user.id === 'u1')).toBe(true);
      expect(server.state.refreshes).toBe(1);
      expect(server.meCalls()).toHaveLength(10); // 5 failures, 5 retries
    });

    it('retries a request that failed after the refresh had finished without refreshing again', async () => {
      const { server, tab } = await loggedIn();
      server.expireAccessTokens();
      // The first request's 401 arrives late, after the second one's refresh has completed.
      let calls = 0;
      server.state.meReply = async () => {
        const n = ++calls;
        if (n === 1) await tick(40);
        return n <= 2 ? errorReply(401, 'token_expired') : { status: 200, body: { user: { id: 'u1', email: credentials.email, name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' } } };
      };

      await Promise.all([getMe(tab), getMe(tab)]);

      expect(server.state.refreshes).toBe(1);
      expect(server.meCalls()).toHaveLength(4);
    });

    it('surfaces a second token_expired instead of looping', async () => {
      const { server, tab } = await loggedIn();
      server.state.meReply = () => errorReply(401, 'token_expired');

      const results = await Promise.allSettled(Array.from({ length: 3 }, () => getMe(tab)));

      for (const result of results) {
        const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
        expect(isApiError(reason) && reason.code).toBe('token_expired');
      }
      expect(server.state.refreshes).toBe(1);
      expect(server.meCalls()).toHaveLength(6); // each request exactly twice
    });

    it('logs out once when the refresh is refused, forgets the login and stops refreshing', async () => {
      const { server, tab } = await loggedIn();
      server.expireAccessTokens();
      server.state.refreshReply = () => errorReply(401, 'token_invalid');

      const results = await Promise.allSettled(Array.from({ length: 4 }, () => getMe(tab)));

      expect(results.every((result) => result.status === 'rejected')).toBe(true);
      expect(server.state.refreshes).toBe(1);
      expect(signedOut(tab)).toEqual([{ type: 'signed-out', reason: 'expired' }]);
      expect(holdsLogin(tab)).toBe(false);
      // Logged out stays logged out: no further refresh attempts.
      await expect(getMe(tab)).rejects.toMatchObject({ status: 401 });
      expect(server.state.refreshes).toBe(1);
    });

    it('keeps the login when the refresh fails for want of a network', async () => {
      const { server, tab } = await loggedIn();
      server.expireAccessTokens();
      server.state.refreshReply = () => {
        throw new NetworkDown();
      };

      await expect(getMe(tab)).rejects.toMatchObject({ code: 'network_error' });
      expect(signedOut(tab)).toEqual([]);
      expect(holdsLogin(tab)).toBe(true);
    });

    it('treats token_invalid (a revoked sid) as the end of the login, without a refresh', async () => {
      const { server, tab } = await loggedIn();
      await getMe(tab);
      server.state.meReply = () => errorReply(401, 'token_invalid');

      await expect(getMe(tab)).rejects.toMatchObject({ code: 'token_invalid' });
      expect(server.state.refreshes).toBe(0);
      expect(tab.events.at(-1)).toEqual({ type: 'signed-out', reason: 'expired' });
      expect(holdsLogin(tab)).toBe(false);
    });
  });

  describe(`${kit.mode} transport: token refresh across tabs`, () => {
    /** Two tabs of one browser: one cookie jar, and the locks and channels they share, if any. */
    async function twoTabs(shared: { locks: ApiOptions['locks']; channels: boolean }) {
      const server = createServer({ refreshDelayMs: 20 });
      const hub = createChannelHub();
      const options = (): ApiOptions => ({
        ...(shared.locks && { locks: shared.locks }),
        openChannel: shared.channels ? hub.tab() : () => undefined,
      });
      const [a, b] = [openTab(server, options()), openTab(server, options())];
      await a.api.login(credentials);
      await getMe(b); // b was open all along, on the same cookies
      server.expireAccessTokens();
      return { server, a, b };
    }

    it('spends the refresh cookie once when both tabs expire together (lock + renewal notice)', async () => {
      const { server, a, b } = await twoTabs({ locks: createFakeLocks(), channels: true });

      const results = await Promise.all([getMe(a), getMe(b), getMe(a), getMe(b)]);

      expect(results.every((result) => result.user.id === 'u1')).toBe(true);
      // b queued on the lock, heard a's notice, and skipped its own refresh.
      expect(server.state.refreshes).toBe(1);
      expect(server.state.reuseDetected).toBe(false);
    });

    it('never presents a rotated cookie even when the notice is lost: the lock alone serialises', async () => {
      const { server, a, b } = await twoTabs({ locks: createFakeLocks(), channels: false });
      const before = server.state.refreshes;

      const results = await Promise.allSettled([getMe(a), getMe(b)]);

      expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
      expect(server.state.refreshes - before).toBe(2); // one needless, but harmless: b sent the rotated (current) rt
      expect(server.state.reuseDetected).toBe(false);
      expect([...a.events, ...b.events].some((event) => event.type === 'signed-out')).toBe(false);
    });

    it('a tab that learns of another tab’s refresh retries its failed requests without refreshing', async () => {
      const { server, a, b } = await twoTabs({ locks: createFakeLocks(), channels: true });
      // b's request leaves with the expired token, and its 401 arrives after a's refresh.
      let held = true;
      server.state.meReply = async () => {
        if (held) {
          held = false;
          await tick(60);
          return errorReply(401, 'token_expired');
        }
        server.state.meReply = null;
        return errorReply(401, 'token_expired');
      };

      await Promise.all([getMe(b), getMe(a)]);

      expect(server.state.refreshes).toBe(1);
      expect(server.state.reuseDetected).toBe(false);
    });

    it('without the lock two tabs would spend the same cookie and lose the family (why the lock exists)', async () => {
      const { server, a, b } = await twoTabs({ locks: noLocks, channels: true });

      await Promise.allSettled([getMe(a), getMe(b)]);

      expect(server.state.reuseDetected).toBe(true);
    });
  });
}
