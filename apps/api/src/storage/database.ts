import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { Migrator } from 'kysely/migration';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from 'pino';
import { migrationProvider } from './migrations';
import { OwnSchemaPostgresDialect } from './own-schema-dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/** PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL: one dialect of SQL, one migration set. */
export async function openDatabase(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
  schema?: string | undefined;
  logger?: Logger | undefined;
}): Promise<Db> {
  const db = options.databaseUrl
    ? new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool: withHangDetection(createPool(options.databaseUrl, options.schema), options.logger) }) })
    : new Kysely<Database>({ dialect: new PGliteDialect(await openPglite(options.dataDir)) });
  try {
    // A schema isolates a namespace in a shared PostgreSQL; PGlite's directory is already private.
    if (options.schema && options.databaseUrl) await createSchema(db, options.schema);
    await migrate(db, options.databaseUrl ? options.schema : undefined);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

async function openPglite(dataDir: string): Promise<PGlite> {
  const dir = path.resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return PGlite.create(dir, { postgresqlconf: embeddedConf });
}

// PostgreSQL's default 128 MB of shared buffers is WebAssembly memory that PGlite sets up at every
// start: 0.6 s of CPU per open here, against 0.25 s with 32 MB, which still holds this app's
// tables many times over (users, refresh-token families, sessions).
const embeddedConf = 'shared_buffers = 32MB';

function createPool(connectionString: string, schema?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // A request that needs a dead or stalled server must get its 503 within 2 s: connecting (or
    // waiting for a free client) and each query are bounded well under that.
    connectionTimeoutMillis: 1000,
    query_timeout: 1500,
    keepAlive: true,
    ...(schema && { options: `-c search_path=${schema}` }),
  });
  // An idle client's error (server restart) must not crash the process: the pool drops it.
  pool.on('error', () => {});
  return pool;
}

const timedOut = /query read timeout|timeout exceeded when trying to connect|connection timeout/i;
const probeEveryMs = 250;

/**
 * After a query or a connection times out, the server is presumed hung until a probe
 * (`select 1`) answers. Meanwhile queries fail at once (503) instead of each waiting out its own
 * timeout, and nothing more is sent that the server would run, unasked, when it wakes up
 * (express-session, for one, destroys a session it failed to load).
 */
function withHangDetection(pool: pg.Pool, logger?: Logger): PostgresPool {
  let hung = false;
  let ended = false;
  const probe = async () => {
    while (!ended) {
      try {
        const client = await pool.connect();
        try {
          await client.query('select 1');
        } finally {
          client.release();
        }
        hung = false;
        logger?.info('the database answers again');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, probeEveryMs).unref());
      }
    }
  };
  const watch = (err: unknown) => {
    if (!hung && !ended && err instanceof Error && timedOut.test(err.message)) {
      hung = true;
      logger?.warn('the database did not answer in time; refusing requests until it answers a probe');
      void probe();
    }
    return err;
  };
  return {
    async connect() {
      // The message is one store-errors.ts knows for a connection failure: 503.
      if (hung) throw new Error('database is not answering: connection timeout');
      const client = await pool.connect().catch((err: unknown) => {
        throw watch(err);
      });
      const query = (text: string, parameters: readonly unknown[]) =>
        client.query(text, [...parameters]).catch((err: unknown) => {
          throw watch(err);
        });
      return { query, release: (destroy?: boolean) => client.release(destroy) } as unknown as PostgresPoolClient;
    },
    end: () => {
      ended = true;
      return pool.end();
    },
    // Kysely reads the pool's options to open a connection of its own when it cancels a query.
    options: pool.options,
  };
}

// Several processes may start at once on a new namespace: `if not exists` alone can still
// collide in the catalog (unique violation), and then the schema is there all the same.
async function createSchema(db: Db, schema: string): Promise<void> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (err) {
    const exists = await sql<{ found: number }>`select 1 as found from pg_namespace where nspname = ${schema}`.execute(db);
    if (exists.rows.length === 0) throw err;
  }
}

async function migrate(db: Db, schema?: string): Promise<void> {
  // Kysely looks for its migration tables in every schema unless told which: in a database shared
  // by several namespaces it would find another namespace's and skip creating its own.
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
}
