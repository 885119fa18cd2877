import { dpopHeader, dpopNonceHeader, endpointList, paths, type ConfigResponse } from '@authbench/contract';
import { createDpopKey, signProof, type DpopKey } from '../../api/dpop-proof';
import type { EvidenceStep } from '../../lib/lab-results';
import { applySetCookies, cookieHeaderFor, errorCodeIn, isAdmitted, parseSetCookie, shorten, type Jar, type JarCookie } from './analysis';
import { headerOf, setCookiesOf, type AttackerServer, type ReplayAnswer, type Repeat } from './attacker';

export interface LabAccount {
  email: string;
  password: string;
  name: string;
}

/**
 * A client outside the browser, whose every request leaves from the attacker's server: another
 * device of the user, or a thief holding a copy of its credential. It keeps what a browser would
 * (a cookie jar, the token a login answer hands over, the CSRF token) and sends it the way the
 * SPA's transports do, so that what it measures is what a browser would carry.
 */
export interface OutsideClient {
  readonly label: string;
  jar(): Jar;
  accessToken(): string | null;
  /** The login's public id, as GET /api/me reports it. */
  sessionId(): string | null;
  /** The thumbprint of its own DPoP key, where the API wants proofs (GET /api/config's dpop). */
  keyThumbprint(): string | null;
  /** The credential headers it would send with this request (what a browser would carry), a fresh proof included. */
  credentialHeaders(method: string, path: string): Promise<Record<string, string>>;
  send(method: string, path: string, options?: SendOptions): Promise<ReplayAnswer>;
  /**
   * The same request again and again from the attacker's server, with exactly these headers;
   * where they carry a DPoP proof, each send carries a fresh one by this client's key instead
   * (a proof is good once: a thief who can sign, as malware on the device could).
   */
  series(method: string, path: string, headers: Record<string, string>, repeat: Repeat, what?: string): Promise<ReplayAnswer[]>;
  /** Puts cookies in its jar, as a thief does with cookies copied from someone else's. */
  adopt(cookies: readonly JarCookie[]): void;
  login(): Promise<void>;
  logout(): Promise<void>;
}

export interface SendOptions {
  body?: unknown;
  /** Replaces the credential headers it would send. */
  headers?: Record<string, string>;
  /** With `headers`: adds a proof by this client's own key for them (the token they carry, if any). */
  prove?: boolean;
  /** For the evidence: who is sending, if not this client's label. */
  as?: string;
  note?: string;
  /** Whether this client keeps what the answer sets (false: someone else, e.g. a thief, sent it). */
  keep?: boolean;
}

const isUnsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** The requests that obtain or end a login: where the API wants proofs, each carries one, token or not. */
const proofPaths = new Set<string>([paths.login, paths.register, paths.refresh, paths.logout]);

/** The contract's cookie-bearing endpoints: a browser must call them from an allowed origin. */
const cookieBearing = new Set(endpointList.filter((endpoint) => endpoint.cookieBearing).map((endpoint) => `${endpoint.method.toUpperCase()} ${endpoint.path}`));

const field = (body: unknown, name: string): unknown =>
  typeof body === 'object' && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined;

/** The headers worth showing: credentials sent (shortened), and what the answer said about cookies and CORS. */
export function decidingHeaders(sent: Record<string, string>, answer: ReplayAnswer | null): string[] {
  const shown: string[] = [];
  for (const [name, value] of Object.entries(sent)) {
    if (/^(authorization|x-csrf-token|dpop)$/i.test(name)) shown.push(`→ ${name}: ${shorten(value)}`);
    else if (/^cookie$/i.test(name)) shown.push(`→ Cookie: ${value.split('; ').map((pair) => `${pair.split('=')[0] ?? ''}=${shorten(pair.split('=').slice(1).join('='), 6)}`).join('; ')}`);
    else if (/^(origin|access-control-request-method)$/i.test(name)) shown.push(`→ ${name}: ${value}`);
  }
  if (answer) {
    for (const line of setCookiesOf(answer)) {
      const cookie = parseSetCookie(line);
      if (cookie) shown.push(`← Set-Cookie: ${cookie.name}${cookie.cleared ? ' (cleared)' : ''}`);
    }
    const allowOrigin = answer.headers['access-control-allow-origin'];
    if (sent.Origin !== undefined || sent['Access-Control-Request-Method'] !== undefined) {
      shown.push(allowOrigin === undefined ? '← no Access-Control-Allow-Origin' : `← Access-Control-Allow-Origin: ${String(allowOrigin)}`);
    }
  }
  return shown;
}

/** The token an Authorization header carries, whatever its scheme. */
const tokenIn = (headers: Record<string, string>): string | undefined => {
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return value?.split(' ')[1];
};

export function createOutsideClient(options: {
  label: string;
  apiUrl: string;
  config: ConfigResponse;
  account: LabAccount;
  attacker: AttackerServer;
  spaOrigin: string;
  record: (step: Omit<EvidenceStep, 'at'>) => void;
}): OutsideClient {
  const { label, apiUrl, config, account, attacker, spaOrigin, record } = options;
  let jar: Jar = new Map();
  let accessToken: string | null = null;
  // The login answer's tokenType says how to present the token (Bearer, or DPoP with a proof).
  let scheme = 'Bearer';
  let csrfToken: string | null = null;
  let sessionId: string | null = null;
  // Where the API wants proofs (GET /api/config's dpop): a key of its own, made on first use.
  let key: Promise<DpopKey> | null = null;
  let thumbprint: string | null = null;
  let nonce: string | undefined;
  const ownKey = () =>
    (key ??= createDpopKey().then((made) => {
      thumbprint = made.jkt;
      return made;
    }));

  const proofFor = async (method: string, path: string, token: string | undefined) =>
    signProof(await ownKey(), { htm: method, htu: `${config.dpop?.origin ?? new URL(apiUrl).origin}${path}`, nonce, accessToken: token });

  const credentialHeaders = async (method: string, path: string): Promise<Record<string, string>> => {
    const headers: Record<string, string> = {};
    const cookie = cookieHeaderFor(jar, path);
    if (cookie) headers.Cookie = cookie;
    if (accessToken) headers.Authorization = `${scheme} ${accessToken}`;
    if (csrfToken && config.csrfHeader && isUnsafe(method)) headers[config.csrfHeader] = csrfToken;
    if (config.dpop && (accessToken || proofPaths.has(path))) headers[dpopHeader] = await proofFor(method, path, accessToken ?? undefined);
    return headers;
  };

  const keep = (answer: ReplayAnswer) => {
    jar = applySetCookies(jar, setCookiesOf(answer));
    const token = field(answer.body, 'accessToken');
    if (typeof token === 'string') accessToken = token;
    const type = field(answer.body, 'tokenType');
    if (typeof type === 'string') scheme = type;
    const csrf = field(answer.body, 'csrfToken');
    if (typeof csrf === 'string') csrfToken = csrf;
  };

  const sendOnce = async (method: string, path: string, sendOptions: SendOptions, headers: Record<string, string>): Promise<ReplayAnswer> => {
    if (sendOptions.body !== undefined) headers['Content-Type'] = 'application/json';
    // Not a browser: it writes whatever Origin the API wants to see.
    if (cookieBearing.has(`${method} ${path}`) && !Object.keys(headers).some((name) => name.toLowerCase() === 'origin')) headers.Origin = spaOrigin;
    const [answer] = await attacker.replay({
      url: apiUrl + path,
      method,
      headers,
      ...(sendOptions.body !== undefined && { body: JSON.stringify(sendOptions.body) }),
    });
    if (!answer) throw new Error('The attacker’s server sent nothing back.');
    nonce = headerOf(answer, dpopNonceHeader) ?? nonce;
    if (sendOptions.keep !== false) keep(answer);
    record({
      actor: 'attacker server',
      what: `${method} ${path}${sendOptions.as ? ` (${sendOptions.as})` : ` (${label})`}`,
      status: answer.status,
      code: errorCodeIn(answer.body),
      headers: decidingHeaders(headers, answer),
      ms: answer.ms,
      ...(sendOptions.note !== undefined && { note: sendOptions.note }),
      ...(answer.error !== undefined && { note: answer.error }),
    });
    return answer;
  };

  const send = async (method: string, path: string, sendOptions: SendOptions = {}): Promise<ReplayAnswer> => {
    // Its own proofs get the API's nonce: the first answer without one says so, and carries it (one retry).
    const signed = !sendOptions.headers || sendOptions.prove === true;
    const headersNow = async () =>
      sendOptions.headers
        ? { ...sendOptions.headers, ...(sendOptions.prove && { [dpopHeader]: await proofFor(method, path, tokenIn(sendOptions.headers)) }) }
        : credentialHeaders(method, path);
    const answer = await sendOnce(method, path, sendOptions, await headersNow());
    if (signed && errorCodeIn(answer.body) === 'use_dpop_nonce') return sendOnce(method, path, { ...sendOptions, note: 'again, with the nonce the refusal carried' }, await headersNow());
    return answer;
  };

  const series = async (method: string, path: string, headers: Record<string, string>, repeat: Repeat, what?: string) => {
    const proven = Object.keys(headers).some((name) => name.toLowerCase() === dpopHeader.toLowerCase());
    // Signed ahead, one per send: within a second or two of now, well inside the API's window.
    const each = proven ? await Promise.all(Array.from({ length: repeat.count }, async () => ({ [dpopHeader]: await proofFor(method, path, tokenIn(headers)) }))) : undefined;
    const answers = await attacker.replay({ url: apiUrl + path, method, headers }, { ...repeat, ...(each && { headers: each }) });
    const statuses = answers.map((answer) => `${answer.status}${errorCodeIn(answer.body) ? ` ${errorCodeIn(answer.body) ?? ''}` : ''}`);
    record({
      actor: 'attacker server',
      what: `${method} ${path} ×${answers.length}, every ${repeat.everyMs} ms${what ? ` (${what})` : ''}${each ? ', a fresh proof each' : ''}`,
      status: answers.at(-1)?.status ?? null,
      code: answers.at(-1) ? errorCodeIn(answers.at(-1)?.body) : null,
      headers: decidingHeaders(headers, null),
      note: answers.map((answer, i) => `${Math.round(answer.at)} ms: ${statuses[i] ?? ''}`).join(' · '),
    });
    return answers;
  };

  const fetchCsrf = async () => {
    if (!config.csrfHeader) return;
    await send('GET', paths.csrf);
  };

  return {
    label,
    jar: () => jar,
    accessToken: () => accessToken,
    sessionId: () => sessionId,
    keyThumbprint: () => thumbprint,
    credentialHeaders,
    send,
    series,
    adopt(cookies) {
      const next = new Map(jar);
      for (const cookie of cookies) next.set(`${cookie.name}\n${cookie.path}`, cookie);
      jar = next;
    },
    async login() {
      await fetchCsrf();
      let answer = await send('POST', paths.login, { body: { email: account.email, password: account.password } });
      if (errorCodeIn(answer.body) === 'invalid_credentials') {
        // The lab's account does not exist on this API yet (each API may have a database of its own).
        answer = await send('POST', paths.register, { body: account, note: 'the lab’s account is new to this API' });
      }
      if (!isAdmitted(answer.status)) throw new Error(`${label} could not log in: HTTP ${answer.status} ${errorCodeIn(answer.body) ?? ''}`);
      const me = await send('GET', paths.me);
      const login = field(me.body, 'login');
      const id = field(login, 'sessionId');
      sessionId = typeof id === 'string' ? id : null;
    },
    async logout() {
      await send('POST', paths.logout);
      accessToken = null;
      csrfToken = null;
    },
  };
}
