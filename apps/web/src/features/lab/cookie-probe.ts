import { CsrfResponse, ErrorBody, csrfHeader, paths, type ConfigResponse } from '@authbench/contract';

/** What this browser does with the API's cookies from this page, as observed. */
export type CookieSetting =
  | 'first-party'
  | 'third-party-allowed'
  | 'third-party-allowed-or-partitioned'
  | 'third-party-blocked'
  | 'all-third-party-blocked'
  | 'cookies-refused'
  | 'unknown';

export interface CookieObservation {
  setting: CookieSetting;
  /** Which API was asked, and what decided it: shown beside the verdict. */
  evidence: string;
}

export const cookieSettingLabel: Record<CookieSetting, string> = {
  'first-party': 'first-party here: the browser sends the API’s cookies (third-party cookie settings do not apply)',
  'third-party-allowed': 'third-party cookies allowed: the browser sent an unpartitioned third-party cookie back',
  'third-party-allowed-or-partitioned': 'third-party cookies allowed, or blocked with Partitioned (CHIPS) ones let through: the browser sent a Partitioned third-party cookie back',
  'third-party-blocked': 'third-party cookies blocked: the browser did not send the API’s cookie back',
  'all-third-party-blocked': 'all third-party cookies blocked, Partitioned (CHIPS) ones too',
  'cookies-refused': 'cookies refused for the API’s site, though it is first-party here',
  unknown: 'not observed: no API here with a cookie to probe (GET /api/auth/csrf)',
};

/**
 * Sets a cookie and sees whether it comes back, with the API's own means and nothing a real page
 * could not do: GET /api/auth/csrf sets the `csrf` cookie (with the flags of every cookie of that
 * API) and hands over a token bound to it; POST /api/auth/login with that token and an empty body
 * then meets the CSRF check before anything else: 403 `csrf_failed` if the cookie stayed behind,
 * 400 `validation_failed` if it came back. No account, no login attempt, nothing counted.
 */
export async function probeCookies(apiUrl: string, config: ConfigResponse): Promise<CookieObservation> {
  const { deployment } = config;
  const csrf = await fetch(`${apiUrl}${paths.csrf}`, { credentials: 'include' });
  const { csrfToken } = CsrfResponse.parse(await csrf.json());
  const answer = await fetch(`${apiUrl}${paths.login}`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', [csrfHeader]: csrfToken },
    body: '{}',
  });
  const body = ErrorBody.safeParse(await answer.json().catch(() => undefined));
  const code = body.success ? body.data.error.code : undefined;
  const evidence = `GET ${new URL(apiUrl).host}${paths.csrf} set the csrf cookie; POST ${paths.login} with its token answered ${answer.status} ${code ?? ''}`.trim();
  const came = code === 'validation_failed';
  if (!came && code !== 'csrf_failed') return { setting: 'unknown', evidence };
  const partitioned = config.cookies.some((cookie) => cookie.partitioned);
  if (deployment.topology !== 'cross-site') return { setting: came ? 'first-party' : 'cookies-refused', evidence };
  if (came) return { setting: partitioned ? 'third-party-allowed-or-partitioned' : 'third-party-allowed', evidence };
  return { setting: partitioned ? 'all-third-party-blocked' : 'third-party-blocked', evidence };
}
