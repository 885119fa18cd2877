import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config';
import { deriveKeys } from './derive-keys';
import { jwkThumbprint } from './jwk-thumbprint';

/**
 * One ES256 key, as every token mode uses it. Everything here comes from the private scalar, never
 * from how the key was written: PKCS8 with or without its public key, explicit curve parameters,
 * SEC1 and JWK all give the same kid, the same public key and the same derived keys, so that
 * processes given one key in different encodings accept each other's tokens and CSRF tokens.
 */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key computed from the scalar. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
  /** The private scalar `d`, 32 bytes: what keys derived from this one are derived from (deriveFromSigningKeys). */
  scalar: Buffer;
}

const curve = { node: 'prime256v1', jwk: 'P-256', bytes: 32 } as const;

const thumbprint = (jwk: { x: string; y: string }) => jwkThumbprint({ crv: curve.jwk, kty: 'EC', ...jwk });

const leftPad = (bytes: Buffer) => (bytes.length >= curve.bytes ? bytes : Buffer.concat([Buffer.alloc(curve.bytes - bytes.length), bytes]));

function toSigningKey(parsed: KeyObject, index: number): SigningKey {
  const which = `key ${index + 1}`;
  if (parsed.type !== 'private' || parsed.asymmetricKeyType !== 'ec' || parsed.asymmetricKeyDetails?.namedCurve !== curve.node) {
    throw new ConfigError(`JWT_PRIVATE_KEYS: ${which} is not an EC P-256 private key (ES256 needs one)`);
  }
  const given = parsed.export({ format: 'jwk' });
  const scalar = leftPad(Buffer.from(given.d ?? '', 'base64url'));
  // The public point from the scalar, not from the encoding: Node.js takes a JWK's x and y (and a
  // PKCS8 or SEC1 key's embedded point) as given, and a key whose point is not its scalar's
  // would sign tokens that no process can verify.
  const ecdh = createECDH(curve.node);
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 1 + curve.bytes).toString('base64url');
  const y = point.subarray(1 + curve.bytes).toString('base64url');
  if (given.x !== x || given.y !== y) {
    throw new ConfigError(`JWT_PRIVATE_KEYS: ${which} carries a public key that is not its private key's (a corrupt or spliced key)`);
  }
  const kid = thumbprint({ x, y });
  const publicJwk = { kty: 'EC', crv: curve.jwk, x, y };
  return {
    kid,
    privateKey: createPrivateKey({ key: { ...publicJwk, d: scalar.toString('base64url') }, format: 'jwk' }),
    publicKey: createPublicKey({ key: publicJwk, format: 'jwk' }),
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
    scalar,
  };
}

/**
 * JWT_PRIVATE_KEYS: PEM blocks (PKCS8 or SEC1), a JWK, a JWK array or a JWKS, first key first.
 * The first signs; all of them verify, so a new key goes in front and an old one leaves once its
 * tokens expire. A JWK's own `kid` member is not used: the kid is the key's thumbprint, so that a
 * key named in one process's JWK and given as PEM to another is still one key to both.
 */
export function parseSigningKeys(text: string): SigningKey[] {
  const source = text.trim().replaceAll('\\n', '\n');
  let keys: SigningKey[];
  try {
    if (source.startsWith('{') || source.startsWith('[')) {
      const parsed = JSON.parse(source) as JsonWebKey | JsonWebKey[] | { keys?: JsonWebKey[] };
      const jwks: JsonWebKey[] = Array.isArray(parsed) ? parsed : ((parsed as { keys?: JsonWebKey[] }).keys ?? [parsed]);
      keys = jwks.map((jwk, i) => toSigningKey(createPrivateKey({ key: jwk, format: 'jwk' }), i));
    } else {
      const pems = source.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
      keys = pems.map((pem, i) => toSigningKey(createPrivateKey(pem), i));
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('JWT_PRIVATE_KEYS: expected EC P-256 private keys as PEM blocks (PKCS8 or SEC1) or JWKs');
  }
  if (keys.length === 0) throw new ConfigError('JWT_PRIVATE_KEYS: no private key found');
  keys.forEach((key, i) => {
    const first = keys.findIndex((other) => other.kid === key.kid);
    if (first !== i) throw new ConfigError(`JWT_PRIVATE_KEYS: keys ${first + 1} and ${i + 1} are one key (written twice, perhaps in two encodings)`);
  });
  return keys;
}

/**
 * Keys for one purpose (CSRF tokens, nonces) derived from the signing keys, one per key and in
 * their order, from the scalar: the one place a token mode turns its keys into other keys.
 */
export const deriveFromSigningKeys = (purpose: string, keys: readonly SigningKey[]): Buffer[] =>
  deriveKeys(purpose, keys.map((key) => key.scalar));

/**
 * What a process uses of a key, for the start-up agreement: its kid, its public point, and the
 * scalar that every derived key comes from. Processes whose records differ would refuse each
 * other's tokens or CSRF tokens, so the comparison covers each of them (hashed: it is stored).
 */
export const usedMaterialOf = (key: SigningKey): string => JSON.stringify([key.kid, key.publicJwk.x, key.publicJwk.y, key.scalar.toString('base64url')]);

export function generateSigningKeyJwk(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint({ x: jwk.x!, y: jwk.y! }) };
}
