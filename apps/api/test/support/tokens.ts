import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TestKey {
  jwk: JsonWebKey & { kid: string };
  privateKey: KeyObject;
  publicPem: string;
}

/** The kid the API gives a key: its RFC 7638 thumbprint, whatever the key's encoding says. */
export const thumbprintOf = (jwk: JsonWebKey) =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');

/**
 * A new P-256 key. `impersonate`: the kid another key goes by, which this key's JWK then claims
 * (the API ignores a JWK's kid, but a forger's token header may carry it).
 */
export function createTestKey(impersonate?: string): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    jwk: { ...jwk, kid: impersonate ?? thumbprintOf(jwk) },
    privateKey,
    publicPem: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export const keysEnv = (...keys: TestKey[]) => JSON.stringify(keys.map((k) => k.jwk));

/** Signs claims as the API would, so a test can change one thing at a time. */
export function signAccessToken(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return jwt.sign(claims, createPrivateKey({ key: key.jwk, format: 'jwk' }), {
    algorithm: 'ES256',
    header: { alg: 'ES256', kid: key.jwk.kid, ...header },
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const decodeParts = (token: string) => {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>,
  };
};

/** `alg: none`: a header, a payload and no signature. */
export const unsignedToken = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
  `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;

/** The same token with its payload swapped, signature kept. */
export const tamperedToken = (token: string, payload: Record<string, unknown>) => {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(payload)}.${signature}`;
};
