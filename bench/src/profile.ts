/**
 * `pnpm --filter @authbench/bench profile [row ...]`: where a row's CPU goes. For each row, its
 * server (as the bench starts it: request log into a pipe, pinned to core 0) is driven for a
 * while under V8's sampling profiler (the one `node --cpu-prof` uses), started after warm-up and
 * stopped before the next run: an Authbench row's own baseline, then the row (and its extra
 * rows); a peer (the bare route too) on its own. Writes bench/results/<row>-<target>.cpuprofile
 * (open them in Chrome DevTools) and prints self and inclusive time per package, in µs per request.
 * BENCH_PROFILE_SECONDS sets the length of each run (default 10). No row named: every Authbench row.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultVerifiedTokenCacheSize } from '@authbench/api/auth/verified-token-cache';
import { canRefresh, refresh } from './client';
import {
  createColdTokens,
  itemOfPeer,
  itemOfServer,
  launch,
  launchPeer,
  measureGroup,
  peerUser,
  pinLoadGenerator,
  prepareTemplate,
  setUpPeer,
  setUpRun,
  storeUrls,
  type LoadItem,
} from './harness';
import { createProofPool } from './dpop-proof-pool';
import { renderSummary, summariseProfile } from './profile-summary';
import { resultsDir } from './report';
import { peerDefs, serverDefs } from './rows';
import { cleanUpNamespace, probePostgres, probeRedis } from './stores';

const seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 10) || 10;
const connections = 10;
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const known = new Set<string>([...peerDefs.map((p) => p.name), ...serverDefs.flatMap((d) => [d.name, ...(d.extraRows ?? []).map((e) => e.name)])]);
const unknown = wanted.filter((name) => !known.has(name));
if (unknown.length > 0) throw new Error(`unknown row ${unknown.join(', ')} (rows: ${[...known].join(', ')})`);
const servers = serverDefs.filter((def) => wanted.length === 0 || wanted.includes(def.name) || def.extraRows?.some((e) => wanted.includes(e.name)));
const peers = peerDefs.filter((def) => wanted.includes(def.name));

async function profileItem(item: LoadItem, file: string) {
  await measureGroup([item], { seconds: 2, slices: 1, connections });
  await item.server.profileStart(1000);
  const result = (await measureGroup([item], { seconds, slices: 1, connections })).get(item.key)!;
  await item.server.profileStop(file);
  const summary = await summariseProfile(file, 18);
  process.stdout.write(
    `\n=== ${item.key}: ${Math.round(result.rps)} req/s, ${result.cpuUsPerReq.toFixed(0)} µs CPU/req (process, all threads)\n` +
      `${renderSummary(path.relative(process.cwd(), file), summary, result.requests)}\n`,
  );
}

async function main() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'authbench-profile-'));
  const namespace = `bench_profile_${process.pid}_${randomBytes(4).toString('hex')}`;
  const used = { redis: false, postgres: false };
  try {
    for (const def of peers) {
      if (def.needsRedis) {
        const redis = await probeRedis(storeUrls.redis);
        if (!redis.ok) {
          process.stdout.write(`\n=== ${def.name}: skipped: ${redis.reason}\n`);
          continue;
        }
        used.redis = true;
      }
      const user = peerUser(namespace);
      const run = await launchPeer(def, { namespace, user });
      pinLoadGenerator();
      try {
        await setUpPeer(run, user, connections);
        await profileItem(itemOfPeer(run), path.join(resultsDir, `${def.name}.cpuprofile`));
      } finally {
        await run.server.stop();
      }
    }
    const template = servers.some((def) => def.store === 'embedded') ? await prepareTemplate(root) : undefined;
    for (const def of servers) {
      if (def.store === 'redis') {
        const missing = [await probeRedis(storeUrls.redis), await probePostgres(storeUrls.postgres)].find((a): a is { ok: false; reason: string } => !a.ok);
        if (missing) {
          process.stdout.write(`\n=== ${def.name}: skipped: ${missing.reason}\n`);
          continue;
        }
        used.redis = used.postgres = true;
      }
      const run = await launch(def, { root, template, namespace, twin: false });
      pinLoadGenerator();
      try {
        await setUpRun(run, connections);
        if (canRefresh(def.mode)) run.credentials = await Promise.all(run.credentials.map((c) => refresh(run.server.api, c)));
        const file = (target: string) => path.join(resultsDir, `${def.name}-${target}.cpuprofile`);
        await profileItem(itemOfServer(run, `${def.name} (own baseline)`, 'baseline'), file('baseline'));
        // jwt-dpop: a fresh proof per request, signed ahead as the bench does.
        const proofs = def.mode === 'jwt-dpop' ? createProofPool(run.server.api, () => run.credentials) : undefined;
        await profileItem(itemOfServer(run, def.name, 'api', proofs), file('row'));
        for (const extra of def.extraRows ?? []) {
          if (wanted.length > 0 && !wanted.includes(extra.name)) continue;
          await profileItem(itemOfServer(run, extra.name, 'api', createColdTokens(run, defaultVerifiedTokenCacheSize)), file(extra.name));
        }
      } finally {
        await run.server.stop();
      }
    }
  } finally {
    await cleanUpNamespace(storeUrls, namespace, used);
    await rm(root, { recursive: true, force: true });
  }
}

await main();
