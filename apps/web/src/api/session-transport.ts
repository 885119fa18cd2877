import { CsrfResponse, SessionLoginResponse, csrfHeader, paths } from '@authbench/contract';
import { isAxiosError } from 'axios';
import { ApiError, errorCodeOf } from './api-error';
import { isUnsafeMethod, type CredentialSnapshot, type TransportFactory } from './transport';

/**
 * Cookie sessions: the browser holds the HttpOnly `sid` cookie and sends it itself; all this
 * transport carries is the CSRF token, which lives in memory and goes out on unsafe methods.
 */
export const createSessionTransport: TransportFactory = ({ http, events }) => {
  // Cross-origin requests send and store cookies only with credentials.
  http.defaults.withCredentials = true;

  let csrfToken: string | null = null;
  let fetching: Promise<string> | null = null;
  // One object per change: React's useSyncExternalStore compares snapshots by identity.
  let snapshot: CredentialSnapshot = { mode: 'session', csrfToken };

  const setCsrfToken = (token: string | null) => {
    csrfToken = token;
    snapshot = { mode: 'session', csrfToken };
    events.credentialsChanged();
  };

  // Single flight: many unsafe requests at once still fetch one token.
  const fetchCsrfToken = (): Promise<string> => {
    fetching ??= http
      .get(paths.csrf, { authbench: { bare: true } })
      .then((response) => {
        const parsed = CsrfResponse.safeParse(response.data);
        if (!parsed.success) {
          throw new ApiError({ code: 'invalid_response', status: response.status, message: 'Malformed CSRF token response.' });
        }
        setCsrfToken(parsed.data.csrfToken);
        return parsed.data.csrfToken;
      })
      .finally(() => {
        fetching = null;
      });
    return fetching;
  };

  const request = http.interceptors.request.use(async (config) => {
    if (config.authbench?.bare || !isUnsafeMethod(config.method)) return config;
    config.headers.set(csrfHeader, csrfToken ?? (await fetchCsrfToken()));
    return config;
  });

  const response = http.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const flags = config.authbench ?? {};
    if (flags.bare || flags.retriedAfterCsrf || errorCodeOf(error) !== 'csrf_failed') throw error;
    // The token may have died with its session (expiry, login in another tab). Fetch a new one,
    // unless a parallel failure already did, and retry once; a second refusal is surfaced.
    if (csrfToken === null || csrfToken === config.headers.get(csrfHeader)) {
      setCsrfToken(null);
      await fetchCsrfToken();
    }
    config.authbench = { ...flags, retriedAfterCsrf: true };
    return http.request(config);
  });

  return {
    mode: 'session',
    acceptLogin(data) {
      // Login regenerates the session id, and the CSRF token belongs to the new session.
      const parsed = SessionLoginResponse.parse(data);
      setCsrfToken(parsed.csrfToken);
      return parsed.user;
    },
    signedOut: () => setCsrfToken(null),
    resync: () => setCsrfToken(null),
    credentials: () => snapshot,
    dispose() {
      http.interceptors.request.eject(request);
      http.interceptors.response.eject(response);
    },
  };
};
