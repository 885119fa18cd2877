/**
 * `pnpm bench`: GET /api/me in each auth mode and store, run as users deploy the API, beside a
 * bare Express route (the limit) and the peers a user would otherwise pick, all on the same
 * pinned core, interleaved over rounds. Writes bench/results/latest.{md,json}.
 * BENCH_QUICK=1: a short smoke run. `pnpm bench --scale`: scale.ts. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultVerifiedTokenCacheSize } from '@authbench/api/auth/verified-token-cache';
import { canRefresh, credentialBytes, me, meHeaders, refresh, signIn, signOut, type Credential } from './client';
import {
  createColdTokens,
  itemOfPeer,
  itemOfServer,
  launch,
  launchPeer,
  measureGroup,
  payloadOf,
  peerUser,
  pinLoadGenerator,
  prepareTemplate,
  setUpPeer,
  setUpRun,
  storeUrls as urls,
  type LoadItem,
  type PeerRun,
  type ServerRun,
} from './harness';
import { createProofPool, takeCurrentNonce } from './dpop-proof-pool';
import type { LoadResult, RequestPool } from './load';
import { measureLogins, measureRefreshes, meUnderLogins, startLogins } from './logins';
import { measurePrices, type Prices } from './prices';
import { resultsDir, writeResults, type BenchResults, type RevocationResult, type RoundResult, type RowResult } from './report';
import type { RoundTrips } from './round-trips';
import { bare, bestPeerOf, peerDefs, rowOrder, selectRows, serverDefs, serverOfRow, type PeerName, type RowName } from './rows';
import { writeSeeds } from './seeds';
import type { ServerProcess } from './server-process';
import { cleanUpNamespace, probePostgres, probeRedis, type Availability } from './stores';
import { atMost, median, twice } from './timed';

async function main() {
  const env = process.env;
  const quick = env.BENCH_QUICK === '1';
  const numberFrom = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const settings = {
    quick,
    rounds: numberFrom('BENCH_ROUNDS', quick ? 1 : 3),
    /** Per item and round, in `slices` turns alternating with the other items of its group. */
    seconds: numberFrom('BENCH_SECONDS', quick ? 1 : 5),
    slices: numberFrom('BENCH_SLICES', quick ? 1 : 2),
    /** Quick: none (its numbers are not compared, and every second counts in CI). */
    warmupSeconds: quick ? 0 : 1.5,
    connections: numberFrom('BENCH_CONNECTIONS', 10),
    loginSeconds: quick ? 0.5 : 3,
    loginConcurrency: 4,
    refreshSeconds: quick ? 0.5 : 2,
    refreshConcurrency: 4,
    revocationWindowSeconds: quick ? 1 : 3,
    countRequests: quick ? 20 : 200,
    floodSeconds: quick ? 0.5 : 3,
    floodConcurrency: 32,
  };
  const onlyRows = env.BENCH_ROWS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selection = selectRows(onlyRows);

  const started = performance.now();
  const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const log = (line: string) => {
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  };

  log(`${quick ? 'quick' : 'full'} run: ${settings.rounds} round(s) of ${settings.seconds} s per row, ${settings.connections} connections`);
  const needsRedis = selection.servers.some((def) => def.store === 'redis') || selection.peers.some((p) => p.needsRedis);
  const needsPostgres = selection.servers.some((def) => def.store === 'redis');
  const notNeeded: Availability = { ok: false, reason: 'not needed' };
  const [redis, postgres] = await Promise.all([needsRedis ? probeRedis(urls.redis) : notNeeded, needsPostgres ? probePostgres(urls.postgres) : notNeeded]);
  const root = await mkdtemp(path.join(os.tmpdir(), 'authbench-bench-'));
  const namespace = `bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const skipped = new Map<RowName, string>();
  const failed = new Map<RowName, string>();
  const runs: ServerRun[] = [];
  const peers: PeerRun[] = [];
  const usedStores = { redis: false, postgres: false };
  const user = peerUser(namespace);
  const cpuProfileDir = env.BENCH_CPU_PROF ? resultsDir : undefined;
  const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

  const stopAll = async () => {
    await Promise.all([...runs.flatMap((run) => [run.server.stop(), run.twin?.stop()]), ...peers.map((p) => p.server.stop())]);
  };
  const interrupted = () => {
    log('interrupted: stopping the servers');
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  /** Results by item key, one entry per round. */
  const results = new Map<string, LoadResult[]>();
  const record = (key: string, result: LoadResult) => results.set(key, [...(results.get(key) ?? []), result]);
  const extras = new Map<RowName, Partial<RowResult>>();
  const coldPools = new Map<ServerRun, RequestPool>();
  const proofPools = new Map<ServerRun, ReturnType<typeof createProofPool>>();
  /** jwt-dpop rows: every request carries a proof of its own, signed ahead of each slice. */
  const proofPoolOf = (run: ServerRun) => {
    if (run.def.mode !== 'jwt-dpop') return undefined;
    let pool = proofPools.get(run);
    if (!pool) proofPools.set(run, (pool = createProofPool(run.server.api, () => run.credentials)));
    return pool;
  };
  let pinned = false;
  let prices: Prices | undefined;

  const bareRun = () => peers.find((p) => p.def.name === bare);
  const groupOfPeers = (): LoadItem[] => {
    const b = bareRun();
    return b ? [itemOfPeer(b, `${bare}@peers`), ...peers.filter((p) => p !== b).map((p) => itemOfPeer(p))] : [];
  };
  const groupOfRun = (run: ServerRun): LoadItem[] => {
    const items = [
      itemOfPeer(bareRun()!, `${bare}@${run.def.name}`),
      itemOfServer(run, `${run.def.name}:baseline`, 'baseline'),
      itemOfServer(run, run.def.name, 'api', proofPoolOf(run)),
    ];
    for (const extra of run.def.extraRows ?? []) {
      if (!selection.rows.has(extra.name)) continue;
      let pool = coldPools.get(run);
      if (!pool) coldPools.set(run, (pool = createColdTokens(run, defaultVerifiedTokenCacheSize)));
      items.push(itemOfServer(run, extra.name, 'api', pool));
    }
    return items;
  };
  const rowsOfRun = (run: ServerRun): RowName[] => [run.def.name, ...(run.def.extraRows ?? []).map((e) => e.name).filter((n) => selection.rows.has(n))];
  const dropRun = async (run: ServerRun, reason: string) => {
    for (const row of rowsOfRun(run)) failed.set(row, reason);
    runs.splice(runs.indexOf(run), 1);
    await Promise.all([run.server.stop(), run.twin?.stop()]);
  };

  try {
    log('starting the server processes');
    // initdb takes seconds: the processes that need no template start meanwhile.
    const template = selection.servers.some((def) => def.store === 'embedded') ? prepareTemplate(root) : Promise.resolve(undefined);
    // A few starts at a time: twenty processes starting at once on a busy 2-core machine made an
    // API's first store connection time out (the start is not what is measured).
    const starting = atMost(4);
    await Promise.all([
      ...selection.peers.map(async (def) => {
        if (def.needsRedis && !redis.ok) return void skipped.set(def.name, redis.reason);
        try {
          peers.push(await starting(() => launchPeer(def, { namespace, user, cpuProfileDir })));
          if (def.needsRedis) usedStores.redis = true;
        } catch (err) {
          failed.set(def.name, messageOf(err));
        }
      }),
      ...selection.servers.map(async (def) => {
        if (def.store === 'redis') {
          const missing = [redis, postgres].find((a): a is { ok: false; reason: string } => !a.ok);
          if (missing) {
            for (const row of [def.name, ...(def.extraRows ?? []).map((e) => e.name)]) skipped.set(row, missing.reason);
            return;
          }
        }
        try {
          const dir = def.store === 'embedded' ? await template : undefined;
          const start = () => starting(() => launch(def, { root, template: dir, namespace, twin: true, cpuProfileDir }));
          runs.push(await twice(start, (err) => log(`${def.name}: start failed (${messageOf(err)}); once more`)));
          if (def.store === 'redis') usedStores.redis = usedStores.postgres = true;
        } catch (err) {
          for (const row of [def.name, ...(def.extraRows ?? []).map((e) => e.name)]) failed.set(row, messageOf(err));
        }
      }),
    ]);
    runs.sort((a, b) => serverDefs.indexOf(a.def) - serverDefs.indexOf(b.def));
    peers.sort((a, b) => peerDefs.indexOf(a.def) - peerDefs.indexOf(b.def));
    for (const [name, reason] of skipped) log(`${name}: skipped: ${reason}`);
    if (!bareRun()) throw new Error(`the bare Express route did not start: ${failed.get(bare) ?? 'not selected'}`);

    log('logging in the clients (peers: one login per connection; Authbench: register, then one login per connection)');
    for (const peer of [...peers]) {
      try {
        await setUpPeer(peer, user, settings.connections);
      } catch (err) {
        failed.set(peer.def.name, messageOf(err));
        peers.splice(peers.indexOf(peer), 1);
        await peer.server.stop();
      }
    }
    if (!bareRun()) throw new Error(`the bare Express route failed: ${failed.get(bare) ?? ''}`);
    for (const run of [...runs]) {
      try {
        await setUpRun(run, settings.connections);
      } catch (err) {
        await dropRun(run, messageOf(err));
      }
    }

    // Pinned only now, so that starting the servers could use every core.
    pinned = pinLoadGenerator();
    log(pinned ? 'servers on core 0, load generator on the others; warming up' : 'no CPU pinning (taskset missing or one core); warming up');
    const groups = () => [{ name: 'peers', run: undefined, items: groupOfPeers() }, ...runs.map((run) => ({ name: run.def.name, run, items: groupOfRun(run) }))];
    for (const group of settings.warmupSeconds > 0 ? groups() : []) {
      try {
        await measureGroup(group.items, { seconds: settings.warmupSeconds, slices: 1, connections: settings.connections });
      } catch (err) {
        if (group.run) await dropRun(group.run, `warm-up: ${messageOf(err)}`);
        else throw err;
      }
    }

    for (let round = 0; round < settings.rounds; round++) {
      log(`round ${round + 1} of ${settings.rounds}`);
      const ordered = groups();
      // Alternate the order, so that no group (and, inside groups, no item) always runs first.
      if (round % 2 === 1) ordered.reverse();
      for (const group of ordered) {
        try {
          // Tokens live 5 minutes: each client refreshes before its turn, as the SPA would.
          if (group.run && canRefresh(group.run.def.mode)) {
            const run = group.run;
            run.credentials = await Promise.all(run.credentials.map((c) => refresh(run.server.api, c)));
          }
          const items = round % 2 === 1 ? [...group.items].reverse() : group.items;
          const measured = await measureGroup(items, settings);
          const proofs = group.run && proofPools.get(group.run)?.stats();
          if (proofs) log(`  ${group.name}: proofs signed ahead of the last slice ${proofs.signed} (${proofs.signingUsPerProof.toFixed(0)} µs each), signed inline in it ${proofs.signedInline}`);
          for (const [key, result] of measured) {
            record(key, result);
            log(
              `  ${key.padEnd(34)} ${Math.round(result.rps).toString().padStart(6)} req/s  ${result.cpuUsPerReq.toFixed(0).padStart(5)} µs CPU/req  p99 ${result.p99.toFixed(1).padStart(6)} ms` +
                (result.otherCpu === undefined ? '' : `  (others took ${(result.otherCpu * 100).toFixed(0)} % of core 0)`),
            );
          }
        } catch (err) {
          if (!group.run) throw err;
          log(`  ${group.name}: failed: ${messageOf(err)}`);
          await dropRun(group.run, messageOf(err));
        }
      }
    }

    log('prices in-process: the DPoP proof and replay checks, express-session\'s floor');
    prices = await measurePrices({
      iterations: quick ? 2000 : 20_000,
      redis: redis.ok ? { url: urls.redis, keyPrefix: `${namespace}_prices:` } : undefined,
    });
    if (redis.ok) usedStores.redis = true;
    log(`  ${JSON.stringify(prices)}`);

    log('store round trips, credential sizes, revocation, logins, refreshes, login flood');
    const countRoundTrips = async (server: ServerProcess, base: string, headers: (i: number) => Record<string, string>): Promise<RoundTrips> => {
      await server.countStart();
      for (let i = 0; i < settings.countRequests; i++) {
        const res = await me(base, headers(i));
        if (res.status !== 200) throw new Error(`round-trip count: ${base} answered ${res.status}`);
      }
      const counts = await server.countStop();
      const per = (n: number) => n / settings.countRequests;
      return { pglite: per(counts.pglite), postgres: per(counts.postgres), redis: per(counts.redis) };
    };
    const round3 = (n: number) => Math.round(n * 1000) / 1000;
    const round1 = (n: number) => Math.round(n * 10) / 10;
    const total = (t: RoundTrips) => t.pglite + t.postgres + t.redis;

    for (const peer of peers) {
      try {
        const trips = await countRoundTrips(peer.server, peer.server.api, (i) => peer.headers[i % peer.headers.length]!);
        extras.set(peer.def.name, {
          credentialBytes: Object.entries(peer.headers[0]!).reduce((n, [name, value]) => n + Buffer.byteLength(`${name}: ${value}`), 0),
          storeRoundTrips: { pglite: round3(trips.pglite), postgres: round3(trips.postgres), redis: round3(trips.redis) },
        });
      } catch (err) {
        failed.set(peer.def.name, messageOf(err));
      }
    }
    for (const run of [...runs]) {
      try {
        const headersOf = (i: number) => meHeaders(run.credentials[i % run.credentials.length]!);
        // jwt-dpop: the load ended a while ago, and with it the last nonce the clients were given.
        await takeCurrentNonce(run.server.api, run.credentials);
        const base = await countRoundTrips(run.server, run.server.baseline!, headersOf);
        const api = await countRoundTrips(run.server, run.server.api, headersOf);
        const { mode } = run.def;
        const logins = await measureLogins(run.server, mode, run.loginUser, settings.loginConcurrency, settings.loginSeconds);
        const refreshes = canRefresh(mode) ? await measureRefreshes(run.server, mode, run.loginUser, settings.refreshConcurrency, settings.refreshSeconds) : undefined;
        const revocation = await measureRevocation(run, settings.revocationWindowSeconds);
        if (canRefresh(mode)) run.credentials = await Promise.all(run.credentials.map((c) => refresh(run.server.api, c)));
        const flood = await meUnderLogins(
          itemOfServer(run, run.def.name, 'api', proofPoolOf(run)),
          () => startLogins(run.server, mode, run.loginUser, { concurrency: settings.floodConcurrency }),
          { seconds: settings.floodSeconds, connections: settings.connections },
        );
        extras.set(run.def.name, {
          credentialBytes: credentialBytes(run.credentials[0]!),
          storeRoundTrips: { pglite: round3(api.pglite), postgres: round3(api.postgres), redis: round3(api.redis) },
          authStoreRoundTrips: round3(total(api) - total(base)),
          baselineStoreRoundTrips: round3(total(base)),
          revocation,
          loginsPerSecond: round1(logins.perSecond),
          cpuUsPerLogin: Math.round(logins.cpuUsPer),
          ...(refreshes && { refreshesPerSecond: round1(refreshes.perSecond), cpuUsPerRefresh: Math.round(refreshes.cpuUsPer) }),
          loginFlood: { ...flood, concurrency: settings.floodConcurrency },
        });
        log(`  ${run.def.name}: GET /api/me p99 ${flood.quiet.p99.toFixed(1)} ms alone, ${flood.loaded.p99.toFixed(1)} ms during the login flood`);
      } catch (err) {
        log(`  ${run.def.name}: failed: ${messageOf(err)}`);
        await dropRun(run, messageOf(err));
      }
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

  const rows = summariseAll({ results, extras, runs, peers, skipped, failed, selection: selection.rows, prices });
  if (rows.some((row) => row.status === 'failed')) process.exitCode = 1;
  for (const row of rows) if (row.status === 'failed') log(`${row.name}: FAILED: ${row.reason ?? ''}`);

  const report: BenchResults = {
    machine: {
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      pinned,
      loadAverageAtStart,
    },
    command: quick ? 'BENCH_QUICK=1 pnpm bench' : 'pnpm bench',
    date: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    settings: { ...settings, ...(onlyRows && { rows: onlyRows }) },
    ...(prices && { prices }),
    rows,
  };
  const table = await writeResults(report, { updatePage: !quick && !onlyRows && process.exitCode !== 1 });
  if (!quick && !onlyRows && process.exitCode !== 1) await writeSeeds(log); // the seeds' table reads the latest.json just written
  process.stdout.write(`${table}\n`);
  log(`done in ${report.durationSeconds} s: bench/results/latest.md and latest.json written`);
  if (process.exitCode === 1) log('FAILED: see the rows above');
}

/**
 * A client logs in; a second client holds the same credential (the same cookie, or the same
 * access token, as a second tab would). The first logs out (through the twin process for the
 * distributed rows); the second then asks GET /api/me again and again until it is refused.
 */
async function measureRevocation(run: ServerRun, windowSeconds: number): Promise<RevocationResult> {
  const { api } = run.server;
  const holder = await signIn(api, run.def.mode, 'login', run.user);
  const other: Credential = { ...holder, jar: holder.jar.clone() };
  const check = await me(api, meHeaders(other));
  if (check.status !== 200) throw new Error(`revocation: the second client was refused before logout (${check.status})`);
  const via = run.twin ?? run.server;
  await signOut(via.api, holder);
  const loggedOut = performance.now();
  const windowMs = windowSeconds * 1000;
  let admitted = 0;
  let biteMs: number | null = null;
  while (performance.now() - loggedOut < windowMs) {
    const res = await me(api, meHeaders(other));
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

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const round1 = (n: number) => Math.round(n * 10) / 10;

interface Summary {
  results: Map<string, LoadResult[]>;
  extras: Map<RowName, Partial<RowResult>>;
  runs: ServerRun[];
  peers: PeerRun[];
  skipped: Map<RowName, string>;
  failed: Map<RowName, string>;
  selection: Set<RowName>;
  prices: Prices | undefined;
}

function summariseAll({ results, extras, runs, peers, skipped, failed, selection, prices }: Summary): RowResult[] {
  const get = (key: string) => results.get(key) ?? [];
  const peersBare = `${bare}@peers`;
  /** Per round: the row's req/s and CPU ratios to the bare route of its group. */
  const ratios = (key: string, bareKey: string) =>
    get(key).map((r, i) => {
      const b = get(bareKey)[i];
      return { rps: b ? r.rps / b.rps : Number.NaN, cpu: b ? b.cpuUsPerReq / r.cpuUsPerReq : Number.NaN };
    });

  const describe = (name: RowName) => {
    const peer = peerDefs.find((p) => p.name === name);
    if (peer) return { kind: (name === bare ? 'bare' : 'peer') as RowResult['kind'], description: peer.description };
    const def = serverOfRow(name)!;
    const extra = def.extraRows?.find((e) => e.name === name);
    return { kind: 'authbench' as const, description: extra?.description ?? def.description, mode: def.mode, store: def.store };
  };

  const rows: RowResult[] = [];
  for (const name of rowOrder) {
    if (!selection.has(name)) continue;
    const info = describe(name);
    const base = { name, ...info };
    if (skipped.has(name)) {
      rows.push({ ...base, status: 'skipped', reason: skipped.get(name)! });
      continue;
    }
    if (failed.has(name)) {
      rows.push({ ...base, status: 'failed', reason: failed.get(name)! });
      continue;
    }
    const peerRun = peers.find((p) => p.def.name === name);
    const def = serverOfRow(name);
    const run = def && runs.find((r) => r.def === def);
    if (name === bare && peerRun) {
      const all = [...results].filter(([key]) => key.startsWith(`${bare}@`)).flatMap(([, list]) => list);
      rows.push({
        ...base,
        status: 'ok',
        rps: Math.round(median(all.map((r) => r.rps))),
        p50: round3(median(all.map((r) => r.p50))),
        p99: round3(median(all.map((r) => r.p99))),
        cpuUsPerReq: round1(median(all.map((r) => r.cpuUsPerReq))),
        ratioToBare: 1,
        cpuRatioToBare: 1,
        ...extras.get(name),
      });
      continue;
    }
    const bareKey = peerRun ? peersBare : `${bare}@${def?.name ?? ''}`;
    const list = get(name);
    if ((!peerRun && !run) || list.length === 0) {
      rows.push({ ...base, status: 'failed', reason: 'did not complete' });
      continue;
    }
    const own = ratios(name, bareKey);
    const bares = get(bareKey);
    const peerRatios = (peer: PeerName | undefined) => (peer && peers.some((p) => p.def.name === peer) ? ratios(peer, peersBare) : undefined);
    const naivePeer = def?.naivePeer;
    const likePeer = def?.likePeer;
    const best = def ? bestPeerOf(def.mode) : undefined;
    const naive = peerRatios(naivePeer);
    const like = peerRatios(likePeer);
    const bestRatios = peerRatios(best);
    const baselines = def ? get(`${def.name}:baseline`) : [];
    const rounds: RoundResult[] = list.map((r, i) => ({
      rps: Math.round(r.rps),
      p50: round3(r.p50),
      p99: round3(r.p99),
      cpuUsPerReq: round1(r.cpuUsPerReq),
      bareRps: Math.round(bares[i]?.rps ?? Number.NaN),
      bareCpuUsPerReq: round1(bares[i]?.cpuUsPerReq ?? Number.NaN),
      ratioToBare: round3(own[i]!.rps),
      cpuRatioToBare: round3(own[i]!.cpu),
      ...(naive?.[i] && { ratioToPeer: round3(own[i]!.rps / naive[i].rps), cpuRatioToPeer: round3(own[i]!.cpu / naive[i].cpu) }),
      ...(like?.[i] && { ratioToLikePeer: round3(own[i]!.rps / like[i].rps), cpuRatioToLikePeer: round3(own[i]!.cpu / like[i].cpu) }),
      ...(bestRatios?.[i] && { ratioToBestPeer: round3(own[i]!.rps / bestRatios[i].rps), cpuRatioToBestPeer: round3(own[i]!.cpu / bestRatios[i].cpu) }),
      ...(baselines[i] && { ownBaselineRps: Math.round(baselines[i].rps), ownBaselineCpuUsPerReq: round1(baselines[i].cpuUsPerReq) }),
      serverCpu: round3(r.serverCpu),
      ...(r.otherCpu !== undefined && { otherCpu: round3(r.otherCpu) }),
      logLinesPerReq: round3(r.logLinesPerReq),
    }));
    const med = (pick: (r: RoundResult) => number | undefined) => {
      const values = rounds.map(pick).filter((v): v is number => v !== undefined);
      return values.length > 0 ? round3(median(values)) : undefined;
    };
    const ratioToBare = med((r) => r.ratioToBare)!;
    const cpuRatioToBare = med((r) => r.cpuRatioToBare)!;
    const ratioToPeer = med((r) => r.ratioToPeer);
    const cpuRatioToPeer = med((r) => r.cpuRatioToPeer);
    const likeRatio = med((r) => r.ratioToLikePeer);
    const likeCpuRatio = med((r) => r.cpuRatioToLikePeer);
    const bestRatio = med((r) => r.ratioToBestPeer);
    const bestCpuRatio = med((r) => r.cpuRatioToBestPeer);
    const target = def?.name === name ? def.target : undefined;
    const others = [...list, ...bares].map((r) => r.otherCpu).filter((n): n is number => n !== undefined);
    const row: RowResult = {
      ...base,
      status: 'ok',
      rps: Math.round(median(list.map((r) => r.rps))),
      p50: round3(median(list.map((r) => r.p50))),
      p99: round3(median(list.map((r) => r.p99))),
      cpuUsPerReq: round1(median(list.map((r) => r.cpuUsPerReq))),
      ratioToBare,
      cpuRatioToBare,
      ...(naivePeer && { naivePeer }),
      ...(ratioToPeer !== undefined && cpuRatioToPeer !== undefined && { ratioToPeer, cpuRatioToPeer, aheadOfPeer: ratioToPeer > 1, aheadOfPeerByCpu: cpuRatioToPeer > 1 }),
      ...(likePeer && { likePeer }),
      ...(likeRatio !== undefined &&
        likeCpuRatio !== undefined && { ratioToLikePeer: likeRatio, cpuRatioToLikePeer: likeCpuRatio, aheadOfLikePeer: likeRatio > 1, aheadOfLikePeerByCpu: likeCpuRatio > 1 }),
      ...(best && bestRatio !== undefined && bestCpuRatio !== undefined && { bestPeer: best, ratioToBestPeer: bestRatio, cpuRatioToBestPeer: bestCpuRatio }),
      ...(target !== undefined && { target, meetsTarget: ratioToBare >= target, meetsTargetByCpu: cpuRatioToBare >= target }),
      ...(baselines.length > 0 && {
        ratioToOwnBaseline: round3(median(list.map((r, i) => r.rps / (baselines[i]?.rps ?? Number.NaN)))),
        cpuRatioToOwnBaseline: round3(median(list.map((r, i) => (baselines[i]?.cpuUsPerReq ?? Number.NaN) / r.cpuUsPerReq))),
        ownBaselineRps: Math.round(median(baselines.map((r) => r.rps))),
        ownBaselineCpuUsPerReq: round1(median(baselines.map((r) => r.cpuUsPerReq))),
        authCpuUsPerReq: round1(median(list.map((r, i) => r.cpuUsPerReq - (baselines[i]?.cpuUsPerReq ?? Number.NaN)))),
        // Session rows: what is left of authentication once express-session's own floor is paid.
        ...(def?.mode === 'session' &&
          prices && { sessionPathOwnCpuUsPerReq: round1(median(list.map((r, i) => r.cpuUsPerReq - (baselines[i]?.cpuUsPerReq ?? Number.NaN))) - prices.sessionFloorUs) }),
      }),
      logLinesPerReq: round3(median(list.map((r) => r.logLinesPerReq))),
      logBytesPerReq: Math.round(median(list.map((r) => r.logBytesPerReq))),
      ...(others.length > 0 && { otherCpuMax: round3(Math.max(...others)) }),
      rounds,
      ...(def?.name === name ? extras.get(name) : peerRun ? extras.get(name) : undefined),
    };
    // As deployed means logged: a row (or like-for-like peer) whose process wrote no request log measured something else.
    if ((row.kind === 'authbench' || peerRun?.def.stack) && (row.logLinesPerReq ?? 0) < 0.9) {
      rows.push({ ...base, status: 'failed', reason: `the request log got ${num(row.logLinesPerReq)} lines per request, not one: logging is not on` });
      continue;
    }
    rows.push(row);
  }
  return rows;
}

const num = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(2));

if (process.argv.includes('--scale')) {
  const { runScale } = await import('./scale');
  await runScale();
} else {
  await main();
}
