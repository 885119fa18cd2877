import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

export interface ProofClaims {
  htm: string;
  htu: string;
  iat?: number;
  jti?: string;
  nonce?: string;
  /** The access token the request presents: its hash becomes `ath`. */
  accessToken?: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** RFC 7638, as the API computes it. */
export const thumbprintOf = (jwk: { crv?: string | undefined; kty?: string | undefined; x?: string | undefined; y?: string | undefined }) =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');

/**
 * A client's DPoP key (RFC 9449), as a browser holds one: it signs proofs, and its public half
 * travels in each. `sign` takes overrides for the header and claims, so a test can break exactly
 * one thing about a proof.
 */
export function createDpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { kty, crv, x, y };
  return {
    jwk,
    privateKey: privateKey,
    jkt: thumbprintOf(jwk),
    proof(claims: ProofClaims, overrides: { header?: Record<string, unknown>; payload?: Record<string, unknown>; signWith?: KeyObject } = {}) {
      const header = { typ: 'dpop+jwt', alg: 'ES256', jwk, ...overrides.header };
      const payload = {
        jti: claims.jti ?? randomUUID(),
        htm: claims.htm,
        htu: claims.htu,
        iat: claims.iat ?? Math.floor(Date.now() / 1000),
        ...(claims.nonce !== undefined && { nonce: claims.nonce }),
        ...(claims.accessToken !== undefined && { ath: createHash('sha256').update(claims.accessToken).digest('base64url') }),
        ...overrides.payload,
      };
      const input = `${b64(header)}.${b64(payload)}`;
      const signature = sign('sha256', Buffer.from(input), { key: overrides.signWith ?? privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}

export type DpopKey = ReturnType<typeof createDpopKey>;
