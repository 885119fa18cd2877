import { ErrorBody, cookieNames, type ConfigResponse } from '@authbench/contract';

// The lab's pure logic: what counts as a credential, what a series of replays says, how many
// bytes a credential costs on the wire. Everything here is computed from what was observed and
// from GET /api/config, never from the name of a mode.

/** "eyJhbGciOi…Xyz9 (612 chars)": enough to recognise a secret in the evidence, not to reuse it. */
export function shorten(secret: string, keep = 10): string {
  if (secret.length <= keep * 2) return secret;
  return `${secret.slice(0, keep)}…${secret.slice(-4)} (${secret.length} chars)`;
}

/** The contract's error code in an answer body, if it has one. */
export function errorCodeIn(body: unknown): string | null {
  const parsed = ErrorBody.safeParse(body);
  return parsed.success ? parsed.data.error.code : null;
}

export const isAdmitted = (status: number) => status >= 200 && status < 300;

// --- Cookies, as a client outside the browser keeps them ---------------------------------------

export interface JarCookie {
  name: string;
  value: string;
  path: string;
}

export type Jar = ReadonlyMap<string, JarCookie>;

/** One Set-Cookie line: name, value and path, and whether it clears the cookie. */
export function parseSetCookie(line: string, now = Date.now()): (JarCookie & { cleared: boolean }) | null {
  const [pair = '', ...attributes] = line.split(';');
  const equals = pair.indexOf('=');
  if (equals <= 0) return null;
  const name = pair.slice(0, equals).trim();
  const value = pair.slice(equals + 1).trim();
  let path = '/';
  let cleared = value === '';
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.split('=');
    const attributeValue = rest.join('=').trim();
    switch (key.trim().toLowerCase()) {
      case 'path':
        path = attributeValue || '/';
        break;
      case 'max-age':
        if (Number(attributeValue) <= 0) cleared = true;
        break;
      case 'expires':
        if (Date.parse(attributeValue) <= now) cleared = true;
        break;
    }
  }
  return { name, value, path, cleared };
}

/** The jar after an answer's Set-Cookie headers, as a browser would keep it (one cookie per name and path). */
export function applySetCookies(jar: Jar, lines: readonly string[], now = Date.now()): Jar {
  const next = new Map(jar);
  for (const line of lines) {
    const cookie = parseSetCookie(line, now);
    if (!cookie) continue;
    const key = `${cookie.name}\n${cookie.path}`;
    if (cookie.cleared) next.delete(key);
    else next.set(key, { name: cookie.name, value: cookie.value, path: cookie.path });
  }
  return next;
}

/** RFC 6265 path-match: the cookie's path is the request path or one of its directories. */
export const pathMatches = (cookiePath: string, requestPath: string) =>
  requestPath === cookiePath ||
  (requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'));

/** The Cookie header a browser would send with this jar to this path, or null. */
export function cookieHeaderFor(jar: Jar, path: string): string | null {
  const pairs = [...jar.values()]
    .filter((cookie) => pathMatches(cookie.path, path))
    .sort((a, b) => b.path.length - a.path.length) // longer paths first, as browsers order them
    .map((cookie) => `${cookie.name}=${cookie.value}`);
  return pairs.length > 0 ? pairs.join('; ') : null;
}

export const cookieValueIn = (jar: Jar, name: string): string | undefined =>
  [...jar.values()].find((cookie) => cookie.name === name)?.value;

// --- Bytes on the wire -------------------------------------------------------------------------

const encoder = new TextEncoder();

/** A header's bytes on an HTTP/1.1 wire: `Name: value` and its CRLF. */
export const headerBytes = (name: string, value: string) => encoder.encode(`${name}: ${value}\r\n`).length;

export const totalHeaderBytes = (headers: Readonly<Record<string, string>>) =>
  Object.entries(headers).reduce((sum, [name, value]) => sum + headerBytes(name, value), 0);

// --- Credentials ---------------------------------------------------------------------------------

/** The names of the cookies that carry a login in this API's configuration (not the CSRF helper cookie). */
export function credentialCookieNames(config: ConfigResponse): string[] {
  return config.cookies
    .filter((cookie) => {
      const names = cookieNames(cookie.secure);
      return [names.session, names.access, names.refresh].includes(cookie.name);
    })
    .map((cookie) => cookie.name);
}

/** What an injected script came away with, before it is judged. */
export interface Finding {
  /** Where the script found it: `document.cookie`, `XMLHttpRequest hook`, `POST /api/auth/refresh`… */
  source: string;
  /**
   * `proof`: a DPoP proof caught on its way out (single-use); `key`: a CryptoKey found in
   * IndexedDB, its value what the script could tell of it, `exported` whether it gave up its bytes.
   */
  kind: 'jwt' | 'authorization' | 'cookie' | 'csrf-token' | 'storage' | 'proof' | 'key';
  value: string;
  exported?: boolean;
}

/**
 * credential: lets its holder act as the user from elsewhere. bound-token: a token bound to a key
 * (cnf.jkt), worth nothing without a proof by that key. key-handle: a key script can use in this
 * page and cannot take away. proof: a one-use proof for one request.
 */
export type FindingClass = 'credential' | 'bound-token' | 'key-handle' | 'proof' | 'csrf-token' | 'harmless';

const jwtShape = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;

/** The claims of a JWT, read (not verified) as any thief would read them; null for anything else. */
function claimsOf(token: string): Record<string, unknown> | null {
  const bare = token.replace(/^(Bearer|DPoP)\s+/i, '');
  const payload = bare.split('.')[1];
  if (!payload || !jwtShape.test(bare)) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const claims: unknown = JSON.parse(atob(base64));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The key thumbprint a token is bound to (RFC 9449 cnf.jkt), if it is bound. */
export function boundKeyOf(token: string): string | null {
  const cnf = claimsOf(token)?.cnf;
  return typeof cnf === 'object' && cnf !== null && 'jkt' in cnf && typeof cnf.jkt === 'string' ? cnf.jkt : null;
}

const tokenClass = (token: string): FindingClass => (boundKeyOf(token) === null ? 'credential' : 'bound-token');

/**
 * Whether a finding lets its holder act as the user from elsewhere: a token (a JWT, a Bearer
 * header) or the value of a cookie this API names as a credential. A CSRF token proves intent
 * only alongside the cookie; anything else (which API the tab uses) is harmless.
 */
export function classifyFinding(finding: Finding, config: ConfigResponse): FindingClass {
  switch (finding.kind) {
    case 'jwt':
      return jwtShape.test(finding.value) ? tokenClass(finding.value) : 'harmless';
    case 'authorization':
      return /^(Bearer|DPoP)\s+\S+/i.test(finding.value) ? tokenClass(finding.value) : 'harmless';
    case 'proof':
      return 'proof';
    case 'key':
      return finding.exported ? 'credential' : 'key-handle';
    case 'cookie': {
      const name = finding.value.split('=')[0]?.trim() ?? '';
      return credentialCookieNames(config).includes(name) ? 'credential' : 'harmless';
    }
    case 'csrf-token':
      return 'csrf-token';
    case 'storage': {
      const value = finding.value.split('=').slice(1).join('=');
      return jwtShape.test(value) ? tokenClass(value) : 'harmless';
    }
  }
}

/** How a stolen credential is presented again: the header a thief would send. */
export function replayHeaderOf(finding: Finding): [string, string] | null {
  switch (finding.kind) {
    case 'jwt':
      return ['Authorization', `Bearer ${finding.value}`];
    case 'authorization':
      return ['Authorization', finding.value];
    case 'cookie':
      return ['Cookie', finding.value];
    case 'storage': {
      const value = finding.value.split('=').slice(1).join('=');
      return jwtShape.test(value) ? ['Authorization', `Bearer ${value}`] : null;
    }
    case 'csrf-token':
    case 'proof':
    case 'key':
      return null;
  }
}

/** The distinct findings of a class (one token seen in three places is one credential). */
export function findingsOf(findings: readonly Finding[], config: ConfigResponse, kind: FindingClass): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    if (classifyFinding(finding, config) !== kind) return false;
    const header = replayHeaderOf(finding);
    const key = header ? header.join(': ').replace(/^Authorization: (Bearer|DPoP)\s+/i, '') : finding.value;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The distinct credentials among the findings: what lets its holder act as the user from elsewhere. */
export const credentialsIn = (findings: readonly Finding[], config: ConfigResponse): Finding[] => findingsOf(findings, config, 'credential');

/** `exp` of a JWT, read (not verified) the way any thief would read it; null for anything else. */
export function expOf(token: string): number | null {
  const exp = claimsOf(token)?.exp;
  return typeof exp === 'number' ? exp : null;
}

/** The bare token of a finding that holds one (a JWT, an Authorization header, a stored JWT). */
export function tokenOf(finding: Finding): string | null {
  const header = replayHeaderOf(finding);
  const value = header?.[0] === 'Authorization' ? header[1].replace(/^(Bearer|DPoP)\s+/i, '') : finding.kind === 'jwt' ? finding.value : null;
  return value !== null && jwtShape.test(value) ? value : null;
}

// --- Replays over time ---------------------------------------------------------------------------

export interface TimedAnswer {
  /** When it was sent, in ms since the series began. */
  at: number;
  status: number;
  code: string | null;
}

export interface SeriesVerdict {
  /** Answers that let the credential in (2xx). */
  admitted: number;
  sent: number;
  /** The first refusal, if any. */
  firstRefusal: TimedAnswer | null;
  /** Admitted answers after the first refusal: a revocation that flickers is not a revocation. */
  admittedAfterRefusal: number;
  /** When the last admitted answer was sent (ms), or null. */
  lastAdmittedAt: number | null;
}

/** What a series of replays of one credential says: how long it kept working. */
export function analyzeSeries(answers: readonly TimedAnswer[]): SeriesVerdict {
  const firstRefusalIndex = answers.findIndex((answer) => !isAdmitted(answer.status));
  const firstRefusal = firstRefusalIndex === -1 ? null : answers[firstRefusalIndex]!;
  const admittedAnswers = answers.filter((answer) => isAdmitted(answer.status));
  return {
    admitted: admittedAnswers.length,
    sent: answers.length,
    firstRefusal,
    admittedAfterRefusal: firstRefusalIndex === -1 ? 0 : answers.slice(firstRefusalIndex).filter((answer) => isAdmitted(answer.status)).length,
    lastAdmittedAt: admittedAnswers.at(-1)?.at ?? null,
  };
}

export const formatMs = (ms: number) => (ms < 10 ? `${Math.round(ms * 10) / 10} ms` : `${Math.round(ms)} ms`);
