/**
 * `pnpm --filter @authbench/bench profile [row ...]`: where a row's CPU goes. For each row, its
 * server (as the bench starts it) is driven for a while on the baseline and then on the row,
 * each under V8's sampling profiler (the one `node --cpu-prof` uses), started after warm-up and
 * stopped before the next run. Writes bench/results/<row>-<target>.cpuprofile (open them in
 * Chrome DevTools) and prints self and inclusive time per package, in µs per request.
 * BENCH_PROFILE_SECONDS sets the length of each run (default 10).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultVerifiedTokenCacheSize } from '@authbench/api/auth/verified-token-cache';
import { refresh } from './client';
import { createColdTokens, launch, measureInterleaved, pinLoadGenerator, prepareTemplate, setUpRun, type ColdTokens, type ServerRun } from './harness';
import { resultsDir } from './report';
import { serverDefs, type RowName } from './rows';
import { cleanUpNamespace, probePostgres, probeRedis } from './stores';
import { storeUrls } from './harness';
import { renderSummary, summariseProfile } from './profile-summary';

const seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 10) || 10;
const connections = 10;
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const targets = serverDefs.filter((def) => wanted.length === 0 || wanted.includes(def.name) || def.extraRows?.some((e) => wanted.includes(e.name)));

async function profileRun(run: ServerRun, row: RowName, cold?: ColdTokens) {
  const items = [{ row, coldTokens: cold }];
  await measureInterleaved(run, items, { seconds: 2, slices: 1, connections });
  await run.server.profileStart(1000);
  const result = (await measureInterleaved(run, items, { seconds, slices: 1, connections })).get(row)!;
  const file = path.join(resultsDir, `${run.def.name}-${row === run.def.name ? 'row' : row}.cpuprofile`);
  await run.server.profileStop(file);
  const summary = await summariseProfile(file, 18);
  process.stdout.write(
    `\n=== ${row} (${run.def.name} process): ${Math.round(result.rps)} req/s, ${result.cpuUsPerReq.toFixed(0)} µs CPU/req (process, all threads)\n` +
      `${renderSummary(path.relative(process.cwd(), file), summary, result.requests)}\n`,
  );
}

async function main() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'authbench-profile-'));
  const namespace = `bench_profile_${process.pid}_${randomBytes(4).toString('hex')}`;
  let usedDistributed = false;
  try {
    const template = targets.some((def) => def.store === 'embedded') ? await prepareTemplate(root) : undefined;
    for (const def of targets) {
      if (def.store === 'redis') {
        const missing = [await probeRedis(storeUrls.redis), await probePostgres(storeUrls.postgres)].find((a) => !a.ok);
        if (missing && !missing.ok) {
          process.stdout.write(`\n=== ${def.name}: skipped: ${missing.reason}\n`);
          continue;
        }
        usedDistributed = true;
      }
      const run = await launch(def, { root, template, namespace, peer: false });
      pinLoadGenerator();
      try {
        await setUpRun(run, connections);
        if (def.mode === 'jwt') run.credentials = await Promise.all(run.credentials.map((c) => refresh(run.server.api, c)));
        await profileRun(run, 'baseline');
        await profileRun(run, def.name);
        for (const extra of def.extraRows ?? []) {
          if (wanted.length > 0 && !wanted.includes(extra.name)) continue;
          await profileRun(run, extra.name, createColdTokens(run, defaultVerifiedTokenCacheSize));
        }
      } finally {
        await run.server.stop();
      }
    }
  } finally {
    await cleanUpNamespace(storeUrls, namespace, { redis: usedDistributed, postgres: usedDistributed });
    await rm(root, { recursive: true, force: true });
  }
}

await main();
