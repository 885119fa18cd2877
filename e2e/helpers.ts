import { AccessTokenClaims, DpopTokenResponse, ErrorBody, TokenResponse, cookieNames, paths, type ErrorCode } from '@authbench/contract';
import { expect, type BrowserContext, type Page, type Request, type Response } from '@playwright/test';

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

/** The value a response's Set-Cookie headers give a cookie, if they set it (a cleared one is ''). */
export async function setCookieValue(response: Response, name: string): Promise<string | undefined> {
  const headers = await response.headersArray();
  for (const { name: header, value } of headers) {
    if (header.toLowerCase() !== 'set-cookie') continue;
    // One header per cookie, though Playwright may join several with newlines.
    for (const line of value.split('\n')) {
      if (line.startsWith(`${name}=`)) return decodeURIComponent(line.slice(name.length + 1).split(';')[0] ?? '');
    }
  }
  return undefined;
}

/** The access token an answer hands over, wherever it travels: the body (jwt, jwt-dpop) or the `at` cookie (jwt-cookie). */
async function accessTokenIn(response: Response): Promise<string | undefined> {
  const body = TokenResponse.or(DpopTokenResponse).safeParse(await response.json().catch(() => undefined));
  if (body.success) return body.data.accessToken;
  return (await setCookieValue(response, cookieNames(false).access)) || undefined;
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
      const token = response?.ok() ? await accessTokenIn(response) : undefined;
      if (token) tokens.push(token);
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

/** A CryptoKey as script sees it in IndexedDB: what it is, and whether its bytes can be exported. */
export interface ReadableKey {
  type: string;
  algorithm: string;
  extractable: boolean;
  usages: string[];
  /** What crypto.subtle.exportKey('jwk') said: the members it gave, or its refusal. */
  exported: string;
}

/** One IndexedDB record: its other values as text, and the CryptoKeys it holds. */
export interface ReadableRecord {
  where: string;
  text: string;
  keys: ReadableKey[];
}

/** Everything a script on the page can read without the app's help, IndexedDB's records included. */
export async function scriptReadableState(page: Page) {
  return page.evaluate(async () => {
    const dump = (storage: Storage) =>
      Object.fromEntries(Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '').map((key) => [key, storage.getItem(key) ?? '']));
    const records: ReadableRecord[] = [];
    const names = 'databases' in indexedDB ? (await indexedDB.databases()).map((db) => db.name ?? '') : [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error(`cannot open ${name}`));
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const entries = await new Promise<[IDBValidKey, unknown][]>((resolve, reject) => {
          const out: [IDBValidKey, unknown][] = [];
          const cursor = db.transaction(store, 'readonly').objectStore(store).openCursor();
          cursor.onsuccess = () => {
            if (!cursor.result) return resolve(out);
            out.push([cursor.result.key, cursor.result.value]);
            cursor.result.continue();
          };
          cursor.onerror = () => reject(cursor.error ?? new Error('cursor failed'));
        });
        for (const [key, value] of entries) {
          const keys: ReadableKey[] = [];
          const described = async (item: unknown): Promise<unknown> => {
            if (item instanceof CryptoKey) {
              const exported = await crypto.subtle.exportKey('jwk', item).then(
                (jwk) => `exported: ${Object.keys(jwk).join(', ')}`,
                (error: unknown) => `refused: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
              );
              keys.push({ type: item.type, algorithm: item.algorithm.name, extractable: item.extractable, usages: [...item.usages], exported });
              return `[CryptoKey ${item.type}]`;
            }
            if (typeof item !== 'object' || item === null) return item;
            return Object.fromEntries(await Promise.all(Object.entries(item).map(async ([k, v]) => [k, await described(v)] as const)));
          };
          records.push({ where: `${name}/${store}[${JSON.stringify(key)}]`, text: JSON.stringify(await described(value)), keys });
        }
      }
      db.close();
    }
    return {
      cookie: document.cookie,
      localStorage: dump(window.localStorage),
      sessionStorage: dump(window.sessionStorage),
      indexedDb: records,
    };
  });
}

/** One request to the API as it went over the wire, seen through the DevTools protocol. */
export interface WireExchange {
  /** `METHOD /path` */
  request: string;
  statusCode: number;
  /** The answer's headers, names lower-cased. */
  headers: Record<string, string>;
  /** The Cookie header the browser attached ('' for none). */
  cookie: string;
}

const lowerCased = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));

/**
 * What a page sends to one API and what the API answers, even where CORS keeps the answer from
 * the page (and from Playwright's response events): the DevTools protocol still sees the status
 * lines and headers. Preflights included, as `OPTIONS /path`.
 */
export async function recordWire(context: BrowserContext, page: Page, apiUrl: string) {
  const cdp = await context.newCDPSession(page);
  // The events of one request may arrive in any order: they are joined when asked for.
  const sent = new Map<string, string>();
  const cookies = new Map<string, string>();
  const answers = new Map<string, { statusCode: number; headers: Record<string, string> }>();
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => {
    if (request.url.startsWith(`${apiUrl}/`)) sent.set(requestId, `${request.method} ${new URL(request.url).pathname}`);
  });
  cdp.on('Network.requestWillBeSentExtraInfo', ({ requestId, headers }) => cookies.set(requestId, lowerCased(headers).cookie ?? ''));
  cdp.on('Network.responseReceivedExtraInfo', ({ requestId, statusCode, headers }) => answers.set(requestId, { statusCode, headers: lowerCased(headers) }));
  await cdp.send('Network.enable');
  return {
    /** The requests answered so far, preflights included. */
    exchanges: (): WireExchange[] =>
      [...sent].flatMap(([requestId, request]) => {
        const answer = answers.get(requestId);
        return answer ? [{ request, ...answer, cookie: cookies.get(requestId) ?? '' }] : [];
      }),
  };
}

/** A request a page's own script sends: what fetch() takes, all of it serialisable. */
export interface ScriptRequest {
  path: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends each request from the page's script, credentials included, as an attacker's page would,
 * and says what the script got: the answer it could read, or how fetch() failed.
 */
export function fetchFromPage<K extends string>(page: Page, apiUrl: string, requests: Record<K, ScriptRequest>) {
  return page.evaluate(
    async ({ api, requests }) => {
      const results: Record<string, { read: string } | { failed: string }> = {};
      for (const [name, { path, ...init }] of Object.entries(requests)) {
        try {
          const response = await fetch(api + path, { credentials: 'include', ...init });
          results[name] = { read: `${response.status} ${await response.text()}` };
        } catch (error) {
          results[name] = { failed: String(error) };
        }
      }
      return results as Record<K, { read: string } | { failed: string }>;
    },
    { api: apiUrl, requests: requests as Record<string, ScriptRequest> },
  );
}
