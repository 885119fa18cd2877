import { hkdfSync } from 'node:crypto';

/**
 * Keys for one purpose, derived from secrets the mode already has (SESSION_SECRET, or the JWT
 * signing keys), one per secret and in the same order: the first signs, all verify, so they
 * rotate together with the secret. No variable to configure, and no key serves two purposes.
 */
export const deriveKeys = (purpose: string, secrets: readonly (string | Buffer)[]): Buffer[] =>
  secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'authbench', purpose, 32)));
