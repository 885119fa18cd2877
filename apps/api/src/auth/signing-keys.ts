import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ConfigError } from '../config';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
}

// RFC 7638: the kid is the key's own fingerprint unless the JWK names one.
const thumbprint = (jwk: JsonWebKey) =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');

function toSigningKey(privateKey: KeyObject, index: number, kid?: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(`JWT_PRIVATE_KEYS: key ${index + 1} is not an EC P-256 private key (ES256 needs one)`);
  }
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const id = kid ?? thumbprint(jwk);
  return { kid: id, privateKey, publicKey, publicJwk: { ...jwk, kid: id, alg: 'ES256', use: 'sig' } };
}

/**
 * JWT_PRIVATE_KEYS: PEM blocks, a JWK, a JWK array or a JWKS, first key first. The first signs;
 * all of them verify, so a new key goes in front and an old one leaves once its tokens expire.
 */
export function parseSigningKeys(text: string): SigningKey[] {
  const source = text.trim().replaceAll('\\n', '\n');
  let keys: SigningKey[];
  try {
    if (source.startsWith('{') || source.startsWith('[')) {
      const parsed = JSON.parse(source) as JsonWebKey | JsonWebKey[] | { keys?: JsonWebKey[] };
      const jwks: JsonWebKey[] = Array.isArray(parsed) ? parsed : ((parsed as { keys?: JsonWebKey[] }).keys ?? [parsed]);
      keys = jwks.map((jwk, i) =>
        toSigningKey(createPrivateKey({ key: jwk, format: 'jwk' }), i, typeof jwk.kid === 'string' ? jwk.kid : undefined),
      );
    } else {
      const pems = source.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
      keys = pems.map((pem, i) => toSigningKey(createPrivateKey(pem), i));
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('JWT_PRIVATE_KEYS: expected EC P-256 private keys as PEM blocks or JWKs');
  }
  if (keys.length === 0) throw new ConfigError('JWT_PRIVATE_KEYS: no private key found');
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new ConfigError('JWT_PRIVATE_KEYS: two keys share a kid');
  return keys;
}

export function generateSigningKeyJwk(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk) };
}
