import { createHash, randomBytes } from 'node:crypto';
import { modeTraits } from '@authbench/contract';
import { ConfigError, type Config } from '../config';
import type { SecretStore } from '../storage/secret-store';
import { generateSigningKeyJwk, parseSigningKeys, usedMaterialOf, type SigningKey } from './signing-keys';

export interface Secrets {
  sessionSecrets: string[];
  signingKeys: SigningKey[];
}

const fingerprint = (text: string) => createHash('sha256').update(`authbench:${text}`).digest('base64url').slice(0, 16);

const needed = { session: 'SESSION_SECRET', jwt: 'JWT_PRIVATE_KEYS' } as const;

/**
 * What can be judged of the secrets before any store is opened: one missing in production, one
 * given that cannot be used. Called first at start-up, so that a bad secret stops the start in a
 * line at once, not after the database has opened (seconds for the embedded one).
 */
export function checkGivenSecrets(config: Config): void {
  // A session cookie is signed with SESSION_SECRET; the token modes sign with JWT_PRIVATE_KEYS.
  const usesSessions = modeTraits[config.authMode].security === 'sessionCookie';
  const missing = [
    !config.sessionSecrets?.length && usesSessions && needed.session,
    !config.jwtPrivateKeys && !usesSessions && needed.jwt,
  ].filter(Boolean);
  if (config.production && missing.length > 0) {
    throw new ConfigError(`${missing.join(', ')}: required when NODE_ENV=production (development generates it into the database)`);
  }
  if (config.sessionSecrets?.some((s) => s.length < 32)) {
    throw new ConfigError('SESSION_SECRET: each secret must be at least 32 characters');
  }
  if (config.jwtPrivateKeys) parseSigningKeys(config.jwtPrivateKeys);
}

/**
 * Secrets come from the environment. In production a missing one stops the start; in
 * development they are generated once into the database (PGlite in DATA_DIR, or the shared
 * PostgreSQL), so logins survive a restart and every process on the same stores accepts the
 * others' logins with no configuration. Either way, a process whose secrets share nothing with
 * those of the processes already on these stores refuses to start, naming the variable.
 */
export async function resolveSecrets(config: Config, store: SecretStore, now: () => number): Promise<Secrets> {
  checkGivenSecrets(config);
  // Production never writes secrets: it uses what it was given, and only its own mode's.
  const generated = (name: string, generate: () => string) =>
    config.production ? undefined : store.shared(name, generate, new Date(now()));

  const sessionSecrets = config.sessionSecrets?.length
    ? config.sessionSecrets
    : [await generated('session_secret', () => randomBytes(32).toString('base64url'))].filter((s) => s !== undefined);
  const keysText = config.jwtPrivateKeys ?? (await generated('jwt_private_keys', () => JSON.stringify([generateSigningKeyJwk()])));
  const signingKeys = keysText ? parseSigningKeys(keysText) : [];

  // Each fingerprint covers all that a process uses of its secret: a session secret signs cookies
  // and derives CSRF keys as it is; of a signing key, the kid, the public point and the scalar.
  await agree(store, { variable: needed.session, record: needed.session }, sessionSecrets.map(fingerprint), now);
  await agree(store, { variable: needed.jwt, record: signingKeysRecord }, signingKeys.map(signingKeyFingerprint), now);
  return { sessionSecrets, signingKeys };
}

// Named anew when the signing keys' fingerprints came to cover the kid and the derived keys, not
// the public point alone: compared with the old record's, every key would look foreign, and a
// development database would refuse its own generated key after an upgrade.
export const signingKeysRecord = 'JWT_PRIVATE_KEYS: kid, public key, derived keys';

/** What the agreement records of a signing key: a hash of all a process uses of it. */
export const signingKeyFingerprint = (key: SigningKey) => fingerprint(usedMaterialOf(key));

async function agree(store: SecretStore, { variable: name, record }: { variable: string; record: string }, fingerprints: string[], now: () => number) {
  if (fingerprints.length === 0) return;
  const agreement = await store.agree(record, fingerprints, new Date(now()));
  if (!agreement.agreed) {
    throw new ConfigError(
      `${name}: shares no key with the API processes already on these stores (theirs: ${agreement.recorded.join(', ')}; this one: ${fingerprints.join(', ')}, fingerprints only); give every process the same value, or add the new key beside the old to rotate`,
    );
  }
}
