import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, URL-safe: refresh tokens, CSRF tokens, session ids. */
export const randomToken = () => randomBytes(32).toString('base64url');

/** Refresh tokens are high-entropy, so a plain SHA-256 is enough to store them safely. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
