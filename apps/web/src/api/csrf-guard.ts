import { CsrfResponse, csrfHeader, paths } from '@authbench/contract';
import { isAxiosError, type AxiosInstance } from 'axios';
import { ApiError, errorCodeOf } from './api-error';
import { isUnsafeMethod } from './transport';

export interface CsrfGuard {
  token(): string | null;
  /** From a login response (the token of the new login), or null to fetch a new one when next needed. */
  set(token: string | null): void;
  dispose(): void;
}

/**
 * What every mode whose credential the browser attaches by itself (session, jwt-cookie) needs:
 * a CSRF token in this tab's memory, sent in X-CSRF-Token on unsafe methods only, fetched from
 * GET /api/auth/csrf when there is none yet, and fetched again (once) after a 403 csrf_failed.
 */
export function createCsrfGuard(http: AxiosInstance, changed: (token: string | null) => void): CsrfGuard {
  let csrfToken: string | null = null;
  let fetching: Promise<string> | null = null;

  const set = (token: string | null) => {
    csrfToken = token;
    changed(token);
  };

  // Single flight: many unsafe requests at once still fetch one token.
  const fetchToken = (): Promise<string> => {
    fetching ??= http
      .get(paths.csrf, { authbench: { bare: true } })
      .then((response) => {
        const parsed = CsrfResponse.safeParse(response.data);
        if (!parsed.success) {
          throw new ApiError({ code: 'invalid_response', status: response.status, message: 'Malformed CSRF token response.' });
        }
        set(parsed.data.csrfToken);
        return parsed.data.csrfToken;
      })
      .finally(() => {
        fetching = null;
      });
    return fetching;
  };

  // Transport calls (a refresh, a logout) are unsafe too and need the header like any other.
  const request = http.interceptors.request.use(async (config) => {
    if (!isUnsafeMethod(config.method)) return config;
    config.headers.set(csrfHeader, csrfToken ?? (await fetchToken()));
    return config;
  });

  const response = http.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const flags = config.authbench ?? {};
    if (flags.retriedAfterCsrf || errorCodeOf(error) !== 'csrf_failed') throw error;
    // The token may have died with its login (expiry, a login in another tab). Fetch a new one,
    // unless a parallel failure already did, and retry once; a second refusal is surfaced.
    if (csrfToken === null || csrfToken === config.headers.get(csrfHeader)) {
      set(null);
      await fetchToken();
    }
    config.authbench = { ...flags, retriedAfterCsrf: true };
    return http.request(config);
  });

  return {
    token: () => csrfToken,
    set,
    dispose() {
      http.interceptors.request.eject(request);
      http.interceptors.response.eject(response);
    },
  };
}
