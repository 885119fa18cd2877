import {
  ConfigResponse,
  cookieNames,
  modeTraits,
  paths,
  type AuthMode,
  type LoginRequest,
  type RegisterRequest,
  type User,
} from '@authbench/contract';
import axios, { isAxiosError, type AxiosAdapter, type AxiosRequestConfig } from 'axios';
import type { z } from 'zod';
import { ApiError, errorCodeOf, isApiError, toApiError } from './api-error';
import { cookieNamed, whyCookieDrops, type Deployment } from './deployment';
import { browserKeyStore, type DpopKeyStore } from './dpop-key-store';
import { createJwtCookieTransport } from './jwt-cookie-transport';
import { createJwtDpopTransport } from './jwt-dpop-transport';
import { createJwtTransport } from './jwt-transport';
import { openBroadcastChannel, type OpenChannel } from './open-broadcast-channel';
import { createRequestLog, type RequestLog } from './request-log';
import { createSessionTransport } from './session-transport';
import { browserLocks } from './token-refresh';
import {
  pathOf,
  type CredentialSnapshot,
  type LockManagerLike,
  type TransportFactory,
} from './transport';

/** The one place a mode turns into code: GET /api/config picks a row. */
const transports = {
  session: createSessionTransport,
  jwt: createJwtTransport,
  'jwt-cookie': createJwtCookieTransport,
  'jwt-dpop': createJwtDpopTransport,
} satisfies Record<AuthMode, TransportFactory>;

/** `cookie-dropped`: the browser stopped sending the login's cookie; `cookieProblem()` says why. */
export type SignOutReason = 'user' | 'expired' | 'other-tab' | 'cookie-dropped';
export type AuthEvent = { type: 'signed-in'; user: User } | { type: 'signed-out'; reason: SignOutReason };

export interface Api {
  readonly baseUrl: string;
  readonly mode: AuthMode;
  readonly config: ConfigResponse;
  readonly requests: RequestLog;
  /** Where this page and the API live relative to each other (same origin, same site or not), as the API sees it. */
  readonly deployment: Deployment;
  get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>>;
  post(path: string, body?: unknown): Promise<void>;
  post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>>;
  patch<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>>;
  delete(path: string): Promise<void>;
  login(body: LoginRequest): Promise<User>;
  register(body: RegisterRequest): Promise<User>;
  logout(): Promise<void>;
  logoutAll(): Promise<void>;
  /** The session is over without a logout request (revoked here, or in another tab). */
  endSession(reason: SignOutReason): void;
  /** Another tab logged in: drop cached credentials that belonged to the previous session. */
  resync(): void;
  // Arrow-typed: React calls these detached (useSyncExternalStore), so they must not need `this`.
  subscribe: (listener: (event: AuthEvent) => void) => () => void;
  credentials: () => CredentialSnapshot;
  subscribeCredentials: (listener: () => void) => () => void;
  /** The cookie the browser last dropped (code `cookie_dropped`, the message says which and why); null while none has been. */
  cookieProblem: () => ApiError | null;
  dispose(): void;
}

export interface ApiOptions {
  /** Tests fake the server with an adapter; the browser uses XHR. */
  adapter?: AxiosAdapter;
  locks?: LockManagerLike;
  openChannel?: OpenChannel;
  /** Where a jwt-dpop login's key is kept (IndexedDB in a browser; tests share one between "page loads"). */
  keyStore?: DpopKeyStore;
  now?: () => number;
}

export interface CreateApiOptions extends ApiOptions {
  baseUrl: string;
  config: ConfigResponse;
}

/**
 * Paths that answer whether or not anyone is logged in: their success does not prove a login,
 * and their 401 (a wrong password, a missing refresh cookie) does not end one.
 */
const publicPaths = new Set<string>([
  paths.config,
  paths.health,
  paths.csrf,
  paths.jwks,
  paths.login,
  paths.register,
  paths.refresh,
  paths.logout,
]);

function parseWith<S extends z.ZodType>(schema: S, data: unknown, status: number, what: string): z.output<S> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  // Contract drift fails loudly instead of rendering half-shaped data.
  throw new ApiError({
    code: 'invalid_response',
    status,
    message: `${what}: the response does not match the contract (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
    cause: parsed.error,
  });
}

const resolveAdapter = (adapter: AxiosAdapter | undefined): AxiosAdapter =>
  axios.getAdapter(adapter ?? axios.defaults.adapter);

/** GET /api/config of one API: tells the SPA which transport to build. */
export async function fetchApiConfig(baseUrl: string, options: ApiOptions = {}): Promise<ConfigResponse> {
  try {
    const response = await axios.get(paths.config, {
      baseURL: baseUrl,
      adapter: resolveAdapter(options.adapter),
      timeout: 5000,
    });
    return parseWith(ConfigResponse, response.data, response.status, `GET ${paths.config}`);
  } catch (error) {
    throw toApiError(error);
  }
}

export function createApi({ baseUrl, config, ...options }: CreateApiOptions): Api {
  const now = options.now ?? Date.now;
  // Unprefixed: cookieNamed() finds the __Host-/__Secure- variant the API reports.
  const names = cookieNames(false);
  // The API's judgement of sites (the Public Suffix List), never this page's guess.
  const deployment = config.deployment;
  const requests = createRequestLog();
  const http = axios.create({
    baseURL: baseUrl,
    adapter: requests.wrap(resolveAdapter(options.adapter)),
    headers: { Accept: 'application/json' },
    timeout: 15_000,
  });
  const listeners = new Set<(event: AuthEvent) => void>();
  const credentialListeners = new Set<() => void>();
  const emit = (event: AuthEvent) => {
    for (const listener of listeners) listener(event);
  };

  const transport = transports[config.authMode]({
    baseUrl,
    config,
    http,
    events: {
      sessionEnded: (code) => {
        // A refresh with no refresh cookie at all, while this tab's login is younger than that
        // cookie's lifetime: the browser did not send back what the login set.
        const ttl = (config.refreshTokenTtlSeconds ?? 0) * 1000;
        if (code === 'unauthenticated' && lastLoginAt !== null && now() - lastLoginAt < ttl) {
          cookieDropped(names.refresh, 'that the login set, so the access token could not be renewed');
          return;
        }
        endSession('expired');
      },
      credentialsChanged: () => {
        for (const listener of credentialListeners) listener();
      },
    },
    locks: options.locks ?? browserLocks(),
    openChannel: options.openChannel ?? openBroadcastChannel,
    keyStore: options.keyStore ?? browserKeyStore(),
    now,
  });

  // Whether the last word from the server was "logged in", so that a 401 becomes an event only
  // when it ends a login (a visitor who never logged in gets 401s too).
  let signedIn = false;
  // When this tab last logged in, and whether an authenticated answer has since proven that the
  // browser sends the login's cookie back (modes whose credential is a cookie).
  let lastLoginAt: number | null = null;
  let cookieUnproven = false;
  let cookieProblem: ApiError | null = null;
  const credentialCookie = { sessionCookie: names.session, accessCookie: names.access, bearer: null, dpop: null }[modeTraits[config.authMode].security];

  function endSession(reason: SignOutReason) {
    const wasSignedIn = signedIn;
    signedIn = false;
    cookieUnproven = false;
    transport.signedOut();
    if (reason !== 'expired' || wasSignedIn) emit({ type: 'signed-out', reason });
  }

  /** The API set `name` and the browser did not send it back: never a silent 401, always the cause. */
  function droppedCookieError(name: string, what: string): ApiError {
    const cookie = cookieNamed(config, name);
    const why =
      whyCookieDrops(deployment, cookie) ??
      `Nothing in this page’s layout (${deployment.topology}) or the cookie’s flags explains it: does this browser accept cookies for ${deployment.apiSite}?`;
    return new ApiError({
      code: 'cookie_dropped',
      status: 0,
      message: `The browser did not send back the API’s ${cookie?.name ?? name} cookie ${what}. ${why}`,
    });
  }

  function cookieDropped(name: string, what: string): ApiError {
    const problem = droppedCookieError(name, what);
    cookieProblem = problem;
    endSession('cookie-dropped');
    return problem;
  }

  // Registered after the transport's, so it sees only what the transport could not repair.
  http.interceptors.response.use(
    (response) => {
      if (!publicPaths.has(pathOf(response.config))) {
        signedIn = true;
        cookieUnproven = false;
      }
      return response;
    },
    (error: unknown) => {
      if (isAxiosError(error) && error.config && error.response?.status === 401) {
        const code = errorCodeOf(error);
        if ((code === 'unauthenticated' || code === 'token_invalid') && !publicPaths.has(pathOf(error.config))) {
          // The first authenticated request after a login, answered as if no cookie came with it.
          if (code === 'unauthenticated' && cookieUnproven && credentialCookie) {
            throw cookieDropped(credentialCookie, 'that the login set, so the API saw a visitor at the next request');
          }
          endSession('expired'); // expired, revoked or logged out elsewhere: the app decides what shows
        }
      }
      throw error;
    },
  );

  async function send(request: AxiosRequestConfig): Promise<{ data: unknown; status: number }> {
    try {
      const response = await http.request(request);
      return { data: response.data as unknown, status: response.status };
    } catch (error) {
      throw toApiError(error);
    }
  }

  async function sendParsed<S extends z.ZodType>(request: AxiosRequestConfig, schema: S): Promise<z.output<S>> {
    const { data, status } = await send(request);
    return parseWith(schema, data, status, `${(request.method ?? 'get').toUpperCase()} ${request.url ?? ''}`);
  }

  async function signIn(path: string, body: LoginRequest | RegisterRequest): Promise<User> {
    let answer: { data: unknown; status: number };
    try {
      answer = await send({ method: 'post', url: path, data: body });
    } catch (error) {
      // The CSRF token came fresh from GET /api/auth/csrf (twice: the guard retries once), and is
      // bound to the `csrf` cookie set with it: refused, that cookie did not come back.
      if (isApiError(error) && error.code === 'csrf_failed' && modeTraits[config.authMode].csrf) {
        throw droppedCookieError(names.csrf, 'that the CSRF token is bound to, so the API refused the login as a possible forgery');
      }
      throw error;
    }
    const { data, status } = answer;
    let user: User;
    try {
      user = await transport.acceptLogin(data);
    } catch (error) {
      throw new ApiError({
        code: 'invalid_response',
        status,
        message: `POST ${path}: not a ${config.authMode}-mode login response.`,
        cause: error,
      });
    }
    signedIn = true;
    lastLoginAt = now();
    cookieUnproven = credentialCookie !== null;
    cookieProblem = null;
    emit({ type: 'signed-in', user });
    return user;
  }

  function post(path: string, body?: unknown): Promise<void>;
  function post<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>>;
  async function post(path: string, body?: unknown, schema?: z.ZodType): Promise<unknown> {
    const request = { method: 'post', url: path, data: body } as const;
    if (schema) return sendParsed(request, schema);
    await send(request);
    return undefined;
  }

  return {
    baseUrl,
    mode: config.authMode,
    config,
    requests,
    deployment,
    get: (path, schema) => sendParsed({ method: 'get', url: path }, schema),
    post,
    patch: (path, body, schema) => sendParsed({ method: 'patch', url: path, data: body }, schema),
    async delete(path) {
      await send({ method: 'delete', url: path });
    },
    login: (body) => signIn(paths.login, body),
    register: (body) => signIn(paths.register, body),
    async logout() {
      await send({ method: 'post', url: paths.logout });
      endSession('user');
    },
    async logoutAll() {
      await send({ method: 'post', url: paths.logoutAll });
      endSession('user');
    },
    endSession,
    resync: () => transport.resync(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    credentials: () => transport.credentials(),
    subscribeCredentials(listener) {
      credentialListeners.add(listener);
      return () => credentialListeners.delete(listener);
    },
    cookieProblem: () => cookieProblem,
    dispose() {
      transport.dispose();
      listeners.clear();
      credentialListeners.clear();
    },
  };
}
