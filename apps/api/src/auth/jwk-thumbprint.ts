import { createHash } from 'node:crypto';

/** RFC 7638: SHA-256 of the key's required members, in lexicographic order, base64url. EC keys only. */
export const jwkThumbprint = (jwk: { crv?: string | undefined; kty?: string | undefined; x?: string | undefined; y?: string | undefined }): string =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
