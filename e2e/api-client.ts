import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import {
  ConfigResponse,
  CsrfResponse,
  ErrorBody,
  HealthResponse,
  SessionsResponse,
  csrfHeader,
  dpopHeader,
  dpopNonceHeader,
  loginResponses,
  modeTraits,
  paths,
  refreshResponses,
  type ErrorCode,
  type LoginRequest,
  type RegisterRequest,
  type User,
} from '@authbench/contract';
import type { APIRequest, APIRequestContext, APIResponse } from '@playwright/test';
import { secureCookies, spaUrl, type Mode } from './e2e-env';

/**
 * A client outside the browser, as the SPA's transports behave: a cookie jar of its own, the CSRF
 * header on unsafe requests in the modes with CSRF tokens, a Bearer token in jwt mode, a DPoP
 * token and a fresh proof by a key of its own in jwt-dpop mode. For
 * setting the scene (accounts, other devices) and for the attacker's own requests; what a test
 * asserts about the SPA it checks in the browser.
 */
export interface ApiClient {
  readonly mode: Mode;
  readonly request: APIRequestContext;
  register(body: RegisterRequest): Promise<User>;
  login(body: LoginRequest): Promise<User>;
  /** POST /api/auth/refresh with this client's refresh cookie (modes with a refresh token only). */
  refresh(): Promise<void>;
  logout(): Promise<void>;
  me(): Promise<APIResponse>;
  sessions(): Promise<SessionsResponse['sessions']>;
  /** DELETE /api/auth/sessions/:id: revokes one of the user's logins. */
  revoke(id: string): Promise<void>;
  /** The access token it holds (the modes whose answers carry one). */
  accessToken(): string | undefined;
  /** jwt-dpop: a proof by this client's key, as it would send with this request (`token`: its ath). */
  proof(method: string, path: string, token?: string): Promise<string>;
  dispose(): Promise<void>;
}

export interface ApiClientOptions {
  mode: Mode;
  apiUrl: string;
  /** Sent as the Origin header: the SPA's origin by default, as a browser on the SPA would. */
  origin?: string;
  userAgent?: string;
}

/** What a client holds in memory, beside its cookie jar. */
interface Held {
  csrfToken?: string;
  accessToken?: string;
}

interface Holding {
  /** A login (or register) answer, parsed with the mode's schema: the user, and what is kept. */
  login(data: unknown): { user: User; held: Held };
  /** A refresh answer, parsed likewise (the modes with a refresh token). */
  refresh?(data: unknown, held: Held): Held;
}
type Refreshing<M extends Mode> = (typeof modeTraits)[M]['refreshToken'] extends true
  ? Required<Holding>
  : Holding & { refresh?: never };

/**
 * Where each mode's answers put what script holds: the one table of per-mode behaviour here
 * (the rest is in the contract's modeTraits). Whatever else there is travels in cookies, which
 * the client's jar keeps, as a browser's would.
 */
const holdings: { [M in Mode]: Refreshing<M> } = {
  session: {
    // A login regenerates the session, and the CSRF token belongs to the new one.
    login(data) {
      const { user, csrfToken } = loginResponses.session.parse(data);
      return { user, held: { csrfToken } };
    },
  },
  jwt: {
    login(data) {
      const { user, accessToken } = loginResponses.jwt.parse(data);
      return { user, held: { accessToken } };
    },
    refresh: (data) => ({ accessToken: refreshResponses.jwt.parse(data).accessToken }),
  },
  'jwt-cookie': {
    // The access token is in the `at` cookie; the CSRF token is bound to the login, whose id a
    // refresh keeps, so it stays valid.
    login(data) {
      const { user, csrfToken } = loginResponses['jwt-cookie'].parse(data);
      return { user, held: { csrfToken } };
    },
    refresh(data, held) {
      refreshResponses['jwt-cookie'].parse(data);
      return held;
    },
  },
  // As jwt mode; the token is bound to this client's key, and goes out with a proof by it.
  'jwt-dpop': {
    login(data) {
      const { user, accessToken } = loginResponses['jwt-dpop'].parse(data);
      return { user, held: { accessToken } };
    },
    refresh: (data) => ({ accessToken: refreshResponses['jwt-dpop'].parse(data).accessToken }),
  },
};

/** The requests that obtain or end a login: each carries a proof, token or not (RFC 9449 §5). */
const proofPaths = new Set<string>([paths.login, paths.register, paths.refresh, paths.logout]);

/** A DPoP key (ES256) signed with node:crypto, as a device's would be: its proofs (RFC 9449 §4.2). */
function createProver() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  return (claims: { htm: string; htu: string; nonce?: string | undefined; token?: string | undefined }) => {
    const payload = b64({
      jti: randomUUID(),
      htm: claims.htm,
      htu: claims.htu,
      iat: Math.floor(Date.now() / 1000),
      ...(claims.nonce !== undefined && { nonce: claims.nonce }),
      ...(claims.token !== undefined && { ath: createHash('sha256').update(claims.token).digest('base64url') }),
    });
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${header}.${payload}.${signature.toString('base64url')}`;
  };
}

/** The contract's error code of a failed response, or undefined. */
export async function errorCodeOf(response: APIResponse): Promise<ErrorCode | undefined> {
  const parsed = ErrorBody.safeParse(await response.json().catch(() => undefined));
  return parsed.success ? parsed.data.error.code : undefined;
}

async function expectStatus(response: APIResponse, status: number, what: string): Promise<unknown> {
  if (response.status() !== status) {
    throw new Error(`${what}: HTTP ${response.status()} ${(await errorCodeOf(response)) ?? (await response.text())}`);
  }
  return response.status() === 204 ? undefined : ((await response.json()) as unknown);
}

export async function createApiClient(
  playwright: { request: APIRequest },
  { mode, apiUrl, origin = spaUrl, userAgent }: ApiClientOptions,
): Promise<ApiClient> {
  const request = await playwright.request.newContext({
    baseURL: apiUrl,
    // In a topology the client calls the API process behind the edge, and says what the edge
    // would: the request came over HTTPS (so the API sends its Secure cookies, which this client's
    // jar then keeps and sends back to 127.0.0.1, as a loopback address).
    extraHTTPHeaders: { Origin: origin, ...(secureCookies && { 'X-Forwarded-Proto': 'https' }) },
    // Never the test's storageState (the SPA's localStorage), never another context's cookies.
    storageState: { cookies: [], origins: [] },
    ...(userAgent && { userAgent }),
  });
  const traits = modeTraits[mode];
  const holding: Holding = holdings[mode];
  let held: Held = {};
  // jwt-dpop: a key of its own, the API's public origin (the proofs' htu) and its last nonce.
  const prove = traits.proof ? createProver() : undefined;
  let proofOrigin: string | undefined;
  let nonce: string | undefined;

  const proof = async (method: string, path: string, token?: string) => {
    if (!prove) throw new Error(`${mode} mode takes no proofs`);
    proofOrigin ??= ConfigResponse.parse(await (await request.get(paths.config)).json()).dpop?.origin;
    return prove({ htm: method, htu: `${proofOrigin ?? ''}${path}`, nonce, token });
  };

  // As the SPA's transports do: a CSRF token on unsafe methods only, fetched when first needed
  // (before login it is bound to the `csrf` cookie that GET /api/auth/csrf sets in the jar); a
  // fresh proof where the mode wants one.
  const headers = async (method: 'GET' | 'POST' | 'DELETE', path: string): Promise<Record<string, string>> => {
    const sent: Record<string, string> = {};
    if (held.accessToken) sent.Authorization = `${traits.proof ? 'DPoP' : 'Bearer'} ${held.accessToken}`;
    if (traits.csrf && method !== 'GET') {
      held.csrfToken ??= CsrfResponse.parse(await expectStatus(await request.get(paths.csrf), 200, 'GET csrf')).csrfToken;
      sent[csrfHeader] = held.csrfToken;
    }
    if (prove && (held.accessToken || proofPaths.has(path))) sent[dpopHeader] = await proof(method, path, held.accessToken);
    return sent;
  };

  /** One request with the mode's credentials; a proof refused for its nonce alone is sent again, once, with the new one. */
  const send = async (method: 'GET' | 'POST' | 'DELETE', path: string, data?: unknown): Promise<APIResponse> => {
    const once = async () => {
      const response = await request.fetch(path, { method, headers: await headers(method, path), ...(data !== undefined && { data }) });
      nonce = response.headers()[dpopNonceHeader.toLowerCase()] ?? nonce;
      return response;
    };
    const response = await once();
    return prove && (await errorCodeOf(response)) === 'use_dpop_nonce' ? once() : response;
  };

  const signIn = async (path: string, body: LoginRequest | RegisterRequest, status: number): Promise<User> => {
    const data = await expectStatus(await send('POST', path, body), status, `POST ${path}`);
    const answer = holding.login(data);
    held = answer.held;
    return answer.user;
  };

  return {
    mode,
    request,
    register: (body) => signIn(paths.register, body, 201),
    login: (body) => signIn(paths.login, body, 200),
    async refresh() {
      if (!holding.refresh) throw new Error(`${mode} mode has no refresh token`);
      const data = await expectStatus(await send('POST', paths.refresh), 200, 'POST refresh');
      held = holding.refresh(data, held);
    },
    async logout() {
      await expectStatus(await send('POST', paths.logout), 204, 'POST logout');
      held = {};
    },
    me: () => send('GET', paths.me),
    async sessions() {
      const data = await expectStatus(await send('GET', paths.sessions), 200, 'GET sessions');
      return SessionsResponse.parse(data).sessions;
    },
    async revoke(id) {
      const path = `${paths.sessions}/${encodeURIComponent(id)}`;
      await expectStatus(await send('DELETE', path), 204, `DELETE ${path}`);
    },
    accessToken: () => held.accessToken,
    proof,
    dispose: () => request.dispose(),
  };
}

/** GET /api/health of one API; throws unless it is up and in `mode`. */
export async function checkApiMode(playwright: { request: APIRequest }, apiUrl: string, mode: Mode): Promise<void> {
  const request = await playwright.request.newContext({ storageState: { cookies: [], origins: [] } });
  try {
    const response = await request.get(`${apiUrl}${paths.health}`);
    const health = HealthResponse.safeParse(await response.json().catch(() => undefined));
    if (!response.ok() || !health.success || health.data.status !== 'ok' || health.data.authMode !== mode) {
      throw new Error(`${apiUrl}${paths.health} should report status ok in ${mode} mode; got HTTP ${response.status()} ${JSON.stringify(health.data)}`);
    }
  } finally {
    await request.dispose();
  }
}
