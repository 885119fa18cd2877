import { AccessTokenClaims, ErrorBody, TokenResponse, paths, type ErrorCode } from '@authbench/contract';
import { expect, type BrowserContext, type Page, type Request } from '@playwright/test';

/** Three base64url segments, the first one starting like a JSON object: `{"` is `eyJ`. */
export const jwtLike = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

export interface ApiCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number | undefined;
  errorCode: ErrorCode | undefined;
  /** Resolves once the response (or the failure) has been recorded. */
  settled: Promise<void>;
}

/**
 * Every request a page (or all pages of a context) sends to one API, with the headers as sent
 * and the answer. CORS preflights are left out: they carry no credentials by design.
 */
export function recordApiCalls(target: Page | BrowserContext, apiUrl: string) {
  const calls: ApiCall[] = [];
  const onRequest = (request: Request) => {
    if (!request.url().startsWith(`${apiUrl}/`) || request.method() === 'OPTIONS') return;
    const call: ApiCall = {
      method: request.method(),
      path: new URL(request.url()).pathname,
      headers: {},
      status: undefined,
      errorCode: undefined,
      settled: Promise.resolve(),
    };
    calls.push(call);
    call.settled = (async () => {
      call.headers = await request.allHeaders();
      const response = await request.response().catch(() => null);
      if (!response) return;
      call.status = response.status();
      if (call.status >= 400) {
        const body = ErrorBody.safeParse(await response.json().catch(() => undefined));
        call.errorCode = body.success ? body.data.error.code : undefined;
      }
    })().catch(() => undefined);
  };
  target.on('request', onRequest);
  return {
    calls,
    /** Calls so far, after their answers arrived. */
    async settled(): Promise<ApiCall[]> {
      await Promise.all(calls.map((call) => call.settled));
      return [...calls];
    },
    /** Forget what was recorded so far. */
    reset: () => void calls.splice(0, calls.length),
    stop: () => void target.off('request', onRequest),
  };
}

/** The claims of an access token, read (not verified) for its expiry. */
export function claimsOf(token: string): AccessTokenClaims {
  const payload = token.split('.')[1] ?? '';
  return AccessTokenClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
}

/**
 * Waits until the API refuses the token as expired: `exp` in whole seconds, checked as
 * `now < exp` (apps/api/src/auth/access-tokens.ts). The one deliberate wait of the suite, and
 * only in tests about expiry; the margin covers the processes' clocks read at different instants.
 */
export async function waitOutAccessToken(page: Page, token: string): Promise<void> {
  const remaining = claimsOf(token).exp * 1000 + 150 - Date.now();
  if (remaining > 0) await page.waitForTimeout(remaining);
}

/**
 * Every access token the API hands a page or a context (login, register, refresh), newest
 * last, with the token requests still awaiting their answer.
 */
export function collectAccessTokens(target: Page | BrowserContext, apiUrl: string) {
  const tokens: string[] = [];
  let pending = 0;
  const tokenPaths = new Set<string>([paths.login, paths.register, paths.refresh]);
  target.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.origin !== apiUrl || !tokenPaths.has(url.pathname) || request.method() !== 'POST') return;
    pending++;
    void (async () => {
      const response = await request.response();
      const parsed = TokenResponse.safeParse(response?.ok() ? await response.json() : undefined);
      if (parsed.success) tokens.push(parsed.data.accessToken);
    })()
      .catch(() => undefined)
      .finally(() => pending--);
  });
  const newest = async (): Promise<string> => {
    await expect.poll(() => pending).toBe(0);
    expect(tokens.length, 'access tokens issued').toBeGreaterThan(0);
    return tokens.at(-1)!;
  };
  return {
    tokens,
    newest,
    /** Waits until every token issued so far has expired (none is issued while it waits). */
    async waitOutAll(page: Page): Promise<void> {
      for (;;) {
        const token = await newest();
        await waitOutAccessToken(page, token);
        if (pending === 0 && tokens.at(-1) === token) return;
      }
    },
  };
}

/** Everything a script on the page can read without the app's help. */
export async function scriptReadableState(page: Page) {
  return page.evaluate(async () => {
    const dump = (storage: Storage) =>
      Object.fromEntries(Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '').map((key) => [key, storage.getItem(key) ?? '']));
    const databases = 'databases' in indexedDB ? (await indexedDB.databases()).map((db) => db.name ?? '') : [];
    return {
      cookie: document.cookie,
      localStorage: dump(window.localStorage),
      sessionStorage: dump(window.sessionStorage),
      indexedDb: databases,
    };
  });
}
