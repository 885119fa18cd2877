import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSigningKeys, generateSigningKeyJwk, type SigningKey } from './auth/signing-keys';
import { ConfigError, type Config } from './config';

export interface Secrets {
  sessionSecrets: string[];
  signingKeys: SigningKey[];
}

interface GeneratedSecrets {
  sessionSecret: string;
  jwtPrivateKeys: string;
}

const fileName = 'dev-secrets.json';

/**
 * Secrets come from the environment. In production a missing one stops the start; in
 * development they are generated once into DATA_DIR, so logins survive a restart.
 */
export async function resolveSecrets(config: Config): Promise<Secrets> {
  const needed = { session: 'SESSION_SECRET', jwt: 'JWT_PRIVATE_KEYS' } as const;
  const missing = [
    !config.sessionSecrets?.length && config.authMode === 'session' && needed.session,
    !config.jwtPrivateKeys && config.authMode === 'jwt' && needed.jwt,
  ].filter(Boolean);
  if (config.production && missing.length > 0) {
    throw new ConfigError(`${missing.join(', ')}: required when NODE_ENV=production (development generates it into DATA_DIR)`);
  }
  // Production never writes secrets: it uses what it was given, and only its own mode's.
  const generated = config.production || (config.sessionSecrets?.length && config.jwtPrivateKeys) ? undefined : await loadOrGenerate(config.dataDir);
  const sessionSecrets = config.sessionSecrets?.length ? config.sessionSecrets : generated ? [generated.sessionSecret] : [];
  if (sessionSecrets.some((s) => s.length < 32)) {
    throw new ConfigError('SESSION_SECRET: each secret must be at least 32 characters');
  }
  const keys = config.jwtPrivateKeys ?? generated?.jwtPrivateKeys;
  return { sessionSecrets, signingKeys: keys ? parseSigningKeys(keys) : [] };
}

async function loadOrGenerate(dataDir: string): Promise<GeneratedSecrets> {
  const file = path.resolve(dataDir, fileName);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as GeneratedSecrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`DATA_DIR: cannot read ${file}`);
  }
  const secrets: GeneratedSecrets = {
    sessionSecret: randomBytes(32).toString('base64url'),
    jwtPrivateKeys: JSON.stringify([generateSigningKeyJwk()]),
  };
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch {
    // Another process generated them first: use theirs.
    return JSON.parse(await readFile(file, 'utf8')) as GeneratedSecrets;
  }
}
