/**
 * `pnpm bench --scale` (not in CI): does GET /api/me stay as fast when the stores hold 10^3,
 * 10^5 and 10^6 users and logins (the embedded database up to 10^5)? The stores are filled
 * straight (fill.ts), never through 10^6 HTTP registrations; each size has stores of its own and
 * a server of its own, and the sizes are measured side by side in alternating slices with logins
 * picked across each whole store. Also: GET /api/me's latency
 * while 20 logins per second (Argon2id each) run beside it. Writes bench/results/scale.{md,json}
 * and, after a run of every size and row, the scale table of docs/benchmark.md.
 * BENCH_SCALE_SIZES=1000,100000 (sizes; one listed twice shows how alike two measurements of it
 * are), BENCH_SCALE_SECONDS (per size, default 8),
 * BENCH_ROWS=session-redis,jwt-redis (a subset).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyJwk } from '@authbench/api/auth/signing-keys';
import { me, present, sessionIdOf, signIn, storedLoginOf, type MadeLogin } from './client';
import { analyze, fillFamilies, fillRedisSessions, fillSqlSessions, fillUsers, openRedis, openSql, redisBytesPerSession, scale, sqlFootprint, bytesPerAddedRow } from './fill';
import {
  apiEnv,
  benchPassword,
  measureGroup,
  mintAccessToken,
  payloadOf,
  pinLoadGenerator,
  prepareTemplate,
  rowNamespace,
  signSessionCookie,
  storePorts,
  storeUrls,
  type LoadItem,
} from './harness';
import { closedLoop, startLogins, type LatencyRun } from './logins';
import { num, replaceInPage, resultsDir } from './report';
import { serverDefs, type ServerDef, type ServerName } from './rows';
import { startServer, type ServerProcess } from './server-process';
import { cleanUpNamespace, probePostgres, probeRedis } from './stores';
import { median } from './timed';

const env = process.env;
const sizesFrom = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
const settings = {
  sizes: sizesFrom(env.BENCH_SCALE_SIZES) ?? [1_000, 100_000, 1_000_000],
  embeddedMax: 100_000,
  /** Per size, in `slices` turns alternating with the other sizes. */
  seconds: Number(env.BENCH_SCALE_SECONDS) > 0 ? Number(env.BENCH_SCALE_SECONDS) : 8,
  slices: 4,
  warmupSeconds: 2,
  connections: 10,
  /** Distinct logins the load carries, picked at random across the store. */
  pool: 1000,
  loginsPerSecond: 20,
};

/** Rows that share one set of stores: the same logins serve each of them in turn. */
interface Kind {
  key: string;
  description: string;
  store: 'embedded' | 'redis';
  rows: ServerDef[];
}

const defs = (...names: ServerName[]) => serverDefs.filter((d) => names.includes(d.name));
const kinds: Kind[] = [
  { key: 'sessions_embedded', description: 'sessions and users in PGlite', store: 'embedded', rows: defs('session-embedded') },
  { key: 'sessions_redis', description: 'sessions in Redis, users in PostgreSQL', store: 'redis', rows: defs('session-redis') },
  { key: 'families_embedded', description: 'refresh families and users in PGlite', store: 'embedded', rows: defs('jwt-embedded', 'jwt-cookie-embedded') },
  {
    key: 'families_distributed',
    description: 'refresh families and users in PostgreSQL, revocation list in Redis',
    store: 'redis',
    rows: defs('jwt-redis', 'jwt-cookie-redis'),
  },
];

interface SizeResult {
  row: ServerName;
  size: number;
  fillSeconds: number;
  /** Bytes per stored login: SQL table + indexes (sessions, or refresh families + tokens), or Redis memory (session + index). */
  bytesPerLogin: number;
  bytesPerUser: number;
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  /** rps over the smallest size's. */
  rpsVsSmallest?: number;
  /** Share of the servers' core that other processes took during this size's slices. */
  otherCpu?: number;
  quiet: LatencyRun;
  withLogins: LatencyRun;
  loginsPerSecond: number;
  loginAnswers: Record<string, number>;
}

const started = performance.now();
const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
const log = (line: string) => process.stderr.write(`[scale ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

export async function runScale(): Promise<void> {
  const only = env.BENCH_ROWS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selected = kinds.map((k) => ({ ...k, rows: k.rows.filter((d) => !only || only.includes(d.name)) })).filter((k) => k.rows.length > 0);
  const needsDistributed = selected.some((k) => k.store === 'redis');
  const [redis, postgres] = needsDistributed ? await Promise.all([probeRedis(storeUrls.redis), probePostgres(storeUrls.postgres)]) : [{ ok: true as const }, { ok: true as const }];
  const root = await mkdtemp(path.join(os.tmpdir(), 'authbench-scale-'));
  const namespace = `bench_scale_${process.pid}_${randomBytes(3).toString('hex')}`;
  const results: SizeResult[] = [];
  const skipped: { kind: string; reason: string }[] = [];
  const used = { redis: false, postgres: false };
  let failed: string | undefined;
  log(`sizes ${settings.sizes.join(', ')} (embedded up to ${settings.embeddedMax}), ${settings.seconds} s per measurement`);
  try {
    const template = selected.some((k) => k.store === 'embedded') ? await prepareTemplate(root) : undefined;
    pinLoadGenerator();
    for (const kind of selected) {
      if (kind.store === 'redis') {
        const missing = [redis, postgres].find((a): a is { ok: false; reason: string } => !a.ok);
        if (missing) {
          skipped.push({ kind: kind.description, reason: missing.reason });
          log(`${kind.description}: skipped: ${missing.reason}`);
          continue;
        }
        used.redis = used.postgres = true;
      }
      results.push(...(await runKind(kind, { root, template, namespace })));
    }
  } catch (err) {
    failed = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`scale run failed: ${failed}`);
    process.exitCode = 1;
  } finally {
    log('cleaning up the stores');
    for (const problem of await cleanUpNamespace(storeUrls, namespace, used)) log(problem);
    await rm(root, { recursive: true, force: true });
  }
  const run: ScaleRun = { date: new Date().toISOString(), durationSeconds: Math.round((performance.now() - started) / 1000), machine: machine(), settings, results, skipped, failed };
  const markdown = renderScale(run);
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, 'scale.json'), `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(path.join(resultsDir, 'scale.md'), `# Authbench: GET /api/me as the stores grow\n\n${markdown}\n`);
  const complete = !failed && !only && !env.BENCH_SCALE_SIZES && skipped.length === 0;
  if (complete) await replaceInPage({ start: '<!-- bench:scale:start -->', end: '<!-- bench:scale:end -->' }, markdown);
  process.stdout.write(`${markdown}\n`);
  log(`done: bench/results/scale.md and scale.json written${complete ? ', docs/benchmark.md updated' : ''}`);
}

/** One size's own stores: filled, and what they hold. */
interface SizedStores {
  size: number;
  dataDir: string;
  namespace: string;
  fillSeconds: number;
  bytesPerLogin: number;
  bytesPerUser: number;
}

/**
 * Every size gets stores of its own (a data directory, or a Postgres schema and Redis prefix), so
 * that the servers of all sizes can run at once: they are started together, warmed alike, and
 * measured in alternating slices (A B C, C B A, ...). Measured one after another instead, each
 * size met different weather on the machine (and the first met a colder one): the same size
 * measured three times in a row differed by far more than the 10 % that "flat" allows.
 */
async function runKind(kind: Kind, options: { root: string; template: string | undefined; namespace: string }): Promise<SizeResult[]> {
  // Every row and size of a kind runs with the same secrets.
  const secrets = { jwk: generateSigningKeyJwk(), sessionSecret: randomBytes(32).toString('base64url') };
  const sizes = settings.sizes.filter((size) => kind.store !== 'embedded' || size <= settings.embeddedMax);
  const stores: SizedStores[] = [];
  for (const [i, size] of sizes.entries()) stores.push(await fillStores(kind, size, { ...options, secrets, place: `${kind.key}_${i + 1}` }));
  const start = (def: ServerDef, at: SizedStores) =>
    startServer(
      { label: `${def.name}-scale-${at.size}`, env: apiEnv(def, at.dataDir, secrets), ...(kind.store === 'redis' && { namespace: at.namespace }), storePorts },
      { startTimeoutMs: 180_000 },
    );

  const results: SizeResult[] = [];
  for (const def of kind.rows) {
    log(`  ${def.name}: starting a server per size (${sizes.join(', ')})`);
    const servers: ServerProcess[] = [];
    try {
      for (const at of stores) servers.push(await start(def, at));
      const items = await Promise.all(stores.map((at, i) => loadAtSize(def, servers[i]!, at.size, secrets, `${def.name}@${at.size}#${i + 1}`)));
      // The same warm-up for every process (JIT, caches), discarded, before any measured slice.
      await measureGroup(items, { seconds: settings.warmupSeconds, slices: 1, connections: settings.connections });
      const loads = await measureGroup(items, { seconds: settings.seconds, slices: settings.slices, connections: settings.connections });
      for (const [i, at] of stores.entries()) {
        const load = loads.get(items[i]!.key)!;
        const latency = await latencyBesideLogins(def, servers[i]!, items[i]!, at.size);
        results.push({
          row: def.name,
          size: at.size,
          fillSeconds: at.fillSeconds,
          bytesPerLogin: Math.round(at.bytesPerLogin),
          bytesPerUser: Math.round(at.bytesPerUser),
          rps: Math.round(load.rps),
          p50: Math.round(load.p50 * 100) / 100,
          p99: Math.round(load.p99 * 100) / 100,
          cpuUsPerReq: Math.round(load.cpuUsPerReq),
          ...(load.otherCpu !== undefined && { otherCpu: Math.round(load.otherCpu * 1000) / 1000 }),
          ...latency,
        });
        log(
          `  ${def.name.padEnd(20)} ${at.size.toString().padStart(8)}: ${Math.round(load.rps)} req/s, ${Math.round(load.cpuUsPerReq)} µs CPU/req, p99 ${load.p99.toFixed(1)} ms; ` +
            `p99 ${latency.quiet.p99.toFixed(1)} ms alone, ${latency.withLogins.p99.toFixed(1)} ms beside ${latency.loginsPerSecond.toFixed(1)} logins/s`,
        );
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }
  for (const def of kind.rows) {
    const own = results.filter((r) => r.row === def.name);
    const smallest = own[0];
    for (const r of own) if (smallest) r.rpsVsSmallest = Math.round((r.rps / smallest.rps) * 1000) / 1000;
  }
  return results;
}

/** One size's stores: a user and a login written by the API itself (the template), then copied `size` times. */
async function fillStores(
  kind: Kind,
  size: number,
  options: {
    root: string;
    template: string | undefined;
    namespace: string;
    secrets: { jwk: ReturnType<typeof generateSigningKeyJwk>; sessionSecret: string };
    /** The stores' own name (a size may be listed twice, to see how alike two measurements of it are). */
    place: string;
  },
): Promise<SizedStores> {
  const dataDir = path.join(options.root, options.place);
  if (kind.store === 'embedded' && options.template) await cp(options.template, dataDir, { recursive: true });
  else await mkdir(dataDir, { recursive: true });
  const namespace = rowNamespace(options.namespace, options.place);
  const first = kind.rows[0]!;
  const stored = storedLoginOf(first.mode);

  log(`${kind.description}, ${size}: registering the template user`);
  const server = await startServer(
    { label: `${first.name}-scale-template`, env: apiEnv(first, dataDir, options.secrets), ...(kind.store === 'redis' && { namespace }), storePorts },
    { startTimeoutMs: 180_000 },
  );
  let templateUser: string;
  let templateLogin: string;
  try {
    const credential = await signIn(server.api, first.mode, 'register', { email: 'scale-template@example.test', password: benchPassword, name: 'Scale User' });
    templateUser = credential.userId;
    const login = stored === 'session' ? sessionIdOf(credential) : payloadOf(credential)?.sid;
    if (!login) throw new Error(`${first.name}: no ${stored} id in the template login`);
    templateLogin = login;
  } finally {
    await server.stop();
  }

  const fillStarted = performance.now();
  log(`${kind.description}, ${size}: filling 1…${size}`);
  const sql = kind.store === 'embedded' ? await openSql({ pgliteDir: path.join(dataDir, 'pglite') }) : await openSql({ url: storeUrls.postgres, schema: namespace });
  let bytesPerLogin: number;
  let bytesPerUser: number;
  // The logins' SQL tables: refresh families and their tokens, or the sessions (none: Redis's).
  const loginTables = stored === 'refresh family' ? ['refresh_families', 'refresh_tokens'] : kind.store === 'embedded' ? ['sessions'] : undefined;
  try {
    // In two halves, measured between them: the bytes per row are those the second half added.
    const half = Math.floor(size / 2);
    const fillRange = async (from: number, to: number) => {
      await fillUsers(sql, templateUser, from, to);
      if (stored === 'refresh family') await fillFamilies(sql, { familyId: templateLogin }, from, to);
      else if (kind.store === 'embedded') await fillSqlSessions(sql, { sid: templateLogin, userId: templateUser }, from, to);
      return { users: await sqlFootprint(sql, ['users']), logins: loginTables && (await sqlFootprint(sql, loginTables)) };
    };
    const atHalf = await fillRange(1, half);
    const atFull = await fillRange(half + 1, size);
    await analyze(sql);
    bytesPerUser = bytesPerAddedRow(atHalf.users, atFull.users);
    if (atHalf.logins && atFull.logins) bytesPerLogin = bytesPerAddedRow(atHalf.logins, atFull.logins);
    else {
      const client = await openRedis(storeUrls.redis);
      try {
        await fillRedisSessions(client, `${namespace}:`, { sid: templateLogin, userId: templateUser }, 1, size);
        bytesPerLogin = await redisBytesPerSession(client, `${namespace}:`, size);
      } finally {
        client.destroy();
      }
    }
  } finally {
    await sql.close();
  }
  const fillSeconds = seconds(fillStarted);
  log(`${kind.description}, ${size}: ${size} users and logins in ${fillSeconds} s; ${Math.round(bytesPerLogin)} B per login, ${Math.round(bytesPerUser)} B per user`);
  return { size, dataDir, namespace, fillSeconds, bytesPerLogin, bytesPerUser };
}

/** GET /api/me with `settings.pool` logins picked across the whole store, each presented as the mode carries it, every one asked once already. */
async function loadAtSize(
  def: ServerDef,
  server: ServerProcess,
  size: number,
  secrets: { jwk: ReturnType<typeof generateSigningKeyJwk>; sessionSecret: string },
  key: string,
): Promise<LoadItem> {
  const picks = Array.from({ length: settings.pool }, () => 1 + randomInt(size));
  const made = (g: number): MadeLogin =>
    storedLoginOf(def.mode) === 'session'
      ? { sessionCookie: signSessionCookie(scale.sid(g), secrets.sessionSecret) }
      : { accessToken: mintAccessToken(secrets.jwk, { sub: scale.userId(g), sid: scale.familyId(g) }) };
  const pool = picks.map((g) => present(def.mode, made(g)));
  // Every picked login once first: sessions touched, tokens verified, users read, as a running
  // server would have them; what is left to measure is the steady state.
  for (let i = 0; i < pool.length; i += settings.connections) {
    const answers = await Promise.all(pool.slice(i, i + settings.connections).map((headers) => me(server.api, headers)));
    const refused = answers.find((a) => a.status !== 200);
    if (refused) throw new Error(`${def.name} at ${size}: a filled login was refused (${refused.status} ${refused.body.slice(0, 160)})`);
  }
  let cursor = 0;
  return { key, server, url: `${server.api}/api/me`, headersOf: () => ({}), perRequest: () => pool[cursor++ % pool.length]! };
}

/** GET /api/me's latency alone, then beside `settings.loginsPerSecond` logins of random filled users. */
async function latencyBesideLogins(def: ServerDef, server: ServerProcess, item: LoadItem, size: number) {
  const quiet = await closedLoop(item, { seconds: settings.seconds / 2, connections: settings.connections });
  const logins = startLogins(server, def.mode, () => ({ email: scale.email(1 + randomInt(size)), password: benchPassword }), { perSecond: settings.loginsPerSecond });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const withLogins = await closedLoop(item, { seconds: settings.seconds / 2, connections: settings.connections });
  const { answers, perSecond } = await logins.stop();
  return { quiet, withLogins, loginsPerSecond: Math.round(perSecond * 10) / 10, loginAnswers: answers };
}

function machine() {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart,
  };
}

export interface ScaleRun {
  date: string;
  durationSeconds: number;
  machine: ReturnType<typeof machine>;
  settings: typeof settings;
  results: SizeResult[];
  skipped: { kind: string; reason: string }[];
  failed?: string | undefined;
}

export function renderScale({ date, durationSeconds, machine: m, settings, results, skipped, failed }: ScaleRun): string {
  const lines = [
    `Command: \`pnpm bench --scale\` · ${date} · ${durationSeconds} s · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; ` +
      `servers pinned to core 0, the load generator to the others; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    '',
    `Each size: stores of its own filled with that many users, one login each (bulk SQL and Redis pipelines, copies of a login the API wrote); ` +
      `a server per size, all up at once, each warmed alike (every picked login once, then ${settings.warmupSeconds} s of load, discarded); ` +
      `GET /api/me driven for ${settings.seconds} s per size in ${settings.slices} slices alternating between the sizes (A B C, C B A, …), by ${settings.connections} connections carrying ${settings.pool} logins picked at random across the store. ` +
      `Then ${settings.seconds / 2} s alone and ${settings.seconds / 2} s beside ${settings.loginsPerSecond} logins per second of random users (a fresh browser each: CSRF token, then Argon2id), ` +
      'p99 from clients that wait out every request. Goal: req/s and bytes per login flat within 10 % across sizes.',
    '',
    '| row | users = logins | fill s | bytes/login | bytes/user | req/s | vs smallest | p50 ms | p99 ms | CPU µs/req | p99 alone → beside logins (ms) | logins/s (answers) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    const answers = Object.entries(r.loginAnswers)
      .sort()
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ');
    lines.push(
      `| ${r.row} | ${num(r.size)} | ${num(r.fillSeconds, 1)} | ${num(r.bytesPerLogin)} | ${num(r.bytesPerUser)} | ${num(r.rps)} | ${num(r.rpsVsSmallest, 2)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ` +
        `${num(r.cpuUsPerReq)} | ${num(r.quiet.p99, 1)} → **${num(r.withLogins.p99, 1)}** | ${num(r.loginsPerSecond, 1)} (${answers}) |`,
    );
  }
  lines.push('');
  const rows = [...new Set(results.map((r) => r.row))];
  for (const row of rows) {
    const own = results.filter((r) => r.row === row);
    const spread = (pick: (r: SizeResult) => number) => {
      const values = own.map(pick);
      const mid = median(values);
      return Math.max(...values.map((v) => Math.abs(v / mid - 1)));
    };
    const rps = spread((r) => r.rps);
    const cpu = spread((r) => r.cpuUsPerReq);
    const bytes = spread((r) => r.bytesPerLogin);
    const flat = (x: number) => (x <= 0.1 ? 'flat: met' : '**not flat**');
    lines.push(
      `- \`${row}\`: across sizes, req/s within ${num(rps * 100)} % of its median (${flat(rps)}), CPU per request within ${num(cpu * 100)} % (${flat(cpu)}), ` +
        `bytes per login within ${num(bytes * 100)} % (${flat(bytes)}).`,
    );
  }
  const others = Math.max(0, ...results.map((r) => r.otherCpu ?? 0));
  lines.push(
    '',
    (others > 0.05 ? `Other processes took up to ${num(others * 100)} % of the servers' core during some slices. ` : '') +
      'Read req/s beside CPU per request: other processes on the machine take requests/s away, far less CPU per request. ' +
      "Bytes per login and per user: those the second half of the fill added, per row (the tables' fixed pages are no login's).",
  );
  for (const s of skipped) lines.push(`- ${s.kind}: skipped: ${s.reason}`);
  if (failed) lines.push(`- **failed**: ${failed.split('\n')[0] ?? ''}`);
  return lines.join('\n');
}
