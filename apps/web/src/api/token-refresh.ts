import { paths } from '@authbench/contract';
import { isAxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { z } from 'zod';
import { ApiError, errorCodeOf } from './api-error';
import type { OpenChannel } from './open-broadcast-channel';
import type { LockManagerLike, TransportEvents } from './transport';

/** One lock for every API of this origin: the `rt` cookie is per host, whatever the port. */
export const refreshLockName = 'authbench-refresh';
export const renewalChannelName = 'authbench-renewal';

/** A tab tells the others it holds a new access token; `body` is the mode's refresh answer. */
const RenewalNotice = z.object({ type: z.literal('renewed'), baseUrl: z.string(), body: z.unknown() });

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
 * Only a refusal by the server ends the login; a network blip must not log anyone out. A refresh
 * whose proof is refused (400 invalid_dpop_proof: this browser no longer holds the login's key)
 * cannot succeed either.
 */
const isDefinitiveRefusal = (error: unknown) =>
  isAxiosError(error) &&
  error.response !== undefined &&
  ([401, 403].includes(error.response.status) || errorCodeOf(error) === 'invalid_dpop_proof');

export interface TokenRefreshOptions<Body, Credential> {
  baseUrl: string;
  http: AxiosInstance;
  events: TransportEvents;
  locks: LockManagerLike | undefined;
  openChannel: OpenChannel;
  /** The mode's answer to POST /api/auth/refresh: it says where the new access token travels. */
  response: z.ZodType<Body>;
  // Arrow-typed: they are destructured, so they must not need `this`.
  /** Keeps a renewal: this tab's refresh, or one another tab shared. */
  keep: (body: Body) => void;
  /**
   * Which access token this tab would send now, compared by identity (the token itself, or a
   * count of renewals when script cannot see it); null once the login is known to be over.
   */
  current: () => Credential | null;
  /** Which access token a failed request went out with, in the same terms. */
  sentWith: (config: InternalAxiosRequestConfig) => Credential | null;
  /** The server refused the access token or the refresh cookie: the login is over. */
  forget: () => void;
}

export interface TokenRefresh<Body> {
  /** One refresh at a time in this tab, and across tabs (Web Locks). */
  refresh(reason: 'restore' | 'expired'): Promise<void>;
  /** Tells the other tabs of a renewal they could not see (a login here). */
  share(body: Body): void;
  dispose(): void;
}

/**
 * What the two jwt modes share: on 401 token_expired, one refresh in flight however many requests
 * failed together, serialised across tabs with a Web Lock, then each failed request retried once;
 * a refused refresh ends the login. Where the token travels (a body held in memory and a Bearer
 * header, or a cookie the browser keeps) is the caller's `response`, `keep` and `sentWith`.
 *
 * Two tabs must never present the same refresh cookie: the server would see a rotated token come
 * back, take it for theft and revoke the whole family. The lock prevents that by itself, because
 * the browser reads the cookie jar when a request leaves, and the tab before us in the queue
 * released the lock only after its Set-Cookie had landed: we can only ever send the current `rt`.
 * The renewal notice, posted before the lock is released, saves the now needless second refresh.
 */
export function createTokenRefresh<B, Credential>(options: TokenRefreshOptions<B, Credential>): TokenRefresh<B> {
  const { baseUrl, http, events, locks, openChannel, response, keep, current, sentWith, forget } = options;
  let refreshing: Promise<void> | null = null;
  const channel = openChannel(renewalChannelName);

  const share = (body: B) => channel?.post({ type: 'renewed', baseUrl, body });

  const unsubscribe = channel?.subscribe((message) => {
    const notice = RenewalNotice.safeParse(message);
    if (!notice.success || notice.data.baseUrl !== baseUrl) return; // another API's renewal
    const body = response.safeParse(notice.data.body);
    if (body.success) keep(body.data);
  });

  const spendUnlessRenewed = async (stale: Credential | null): Promise<void> => {
    // Holding the lock: if another tab renewed while we queued (and said so), there is no need.
    const held = current();
    if (held !== null && held !== stale) return;
    const answer = await http.post(paths.refresh, undefined, { authbench: { bare: true } });
    const parsed = response.safeParse(answer.data);
    if (!parsed.success) {
      throw new ApiError({ code: 'invalid_response', status: answer.status, message: 'Malformed refresh response.' });
    }
    keep(parsed.data);
    share(parsed.data); // before the lock is released, so the next tab in the queue can skip its refresh
  };

  const refresh = (reason: 'restore' | 'expired'): Promise<void> => {
    refreshing ??= (async () => {
      const stale = current();
      try {
        await (locks
          ? locks.request(refreshLockName, () => spendUnlessRenewed(stale))
          : spendUnlessRenewed(stale));
      } catch (error) {
        if (isDefinitiveRefusal(error)) {
          forget();
          // At start-up a refusal only means "not logged in"; later it means the login is over.
          if (reason === 'expired') events.sessionEnded(errorCodeOf(error));
        }
        throw error;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const interceptor = http.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const flags = config.authbench ?? {};
    if (flags.bare) throw error;
    const code = errorCodeOf(error);
    const held = current();
    const sent = sentWith(config);
    // Revoked or forged: refreshing cannot help, and the client will log out.
    if (code === 'token_invalid' && held !== null && held === sent) forget();
    if (code !== 'token_expired' || flags.retriedAfterRefresh) throw error;
    // No token any more: the login ended (refused refresh, logout) while this request was out.
    if (held === null) throw error;
    // A refresh that finished after this request left (here or in another tab) already renewed it.
    if (held === sent) await refresh('expired');
    config.authbench = { ...flags, retriedAfterRefresh: true };
    return http.request(config);
  });

  return {
    refresh,
    share,
    dispose() {
      unsubscribe?.();
      channel?.close();
      http.interceptors.response.eject(interceptor);
    },
  };
}
