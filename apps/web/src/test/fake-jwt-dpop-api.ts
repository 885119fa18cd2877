import { paths, type ConfigResponse } from '@authbench/contract';
import { sha256, thumbprintOf, type PublicJwk } from '../api/dpop-proof';
import { sameOrigin } from './deployment';
import { createFakeKeyStore } from './fake-key-store';
import { createFakeAdapter, errorReply, tick, type FakeReply, type FakeRequest } from './fake-server';

const user = { id: 'u1', email: 'ada@example.test', name: 'Ada', createdAt: '2026-01-01T00:00:00.000Z' };
const origin = 'http://api.test';
const json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const boundTo = (token: string) => (json(token.split('.')[1] ?? '') as { cnf?: { jkt?: string } }).cnf?.jkt;

export interface DecodedProof {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  jkt: string;
}

/** Checks a proof's signature, htm, htu, nonce, jti and ath, as the API does (RFC 9449 §4.3). */
async function verifyProof(request: FakeRequest, state: { nonces: string[]; seenJtis: Set<string> }, token?: string): Promise<DecodedProof | 'invalid_dpop_proof' | 'use_dpop_nonce'> {
  if (!request.dpop) return 'invalid_dpop_proof';
  const [headerPart = '', payloadPart = '', signature = ''] = request.dpop.split('.');
  const header = json(headerPart);
  const claims = json(payloadPart);
  const jwk = header.jwk as PublicJwk;
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || Object.keys(jwk).sort().join() !== 'crv,kty,x,y') return 'invalid_dpop_proof';
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const valid = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(signature, 'base64url'), new TextEncoder().encode(`${headerPart}.${payloadPart}`));
  if (!valid || claims.htm !== request.method || claims.htu !== `${origin}${request.path}`) return 'invalid_dpop_proof';
  if (typeof claims.nonce !== 'string' || !state.nonces.slice(-2).includes(claims.nonce)) return 'use_dpop_nonce';
  if (typeof claims.jti !== 'string' || state.seenJtis.has(claims.jti)) return 'invalid_dpop_proof';
  if (token !== undefined && claims.ath !== (await sha256(token))) return 'invalid_dpop_proof';
  state.seenJtis.add(claims.jti);
  return { header, claims, jkt: await thumbprintOf(jwk) };
}

/**
 * A jwt-dpop-mode API with the browser's cookie jar and IndexedDB, shared by every "tab": logins
 * bound to the proof's key, tokens carrying cnf.jkt, refresh and logout only by the family's key
 * (anyone else spends nothing), a rotating `rt` whose reuse by the key's holder revokes the
 * family, and nonces that rotate on demand (the current and the previous are taken).
 */
export function createFakeJwtDpopApi(options: { refreshDelayMs?: number; refuseKeys?: boolean } = {}) {
  const jar: { rt: string | null } = { rt: null };
  const keyStore = createFakeKeyStore({ refuse: options.refuseKeys ?? false });
  const family = { jkt: null as string | null, currentRt: null as string | null, revoked: false };
  const state = {
    nonces: ['nonce-1'],
    seenJtis: new Set<string>(),
    refreshes: 0,
    reuseDetected: false,
    issued: 0,
    tokens: [] as string[],
    expired: new Set<string>(),
    /** Every proof the API accepted, decoded. */
    proofs: [] as DecodedProof[],
    refreshReply: null as null | (() => FakeReply),
    meReply: null as null | (() => FakeReply | Promise<FakeReply>),
  };
  const issue = (jkt: string) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: user.id, sid: 'family-1'.padEnd(22, '_'), jti: `at-${++state.issued}`, iss: 'authbench', aud: 'authbench-web', iat: now, exp: now + 300, cnf: { jkt } };
    const token = `${encode({ alg: 'ES256', typ: 'JWT' })}.${encode(claims)}.sig`;
    state.tokens.push(token);
    return token;
  };
  const rotate = () => {
    family.currentRt = `rt-${state.issued}-${Math.random().toString(36).slice(2)}`;
    jar.rt = family.currentRt;
  };
  const tokenBody = (jkt: string) => ({ accessToken: issue(jkt), tokenType: 'DPoP', expiresIn: 300 });
  // Refusals of a proof: 400 where a token is issued, else 401 (the contract's statusAt).
  const refuse = (code: string, issuesTokens: boolean) => errorReply(issuesTokens ? 400 : 401, code);

  const handle = async (request: FakeRequest): Promise<FakeReply> => {
    const cookie = request.withCredentials ? jar.rt : null;
    const token = request.authorization?.startsWith('DPoP ') ? request.authorization.slice(5) : undefined;
    switch (`${request.method} ${request.path}`) {
      case `POST ${paths.login}`: {
        const proof = await verifyProof(request, state);
        if (typeof proof === 'string') return refuse(proof, true);
        state.proofs.push(proof);
        Object.assign(family, { jkt: proof.jkt, revoked: false });
        const body = tokenBody(proof.jkt);
        rotate();
        return { status: 200, body: { user, ...body } };
      }
      case `POST ${paths.refresh}`: {
        state.refreshes++;
        if (state.refreshReply) return state.refreshReply();
        if (cookie === null) return errorReply(401, 'unauthenticated');
        const proof = await verifyProof(request, state);
        if (typeof proof === 'string') return refuse(proof, true);
        state.proofs.push(proof);
        if (proof.jkt !== family.jkt) return refuse('invalid_dpop_proof', true); // spends nothing
        await tick(options.refreshDelayMs ?? 5);
        if (family.revoked) return errorReply(401, 'token_invalid');
        if (cookie !== family.currentRt) {
          state.reuseDetected = true;
          family.revoked = true;
          return errorReply(401, 'token_invalid');
        }
        const body = tokenBody(proof.jkt);
        rotate();
        return { status: 200, body };
      }
      case `POST ${paths.logout}`: {
        if (!request.dpop) return cookie === null ? { status: 204 } : refuse('invalid_dpop_proof', false);
        const proof = await verifyProof(request, state, token);
        if (typeof proof === 'string') return refuse(proof, false);
        state.proofs.push(proof);
        if (proof.jkt === family.jkt) family.revoked = true;
        jar.rt = null;
        return { status: 204 };
      }
      case `GET ${paths.me}`: {
        await tick(1);
        if (state.meReply) return state.meReply();
        if (token === undefined) return errorReply(401, 'unauthenticated');
        if (state.expired.has(token)) return errorReply(401, 'token_expired');
        const proof = await verifyProof(request, state, token);
        if (typeof proof === 'string') return refuse(proof, false);
        state.proofs.push(proof);
        if (family.revoked || proof.jkt !== boundTo(token)) return errorReply(401, 'token_invalid');
        return { status: 200, body: { user } };
      }
      default:
        return errorReply(404, 'not_found');
    }
  };
  // Every answer carries the current nonce, as the API's do.
  const fake = createFakeAdapter(async (request) => {
    const reply = await handle(request);
    return { ...reply, headers: { ...reply.headers, 'dpop-nonce': state.nonces.at(-1)! } };
  });

  const config: ConfigResponse = {
    authMode: 'jwt-dpop',
    deployment: sameOrigin,
    accessTokenTtlSeconds: 300,
    refreshTokenTtlSeconds: 604_800,
    cookies: [],
    dpop: { nonce: true, proofWindowSeconds: 60, nonceStepSeconds: 30, origin },
  };
  const callsTo = (path: string) => fake.calls.filter((call) => call.path === path);
  return {
    config,
    jar,
    family,
    state,
    keyStore: keyStore.store,
    keptKeys: keyStore.kept,
    adapter: fake.adapter,
    calls: fake.calls,
    callsTo,
    meCalls: () => callsTo(paths.me),
    /** The next nonce step: the current one becomes the previous (still taken), the one before is refused. */
    rotateNonce: () => state.nonces.push(`nonce-${state.nonces.length + 1}`),
    expireAccessTokens() {
      for (const token of state.tokens) state.expired.add(token);
    },
  };
}
