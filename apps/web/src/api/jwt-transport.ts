import { loginResponses, paths, refreshResponses, type TokenResponse } from '@authbench/contract';
import { createTokenRefresh } from './token-refresh';
import { pathOf, type CredentialSnapshot, type TransportFactory } from './transport';

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

/**
 * Bearer JWTs: the access token travels in response bodies and lives in this closure only (never
 * localStorage, sessionStorage or a JS cookie, where any injected script could read it later);
 * the refresh token is the HttpOnly `rt` cookie, which only the browser can send.
 */
export const createJwtTransport: TransportFactory = ({ baseUrl, http, events, locks, openChannel, now }) => {
  let token: HeldToken | null = null;
  // A reload empties memory; the rt cookie may still restore the login, once, lazily.
  let restorePending = true;
  let restoring: Promise<void> | null = null;

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

  const refresher = createTokenRefresh({
    baseUrl,
    http,
    events,
    locks,
    openChannel,
    // The refresh answer holds the token itself: the other tabs are sent it (same origin only).
    response: refreshResponses.jwt,
    keep(body: TokenResponse) {
      restorePending = false;
      setToken({ value: body.accessToken, expiresIn: body.expiresIn, receivedAt: now() });
    },
    current: () => token?.value ?? null,
    sentWith: (config) => String(config.headers.get('Authorization') ?? '').replace(/^Bearer /, '') || null,
    forget() {
      restorePending = false;
      setToken(null);
    },
  });

  const ensureRestored = (): Promise<void> => {
    if (token !== null || !restorePending) return Promise.resolve();
    restoring ??= refresher
      .refresh('restore')
      .catch(() => undefined) // not logged in: the request goes out without a token and gets its 401
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

  return {
    mode: 'jwt',
    acceptLogin(data) {
      const { user, ...body } = loginResponses.jwt.parse(data);
      restorePending = false;
      setToken({ value: body.accessToken, expiresIn: body.expiresIn, receivedAt: now() });
      refresher.share(body); // other tabs use it instead of spending the new rt cookie again
      return user;
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
      refresher.dispose();
      http.interceptors.request.eject(request);
    },
  };
};
