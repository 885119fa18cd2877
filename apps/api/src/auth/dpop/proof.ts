import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { LruMap } from '../../lru-map';
import { jwkThumbprint } from '../jwk-thumbprint';
import { derSignature } from './der-signature';

/** Why a proof was refused: `use_dpop_nonce` when only the nonce is missing or stale. */
export class ProofRefusal extends Error {
  constructor(
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce',
    message: string,
  ) {
    super(message);
    this.name = 'ProofRefusal';
  }
}

/** What the request the proof came with must match (RFC 9449 §4.3). */
export interface ProofExpectations {
  /** The request's method. */
  htm: string;
  /** The request's URL as the client reached it, without query or fragment. */
  htu: string;
  nowMs: number;
  /** How far `iat` may be from now, either way. */
  windowSeconds: number;
  /** The access token the request presents: the proof must carry its hash (`ath`). */
  accessToken?: string | undefined;
  /** Whether a nonce is acceptable; undefined when the server gives none (DPOP_NONCE=off). */
  acceptsNonce?: ((nonce: string) => boolean) | undefined;
}

export interface VerifiedProof {
  /** The RFC 7638 thumbprint of the key that signed it. */
  jkt: string;
  jti: string;
  /** Seconds. */
  iat: number;
}

// A proof is a few hundred bytes; anything much larger is not one, and is not parsed.
const maxProofLength = 4096;
const maxJtiLength = 256;
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const coordinate = /^[A-Za-z0-9_-]{43}$/;

const refuse = (message: string): never => {
  throw new ProofRefusal('invalid_dpop_proof', message);
};

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return refuse(`the proof's ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(`the proof's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The URL a proof names, without query and fragment, with scheme, host and default port normalised. */
export function normaliseHtu(htu: string): string | undefined {
  if (!URL.canParse(htu)) return undefined;
  const url = new URL(htu);
  return `${url.origin}${url.pathname}`;
}

/** base64url SHA-256 of an access token: the proof's `ath` (RFC 9449 §4.2). */
export const accessTokenHash = (token: string) => createHash('sha256').update(token, 'ascii').digest('base64url');

/**
 * Checks one DPoP proof as RFC 9449 §4.3 lists, in its order: one header, a well-formed JWT, the
 * required claims, typ, alg (ES256 only), the signature by the public key in `jwk` (which must
 * hold no private member), htm, htu, the nonce, iat within the window, and ath. What is left to
 * the caller: the key against the token's or family's binding, and the jti against replay.
 * Keys are parsed once per thumbprint: a browser signs every request with the same key.
 */
export function createProofVerifier({ keyCacheSize = 10_000 }: { keyCacheSize?: number } = {}) {
  const keys = new LruMap<string, KeyObject>(keyCacheSize);

  const publicKeyOf = (jwk: Record<string, unknown>): { key: KeyObject; jkt: string } => {
    if ('d' in jwk) refuse('the proof\'s jwk holds a private key');
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') refuse('the proof\'s jwk is not a P-256 key');
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || !coordinate.test(jwk.x) || !coordinate.test(jwk.y)) {
      refuse('the proof\'s jwk has no valid x and y');
    }
    const publicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string };
    const jkt = jwkThumbprint(publicJwk);
    let key = keys.get(jkt);
    if (!key) {
      try {
        key = createPublicKey({ key: publicJwk, format: 'jwk' });
      } catch {
        return refuse('the proof\'s jwk is not a point on P-256');
      }
      keys.set(jkt, key);
    }
    return { key, jkt };
  };

  return function verifyProof(values: readonly string[] | undefined, expected: ProofExpectations): VerifiedProof {
    if (!values || values.length === 0) refuse('the request carries no DPoP proof');
    if (values!.length > 1) refuse('the request carries more than one DPoP header');
    const proof = values![0]!.trim();
    if (proof.length > maxProofLength || !jwtShape.test(proof)) refuse('the DPoP header is not a single JWT');
    const [headerPart, payloadPart, signaturePart] = proof.split('.') as [string, string, string];
    const header = decodeJson(headerPart, 'header');
    const claims = decodeJson(payloadPart, 'payload');

    if (header.typ !== 'dpop+jwt') refuse('the proof\'s typ is not dpop+jwt');
    if (header.alg !== 'ES256') refuse('the proof\'s alg is not ES256, the only one accepted');
    if (typeof header.jwk !== 'object' || header.jwk === null || Array.isArray(header.jwk)) refuse('the proof has no jwk header');
    const { jti, htm, htu, iat, nonce, ath } = claims;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > maxJtiLength) refuse('the proof has no valid jti');
    if (typeof htm !== 'string' || typeof htu !== 'string') refuse('the proof has no htm or htu');
    if (typeof iat !== 'number' || !Number.isFinite(iat)) refuse('the proof has no numeric iat');

    const { key, jkt } = publicKeyOf(header.jwk as Record<string, unknown>);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (signature.length !== 64) refuse('the proof\'s signature is not an ES256 signature');
    if (!verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`, 'ascii'), key, derSignature(signature))) {
      refuse('the proof\'s signature does not match its jwk');
    }

    if (htm !== expected.htm) refuse(`the proof is for ${String(htm)}, not ${expected.htm}`);
    if (normaliseHtu(htu as string) !== expected.htu) refuse(`the proof is for ${String(htu)}, not ${expected.htu}`);
    if (expected.acceptsNonce) {
      if (typeof nonce !== 'string') throw new ProofRefusal('use_dpop_nonce', 'the proof carries no nonce; use the one in DPoP-Nonce');
      if (!expected.acceptsNonce(nonce)) throw new ProofRefusal('use_dpop_nonce', 'the proof\'s nonce is stale or unknown; use the one in DPoP-Nonce');
    }
    // In whole seconds, as iat is: a proof made in this second is 0 s old.
    const skew = (iat as number) - Math.floor(expected.nowMs / 1000);
    if (Math.abs(skew) > expected.windowSeconds) {
      refuse(`the proof was made ${Math.round(Math.abs(skew))} s ${skew < 0 ? 'ago' : 'ahead'}, outside the ${expected.windowSeconds} s window`);
    }
    if (expected.accessToken !== undefined) {
      if (typeof ath !== 'string') refuse('the proof carries no ath for the access token');
      if (ath !== accessTokenHash(expected.accessToken)) refuse('the proof\'s ath is not the hash of this access token');
    }
    return { jkt, jti: jti as string, iat: iat as number };
  };
}

export type ProofVerifier = ReturnType<typeof createProofVerifier>;
