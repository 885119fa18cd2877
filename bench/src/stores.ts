import pg from 'pg';
import { createClient } from 'redis';

export interface StoreUrls {
  redis: string;
  postgres: string;
}

export type Availability = { ok: true } | { ok: false; reason: string };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref();
  });
  return Promise.race([promise, timeout]);
}

const messageOf = (err: unknown): string => (err instanceof AggregateError ? err.errors.map(messageOf).join('; ') : err instanceof Error ? err.message : String(err));

export async function probeRedis(url: string): Promise<Availability> {
  const client = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await withTimeout(client.connect(), 3000, 'connect');
    await withTimeout(client.ping(), 2000, 'PING');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `Redis not reachable at ${url} (${messageOf(err)})` };
  } finally {
    if (client.isOpen) client.destroy();
  }
}

export async function probePostgres(url: string): Promise<Availability> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `PostgreSQL not reachable at ${url} (${messageOf(err)})` };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Removes what the bench's namespace left behind: its Postgres schemas (the namespace and `<namespace>_*`) and its Redis keys. */
export async function cleanUpNamespace(urls: StoreUrls, namespace: string, used: { redis: boolean; postgres: boolean }) {
  const problems: string[] = [];
  if (used.postgres) {
    const client = new pg.Client({ connectionString: urls.postgres, connectionTimeoutMillis: 2000, query_timeout: 120_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ nspname: string }>('select nspname from pg_namespace where nspname = $1 or starts_with(nspname, $2)', [namespace, `${namespace}_`]);
      for (const { nspname } of rows) await client.query(`drop schema if exists ${client.escapeIdentifier(nspname)} cascade`);
    } catch (err) {
      problems.push(`could not drop Postgres schema ${namespace}: ${messageOf(err)}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (used.redis) {
    const client = createClient({ url: urls.redis, socket: { connectTimeout: 2000, reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await withTimeout(client.connect(), 3000, 'connect');
      let batches = 0;
      // Only keys that carry the bench's own namespace; bounded, like every loop here.
      for await (const keys of client.scanIterator({ MATCH: `*${namespace}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.del(keys);
        if (++batches > 10_000) break;
      }
    } catch (err) {
      problems.push(`could not delete Redis keys of ${namespace}: ${messageOf(err)}`);
    } finally {
      if (client.isOpen) client.destroy();
    }
  }
  return problems;
}
