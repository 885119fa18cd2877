/**
 * `pnpm bench`: GET /api/me in each auth mode and store, beside an unauthenticated baseline in
 * the same server process, interleaved over rounds. Writes bench/results/latest.{md,json}.
 * BENCH_QUICK=1: a short smoke run. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultVerifiedTokenCacheSize } from '@authbench/api/auth/verified-token-cache';
import { me, refresh, signIn, signOut, type Credential } from './client';
import { createColdTokens, launch, measureInterleaved, payloadOf, pinLoadGenerator, prepareTemplate, setUpRun, storeUrls as urls, type ColdTokens, type Measured, type ServerRun } from './harness';
import { resultsDir, writeResults, type BenchResults, type RevocationResult, type RowResult } from './report';
import type { RoundTrips } from './round-trips';
import { rowOrder, serverDefs, type RowName } from './rows';
import { cleanUpNamespace, probePostgres, probeRedis, type Availability } from './stores';
import { median, timedWorkers } from './timed';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const numberFrom = (name: string, fallback: number) => {
  const value = Number(env[name]);
  return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
};

const settings = {
  quick,
  rounds: numberFrom('BENCH_ROUNDS', 3),
  /** Per row and round, in `slices` turns alternating with the other rows of the process. */
  seconds: numberFrom('BENCH_SECONDS', quick ? 1 : 8),
  slices: numberFrom('BENCH_SLICES', quick ? 1 : 4),
  warmupSeconds: quick ? 0.5 : 2,
  connections: numberFrom('BENCH_CONNECTIONS', 10),
  loginSeconds: quick ? 1 : 4,
  loginConcurrency: 4,
  refreshSeconds: quick ? 1 : 3,
  refreshConcurrency: 4,
  revocationWindowSeconds: quick ? 1 : 3,
  countRequests: quick ? 40 : 200,
};
const onlyRows = env.BENCH_ROWS?.split(',').map((s) => s.trim()).filter(Boolean);

const log = (line: string) => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
};
const started = performance.now();

const coldPools = new Map<ServerRun, ColdTokens>();

function rowsOf(run: ServerRun): Measured[] {
  const items: Measured[] = [{ row: 'baseline' }, { row: run.def.name }];
  for (const extra of run.def.extraRows ?? []) {
    if (onlyRows && !onlyRows.includes(extra.name)) continue;
    let pool = coldPools.get(run);
    if (!pool) coldPools.set(run, (pool = createColdTokens(run, defaultVerifiedTokenCacheSize)));
    items.push({ row: extra.name, coldTokens: pool });
  }
  return items;
}

async function countRoundTrips(run: ServerRun, target: 'api' | 'baseline'): Promise<RoundTrips> {
  await run.server.countStart();
  for (let i = 0; i < settings.countRequests; i++) {
    const res = await me(run.server[target], run.credentials[i % run.credentials.length]);
    if (res.status !== 200) throw new Error(`round-trip count: ${target} answered ${res.status}`);
  }
  const counts = await run.server.countStop();
  const per = (n: number) => n / settings.countRequests;
  return { pglite: per(counts.pglite), postgres: per(counts.postgres), redis: per(counts.redis) };
}

async function measureRevocation(run: ServerRun): Promise<RevocationResult> {
  const { api } = run.server;
  const holder = await signIn(api, run.def.mode, 'login', run.user);
  // "Another client with the same login": the same cookie, or the same access token.
  const other: Credential = { ...holder };
  const check = await me(api, other);
  if (check.status !== 200) throw new Error(`revocation: the second client was refused before logout (${check.status})`);
  const via = run.peer ?? run.server;
  await signOut(via.api, holder);
  const loggedOut = performance.now();
  const windowMs = settings.revocationWindowSeconds * 1000;
  let admitted = 0;
  let biteMs: number | null = null;
  while (performance.now() - loggedOut < windowMs) {
    const res = await me(api, other);
    if (res.status === 401) {
      biteMs = performance.now() - loggedOut;
      break;
    }
    if (res.status !== 200) throw new Error(`revocation: unexpected ${res.status}`);
    admitted += 1;
  }
  const exp = payloadOf(other)?.exp;
  return {
    biteMs,
    admittedAfterLogout: admitted,
    windowMs,
    logoutVia: via === run.server ? 'same process' : 'another process',
    ...(biteMs === null && exp !== undefined && { tokenExpiresInSeconds: Math.max(0, exp - Math.floor(Date.now() / 1000)) }),
  };
}

async function measureLogins(run: ServerRun) {
  const { api } = run.server;
  const before = await run.server.cpu();
  const result = await timedWorkers<Credential | undefined>(
    settings.loginConcurrency,
    settings.loginSeconds,
    () => Promise.resolve(undefined),
    (previous) => signIn(api, run.def.mode, 'login', run.user, run.def.mode === 'session' ? previous : undefined),
  );
  const after = await run.server.cpu();
  return { perSecond: result.count / result.seconds, cpuUsPer: (after.cpuUs - before.cpuUs) / Math.max(1, result.count) };
}

async function measureRefreshes(run: ServerRun) {
  const { api } = run.server;
  const states = await Promise.all(Array.from({ length: settings.refreshConcurrency }, () => signIn(api, 'jwt', 'login', run.user)));
  const before = await run.server.cpu();
  const result = await timedWorkers<Credential>(
    settings.refreshConcurrency,
    settings.refreshSeconds,
    (i) => Promise.resolve(states[i]!),
    (credential) => refresh(api, credential),
  );
  const after = await run.server.cpu();
  return { perSecond: result.count / result.seconds, cpuUsPer: (after.cpuUs - before.cpuUs) / Math.max(1, result.count) };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

function summarise(run: ServerRun, row: RowName, description: string, target: number | undefined): RowResult {
  const results = run.runs.get(row) ?? [];
  const baselines = run.runs.get('baseline') ?? [];
  const ratios = results.map((r, i) => r.rps / (baselines[i]?.rps ?? Number.NaN));
  const cpuRatios = results.map((r, i) => (baselines[i]?.cpuUsPerReq ?? Number.NaN) / r.cpuUsPerReq);
  const ratio = round3(median(ratios));
  const others = [...results, ...baselines].map((r) => r.otherCpu).filter((n): n is number => n !== undefined);
  return {
    name: row,
    status: 'ok',
    description,
    mode: run.def.mode,
    store: run.def.store,
    rps: Math.round(median(results.map((r) => r.rps))),
    ratio,
    cpuRatio: round3(median(cpuRatios)),
    p50: round3(median(results.map((r) => r.p50))),
    p99: round3(median(results.map((r) => r.p99))),
    cpuUsPerReq: round1(median(results.map((r) => r.cpuUsPerReq))),
    authCpuUsPerReq: round1(median(results.map((r, i) => r.cpuUsPerReq - (baselines[i]?.cpuUsPerReq ?? Number.NaN)))),
    baselineRps: Math.round(median(baselines.map((r) => r.rps))),
    baselineCpuUsPerReq: round1(median(baselines.map((r) => r.cpuUsPerReq))),
    ...(target !== undefined && { target, meetsTarget: ratio >= target }),
    ...(others.length > 0 && { otherCpuMax: round3(Math.max(...others)) }),
    rounds: results.map((r, i) => ({
      rps: Math.round(r.rps),
      baselineRps: Math.round(baselines[i]?.rps ?? Number.NaN),
      ratio: round3(ratios[i] ?? Number.NaN),
      cpuRatio: round3(cpuRatios[i] ?? Number.NaN),
      p50: round3(r.p50),
      p99: round3(r.p99),
      cpuUsPerReq: round1(r.cpuUsPerReq),
      baselineCpuUsPerReq: round1(baselines[i]?.cpuUsPerReq ?? Number.NaN),
      serverCpu: round3(r.serverCpu),
      ...(r.otherCpu !== undefined && { otherCpu: round3(r.otherCpu) }),
      ...(baselines[i]?.otherCpu !== undefined && { baselineOtherCpu: round3(baselines[i].otherCpu) }),
    })),
  };
}

async function main() {
  log(`${quick ? 'quick' : 'full'} run: ${settings.rounds} rounds of ${settings.seconds} s per row, ${settings.connections} connections`);
  let pinned = false;
  const defs = serverDefs.filter((def) => !onlyRows || onlyRows.includes(def.name) || def.extraRows?.some((e) => onlyRows.includes(e.name)));
  const needsDistributed = defs.some((def) => def.store === 'redis');
  const [redis, postgres]: [Availability, Availability] = needsDistributed
    ? await Promise.all([probeRedis(urls.redis), probePostgres(urls.postgres)])
    : [{ ok: false, reason: 'not needed' }, { ok: false, reason: 'not needed' }];
  const root = await mkdtemp(path.join(os.tmpdir(), 'authbench-bench-'));
  const namespace = `bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const skipped = new Map<RowName, string>();
  const failed = new Map<RowName, string>();
  const runs: ServerRun[] = [];
  const extraResults = new Map<RowName, Partial<RowResult>>();
  const usedStores = { redis: false, postgres: false };

  const stopAll = async () => {
    await Promise.all(runs.flatMap((run) => [run.server.stop(), run.peer?.stop()]));
  };
  const interrupted = () => {
    log('interrupted: stopping the servers');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    const template = defs.some((def) => def.store === 'embedded') ? await prepareTemplate(root) : undefined;
    log('starting the server processes');
    await Promise.all(
      defs.map(async (def) => {
        if (def.store === 'redis') {
          const missing = [redis, postgres].find((a): a is { ok: false; reason: string } => !a.ok);
          if (missing) {
            skipped.set(def.name, missing.reason);
            return;
          }
        }
        try {
          const run = await launch(def, { root, template, namespace, peer: true, cpuProfileDir: env.BENCH_CPU_PROF ? resultsDir : undefined });
          runs.push(run);
          if (def.store === 'redis') usedStores.redis = usedStores.postgres = true;
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          // A store this API cannot use yet is a skipped row, not a failed bench.
          if (def.store === 'redis' && /REDIS_URL|redis/i.test(reason)) skipped.set(def.name, `the API could not start on Redis: ${reason}`);
          else failed.set(def.name, reason);
        }
      }),
    );
    runs.sort((a, b) => serverDefs.indexOf(a.def) - serverDefs.indexOf(b.def));
    for (const [name, reason] of skipped) log(`${name}: skipped: ${reason}`);

    log('registering and logging in the bench users');
    for (const run of [...runs]) {
      try {
        await setUpRun(run, settings.connections);
      } catch (err) {
        failed.set(run.def.name, err instanceof Error ? err.message : String(err));
        runs.splice(runs.indexOf(run), 1);
        await Promise.all([run.server.stop(), run.peer?.stop()]);
      }
    }

    // Pinned only now, so that starting the servers could use every core.
    pinned = pinLoadGenerator();
    log(pinned ? 'servers on core 0, load generator on the others; warming up' : 'no CPU pinning (taskset missing or one core); warming up');
    for (const run of runs) {
      await measureInterleaved(run, rowsOf(run), { seconds: settings.warmupSeconds, slices: 1, connections: settings.connections });
    }

    for (let round = 0; round < settings.rounds; round++) {
      log(`round ${round + 1} of ${settings.rounds}`);
      for (const run of runs) {
        if (run.def.mode === 'jwt') run.credentials = await Promise.all(run.credentials.map((c) => refresh(run.server.api, c)));
        const items = rowsOf(run);
        // Alternate the order, so neither side always runs first.
        if (round % 2 === 1) items.reverse();
        const results = await measureInterleaved(run, items, { seconds: settings.seconds, slices: settings.slices, connections: settings.connections });
        for (const [row, result] of results) {
          run.runs.set(row, [...(run.runs.get(row) ?? []), result]);
          log(
            `  ${row.padEnd(18)} ${run.def.name.padEnd(17)} ${Math.round(result.rps).toString().padStart(6)} req/s  ${result.cpuUsPerReq.toFixed(0).padStart(4)} µs CPU/req` +
              (result.otherCpu === undefined ? '' : `  (others took ${(result.otherCpu * 100).toFixed(0)} % of core 0)`),
          );
        }
      }
    }

    log('store round trips, credential sizes, revocation, logins, refreshes');
    for (const run of runs) {
      const [base, api] = [await countRoundTrips(run, 'baseline'), await countRoundTrips(run, 'api')];
      const credential = run.credentials[0]!;
      const logins = await measureLogins(run);
      const refreshes = run.def.mode === 'jwt' ? await measureRefreshes(run) : undefined;
      const revocation = await measureRevocation(run);
      const total = (t: RoundTrips) => t.pglite + t.postgres + t.redis;
      extraResults.set(run.def.name, {
        credentialBytes: Buffer.byteLength(`${credential.header.name}: ${credential.header.value}`),
        storeRoundTrips: { pglite: round3(api.pglite), postgres: round3(api.postgres), redis: round3(api.redis) },
        authStoreRoundTrips: round3(total(api) - total(base)),
        baselineStoreRoundTrips: round3(total(base)),
        revocation,
        loginsPerSecond: round1(logins.perSecond),
        cpuUsPerLogin: Math.round(logins.cpuUsPer),
        ...(refreshes && { refreshesPerSecond: round1(refreshes.perSecond), cpuUsPerRefresh: Math.round(refreshes.cpuUsPer) }),
      });
    }
  } catch (err) {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
    const problems = await cleanUpNamespace(urls, namespace, usedStores);
    for (const problem of problems) log(problem);
    await rm(root, { recursive: true, force: true });
  }

  const rows: RowResult[] = [];
  const baselineRuns = runs.filter((run) => run.def.store === 'embedded').flatMap((run) => run.runs.get('baseline') ?? []);
  if (baselineRuns.length > 0) {
    rows.push({
      name: 'baseline',
      status: 'ok',
      description: 'GET /api/me with the same middleware and user lookup, no authentication (median over the embedded-store processes)',
      rps: Math.round(median(baselineRuns.map((r) => r.rps))),
      ratio: 1,
      cpuRatio: 1,
      p50: round3(median(baselineRuns.map((r) => r.p50))),
      p99: round3(median(baselineRuns.map((r) => r.p99))),
      cpuUsPerReq: round1(median(baselineRuns.map((r) => r.cpuUsPerReq))),
    });
  }
  for (const name of rowOrder) {
    if (name === 'baseline') continue;
    const run = runs.find((r) => r.def.name === name || r.def.extraRows?.some((e) => e.name === name));
    const def = serverDefs.find((d) => d.name === name);
    const extra = serverDefs.flatMap((d) => d.extraRows ?? []).find((e) => e.name === name);
    const description = def?.description ?? extra?.description ?? name;
    if (run?.runs.get(name)?.length) {
      rows.push({ ...summarise(run, name, description, def?.target), ...(def && extraResults.get(def.name)) });
    } else if (skipped.has(name) || (extra && run === undefined && skipped.has('jwt-embedded'))) {
      rows.push({ name, status: 'skipped', description, reason: skipped.get(name) ?? 'its server was skipped' });
    } else if (failed.has(name) || (def && runs.every((r) => r.def.name !== name) && defs.includes(def))) {
      rows.push({ name, status: 'failed', description, reason: failed.get(name) ?? 'did not complete' });
    }
  }
  if (rows.some((row) => row.status === 'failed')) process.exitCode = 1;

  const results: BenchResults = {
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      pinned,
      loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    command: quick ? 'BENCH_QUICK=1 pnpm bench' : 'pnpm bench',
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    settings: { ...settings, ...(onlyRows && { rows: onlyRows }) },
    rows,
  };
  const table = await writeResults(results, { updateReadme: !quick && !onlyRows && process.exitCode !== 1 });
  process.stdout.write(`${table}\n`);
  log(`done in ${results.durationSeconds} s: bench/results/latest.md and latest.json written`);
}

await main();
