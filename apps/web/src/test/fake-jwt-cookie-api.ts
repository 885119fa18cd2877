import {
  cookieNames,
  csrfHeader,
  paths,
  type AccessTokenClaims,
  type ConfigResponse,
  type JwtCookieLoginResponse,
} from '@authbench/contract';
import { createFakeAdapter, createGate, errorReply, tick, type FakeReply, type FakeRequest } from './fake-server';
import { sameOrigin } from './deployment';

interface FakeUser {
  id: string;
  email: string;
  name: string;
  password: string;
  createdAt: string;
}

interface Family {
  sid: string;
  userId: string;
  /** The current refresh token; any older one coming back is reuse. */
  rt: string;
  revoked: boolean;
  createdAt: string;
}

export interface FakeJwtCookieApiOptions {
  /** How long a refresh takes once the server has read the cookie (reuse needs an overlap). */
  refreshDelayMs?: number;
  accessTokenTtlSeconds?: number;
}

const names = cookieNames(false);

/**
 * A jwt-cookie-mode API with the browser's cookie jar, shared by every "tab": `at` (Path=/) and
 * `rt` (Path=/api/auth) are set by the server and sent only with credentials; CSRF tokens are
 * bound to the login's sid (even through an expired `at`) or, before login, to the `csrf` cookie;
 * each refresh rotates `rt`, and a rotated `rt` coming back revokes the whole family.
 */
export function createFakeJwtCookieApi(options: FakeJwtCookieApiOptions = {}) {
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const users: FakeUser[] = [
    { id: 'u1', email: 'ada@example.test', name: 'Ada', password: 'correct horse', createdAt: '2026-01-01T00:00:00.000Z' },
  ];
  /** The browser's cookies for the API: script never sees them. */
  const jar: { at: string | null; rt: string | null; csrf: string | null } = { at: null, rt: null, csrf: null };
  const families = new Map<string, Family>();
  const familyOfRt = new Map<string, string>();
  const claimsOf = new Map<string, AccessTokenClaims>();
  const expired = new Set<string>();
  const state = {
    refreshes: 0,
    csrfFetches: 0,
    reuseDetected: false,
    /** Refuse the next n unsafe requests whatever token they carry. */
    refuseCsrf: 0,
    /** Override the refresh answer (after the CSRF check). */
    refreshReply: null as null | (() => FakeReply),
    /** Override the GET /api/me answer. */
    meReply: null as null | (() => FakeReply | Promise<FakeReply>),
  };
  let next = 0;
  const meGate = createGate();

  const config = {
    authMode: 'jwt-cookie',
    deployment: sameOrigin,
    cookies: [
      { name: names.access, purpose: 'the access token (a JWT script cannot read)', httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAgeSeconds: 604_800, partitioned: false },
      { name: names.refresh, purpose: 'the rotating refresh token', httpOnly: true, secure: false, sameSite: 'strict', path: '/api/auth', maxAgeSeconds: 604_800, partitioned: false },
      { name: names.csrf, purpose: 'before login: the random value the CSRF token is signed over', httpOnly: true, secure: false, sameSite: 'lax', path: '/', maxAgeSeconds: 86_400, partitioned: false },
    ],
    accessTokenTtlSeconds: ttl,
    refreshTokenTtlSeconds: 604_800,
    revocationCheck: true,
    csrfHeader,
  } satisfies ConfigResponse;

  const sessionId = () => `family${++next}`.padEnd(22, '_'); // the contract's 22 URL-safe characters
  const publicUser = ({ password: _password, ...user }: FakeUser) => user;
  /** Stands in for the server's HMAC: only the server can compute it. */
  const csrfTokenFor = (binding: string) => `csrf(${binding})`;

  const cookiesOf = (request: FakeRequest) =>
    request.withCredentials
      ? { at: jar.at, rt: request.path.startsWith('/api/auth/') ? jar.rt : null, csrf: jar.csrf }
      : { at: null, rt: null, csrf: null };
  type Cookies = ReturnType<typeof cookiesOf>;

  // A genuine `at` names its login even once expired, so a refresh keeps the CSRF token valid.
  const bindingOf = (cookies: Cookies) => {
    const sid = cookies.at === null ? undefined : claimsOf.get(cookies.at)?.sid;
    if (sid !== undefined) return `login:${sid}`;
    return cookies.csrf === null ? undefined : `anon:${cookies.csrf}`;
  };

  const issueTokens = (family: Family) => {
    const at = `at-${++next}`;
    const iat = Math.floor(Date.now() / 1000);
    claimsOf.set(at, { sub: family.userId, sid: family.sid, jti: `jti-${next}`, iss: 'authbench', aud: 'authbench-web', iat, exp: iat + ttl });
    family.rt = `rt-${++next}`;
    familyOfRt.set(family.rt, family.sid);
    jar.at = at; // Set-Cookie lands in the jar before the response reaches script
    jar.rt = family.rt;
  };

  const signIn = (user: FakeUser): JwtCookieLoginResponse => {
    const family: Family = { sid: sessionId(), userId: user.id, rt: '', revoked: false, createdAt: new Date().toISOString() };
    families.set(family.sid, family);
    issueTokens(family);
    jar.csrf = null; // the login's token takes over from the anonymous one
    return { user: publicUser(user), csrfToken: csrfTokenFor(`login:${family.sid}`), expiresIn: ttl };
  };

  const clearCookies = () => {
    jar.at = null;
    jar.rt = null;
  };

  const authenticate = (cookies: Cookies): { user: FakeUser; family: Family; claims: AccessTokenClaims } | FakeReply => {
    if (cookies.at === null) return errorReply(401, 'unauthenticated');
    const claims = claimsOf.get(cookies.at);
    if (!claims) return errorReply(401, 'token_invalid');
    if (expired.has(cookies.at)) return errorReply(401, 'token_expired');
    const family = families.get(claims.sid);
    const user = users.find((candidate) => candidate.id === claims.sub);
    if (!family || family.revoked || !user) return errorReply(401, 'token_invalid');
    return { user, family, claims };
  };

  const fake = createFakeAdapter(async (request): Promise<FakeReply> => {
    const cookies = cookiesOf(request); // read when the request arrives, as a server does
    if (request.method !== 'GET') {
      if (state.refuseCsrf > 0) {
        state.refuseCsrf--;
        return errorReply(403, 'csrf_failed');
      }
      const binding = bindingOf(cookies);
      if (binding === undefined || request.csrf !== csrfTokenFor(binding)) return errorReply(403, 'csrf_failed');
    }
    switch (`${request.method} ${request.path}`) {
      case `GET ${paths.config}`:
        return { status: 200, body: config };
      case `GET ${paths.csrf}`: {
        state.csrfFetches++;
        await tick(2);
        let binding = bindingOf(cookies);
        if (binding === undefined) {
          jar.csrf = `anon${++next}`;
          binding = `anon:${jar.csrf}`;
        }
        return { status: 200, body: { csrfToken: csrfTokenFor(binding) } };
      }
      case `POST ${paths.login}`: {
        const { email, password } = request.body as { email: string; password: string };
        const found = users.find((candidate) => candidate.email === email && candidate.password === password);
        if (!found) return errorReply(401, 'invalid_credentials');
        return { status: 200, body: signIn(found) };
      }
      case `POST ${paths.register}`: {
        const { email, password, name } = request.body as { email: string; password: string; name: string };
        if (users.some((candidate) => candidate.email === email)) return errorReply(409, 'email_taken');
        const created = { id: `u${users.length + 1}`, email, name, password, createdAt: new Date().toISOString() };
        users.push(created);
        return { status: 201, body: signIn(created) };
      }
      case `POST ${paths.refresh}`: {
        state.refreshes++;
        if (state.refreshReply) return state.refreshReply();
        if (cookies.rt === null) return errorReply(401, 'unauthenticated');
        await tick(options.refreshDelayMs ?? 5);
        const family = families.get(familyOfRt.get(cookies.rt) ?? '');
        if (!family || family.revoked) return errorReply(401, 'token_invalid');
        if (family.rt !== cookies.rt) {
          state.reuseDetected = true; // theft, as far as the server can tell
          family.revoked = true;
          return errorReply(401, 'token_invalid');
        }
        issueTokens(family); // same sid: the CSRF token stays valid
        return { status: 200, body: { expiresIn: ttl } };
      }
      case `POST ${paths.logout}`: {
        const sid = familyOfRt.get(cookies.rt ?? '') ?? (cookies.at === null ? undefined : claimsOf.get(cookies.at)?.sid);
        const family = families.get(sid ?? '');
        if (family) family.revoked = true;
        clearCookies();
        return { status: 204 };
      }
      default:
        break;
    }
    if (request.method === 'GET' && request.path === paths.me) await meGate.passed();
    if (request.method === 'GET' && request.path === paths.me && state.meReply) return state.meReply();
    const auth = authenticate(cookies);
    if ('status' in auth) return auth;
    const { user, family, claims } = auth;
    const mine = () => [...families.values()].filter((candidate) => candidate.userId === user.id && !candidate.revoked);
    switch (`${request.method} ${request.path}`) {
      case `GET ${paths.me}`:
        return { status: 200, body: { user: publicUser(user), login: { sessionId: family.sid, claims } } };
      case `PATCH ${paths.me}`:
        user.name = (request.body as { name: string }).name.trim();
        return { status: 200, body: { user: publicUser(user) } };
      case `POST ${paths.logoutAll}`:
        for (const candidate of mine()) candidate.revoked = true;
        clearCookies();
        return { status: 204 };
      case `GET ${paths.sessions}`:
        return {
          status: 200,
          body: {
            sessions: mine().map((candidate) => ({
              id: candidate.sid,
              createdAt: candidate.createdAt,
              lastSeenAt: candidate.createdAt,
              expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
              userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
              current: candidate.sid === family.sid,
            })),
          },
        };
      default: {
        const revoke = /^\/api\/auth\/sessions\/([^/]+)$/.exec(request.path);
        const target = revoke && request.method === 'DELETE' ? families.get(decodeURIComponent(revoke[1] ?? '')) : undefined;
        if (!target || target.userId !== user.id || target.revoked) return errorReply(404, 'not_found');
        target.revoked = true;
        return { status: 204 };
      }
    }
  });

  return {
    config,
    adapter: fake.adapter,
    calls: fake.calls,
    jar,
    state,
    callsTo: (method: string, path: string) => fake.calls.filter((call) => call.method === method && call.path === path),
    meCalls: () => fake.calls.filter((call) => call.method === 'GET' && call.path === paths.me),
    /** Every access token issued so far (to prove none of them ever reached script). */
    issuedTokens: () => [...claimsOf.keys()],
    /** Every access token issued so far answers 401 token_expired from now on. */
    expireAccessTokens() {
      for (const token of claimsOf.keys()) expired.add(token);
    },
    /** The cookies of a login sit in the jar. */
    holdsLogin: () => jar.at !== null || jar.rt !== null,
    /** Holds GET /api/me until the returned function is called. */
    holdMe: meGate.hold,
    /** Logs in behind the SPA's back, as another tab (sharing the cookie jar) would. */
    loginElsewhere(userId = 'u1') {
      const user = users.find((candidate) => candidate.id === userId);
      if (!user) throw new Error(`no user ${userId}`);
      return signIn(user);
    },
  };
}

export type FakeJwtCookieApi = ReturnType<typeof createFakeJwtCookieApi>;
