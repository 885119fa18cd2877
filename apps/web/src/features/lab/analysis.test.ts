import type { ConfigResponse } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import {
  analyzeSeries,
  applySetCookies,
  classifyFinding,
  cookieHeaderFor,
  credentialCookieNames,
  credentialsIn,
  expOf,
  findingsOf,
  tokenOf,
  headerBytes,
  pathMatches,
  replayHeaderOf,
  shorten,
  totalHeaderBytes,
  type Finding,
} from './analysis';
import { sameOrigin } from '../../test/deployment';

const cookie = (name: string, over: Partial<ConfigResponse['cookies'][number]> = {}) => ({
  name,
  purpose: name,
  httpOnly: true,
  secure: false,
  sameSite: 'lax' as const,
  path: '/',
  maxAgeSeconds: 60,
  partitioned: false,
  ...over,
});
const session: ConfigResponse = { authMode: 'session', cookies: [cookie('sid'), cookie('csrf')], csrfHeader: 'X-CSRF-Token', deployment: sameOrigin };
const jwtCookie: ConfigResponse = {
  authMode: 'jwt-cookie',
  deployment: sameOrigin,
  cookies: [cookie('at'), cookie('csrf'), cookie('rt', { sameSite: 'strict', path: '/api/auth' })],
  csrfHeader: 'X-CSRF-Token',
};
const encode = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const token = `${encode({ alg: 'ES256', kid: 'k1' })}.${encode({ sub: 'u1', exp: 1_900_000_000 })}.c2lnbmF0dXJl`;

describe('what counts as a credential', () => {
  it('names the cookies that carry a login, not the CSRF helper cookie', () => {
    expect(credentialCookieNames(session)).toEqual(['sid']);
    expect(credentialCookieNames(jwtCookie)).toEqual(['at', 'rt']);
  });

  it('judges what a script found: tokens and credential cookies replay, a CSRF token alone does not', () => {
    const findings: Finding[] = [
      { source: 'XMLHttpRequest hook', kind: 'authorization', value: `Bearer ${token}` },
      { source: 'POST /api/auth/refresh', kind: 'jwt', value: token },
      { source: 'document.cookie', kind: 'cookie', value: 'sid=s%3Aabc.def' },
      { source: 'document.cookie', kind: 'cookie', value: 'theme=dark' },
      { source: 'GET /api/auth/csrf', kind: 'csrf-token', value: 'c5rf' },
      { source: 'localStorage', kind: 'storage', value: 'authbench.apiUrl=http://localhost:4000' },
    ];
    expect(findings.map((finding) => classifyFinding(finding, session))).toEqual(['credential', 'credential', 'credential', 'harmless', 'csrf-token', 'harmless']);
    // One token seen in two places is one credential.
    expect(credentialsIn(findings, session).map((finding) => finding.source)).toEqual(['XMLHttpRequest hook', 'document.cookie']);
    expect(replayHeaderOf(findings[1]!)).toEqual(['Authorization', `Bearer ${token}`]);
    expect(replayHeaderOf(findings[2]!)).toEqual(['Cookie', 'sid=s%3Aabc.def']);
    expect(replayHeaderOf(findings[4]!)).toBeNull();
  });

  it('reads a stolen JWT’s expiry as a thief would, and nothing from anything else', () => {
    expect(expOf(token)).toBe(1_900_000_000);
    expect(expOf(`Bearer ${token}`)).toBe(1_900_000_000);
    expect(expOf('opaque')).toBeNull();
  });

  it('shortens secrets in the evidence', () => {
    expect(shorten('abc')).toBe('abc');
    expect(shorten('a'.repeat(30) + 'WXYZ')).toBe(`${'a'.repeat(10)}…WXYZ (34 chars)`);
  });
});

describe('a cookie jar outside the browser', () => {
  it('keeps, replaces and clears cookies as a browser would, and sends those whose path matches', () => {
    let jar = applySetCookies(new Map(), ['sid=one; Path=/; HttpOnly; SameSite=Lax', 'rt=r1; Max-Age=604800; Path=/api/auth; HttpOnly; SameSite=Strict', 'csrf=c; Path=/']);
    jar = applySetCookies(jar, ['csrf=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'rt=r2; Path=/api/auth'], Date.parse('2026-01-01'));
    expect(cookieHeaderFor(jar, '/api/me')).toBe('sid=one');
    expect(cookieHeaderFor(jar, '/api/auth/refresh')).toBe('rt=r2; sid=one');
    expect(cookieHeaderFor(applySetCookies(jar, ['sid=gone; Max-Age=0; Path=/', 'rt=; Path=/api/auth']), '/api/auth/refresh')).toBeNull();
  });

  it('matches paths by directory, not by prefix', () => {
    expect(pathMatches('/api/auth', '/api/auth/refresh')).toBe(true);
    expect(pathMatches('/api/auth', '/api/authority')).toBe(false);
    expect(pathMatches('/', '/anything')).toBe(true);
  });
});

describe('bytes on the wire', () => {
  it('counts a header line with its name, separator and CRLF, in UTF-8 bytes', () => {
    expect(headerBytes('Cookie', 'sid=abc')).toBe('Cookie: sid=abc\r\n'.length);
    expect(headerBytes('X-Name', 'Zoë')).toBe('X-Name: Zoë\r\n'.length + 1);
    expect(totalHeaderBytes({ Authorization: `Bearer ${token}`, 'X-CSRF-Token': 'abc' })).toBe(
      `Authorization: Bearer ${token}\r\n`.length + 'X-CSRF-Token: abc\r\n'.length,
    );
  });
});

describe('a series of replays', () => {
  it('says how long a credential kept working, and whether a refusal stuck', () => {
    expect(analyzeSeries([{ at: 0, status: 401, code: 'token_invalid' }])).toMatchObject({ admitted: 0, firstRefusal: { at: 0, status: 401 } });
    const late = analyzeSeries([
      { at: 0, status: 200, code: null },
      { at: 100, status: 200, code: null },
      { at: 200, status: 401, code: 'token_invalid' },
      { at: 300, status: 200, code: null },
    ]);
    expect(late).toMatchObject({ admitted: 3, sent: 4, firstRefusal: { at: 200 }, admittedAfterRefusal: 1, lastAdmittedAt: 300 });
    expect(analyzeSeries([{ at: 0, status: 200, code: null }])).toMatchObject({ firstRefusal: null, admitted: 1 });
  });
});

describe('what counts as a credential where tokens are bound to a key (jwt-dpop)', () => {
  const dpop: ConfigResponse = { authMode: 'jwt-dpop', cookies: [cookie('rt', { sameSite: 'strict', path: '/api/auth' })], dpop: { nonce: true, proofWindowSeconds: 60, nonceStepSeconds: 30, origin: 'http://api.test' }, deployment: sameOrigin };
  const bound = `${encode({ alg: 'ES256', kid: 'k1' })}.${encode({ sub: 'u1', exp: 1_900_000_000, cnf: { jkt: 'thumb' } })}.c2lnbmF0dXJl`;
  const found = (kind: Finding['kind'], value: string, exported?: boolean): Finding => ({ source: 'test', kind, value, ...(exported !== undefined && { exported }) });

  it('takes a token bound to a key (cnf.jkt) for what it is: no credential by itself, wherever it was read', () => {
    expect(classifyFinding(found('authorization', `DPoP ${bound}`), dpop)).toBe('bound-token');
    expect(classifyFinding(found('jwt', bound), dpop)).toBe('bound-token');
    expect(classifyFinding(found('authorization', `Bearer ${token}`), dpop)).toBe('credential');
    expect(credentialsIn([found('authorization', `DPoP ${bound}`), found('jwt', bound)], dpop)).toEqual([]);
    // One token seen in two places is one token.
    expect(findingsOf([found('authorization', `DPoP ${bound}`), found('jwt', bound)], dpop, 'bound-token')).toHaveLength(1);
    expect(tokenOf(found('authorization', `DPoP ${bound}`))).toBe(bound);
    expect(expOf(`DPoP ${bound}`)).toBe(1_900_000_000);
  });

  it('tells a key that would not export from one that did, and a proof from a token', () => {
    expect(classifyFinding(found('key', 'a private ECDSA CryptoKey, extractable: false', false), dpop)).toBe('key-handle');
    expect(classifyFinding(found('key', 'a private ECDSA CryptoKey, extractable: true', true), dpop)).toBe('credential');
    expect(classifyFinding(found('proof', bound), dpop)).toBe('proof');
    expect(replayHeaderOf(found('proof', bound))).toBeNull();
  });
});
