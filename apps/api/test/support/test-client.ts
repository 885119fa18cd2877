import { CsrfResponse, csrfHeader, modeTraits, paths, type AuthMode, type LoginRequest, type RegisterRequest } from '@authbench/contract';
import { CookieAccessInfo } from 'cookiejar';
import type { Express } from 'express';
import supertest, { type Response, type Test } from 'supertest';

type Method = 'get' | 'post' | 'patch' | 'delete';

const access = (path: string) => new CookieAccessInfo('127.0.0.1', path, false, false);

/**
 * A browser-like client: a cookie jar, an Origin, and the mode's credentials carried the way the
 * SPA's transports carry them (a CSRF header in the cookie modes, Bearer in jwt mode).
 */
export function createClient(app: Express | string, mode: AuthMode, options: { origin?: string | null; userAgent?: string } = {}) {
  const agent = supertest.agent(app);
  const origin = options.origin === undefined ? 'http://localhost:5173' : options.origin;
  const state: { csrfToken?: string | undefined; accessToken?: string | undefined } = {};

  const request = (method: Method, path: string): Test => {
    let test = agent[method](path);
    if (origin) test = test.set('Origin', origin);
    if (options.userAgent) test = test.set('User-Agent', options.userAgent);
    if (state.accessToken) test = test.set('Authorization', `Bearer ${state.accessToken}`);
    if (state.csrfToken && method !== 'get') test = test.set(csrfHeader, state.csrfToken);
    return test;
  };

  const remember = (res: Response) => {
    const body = res.body as { csrfToken?: string; accessToken?: string };
    if (res.ok && body.csrfToken) state.csrfToken = body.csrfToken;
    if (res.ok && body.accessToken) state.accessToken = body.accessToken;
    return res;
  };

  const client = {
    mode,
    agent,
    state,
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
    /** Every header this client would send with a request, to replay it through another app (a restart, another process). */
    headersFor(method: Method, path: string): Record<string, string> {
      const cookie = client.cookieHeader(path);
      return {
        ...(origin && { Origin: origin }),
        ...(cookie && { Cookie: cookie }),
        ...(state.accessToken && { Authorization: `Bearer ${state.accessToken}` }),
        ...(state.csrfToken && method !== 'get' && { [csrfHeader]: state.csrfToken }),
      };
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
