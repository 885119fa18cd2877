import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Vitest run (its process id) and project that own the namespaces: `test_<pid>_<project>_…`. */
    namespaceRun: string;
  }
}

/**
 * Test namespaces in the shared PostgreSQL and Redis: a schema and a key prefix per test app,
 * named after the Vitest run, which drops them all when it ends; a later run sweeps those of a
 * run that died.
 */
const pattern = /^test_(\d+)_/;
let counter = 0;

export const newNamespace = () => `test_${inject('namespaceRun')}_${process.pid}_${++counter}_${randomBytes(2).toString('hex')}`;


export interface SharedStores {
  databaseUrl: string;
  redisUrl: string;
}

/** DATABASE_URL and REDIS_URL of the distributed test run, or a clear error naming what is missing. */
export function sharedStores(env: Record<string, string | undefined> = process.env): SharedStores {
  const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl } = env;
  if (!databaseUrl || !redisUrl) {
    const missing = [!databaseUrl && 'DATABASE_URL', !redisUrl && 'REDIS_URL'].filter(Boolean).join(' and ');
    throw new Error(`the distributed test run needs ${missing}`);
  }
  return { databaseUrl, redisUrl };
}

export async function dropNamespaces(stores: Partial<SharedStores>, namespaces: string[]): Promise<void> {
  if (namespaces.length === 0) return;
  await Promise.all([stores.databaseUrl && dropSchemas(stores.databaseUrl, namespaces), stores.redisUrl && deleteKeys(stores.redisUrl, namespaces)]);
}

async function dropSchemas(databaseUrl: string, namespaces: string[]) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    for (const ns of namespaces) await client.query(`drop schema if exists "${ns}" cascade`);
  } finally {
    await client.end();
  }
}

async function deleteKeys(redisUrl: string, namespaces: string[]) {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  client.on('error', () => {});
  await client.connect();
  try {
    for (const ns of namespaces) {
      for await (const keys of client.scanIterator({ MATCH: `${ns}:*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.unlink(keys);
      }
    }
  } finally {
    client.destroy();
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Drops the test namespaces of runs that no longer exist (crashed or killed), and those of
 * `run` itself (a run, or one project of it, ending).
 */
export async function sweepNamespaces(stores: SharedStores, run?: string): Promise<number> {
  const stale = (name: string) => {
    const match = pattern.exec(name);
    return match !== null && ((run !== undefined && name.startsWith(`test_${run}_`)) || !isAlive(Number(match[1])));
  };
  const client = new pg.Client({ connectionString: stores.databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  let schemas: string[];
  try {
    const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 'test\\_%'`);
    schemas = rows.map((r) => r.nspname).filter(stale);
  } finally {
    await client.end();
  }
  const redis = createClient({ url: stores.redisUrl, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  redis.on('error', () => {});
  await redis.connect();
  const prefixes = new Set<string>();
  try {
    for await (const keys of redis.scanIterator({ MATCH: 'test_*', COUNT: 1000 })) {
      for (const key of keys) {
        const ns = key.split(':', 1)[0]!;
        if (stale(ns)) prefixes.add(ns);
      }
    }
  } finally {
    redis.destroy();
  }
  const namespaces = [...new Set([...schemas, ...prefixes])];
  await dropNamespaces(stores, namespaces);
  return namespaces.length;
}
