/**
 * How many of the store operations the modes make per request one Redis and one PostgreSQL on
 * this machine answer per second: the figure that, divided by a row's store operations per
 * request, says at what request rate the shared store, not the API, becomes the limit.
 * `pnpm --filter @authbench/bench ceilings` writes bench/results/ceilings.json (see ceilings.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { createClient } from 'redis';
import type { StoreUrls } from './stores';

/** The operations measured: what a GET /api/me costs the shared store in each mode, on a cache miss. */
export type CeilingOp = 'redis-session-get' | 'redis-revocation-check' | 'redis-proof-replay' | 'postgres-user-by-id';

export interface CeilingResult {
  op: CeilingOp;
  store: 'redis' | 'postgres';
  /** The command or statement, as the API sends it. */
  command: string;
  connections: number;
  /** Operations in flight per connection (node-redis pipelines them; pg runs one at a time). */
  inFlightPerConnection: number;
  seconds: number;
  opsPerSecond: number;
  /** Share of one core this (load-generating) process used: near 1, it may be what limited the rate. */
  clientCpu: number;
  /** Share of one core the store's server processes used, where this machine lets us read it. */
  serverCpu?: number;
  errors: number;
}

export interface StoreCeilings {
  date: string;
  command: string;
  durationSeconds: number;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  /** Why the figures are lower bounds on this machine, when they are. */
  notes: string[];
  settings: { seconds: number; warmupSeconds: number; keys: number };
  results: CeilingResult[];
}

export interface CeilingSettings {
  seconds: number;
  warmupSeconds: number;
  /** Distinct sessions and users to read, so that no single hot key flatters the store. */
  keys: number;
}

type Redis = ReturnType<typeof createResp3Client>;
// RESP3 as the API's client (apps/api/src/storage/redis-client.ts), without its client-side cache:
// the round trips counted per request are the cache's misses, and those are what is measured here.
const createResp3Client = (url: string) => createClient({ url, RESP: 3, socket: { connectTimeout: 2000, reconnectStrategy: false } });

const redisConnections = 4;
const redisInFlight = 16;
// The API's pool size (apps/api/src/storage/database.ts).
const postgresConnections = 10;

/** A stored session of the size express-session and the API write (cookie, user, timestamps, public id). */
const sessionValue = () =>
  JSON.stringify({
    cookie: { originalMaxAge: 1_800_000, expires: new Date(Date.now() + 1_800_000).toISOString(), secure: false, httpOnly: true, path: '/', sameSite: 'lax' },
    userId: randomUUID(),
    createdAt: Date.now(),
    lastSeenAt: Date.now(),
    absoluteExpiresAt: Date.now() + 43_200_000,
    publicId: randomBytes(16).toString('base64url'),
  });

/** Seconds of CPU a process has used, from /proc (Linux); undefined where it cannot be read. */
async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function redisCpuSeconds(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/**
 * Runs `op` from `loops` concurrent loops for warm-up then `seconds`, and counts the operations that
 * completed in the measured window. Bounded by time, whatever the store does.
 */
async function drive(loops: number, settings: CeilingSettings, op: (loop: number) => Promise<unknown>, serverCpu: () => Promise<number | undefined>) {
  let measuring = false;
  let stop = false;
  let ops = 0;
  let errors = 0;
  const run = async (loop: number) => {
    while (!stop) {
      try {
        await op(loop);
        if (measuring) ops += 1;
      } catch {
        errors += 1;
        if (errors > 1000) stop = true;
      }
    }
  };
  const running = Array.from({ length: loops }, (_, loop) => run(loop));
  await new Promise((resolve) => setTimeout(resolve, settings.warmupSeconds * 1000));
  const serverBefore = await serverCpu();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, settings.seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = await serverCpu();
  stop = true;
  await Promise.all(running);
  const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    seconds: round(elapsed, 2),
    opsPerSecond: Math.round(ops / elapsed),
    clientCpu: round((cpu.user + cpu.system) / 1e6 / elapsed, 2),
    ...(serverBefore !== undefined && serverAfter !== undefined && { serverCpu: round((serverAfter - serverBefore) / elapsed, 2) }),
    errors,
  };
}

async function measureRedis(url: string, settings: CeilingSettings, log: (line: string) => void): Promise<CeilingResult[]> {
  const prefix = `authbench_ceilings_${process.pid}_${randomBytes(4).toString('hex')}:`;
  const clients = Array.from({ length: redisConnections }, () => createResp3Client(url));
  const admin = createResp3Client(url);
  for (const client of [...clients, admin]) client.on('error', () => {});
  try {
    await Promise.all([...clients, admin].map((client) => client.connect()));
    const sids = Array.from({ length: settings.keys }, () => randomBytes(24).toString('base64url'));
    // Written in pipelined batches, with an expiry in case the clean-up below never runs.
    for (let i = 0; i < sids.length; i += 1000) {
      const batch = admin.multi();
      for (const sid of sids.slice(i, i + 1000)) batch.set(`${prefix}sess:${sid}`, sessionValue(), { expiration: { type: 'PX', value: 600_000 } });
      await batch.exec();
    }
    const families = Array.from({ length: settings.keys }, () => randomUUID());
    const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
    const loops = redisConnections * redisInFlight;
    const clientOf = (loop: number) => clients[loop % redisConnections]!;
    const serverCpu = () => redisCpuSeconds(admin);
    const shape = { store: 'redis' as const, connections: redisConnections, inFlightPerConnection: redisInFlight };

    const results: CeilingResult[] = [];
    const measure = async (op: CeilingOp, command: string, run: (client: Redis) => Promise<unknown>) => {
      log(`${op}: ${command}, ${redisConnections} connections × ${redisInFlight} in flight`);
      const measured = await drive(loops, settings, (loop) => run(clientOf(loop)), serverCpu);
      results.push({ op, command, ...shape, ...measured });
      log(`  ${measured.opsPerSecond.toLocaleString('en-US')} ops/s (client CPU ${measured.clientCpu}, Redis CPU ${measured.serverCpu ?? '?'})`);
    };
    await measure('redis-session-get', 'GET <prefix>sess:<sid>', (client) => client.get(`${prefix}sess:${pick(sids)}`));
    // A revocation list holds the few families logged out lately: nearly every check finds no key.
    await measure('redis-revocation-check', 'EXISTS <prefix>revoked:<familyId>', (client) => client.exists(`${prefix}revoked:${pick(families)}`));
    // Every DPoP proof has a new jti, so every check writes a new key (short-lived here: the API keeps them for the proof window).
    await measure('redis-proof-replay', 'SET <prefix>dpop-jti:<jti> 1 NX PX <ms>', (client) =>
      client.set(`${prefix}dpop-jti:${randomBytes(16).toString('base64url')}`, '1', { condition: 'NX', expiration: { type: 'PX', value: 30_000 } }),
    );
    return results;
  } finally {
    let batches = 0;
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) await admin.unlink(keys);
      if (++batches > 10_000) break;
    }
    for (const client of [...clients, admin]) if (client.isOpen) client.destroy();
  }
}

async function measurePostgres(url: string, settings: CeilingSettings, log: (line: string) => void): Promise<CeilingResult[]> {
  const schema = `authbench_ceilings_${process.pid}_${randomBytes(4).toString('hex')}`;
  const options = { connectionString: url, connectionTimeoutMillis: 2000, query_timeout: 5000, options: `-c search_path=${schema}` };
  const admin = new pg.Client(options);
  const clients = Array.from({ length: postgresConnections }, () => new pg.Client(options));
  for (const client of [admin, ...clients]) client.on('error', () => {});
  try {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    // The users table as the API's migrations make it, filled with generated users.
    await admin.query(
      'create table users (id text primary key, email text not null unique, name text not null, password_hash text not null, created_at timestamptz not null, version integer not null default 0)',
    );
    await admin.query(
      `insert into users (id, email, name, password_hash, created_at)
       select gen_random_uuid()::text, 'user' || n || '@example.test', 'User ' || n, repeat('x', 97), now() from generate_series(1, $1) as n`,
      [settings.keys],
    );
    await admin.query('analyze users');
    const { rows } = await admin.query<{ id: string }>('select id from users');
    const ids = rows.map((row) => row.id);
    await Promise.all(clients.map((client) => client.connect()));
    const pids = await Promise.all(clients.map(async (client) => (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid));
    const serverCpu = async () => {
      const seconds = await Promise.all(pids.map(processCpuSeconds));
      return seconds.some((s) => s === undefined) ? undefined : seconds.reduce((a, b) => a! + b!, 0);
    };
    // The statement Kysely sends for the API's user lookup (apps/api/src/storage/user-store.ts).
    const command = 'select "id", "email", "name", "created_at", "version" from "users" where "id" = $1';
    log(`postgres-user-by-id: ${command}, ${postgresConnections} connections`);
    const measured = await drive(postgresConnections, settings, (loop) => clients[loop]!.query(command, [ids[Math.floor(Math.random() * ids.length)]]), serverCpu);
    log(`  ${measured.opsPerSecond.toLocaleString('en-US')} ops/s (client CPU ${measured.clientCpu}, backends' CPU ${measured.serverCpu ?? '?'})`);
    return [{ op: 'postgres-user-by-id', store: 'postgres', command, connections: postgresConnections, inFlightPerConnection: 1, ...measured }];
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

/** Measures every ceiling, Redis first, then PostgreSQL, one operation at a time. */
export async function measureStoreCeilings(urls: StoreUrls, settings: CeilingSettings, command: string, log: (line: string) => void): Promise<StoreCeilings> {
  const started = performance.now();
  const loadAverageAtStart = loadAverage();
  const results = [...(await measureRedis(urls.redis, settings, log)), ...(await measurePostgres(urls.postgres, settings, log))];
  const loadAverageAtEnd = loadAverage();
  const cores = os.cpus().length;
  const notes: string[] = [];
  const busiest = Math.max(loadAverageAtStart[0]!, loadAverageAtEnd[0]!);
  if (busiest > cores / 2) {
    notes.push(`The machine was busy: load average ${busiest} on ${cores} cores during the run; other processes took CPU from the stores and from this client, so these are lower bounds.`);
  }
  if (results.some((r) => r.clientCpu >= 0.9)) {
    notes.push('Where the client CPU is near 1, this one Node process generating the load was itself a limit: the store may answer more.');
  }
  notes.push('The store and this client share the machine: a store on its own host has a core of its own.');
  return {
    date: new Date().toISOString(),
    command,
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd,
    },
    notes,
    settings,
    results,
  };
}
