import { JwtLoginResponse, TokenResponse, paths } from '@authbench/contract';
import { isAxiosError } from 'axios';
import { z } from 'zod';
import { ApiError, errorCodeOf } from './api-error';
import { pathOf, type CredentialSnapshot, type LockManagerLike, type TransportFactory } from './transport';

export const refreshLockName = 'authbench-refresh';
export const tokenChannelName = 'authbench-token';

/** Another tab's fresh access token: same origin only, and never written to storage. */
const SharedToken = z.object({
  type: z.literal('access-token'),
  baseUrl: z.string(),
  accessToken: z.string().min(1),
  expiresIn: z.number(),
});

interface HeldToken {
  value: string;
  receivedAt: number;
  expiresIn: number;
}

/** The rt cookie is scoped to Path=/api/auth: only those requests need (or get) cookies. */
const isCookiePath = (path: string) => path.startsWith('/api/auth/');

/** Paths that never take a Bearer token, so they never wait for a silent refresh either. */
const credentialFree = new Set<string>([
  paths.config,
  paths.health,
  paths.login,
  paths.register,
  paths.refresh,
  paths.jwks,
]);

/** Only a refusal by the server ends the session; a network blip must not log anyone out. */
const isDefinitiveRefusal = (error: unknown) =>
  isAxiosError(error) && error.response !== undefined && [401, 403].includes(error.response.status);

/** Serialises refreshes across tabs. Absent (old browsers, tests), the in-tab single flight remains. */
export const browserLocks = (): LockManagerLike | undefined =>
  typeof navigator !== 'undefined' && 'locks' in navigator
    ? {
        // The DOM typings return Promise<Promise<T>> for an async callback; it settles to T.
        request: <T>(name: string, callback: () => Promise<T>) =>
          navigator.locks.request(name, () => callback()) as unknown as Promise<T>,
      }
    : undefined;

/**
 * Bearer JWTs: the access token lives in this closure only (never localStorage, sessionStorage
 * or a JS cookie, where any injected script could read it later); the refresh token is the
 * HttpOnly `rt` cookie, which only the browser can send.
 */
export const createJwtTransport: TransportFactory = ({ baseUrl, http, events, locks, openChannel, now }) => {
  let token: HeldToken | null = null;
  let refreshing: Promise<string> | null = null;
  // A reload empties memory; the rt cookie may still restore the login, once, lazily.
  let restorePending = true;
  let restoring: Promise<void> | null = null;
  const channel = openChannel(tokenChannelName);

  const snapshotOf = (held: HeldToken | null): CredentialSnapshot => ({
    mode: 'jwt',
    accessToken: held?.value ?? null,
    receivedAt: held?.receivedAt ?? null,
    expiresIn: held?.expiresIn ?? null,
  });
  // One object per change: React's useSyncExternalStore compares snapshots by identity.
  let snapshot = snapshotOf(null);

  const setToken = (next: HeldToken | null) => {
    token = next;
    snapshot = snapshotOf(next);
    events.credentialsChanged();
  };

  const share = (held: HeldToken) =>
    channel?.post({ type: 'access-token', baseUrl, accessToken: held.value, expiresIn: held.expiresIn });

  const unsubscribe = channel?.subscribe((message) => {
    const shared = SharedToken.safeParse(message);
    if (!shared.success || shared.data.baseUrl !== baseUrl) return; // another API's token
    restorePending = false;
    setToken({ value: shared.data.accessToken, expiresIn: shared.data.expiresIn, receivedAt: now() });
  });

  const spendRefreshCookie = async (stale: string | null): Promise<string> => {
    // Holding the lock, first see whether another tab refreshed while we queued and shared its
    // token: then the rt cookie we would send has been rotated under us, and there is no need.
    if (token !== null && token.value !== stale) return token.value;
    const response = await http.post(paths.refresh, undefined, { authbench: { bare: true } });
    const parsed = TokenResponse.safeParse(response.data);
    if (!parsed.success) {
      throw new ApiError({ code: 'invalid_response', status: response.status, message: 'Malformed refresh response.' });
    }
    const held = { value: parsed.data.accessToken, expiresIn: parsed.data.expiresIn, receivedAt: now() };
    setToken(held);
    share(held); // before the lock is released, so the next tab in the queue can skip its refresh
    return held.value;
  };

  /**
   * One refresh in flight per tab however many requests failed together, and one across tabs
   * (Web Locks): two tabs presenting the same rt would trip the server's reuse detection and
   * revoke the whole family.
   */
  const refresh = (reason: 'restore' | 'expired'): Promise<string> => {
    refreshing ??= (async () => {
      const stale = token?.value ?? null;
      try {
        return await (locks
          ? locks.request(refreshLockName, () => spendRefreshCookie(stale))
          : spendRefreshCookie(stale));
      } catch (error) {
        if (isDefinitiveRefusal(error)) {
          restorePending = false;
          setToken(null);
          // At start-up a refusal only means "not logged in"; later it means the login is over.
          if (reason === 'expired') events.sessionEnded();
        }
        throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const ensureRestored = (): Promise<void> => {
    if (token !== null || !restorePending) return Promise.resolve();
    restoring ??= refresh('restore')
      .then(
        () => undefined,
        () => undefined, // not logged in: the request goes out without a token and gets its 401
      )
      .finally(() => {
        restorePending = false;
        restoring = null;
      });
    return restoring;
  };

  const request = http.interceptors.request.use(async (config) => {
    const path = pathOf(config);
    config.withCredentials = isCookiePath(path);
    if (config.authbench?.bare) return config;
    if (!credentialFree.has(path)) await ensureRestored();
    if (token !== null && !credentialFree.has(path)) {
      config.headers.set('Authorization', `Bearer ${token.value}`);
    } else {
      config.headers.delete('Authorization');
    }
    return config;
  });

  const response = http.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const flags = config.authbench ?? {};
    const code = errorCodeOf(error);
    const sent = String(config.headers.get('Authorization') ?? '').replace(/^Bearer /, '');
    if (code === 'token_invalid' && !flags.bare && token?.value === sent) {
      setToken(null); // revoked or forged: refreshing cannot help, the client will log out
    }
    if (code !== 'token_expired' || flags.bare || flags.retriedAfterRefresh) throw error;
    // No token any more: the login ended (refused refresh, logout) while this request was out.
    if (token === null) throw error;
    // A refresh that finished after this request left has already replaced the token.
    if (token.value === sent) await refresh('expired');
    config.authbench = { ...flags, retriedAfterRefresh: true };
    return http.request(config);
  });

  return {
    mode: 'jwt',
    acceptLogin(data) {
      const parsed = JwtLoginResponse.parse(data);
      const held = { value: parsed.accessToken, expiresIn: parsed.expiresIn, receivedAt: now() };
      restorePending = false;
      setToken(held);
      share(held); // other tabs use it instead of spending the new rt cookie again
      return parsed.user;
    },
    signedOut() {
      restorePending = false;
      setToken(null);
    },
    resync() {
      // Another tab logged in: its token is on its way over the channel, else the cookie restores.
      if (token === null) restorePending = true;
    },
    credentials: () => snapshot,
    dispose() {
      unsubscribe?.();
      channel?.close();
      http.interceptors.request.eject(request);
      http.interceptors.response.eject(response);
    },
  };
};
