import { CsrfResponse, csrfHeader, dpopHeader, modeTraits, paths, type AuthMode, type LoginRequest, type RegisterRequest } from '@authbench/contract';
import { CookieAccessInfo } from 'cookiejar';
import type { Express } from 'express';
import supertest, { type Response, type Test } from 'supertest';
import { createDpopKey, type DpopKey } from './dpop';

type Method = 'get' | 'post' | 'patch' | 'delete';

const access = (path: string) => new CookieAccessInfo('127.0.0.1', path, false, false);

/** The PUBLIC_ORIGIN of the API processes the tests start: one, as if behind one load balancer. */
export const testPublicOrigin = 'http://localhost:4000';

export interface ClientOptions {
  origin?: string | null;
  userAgent?: string;
  /** jwt-dpop mode: the API's PUBLIC_ORIGIN, which each proof's htu names (default testPublicOrigin). */
  apiOrigin?: string;
  /** jwt-dpop mode: the clock proofs are dated by (the test app's). */
  now?: () => number;
  /** jwt-dpop mode: the key to sign with (default: a new one, as a new browser makes). */
  dpopKey?: DpopKey;
}

/**
 * A browser-like client: a cookie jar, an Origin, and the mode's credentials carried the way the
 * SPA's transports carry them (a CSRF header in the cookie modes, Bearer in jwt mode, and in
 * jwt-dpop mode `Authorization: DPoP` with a fresh proof per request, the last nonce the API
 * gave, and one retry when the API asks for a newer nonce).
 */
export function createClient(app: Express | string, mode: AuthMode, options: ClientOptions = {}) {
  const agent = supertest.agent(app);
  const origin = options.origin === undefined ? 'http://localhost:5173' : options.origin;
  const state: { csrfToken?: string | undefined; accessToken?: string | undefined; nonce?: string | undefined } = {};
  const proofs = modeTraits[mode].proof;
  const dpopKey = proofs ? (options.dpopKey ?? createDpopKey()) : undefined;
  const apiOrigin = options.apiOrigin ?? testPublicOrigin;
  const now = options.now ?? Date.now;

  /** The credential headers of one request: what the SPA's transport adds. */
  const credentialsFor = (method: Method, path: string): Record<string, string> => {
    const headers: Record<string, string> = {};
    if (state.accessToken) headers.Authorization = `${dpopKey ? 'DPoP' : 'Bearer'} ${state.accessToken}`;
    if (state.csrfToken && method !== 'get') headers[csrfHeader] = state.csrfToken;
    if (dpopKey) {
      headers[dpopHeader] = dpopKey.proof({
        htm: method.toUpperCase(),
        htu: `${apiOrigin}${path.split('?')[0]!}`,
        iat: Math.floor(now() / 1000),
        ...(state.nonce && { nonce: state.nonce }),
        ...(state.accessToken && { accessToken: state.accessToken }),
      });
    }
    return headers;
  };

  const start = (method: Method, path: string): Test => {
    let test = agent[method](path);
    if (origin) test = test.set('Origin', origin);
    if (options.userAgent) test = test.set('User-Agent', options.userAgent);
    return test.set(credentialsFor(method, path));
  };

  const request = (method: Method, path: string): Test => (dpopKey ? proofRequest(method, path) : start(method, path));

  /**
   * A request that signs its proof when it is sent, and sends once more with the new nonce when
   * the API answers use_dpop_nonce, as the SPA does. What the test sets on it (set, type, send)
   * is replayed onto each attempt, after the client's own headers, so a test can override them.
   */
  const proofRequest = (method: Method, path: string): Test => {
    const steps: ((test: Test) => Test)[] = [];
    let ownProof = false;
    const attempt = () => steps.reduce((test, step) => step(test), start(method, path));
    const deferred = {
      set(field: string | Record<string, string>, value?: string) {
        if ((typeof field === 'string' ? [field] : Object.keys(field)).some((name) => name.toLowerCase() === dpopHeader.toLowerCase())) ownProof = true;
        steps.push((test) => (typeof field === 'string' ? test.set(field, value!) : test.set(field)));
        return deferred;
      },
      unset(field: string) {
        steps.push((test) => test.unset(field));
        return deferred;
      },
      type(type: string) {
        steps.push((test) => test.type(type));
        return deferred;
      },
      send(body: string | object) {
        steps.push((test) => test.send(body));
        return deferred;
      },
      write(chunk: string) {
        steps.push((test) => {
          test.write(chunk);
          return test;
        });
        return true;
      },
      then<T1 = Response, T2 = never>(onFulfilled?: (res: Response) => T1 | PromiseLike<T1>, onRejected?: (reason: unknown) => T2 | PromiseLike<T2>) {
        const run = async () => {
          const first = rememberNonce(await attempt());
          const code = (first.body as { error?: { code?: string } } | undefined)?.error?.code;
          return code === 'use_dpop_nonce' && !ownProof ? rememberNonce(await attempt()) : first;
        };
        return run().then(onFulfilled, onRejected);
      },
    };
    return deferred as unknown as Test;
  };

  const rememberNonce = (res: Response) => {
    const nonce = res.headers['dpop-nonce'];
    if (nonce) state.nonce = nonce;
    return res;
  };

  const remember = (res: Response) => {
    const body = res.body as { csrfToken?: string; accessToken?: string };
    if (res.ok && body.csrfToken) state.csrfToken = body.csrfToken;
    if (res.ok && body.accessToken) {
      state.accessToken = body.accessToken;
      if (dpopKey) holders.set(body.accessToken, client);
    }
    return res;
  };

  const client = {
    mode,
    agent,
    state,
    /** jwt-dpop mode: a fresh proof for a request by this client, as the browser signs one. */
    proofFor: (method: string, url: string, accessToken?: string) =>
      dpopKey?.proof({
        htm: method.toUpperCase(),
        htu: `${apiOrigin}${new URL(url, apiOrigin).pathname}`,
        iat: Math.floor(now() / 1000),
        ...(state.nonce && { nonce: state.nonce }),
        ...(accessToken && { accessToken }),
      }),
    /** jwt-dpop mode: the key this client signs its proofs with. */
    dpopKey,
    /** A request with this client's cookies, Origin and credentials. */
    request,
    get: (path: string) => request('get', path),
    post: (path: string, body?: object) => (body === undefined ? request('post', path) : request('post', path).send(body)),
    patch: (path: string, body: object) => request('patch', path).send(body),
    delete: (path: string) => request('delete', path),
    async csrf() {
      const res = await request('get', paths.csrf);
      if (res.ok) state.csrfToken = CsrfResponse.parse(res.body).csrfToken;
      return res;
    },
    /** The cookie modes need a CSRF token before any unsafe request, login included. */
    async ready() {
      if (modeTraits[mode].csrf && !state.csrfToken) await client.csrf();
      if (dpopKey && !state.nonce) await client.learnNonce();
      return client;
    },
    async register(body: RegisterRequest) {
      await client.ready();
      return remember(await client.post(paths.register, body));
    },
    async login(body: LoginRequest) {
      await client.ready();
      return remember(await client.post(paths.login, body));
    },
    async refresh() {
      await client.ready();
      return remember(await client.post(paths.refresh));
    },
    /** Logs out and, as the SPA does, forgets the credentials the logout ended. */
    async logout() {
      await client.ready();
      const res = await client.post(paths.logout);
      if (res.ok) Object.assign(state, { csrfToken: undefined, accessToken: undefined });
      return res;
    },
    me: () => client.get(paths.me),
    /** The value of a cookie in this client's jar, if any. */
    cookie(name: string): string | undefined {
      return agent.jar.getCookie(name, access(name.endsWith('rt') ? '/api/auth' : '/'))?.value;
    },
    /**
     * Every header this client would send with a request, to replay it through another app (a
     * restart, another process): in jwt-dpop mode with a fresh proof, as the browser makes one.
     */
    headersFor(method: Method, path: string): Record<string, string> {
      const cookie = client.cookieHeader(path);
      return {
        ...(origin && { Origin: origin }),
        ...(cookie && { Cookie: cookie }),
        ...credentialsFor(method, path),
      };
    },
    /** jwt-dpop mode: learns the API's current nonce, as the SPA does from its first answer. */
    async learnNonce() {
      if (dpopKey) rememberNonce(await start('get', paths.config));
      return client;
    },
    /** The Cookie header this client would send to `path`. */
    cookieHeader(path: string): string {
      return agent.jar
        .getCookies(access(path))
        .map((c) => c.toValueString())
        .join('; ');
    },
  };
  return client;
}

export type TestClient = ReturnType<typeof createClient>;

/** jwt-dpop mode: which client holds the key each access token is bound to, for tests that present a token by hand. */
const holders = new Map<string, TestClient>();
export const holderOf = (accessToken: string): TestClient | undefined => holders.get(accessToken);

/** Parses a Set-Cookie header into its name, value and attributes (lower-cased keys). */
export function parseSetCookie(res: Response, name: string) {
  const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
  if (!raw) return undefined;
  const [pair, ...attrs] = raw.split(';').map((part) => part.trim());
  const attributes = Object.fromEntries(
    attrs.map((attr) => {
      const [key, ...value] = attr.split('=');
      return [key!.toLowerCase(), value.join('=') || true];
    }),
  );
  return { value: pair!.slice(name.length + 1), attributes, raw };
}
