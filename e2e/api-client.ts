import {
  CsrfResponse,
  ErrorBody,
  HealthResponse,
  JwtLoginResponse,
  SessionLoginResponse,
  SessionsResponse,
  csrfHeader,
  paths,
  type ErrorCode,
  type LoginRequest,
  type RegisterRequest,
  type User,
} from '@authbench/contract';
import type { APIRequest, APIRequestContext, APIResponse } from '@playwright/test';
import { spaUrl, type Mode } from './e2e-env';

/**
 * A client outside the browser, as the SPA's transports behave: the CSRF header in session
 * mode, a Bearer token in jwt mode. For setting the scene (accounts, other devices) and for the
 * attacker's own requests; what a test asserts about the SPA it checks in the browser.
 */
export interface ApiClient {
  readonly request: APIRequestContext;
  register(body: RegisterRequest): Promise<User>;
  login(body: LoginRequest): Promise<User>;
  logout(): Promise<void>;
  me(): Promise<APIResponse>;
  sessions(): Promise<SessionsResponse['sessions']>;
  dispose(): Promise<void>;
}

export interface ApiClientOptions {
  mode: Mode;
  apiUrl: string;
  /** Sent as the Origin header: the SPA's origin by default, as a browser on the SPA would. */
  origin?: string;
  userAgent?: string;
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
    extraHTTPHeaders: { Origin: origin },
    // Never the test's storageState (the SPA's localStorage), never another context's cookies.
    storageState: { cookies: [], origins: [] },
    ...(userAgent && { userAgent }),
  });
  let csrfToken: string | undefined;
  let accessToken: string | undefined;

  // As the SPA's transports do: CSRF on unsafe methods only (a GET must not create a session).
  const headers = async (method: 'GET' | 'POST'): Promise<Record<string, string>> => {
    if (mode === 'session') {
      if (method === 'GET') return {};
      csrfToken ??= CsrfResponse.parse(await expectStatus(await request.get(paths.csrf), 200, 'GET csrf')).csrfToken;
      return { [csrfHeader]: csrfToken };
    }
    return accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
  };

  const signIn = async (path: string, body: LoginRequest | RegisterRequest, status: number): Promise<User> => {
    const data = await expectStatus(await request.post(path, { data: body, headers: await headers('POST') }), status, `POST ${path}`);
    if (mode === 'session') {
      const parsed = SessionLoginResponse.parse(data);
      csrfToken = parsed.csrfToken;
      return parsed.user;
    }
    const parsed = JwtLoginResponse.parse(data);
    accessToken = parsed.accessToken;
    return parsed.user;
  };

  return {
    request,
    register: (body) => signIn(paths.register, body, 201),
    login: (body) => signIn(paths.login, body, 200),
    async logout() {
      await expectStatus(await request.post(paths.logout, { headers: await headers('POST') }), 204, 'POST logout');
      csrfToken = undefined;
      accessToken = undefined;
    },
    me: async () => request.get(paths.me, { headers: await headers('GET') }),
    async sessions() {
      const data = await expectStatus(await request.get(paths.sessions, { headers: await headers('GET') }), 200, 'GET sessions');
      return SessionsResponse.parse(data).sessions;
    },
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
