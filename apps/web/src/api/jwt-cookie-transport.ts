import { loginResponses, refreshResponses, type CookieTokenResponse } from '@authbench/contract';
import { createCsrfGuard } from './csrf-guard';
import { createTokenRefresh } from './token-refresh';
import type { CredentialSnapshot, TransportFactory } from './transport';

/**
 * The hybrid: jwt mode's access token, but in the HttpOnly `at` cookie, which the browser keeps
 * and attaches by itself. Script never holds the token, so it cannot leak it; because the browser
 * attaches it, unsafe requests carry a CSRF token as in session mode. Refreshing is jwt mode's:
 * one in flight, serialised across tabs, each failed request retried once.
 */
export const createJwtCookieTransport: TransportFactory = ({ baseUrl, http, events, locks, openChannel, now }) => {
  // Every call carries cookies: `at` everywhere, `rt` (Path=/api/auth) to refresh and logout.
  http.defaults.withCredentials = true;

  // Script cannot see which `at` the jar holds, so it counts renewals it knows of (logins and
  // refreshes, here or in another tab): a request that failed with an older count than the
  // current one went out with a cookie that has since been replaced, and is simply retried.
  let renewals = 0;
  // After a logout or a refused refresh: a token_expired then is not worth a refresh.
  let loggedOut = false;
  let renewal: { receivedAt: number; expiresIn: number } | null = null;

  const snapshotOf = (): CredentialSnapshot => ({
    mode: 'jwt-cookie',
    csrfToken: csrf.token(),
    receivedAt: renewal?.receivedAt ?? null,
    expiresIn: renewal?.expiresIn ?? null,
  });
  // One object per change: React's useSyncExternalStore compares snapshots by identity.
  let snapshot: CredentialSnapshot = { mode: 'jwt-cookie', csrfToken: null, receivedAt: null, expiresIn: null };
  const changed = () => {
    snapshot = snapshotOf();
    events.credentialsChanged();
  };

  // Registered before the CSRF guard so that it runs after it (axios runs request interceptors
  // last-in first-out): the count is read as late as possible before the request leaves.
  const stamp = http.interceptors.request.use((config) => {
    config.authbench = { ...config.authbench, sentWithRenewal: renewals };
    return config;
  });
  const csrf = createCsrfGuard(http, changed);

  const renewed = (expiresIn: number) => {
    renewals++;
    loggedOut = false;
    renewal = { receivedAt: now(), expiresIn };
    changed();
  };

  const signOut = () => {
    loggedOut = true;
    renewal = null;
    csrf.set(null); // it was bound to the login; the next unsafe request fetches a new one
  };

  const refresher = createTokenRefresh({
    baseUrl,
    http,
    events,
    locks,
    openChannel,
    // The refresh answer holds no token (the new one is in the `at` cookie): the other tabs are
    // only told that the jar holds a new one.
    response: refreshResponses['jwt-cookie'],
    keep: (body: CookieTokenResponse) => renewed(body.expiresIn),
    current: () => (loggedOut ? null : renewals),
    sentWith: (config) => config.authbench?.sentWithRenewal ?? null,
    forget: signOut,
  });

  return {
    mode: 'jwt-cookie',
    acceptLogin(data) {
      const { user, csrfToken, expiresIn } = loginResponses['jwt-cookie'].parse(data);
      csrf.set(csrfToken); // bound to the new login; a refresh keeps it valid
      renewed(expiresIn);
      refresher.share({ expiresIn });
      return user;
    },
    signedOut: signOut,
    resync() {
      // Another tab logged in: a new `at` is in the jar, and the CSRF token here is the old login's.
      renewals++;
      loggedOut = false;
      csrf.set(null);
    },
    credentials: () => snapshot,
    dispose() {
      refresher.dispose();
      csrf.dispose();
      http.interceptors.request.eject(stamp);
    },
  };
};
