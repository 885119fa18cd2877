import { paths, type User } from '@authbench/contract';
import type { z } from 'zod';
import { createTokenRefresh } from './token-refresh';
import { pathOf, type TransportDeps } from './transport';

export interface HeldToken {
  value: string;
  receivedAt: number;
  expiresIn: number;
}

interface TokenBody {
  accessToken: string;
  expiresIn: number;
}

/** The rt cookie is scoped to Path=/api/auth: only those requests need (or get) cookies. */
const isCookiePath = (path: string) => path.startsWith('/api/auth/');

/** Paths that never take the token, so they never wait for a silent refresh either. */
const credentialFree = new Set<string>([paths.config, paths.health, paths.login, paths.register, paths.refresh, paths.jwks]);

export interface HeldTokenOptions<Login extends TokenBody & { user: User }, Refresh extends TokenBody> {
  /** The Authorization scheme: `Bearer`, or `DPoP` for a token bound to a key (RFC 9449 §7.1). */
  scheme: 'Bearer' | 'DPoP';
  loginResponse: z.ZodType<Login>;
  refreshResponse: z.ZodType<Refresh>;
  /** Whether a reload's silent refresh can work at all (DPoP: only with the login's key at hand). */
  canRestore?: () => Promise<boolean>;
  /** Called on every change of the token this tab holds (login, refresh, another tab's renewal, loss). */
  onChange: (token: HeldToken | null) => void;
}

// Arrow-typed: a transport hands these on as its own methods, detached.
export interface HeldTokens {
  token: () => HeldToken | null;
  acceptLogin: (data: unknown) => User;
  signedOut: () => void;
  resync: () => void;
  dispose: () => void;
}

/**
 * What the modes whose script holds the access token share (jwt, jwt-dpop): the token travels in
 * response bodies and lives in this closure only (never localStorage, sessionStorage or a JS
 * cookie, where any injected script could read it later) and goes out in the Authorization
 * header; the refresh token is the HttpOnly `rt` cookie, which only the browser can send. A
 * reload empties memory, and the cookie restores the login, once, lazily. Refreshing on expiry
 * is token-refresh.ts's: one in flight, serialised across tabs.
 */
export function createHeldTokens<Login extends TokenBody & { user: User }, Refresh extends TokenBody>(
  { baseUrl, http, events, locks, openChannel, now }: TransportDeps,
  { scheme, loginResponse, refreshResponse, canRestore, onChange }: HeldTokenOptions<Login, Refresh>,
): HeldTokens {
  let token: HeldToken | null = null;
  let restorePending = true;
  let restoring: Promise<void> | null = null;
  const prefix = `${scheme} `;

  const setToken = (next: HeldToken | null) => {
    token = next;
    onChange(next);
    events.credentialsChanged();
  };
  const keep = (body: TokenBody) => {
    restorePending = false;
    setToken({ value: body.accessToken, expiresIn: body.expiresIn, receivedAt: now() });
  };

  const refresher = createTokenRefresh({
    baseUrl,
    http,
    events,
    locks,
    openChannel,
    // The refresh answer holds the token itself: the other tabs are sent it (same origin only).
    response: refreshResponse,
    keep,
    current: () => token?.value ?? null,
    sentWith: (config) => {
      const header = String(config.headers.get('Authorization') ?? '');
      return header.startsWith(prefix) ? header.slice(prefix.length) : null;
    },
    forget() {
      restorePending = false;
      setToken(null);
    },
  });

  const ensureRestored = (): Promise<void> => {
    if (token !== null || !restorePending) return Promise.resolve();
    restoring ??= (async () => {
      if (canRestore && !(await canRestore())) return;
      await refresher.refresh('restore');
    })()
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
      config.headers.set('Authorization', `${prefix}${token.value}`);
    } else {
      config.headers.delete('Authorization');
    }
    return config;
  });

  return {
    token: () => token,
    acceptLogin(data) {
      const { user, ...body } = loginResponse.parse(data);
      keep(body);
      // Other tabs take it instead of spending the new rt cookie again; they read it as a refresh answer.
      refresher.share(refreshResponse.parse(body));
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
    dispose() {
      refresher.dispose();
      http.interceptors.request.eject(request);
    },
  };
}
