import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { accessTokenHash } from '@authbench/api/auth/dpop/proof';
import { jwkThumbprint } from '@authbench/api/auth/jwk-thumbprint';

/** What one proof is for (RFC 9449 §4.2): the request, the server's nonce, the token it presents. */
export interface ProofRequest {
  htm: string;
  /** The API's public origin and the path, as the API reconstructs it. */
  htu: string;
  nonce?: string | undefined;
  accessToken?: string | undefined;
}

const encodeJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A bench client's DPoP key: an ES256 pair made with node:crypto, which signs synchronously and
 * faster than WebCrypto (the SPA's dpop-proof.ts), because the load generator signs thousands of
 * proofs a second. The proofs are the SPA's, byte for byte in shape: header typ, alg and the
 * public jwk (kty, crv, x, y), claims jti, htm, htu, iat, nonce and ath.
 */
export function createDpopKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const jwk = { kty, crv, x, y };
  // The header never changes: encoded once.
  const header = encodeJson({ typ: 'dpop+jwt', alg: 'ES256', jwk });
  // One token is presented thousands of times: its hash is kept.
  let hashed: { token: string; ath: string } | undefined;
  const athOf = (token: string) => (hashed?.token === token ? hashed.ath : (hashed = { token, ath: accessTokenHash(token) }).ath);
  return {
    jkt: jwkThumbprint(jwk),
    proof({ htm, htu, nonce, accessToken }: ProofRequest): string {
      const claims = {
        jti: randomUUID(),
        htm,
        htu,
        iat: Math.floor(Date.now() / 1000),
        ...(nonce !== undefined && { nonce }),
        ...(accessToken !== undefined && { ath: athOf(accessToken) }),
      };
      const input = `${header}.${encodeJson(claims)}`;
      // ieee-p1363: r‖s, JWS's ES256 form (node's default is DER).
      return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  };
}

export type DpopKey = ReturnType<typeof createDpopKey>;
