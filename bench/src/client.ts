import { cookieNames, csrfHeader, paths, type AuthMode } from '@authbench/contract';

/** The SPA's origin, as the bench's API processes are configured (CORS_ORIGINS). */
export const benchOrigin = 'http://localhost:5173';

const names = cookieNames(false);

/** What one logged-in client holds, as the SPA's transport would carry it. */
export interface Credential {
  mode: AuthMode;
  userId: string;
  /** The header that authenticates GET /api/me: `Cookie: sid=…` or `Authorization: Bearer …`. */
  header: { name: 'cookie' | 'authorization'; value: string };
  /** Session mode: the CSRF token for unsafe requests. */
  csrfToken?: string;
  /** Jwt mode: the refresh cookie (`rt=…`). */
  refreshCookie?: string;
  accessToken?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 200)}`);
  }
}

const cookiePair = (res: Response, name: string): string | undefined =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${name}=`) && pair.length > name.length + 1);

async function call(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }, what: string) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      origin: benchOrigin,
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(res.status, text, what);
  return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Session mode's pre-login state: a session cookie and its CSRF token. */
async function csrf(base: string) {
  const { res, body } = await call(base, paths.csrf, {}, 'GET csrf');
  const cookie = cookiePair(res, names.session);
  if (!cookie || typeof body.csrfToken !== 'string') throw new Error('GET csrf: no session cookie or token');
  return { cookie, csrfToken: body.csrfToken };
}

function credentialOf(mode: AuthMode, res: Response, body: Record<string, unknown>, what: string): Credential {
  const user = body.user as { id?: unknown } | undefined;
  if (typeof user?.id !== 'string') throw new Error(`${what}: no user in the response`);
  if (mode === 'session') {
    const cookie = cookiePair(res, names.session);
    if (!cookie || typeof body.csrfToken !== 'string') throw new Error(`${what}: no session cookie or CSRF token`);
    return { mode, userId: user.id, header: { name: 'cookie', value: cookie }, csrfToken: body.csrfToken };
  }
  const refreshCookie = cookiePair(res, names.refresh);
  if (typeof body.accessToken !== 'string' || !refreshCookie) throw new Error(`${what}: no access token or refresh cookie`);
  return {
    mode,
    userId: user.id,
    header: { name: 'authorization', value: `Bearer ${body.accessToken}` },
    refreshCookie,
    accessToken: body.accessToken,
  };
}

/** Logs in (or registers) as the SPA does: session mode fetches a CSRF token first. */
export async function signIn(
  base: string,
  mode: AuthMode,
  how: 'login' | 'register',
  user: { email: string; password: string; name?: string },
  previous?: Credential,
): Promise<Credential> {
  const headers: Record<string, string> = {};
  if (mode === 'session') {
    // A logged-in session may log in again with its own token; otherwise start one.
    const state = previous?.csrfToken ? { cookie: previous.header.value, csrfToken: previous.csrfToken } : await csrf(base);
    headers.cookie = state.cookie;
    headers[csrfHeader.toLowerCase()] = state.csrfToken;
  }
  const body = how === 'login' ? { email: user.email, password: user.password } : user;
  const { res, body: answer } = await call(base, how === 'login' ? paths.login : paths.register, { method: 'POST', headers, body }, how);
  return credentialOf(mode, res, answer, how);
}

/** Jwt mode: spends the refresh cookie for a new access token and a rotated cookie. */
export async function refresh(base: string, credential: Credential): Promise<Credential> {
  if (!credential.refreshCookie) throw new Error('refresh: no refresh cookie');
  const { res, body } = await call(base, paths.refresh, { method: 'POST', headers: { cookie: credential.refreshCookie } }, 'refresh');
  const refreshCookie = cookiePair(res, names.refresh);
  if (typeof body.accessToken !== 'string' || !refreshCookie) throw new Error('refresh: no access token or refresh cookie');
  return { ...credential, header: { name: 'authorization', value: `Bearer ${body.accessToken}` }, refreshCookie, accessToken: body.accessToken };
}

/** Logs out as the SPA does: the cookie (and CSRF token, or Bearer) of this client. */
export async function signOut(base: string, credential: Credential): Promise<void> {
  const headers: Record<string, string> =
    credential.mode === 'session'
      ? { cookie: credential.header.value, [csrfHeader.toLowerCase()]: credential.csrfToken ?? '' }
      : { cookie: credential.refreshCookie ?? '', authorization: credential.header.value };
  await call(base, paths.logout, { method: 'POST', headers }, 'logout');
}

/** GET /api/me with this credential: the status, body and response header names. */
export async function me(base: string, credential?: Credential) {
  const res = await fetch(`${base}${paths.me}`, {
    headers: { origin: benchOrigin, ...(credential && { [credential.header.name]: credential.header.value }) },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text(), headerNames: [...res.headers.keys()].sort() };
}
