import { cookieNames, csrfHeader, dpopHeader, dpopNonceHeader, paths, type AuthMode } from '@authbench/contract';
import { createDpopKey, type DpopKey } from './dpop-key';

/** The SPA's origin, as the bench's API processes are configured (CORS_ORIGINS). */
export const benchOrigin = 'http://localhost:5173';

const names = cookieNames(false);
const csrfHeaderName = csrfHeader.toLowerCase();
const dpopHeaderName = dpopHeader.toLowerCase();

/** A browser's cookies for one origin, as far as the bench needs them: name, value and Path. */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  /** Takes a response's Set-Cookie lines: a new value, or a removal (empty value, Max-Age=0, a past Expires). */
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attribute = (key: string) =>
        attributes
          .find((a) => a.toLowerCase().startsWith(`${key}=`))
          ?.slice(key.length + 1);
      const maxAge = attribute('max-age');
      const expires = attribute('expires');
      const removed = value === '' || (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (removed) this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attribute('path') ?? '/' });
    }
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value, path });
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  /** The Cookie header a browser sends to `path` (RFC 6265 path-match), or undefined. */
  headerFor(path: string): string | undefined {
    const sent = [...this.cookies]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
    return sent.length > 0 ? sent.join('; ') : undefined;
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, c] of this.cookies) copy.set(name, c.value, c.path);
    return copy;
  }
}

/** What one logged-in client holds, as the SPA's transport (or the browser) would carry it. */
export interface Credential {
  mode: AuthMode;
  userId: string;
  jar: CookieJar;
  /** Modes with CSRF tokens: the token for unsafe requests. */
  csrfToken?: string;
  /** Jwt modes: the access token (from the body in jwt mode, the `at` cookie in jwt-cookie mode). */
  accessToken?: string;
  /** jwt-dpop mode: the key the login is bound to, and what its proofs need from the API. */
  dpop?: DpopState;
}

/** A jwt-dpop client's key, the API's public origin (a proof's htu) and the API's latest nonce. */
export interface DpopState {
  key: DpopKey;
  origin: string;
  nonce?: string | undefined;
}

/** The proof of one request by this client, for the token it presents (if any). */
export const proofFor = (state: DpopState, method: string, path: string, accessToken?: string): string =>
  state.key.proof({ htm: method, htu: `${state.origin}${path}`, nonce: state.nonce, accessToken });

/** A method and path: what a DPoP proof is made for. */
interface RequestLine {
  method: string;
  path: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}

const withoutUndefined = (headers: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));

interface CallInit {
  method?: string;
  /** A function where the headers carry a DPoP proof: a retry needs a new one. */
  headers?: Record<string, string | undefined> | (() => Record<string, string | undefined>);
  body?: unknown;
  jar?: CookieJar;
  signal?: AbortSignal | undefined;
  /** jwt-dpop: every answer's DPoP-Nonce is kept here; a `use_dpop_nonce` refusal is retried once with it, as the SPA does. */
  dpop?: DpopState | undefined;
}

const isNonceRefusal = (status: number, text: string) => (status === 400 || status === 401) && text.includes('"use_dpop_nonce"');

async function call(base: string, path: string, init: CallInit, what: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: withoutUndefined({
        origin: benchOrigin,
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        cookie: init.jar?.headerFor(path),
        ...(typeof init.headers === 'function' ? init.headers() : init.headers),
      }),
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      signal: init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(30_000)]) : AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const nonce = res.headers.get(dpopNonceHeader);
    if (init.dpop && nonce) init.dpop.nonce = nonce;
    if (init.dpop && attempt === 1 && isNonceRefusal(res.status, text)) continue;
    init.jar?.take(res);
    if (!res.ok) throw new HttpError(res.status, text, what);
    return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * What differs between the modes on the client's side, and nothing else: one row per mode.
 * - `csrf`: unsafe requests carry X-CSRF-Token; before login, GET /api/auth/csrf fetches one.
 * - `refreshes`: a refresh token in cookie `rt` buys new access tokens.
 * - `accessToken`: where a login or a refresh answer hands the access token over.
 * - `scriptHeaders`: what the SPA's script adds to each API call; the browser adds the cookies.
 * - `stores`: what a login leaves in the stores (--scale fills them with it).
 * - `present`: a login the bench made itself (a signed session cookie, a minted access token),
 *   carried as this mode carries it (the cold row, --scale).
 */
interface ModeClient {
  csrf: boolean;
  refreshes: boolean;
  accessToken(body: Record<string, unknown>, jar: CookieJar): string | undefined;
  /** jwt-dpop: a key pair per login, and a proof by it on every request. */
  proofs: boolean;
  scriptHeaders(credential: Credential, request: RequestLine): Record<string, string>;
  stores: 'session' | 'refresh family';
  present(login: MadeLogin): Record<string, string>;
}

/** A login the bench made without the API: a session cookie's value, or an access token. */
export type MadeLogin = { sessionCookie: string } | { accessToken: string };

const made = (login: MadeLogin, what: 'sessionCookie' | 'accessToken'): string => {
  if (!(what in login)) throw new Error(`this mode is not presented with a ${what}`);
  return (login as Record<typeof what, string>)[what];
};

export const modeClients = {
  session: {
    csrf: true,
    refreshes: false,
    accessToken: () => undefined,
    proofs: false,
    scriptHeaders: () => ({}),
    stores: 'session',
    present: (login) => ({ cookie: `${names.session}=${made(login, 'sessionCookie')}` }),
  },
  jwt: {
    csrf: false,
    refreshes: true,
    accessToken: (body) => text(body.accessToken),
    proofs: false,
    scriptHeaders: ({ accessToken }) => withoutUndefined({ authorization: accessToken && `Bearer ${accessToken}` }),
    stores: 'refresh family',
    present: (login) => ({ authorization: `Bearer ${made(login, 'accessToken')}` }),
  },
  'jwt-cookie': {
    csrf: true,
    refreshes: true,
    accessToken: (_body, jar) => jar.get(names.access),
    proofs: false,
    scriptHeaders: () => ({}),
    stores: 'refresh family',
    present: (login) => ({ cookie: `${names.access}=${made(login, 'accessToken')}` }),
  },
  // As jwt mode, but the token travels as `DPoP`, and every request carries a proof of its own.
  'jwt-dpop': {
    csrf: false,
    refreshes: true,
    accessToken: (body) => text(body.accessToken),
    proofs: true,
    scriptHeaders: ({ accessToken, dpop }, { method, path }) =>
      withoutUndefined({ authorization: accessToken && `DPoP ${accessToken}`, [dpopHeaderName]: dpop && proofFor(dpop, method, path, accessToken) }),
    stores: 'refresh family',
    // A made token would have to be bound to a key (cnf.jkt): neither the cold row nor --scale has one.
    present: () => {
      throw new Error('jwt-dpop: the bench mints no key-bound access tokens');
    },
  },
} satisfies Record<AuthMode, ModeClient>;

const modeOf = (mode: AuthMode): ModeClient => modeClients[mode];

/** The credential headers of a request to `path`: the browser's cookies for it and the SPA's own headers. */
const requestHeaders = (credential: Credential, request: RequestLine): Record<string, string> =>
  withoutUndefined({ cookie: credential.jar.headerFor(request.path), ...modeOf(credential.mode).scriptHeaders(credential, request) });

/** The headers that authenticate GET /api/me for this client (in jwt-dpop mode with a fresh proof, each call). */
export const meHeaders = (credential: Credential): Record<string, string> => requestHeaders(credential, { method: 'GET', path: paths.me });

/** jwt-dpop mode: a fresh proof for GET /api/me by this client's key; undefined in the other modes. */
export const meProof = (credential: Credential): Record<string, string> | undefined =>
  credential.dpop && { [dpopHeaderName]: proofFor(credential.dpop, 'GET', paths.me, credential.accessToken) };

/** jwt-dpop mode: a new key and the API's public origin, which its proofs name (from GET /api/config, as the SPA learns it). */
async function newDpopState(base: string, signal?: AbortSignal): Promise<DpopState> {
  const { body } = await call(base, paths.config, { signal }, 'GET config');
  const origin = text((body.dpop as { origin?: unknown } | undefined)?.origin);
  if (!origin) throw new Error('GET config: no dpop.origin in jwt-dpop mode');
  return { key: createDpopKey(), origin };
}

/** Bytes of those headers on the wire (`name: value` per header). */
export const credentialBytes = (credential: Credential): number =>
  Object.entries(meHeaders(credential)).reduce((n, [name, value]) => n + Buffer.byteLength(`${name}: ${value}`), 0);

/** Logs in (or registers) as a fresh browser running the SPA does: a CSRF token first where the mode has them. */
export async function signIn(
  base: string,
  mode: AuthMode,
  how: 'login' | 'register',
  user: { email: string; password: string; name?: string },
  signal?: AbortSignal,
): Promise<Credential> {
  const client = modeOf(mode);
  const jar = new CookieJar();
  const dpop = client.proofs ? await newDpopState(base, signal) : undefined;
  let csrfToken: string | undefined;
  if (client.csrf) {
    const { body } = await call(base, paths.csrf, { jar, signal }, 'GET csrf');
    csrfToken = text(body.csrfToken);
    if (!csrfToken) throw new Error('GET csrf: no token');
  }
  const body = how === 'login' ? { email: user.email, password: user.password } : user;
  const path = how === 'login' ? paths.login : paths.register;
  const headers = () => ({ [csrfHeaderName]: csrfToken, [dpopHeaderName]: dpop && proofFor(dpop, 'POST', path) });
  const answer = await call(base, path, { method: 'POST', jar, headers, body, signal, dpop }, how);
  const userId = text((answer.body.user as { id?: unknown } | undefined)?.id);
  if (!userId) throw new Error(`${how}: no user in the response`);
  const credential: Credential = { mode, userId, jar, ...(dpop && { dpop }) };
  if (client.csrf) {
    // A login hands over the token bound to it; the pre-login one is worth nothing after it.
    const token = text(answer.body.csrfToken);
    if (!token) throw new Error(`${how}: no CSRF token in the response`);
    credential.csrfToken = token;
  }
  const accessToken = client.accessToken(answer.body, jar);
  if (accessToken) credential.accessToken = accessToken;
  else if (client.refreshes) throw new Error(`${how}: no access token`);
  if (Object.keys(meHeaders(credential)).length === 0) throw new Error(`${how}: nothing to authenticate GET /api/me with`);
  return credential;
}

export const canRefresh = (mode: AuthMode): boolean => modeOf(mode).refreshes;

/** Jwt modes: spends the refresh cookie for a new access token and a rotated cookie. */
export async function refresh(base: string, credential: Credential): Promise<Credential> {
  const client = modeOf(credential.mode);
  if (!client.refreshes) throw new Error(`refresh: ${credential.mode} mode has no refresh token`);
  const jar = credential.jar.clone();
  const headers = () => ({ [csrfHeaderName]: credential.csrfToken, ...client.scriptHeaders(credential, { method: 'POST', path: paths.refresh }) });
  const { body } = await call(base, paths.refresh, { method: 'POST', jar, headers, dpop: credential.dpop }, 'refresh');
  const accessToken = client.accessToken(body, jar);
  if (!accessToken || accessToken === credential.accessToken) throw new Error('refresh: no new access token');
  return { ...credential, jar, accessToken };
}

/** Logs out as the SPA does: its cookies, its CSRF token where the mode has them, its Bearer in jwt mode. */
export async function signOut(base: string, credential: Credential): Promise<void> {
  const headers = () => ({ [csrfHeaderName]: credential.csrfToken, ...modeOf(credential.mode).scriptHeaders(credential, { method: 'POST', path: paths.logout }) });
  await call(base, paths.logout, { method: 'POST', jar: credential.jar.clone(), headers, dpop: credential.dpop }, 'logout');
}

/** The headers that present a login the bench made itself, as this mode carries it. */
export const present = (mode: AuthMode, login: MadeLogin): Record<string, string> => modeOf(mode).present(login);

/** What a login of this mode leaves in the stores. */
export const storedLoginOf = (mode: AuthMode) => modeOf(mode).stores;

/** The session id inside a session cookie's signed value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdOf(credential: Credential): string | undefined {
  const value = credential.jar.get(names.session);
  const match = value && /^s:(.+)\.[^.]+$/.exec(decodeURIComponent(value));
  return match ? match[1] : undefined;
}

/** GET /api/me with these headers: the status, body and response header names. */
export async function me(base: string, headers: Record<string, string>) {
  const res = await fetch(`${base}${paths.me}`, {
    headers: { origin: benchOrigin, ...headers },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text(), headerNames: [...res.headers.keys()].sort() };
}

/** A peer's login (POST /api/login {email}): what its README's client would then send to GET /api/me. */
export async function peerSignIn(base: string, email: string): Promise<Record<string, string>> {
  const jar = new CookieJar();
  const { body } = await call(base, '/api/login', { method: 'POST', jar, body: { email } }, 'peer login');
  const token = text(body.token);
  if (token) return { authorization: `Bearer ${token}` };
  const cookie = jar.headerFor(paths.me);
  if (!cookie) throw new Error('peer login: neither a token nor a cookie');
  return { cookie };
}
