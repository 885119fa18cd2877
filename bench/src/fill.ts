/**
 * Filling the stores fast for `pnpm bench --scale`: users and logins written straight into the
 * stores (bulk SQL `insert … select` over generate_series, Redis pipelines), each a copy of a
 * template the API itself wrote through a real registration and login, with the same password
 * hash (so every filled user can log in with the bench's password) and its ids, emails, session
 * ids, family ids and token hashes derived from its number `g`, here and in SQL alike, so the
 * bench can present any of those logins without asking the API.
 */
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createClient } from 'redis';

/** The same derivations in SQL (over `g`) and in JavaScript. */
const base64url = (sqlBytes: string) => `rtrim(translate(encode(${sqlBytes}, 'base64'), '+/', '-_'), '=')`;
const sha256Of = (sqlText: string) => `sha256(convert_to(${sqlText}, 'UTF8'))`;

export const scaleSql = {
  userId: `md5('scale-user-' || g)::uuid::text`,
  email: `'scale-' || g || '@example.test'`,
  name: `'Scale User ' || g`,
  sid: base64url(sha256Of(`'scale-sid-' || g`)),
  publicIdOf: (sid: string) => `left(${base64url(sha256Of(sid))}, 22)`,
  familyId: `left(${base64url(sha256Of(`'scale-family-' || g`))}, 22)`,
  tokenHash: base64url(sha256Of(`'scale-token-' || g`)),
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
export const scale = {
  userId: (g: number) => {
    const hex = createHash('md5').update(`scale-user-${g}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
  email: (g: number) => `scale-${g}@example.test`,
  sid: (g: number) => sha256(`scale-sid-${g}`),
  familyId: (g: number) => sha256(`scale-family-${g}`).slice(0, 22),
};

/** The SQL database of a row (PGlite in its data dir, the server stopped; or PostgreSQL in its schema). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openSql(target: { pgliteDir: string } | { url: string; schema: string }): Promise<Sql> {
  if ('pgliteDir' in target) {
    const db = await PGlite.create(target.pgliteDir);
    return {
      query: async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows,
      close: () => db.close(),
    };
  }
  const client = new pg.Client({ connectionString: target.url, options: `-c search_path=${target.schema}`, query_timeout: 600_000 });
  client.on('error', () => {});
  await client.connect();
  return {
    query: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
    close: () => client.end(),
  };
}

async function columnsOf(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql.query<{ column_name: string }>(
    'select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position',
    [table],
  );
  if (rows.length === 0) throw new Error(`fill: no table ${table} in the current schema`);
  return rows.map((r) => r.column_name);
}

/**
 * Copies the template row of `table` once per g in [from, to], with `overrides` (SQL over `g`,
 * `t` the template, and $3… the extra parameters) for the columns that must differ; every other
 * column, present or added later by a migration, is the template's.
 */
async function cloneRows(sql: Sql, table: string, template: string, overrides: Record<string, string>, from: number, to: number, extra: unknown[] = []) {
  const columns = await columnsOf(sql, table);
  const missing = Object.keys(overrides).filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new Error(`fill: ${table} has no column ${missing.join(', ')} (the schema changed: update bench/src/fill.ts)`);
  const list = columns.map((c) => `"${c}"`).join(', ');
  const values = columns.map((c) => overrides[c] ?? `t."${c}"`).join(', ');
  const chunk = 200_000;
  for (let start = from; start <= to; start += chunk) {
    const end = Math.min(to, start + chunk - 1);
    await sql.query(`insert into ${table} (${list}) select ${values} from generate_series($1::int, $2::int) g cross join (select * from ${table} where ${template}) t`, [
      start,
      end,
      ...extra,
    ]);
  }
}

export async function fillUsers(sql: Sql, templateUserId: string, from: number, to: number) {
  await cloneRows(sql, 'users', 'id = $3', { id: scaleSql.userId, email: scaleSql.email, name: scaleSql.name }, from, to, [templateUserId]);
}

/** Session mode, sessions in SQL: one session per user, the template's data with the user's id. */
export async function fillSqlSessions(sql: Sql, template: { sid: string; userId: string }, from: number, to: number) {
  const sid = scaleSql.sid;
  await cloneRows(
    sql,
    'sessions',
    'sid = $3',
    { sid, public_id: scaleSql.publicIdOf(sid), user_id: scaleSql.userId, data: `replace(t.data, $4, ${scaleSql.userId})` },
    from,
    to,
    [template.sid, template.userId],
  );
}

/** Jwt modes: one refresh-token family (and its current token) per user. */
export async function fillFamilies(sql: Sql, template: { familyId: string }, from: number, to: number) {
  await cloneRows(sql, 'refresh_families', 'id = $3', { id: scaleSql.familyId, user_id: scaleSql.userId }, from, to, [template.familyId]);
  await cloneRows(sql, 'refresh_tokens', 'family_id = $3', { token_hash: scaleSql.tokenHash, family_id: scaleSql.familyId }, from, to, [template.familyId]);
}

export async function analyze(sql: Sql) {
  await sql.query('analyze');
}

export interface SqlFootprint {
  /** Bytes on disk: tables, TOAST and indexes. */
  bytes: number;
  /** Rows of the first table. */
  rows: number;
}

export async function sqlFootprint(sql: Sql, tables: string[]): Promise<SqlFootprint> {
  const [size] = await sql.query<{ bytes: string }>(`select (${tables.map((t) => `pg_total_relation_size('${t}')`).join(' + ')})::text as bytes`);
  const [count] = await sql.query<{ n: string }>(`select count(*)::text as n from ${tables[0]!}`);
  return { bytes: Number(size?.bytes ?? 0), rows: Number(count?.n ?? 0) };
}

/**
 * Bytes per row added between two footprints: what one more login (or user) costs. The whole
 * size over the row count would charge every row a share of the tables' fixed pages (index
 * metapages and roots, free-space and visibility maps), which at 10^3 rows was a fifth of it.
 */
export const bytesPerAddedRow = (before: SqlFootprint, after: SqlFootprint) => (after.bytes - before.bytes) / Math.max(1, after.rows - before.rows);

const newRedisClient = (url: string) => createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } });
type Redis = ReturnType<typeof newRedisClient>;

export async function openRedis(url: string): Promise<Redis> {
  const client = newRedisClient(url);
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Where the API keeps a session and a user's session index in Redis (checked against the template). */
export const redisKeys = {
  session: (prefix: string, sid: string) => `${prefix}sess:${sid}`,
  index: (prefix: string, userId: string) => `${prefix}user-sessions:${userId}`,
};

/**
 * Session mode, sessions in Redis: the template session copied with the user's id, and each
 * user's index (a sorted set of session ids scored by expiry), as the API's write script does,
 * in pipelines of a few thousand commands.
 */
export async function fillRedisSessions(redis: Redis, prefix: string, template: { sid: string; userId: string }, from: number, to: number) {
  const sessionKey = redisKeys.session(prefix, template.sid);
  const [json, ttl, indexType] = await Promise.all([redis.get(sessionKey), redis.pTTL(sessionKey), redis.type(redisKeys.index(prefix, template.userId))]);
  if (json === null || ttl <= 0) throw new Error(`fill: no session at ${sessionKey} (the API's Redis layout changed: update bench/src/fill.ts)`);
  if (indexType !== 'zset') throw new Error(`fill: no session index at ${redisKeys.index(prefix, template.userId)} (the API's Redis layout changed)`);
  const expiresAt = Date.now() + ttl;
  const batch = 5000;
  for (let start = from; start <= to; start += batch) {
    const pipeline = redis.multi();
    for (let g = start; g <= Math.min(to, start + batch - 1); g++) {
      const sid = scale.sid(g);
      const userId = scale.userId(g);
      pipeline.set(redisKeys.session(prefix, sid), json.replaceAll(template.userId, userId), { expiration: { type: 'PX', value: ttl } });
      pipeline.zAdd(redisKeys.index(prefix, userId), { score: expiresAt, value: sid });
      pipeline.pExpire(redisKeys.index(prefix, userId), ttl);
    }
    await pipeline.execAsPipeline();
  }
}

/** Redis memory per stored login: MEMORY USAGE of a sample of sessions and their users' indexes. */
export async function redisBytesPerSession(redis: Redis, prefix: string, count: number, samples = 200): Promise<number> {
  let total = 0;
  for (let i = 0; i < samples; i++) {
    const g = 1 + Math.floor((i * count) / samples);
    const [session, index] = await Promise.all([
      redis.sendCommand<number | null>(['MEMORY', 'USAGE', redisKeys.session(prefix, scale.sid(g)), 'SAMPLES', '0']),
      redis.sendCommand<number | null>(['MEMORY', 'USAGE', redisKeys.index(prefix, scale.userId(g)), 'SAMPLES', '0']),
    ]);
    total += (session ?? 0) + (index ?? 0);
  }
  return total / samples;
}
