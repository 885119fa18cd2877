import pg from 'pg';
import { createClient } from 'redis';

/** Every value Redis holds under a namespace, whatever its type, each member and field as text. */
export async function redisValues(redisUrl: string, namespace: string): Promise<{ key: string; value: string }[]> {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  const found: { key: string; value: string }[] = [];
  try {
    for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 1000 })) {
      for (const key of keys) {
        const type = await client.type(key);
        const values =
          type === 'string'
            ? [(await client.get(key)) ?? '']
            : type === 'hash'
              ? Object.entries(await client.hGetAll(key)).flat()
              : type === 'set'
                ? await client.sMembers(key)
                : type === 'zset'
                  ? await client.zRange(key, 0, -1)
                  : type === 'list'
                    ? await client.lRange(key, 0, -1)
                    : [];
        for (const value of values) found.push({ key, value });
      }
    }
  } finally {
    client.destroy();
  }
  return found;
}

/**
 * What no value in Redis may hold, as the database of a namespace knows it: every password hash,
 * and the development secrets generated there (the session secret, the signing keys' JWK and
 * each key's private scalar).
 */
export async function storedSecrets(databaseUrl: string, namespace: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${namespace}`, connectionTimeoutMillis: 5000 });
  await db.connect();
  try {
    const hashes = (await db.query<{ password_hash: string }>('select password_hash from users')).rows.map((row) => row.password_hash);
    const secrets = (await db.query<{ value: string }>('select value from dev_secrets')).rows.map((row) => row.value);
    const scalars = secrets.flatMap((value) => [...value.matchAll(/"d":"([^"]+)"/g)].map((match) => match[1]!));
    return [...hashes, ...secrets, ...scalars];
  } catch (err) {
    // A namespace whose schema never got this far (a start-up test) has nothing to leak.
    if ((err as { code?: string }).code === '42P01') return [];
    throw err;
  } finally {
    await db.end();
  }
}

/** The values that hold a password hash (any Argon2 PHC string) or one of `secrets`: each as `key: what`. */
export function leaksIn(values: { key: string; value: string }[], secrets: string[]): string[] {
  const needles = [...new Set(secrets.filter((secret) => secret.length >= 16))];
  return values.flatMap(({ key, value }) => {
    const what = [value.includes('$argon2') && 'a password hash', needles.some((needle) => value.includes(needle)) && 'a token or secret'].filter(Boolean);
    return what.length > 0 ? [`${key}: ${what.join(' and ')}`] : [];
  });
}

/** The suite's password (test-app's newUser), which no store but the hash function may see. */
const suitePassword = 'correct horse battery';

/**
 * Run before a namespace of the distributed stores is dropped, for every test app and cluster of
 * the run: what its Redis values leak, as one message (empty when nothing).
 */
export async function leaksOfNamespace(stores: { databaseUrl: string; redisUrl: string }, namespace: string, given: string[] = []): Promise<string[]> {
  const secrets = [suitePassword, ...given, ...(await storedSecrets(stores.databaseUrl, namespace))];
  return leaksIn(await redisValues(stores.redisUrl, namespace), secrets);
}

/** The secrets a process was given (SESSION_SECRET's, and JWT_PRIVATE_KEYS' JWK scalars), as no store may hold them. */
export const givenSecrets = (sessionSecrets: readonly string[] = [], jwtPrivateKeys = ''): string[] => [
  ...sessionSecrets,
  ...[...jwtPrivateKeys.matchAll(/"d":"([^"]+)"/g)].map((match) => match[1]!),
];
