// DPoP proofs (RFC 9449) made with WebCrypto: the SPA's transport signs one per request, and the
// lab signs with keys of its own (an attacker's). Nothing here needs a browser beyond
// `crypto.subtle`, so the unit tests run it in Node.js as it is.

/** What a proof's header carries of the key: the public P-256 point and nothing else (§4.2). */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface DpopKey {
  /** The private half is made with `extractable: false`: usable to sign, never readable. */
  readonly keys: CryptoKeyPair;
  readonly jwk: PublicJwk;
  /** Its RFC 7638 thumbprint: what the API binds a login to (`cnf.jkt`). */
  readonly jkt: string;
}

export interface ProofClaims {
  /** The request's method. */
  htm: string;
  /** The URL as the API sees it: its public origin and the path, no query or fragment. */
  htu: string;
  /** The API's last `DPoP-Nonce`, once it has given one. */
  nonce?: string | undefined;
  /** The access token the request presents: the proof then carries its hash (`ath`). */
  accessToken?: string | undefined;
  /** Seconds; now by default. */
  iat?: number;
  jti?: string;
}

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const encodeJson = (value: unknown) => base64url(utf8(JSON.stringify(value)));

/** base64url SHA-256 of a string: `ath` of a token (§4.2), and the thumbprint's digest. */
export const sha256 = async (text: string): Promise<string> => base64url(await crypto.subtle.digest('SHA-256', utf8(text)));

/** RFC 7638: the required members, in lexicographic order, no spaces. */
export const thumbprintOf = (jwk: PublicJwk): Promise<string> => sha256(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));

/** A key pair as a DPoP key: its public JWK (kty, crv, x, y only) and thumbprint. */
export async function dpopKeyOf(keys: CryptoKeyPair): Promise<DpopKey> {
  // A public key is always exportable, whatever `extractable` said for its private half.
  const exported = await crypto.subtle.exportKey('jwk', keys.publicKey);
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) throw new Error('Not a P-256 key.');
  const jwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: exported.x, y: exported.y };
  return { keys, jwk, jkt: await thumbprintOf(jwk) };
}

/** A new ES256 key pair whose private key script can use but never export. */
export async function createDpopKey(): Promise<DpopKey> {
  return dpopKeyOf(await crypto.subtle.generateKey(ecdsa, false, ['sign', 'verify']));
}

/** A fresh proof for one request: a random jti, iat now (unless given), the nonce and ath when there are. */
export async function signProof(key: DpopKey, claims: ProofClaims, now: () => number = Date.now): Promise<string> {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk };
  const payload = {
    jti: claims.jti ?? crypto.randomUUID(),
    htm: claims.htm,
    htu: claims.htu,
    iat: claims.iat ?? Math.floor(now() / 1000),
    ...(claims.nonce !== undefined && { nonce: claims.nonce }),
    ...(claims.accessToken !== undefined && { ath: await sha256(claims.accessToken) }),
  };
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  // WebCrypto's ECDSA signature is r‖s, 64 bytes: JWS's own ES256 form, no DER to undo.
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.keys.privateKey, utf8(input));
  return `${input}.${base64url(signature)}`;
}
