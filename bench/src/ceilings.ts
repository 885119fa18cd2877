/**
 * `pnpm --filter @authbench/bench ceilings`: measures the store ceilings (store-ceilings.ts) and
 * writes bench/results/ceilings.json, then regenerates what reads it (seeds.ts). About 20 s.
 * CEILINGS_SECONDS sets the measured seconds per operation (default 3).
 */
import { writeFile } from 'node:fs/promises';
import { storeUrls } from './harness';
import { resultsDir } from './report';
import { writeSeeds } from './seeds';
import { measureStoreCeilings } from './store-ceilings';
import { probePostgres, probeRedis } from './stores';

const started = performance.now();
const log = (line: string) => process.stderr.write(`[ceilings ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

const reachable = await Promise.all([probeRedis(storeUrls.redis), probePostgres(storeUrls.postgres)]);
const unreachable = reachable.flatMap((a) => (a.ok ? [] : [a.reason]));
if (unreachable.length > 0) {
  // A ceiling of a store that is not there cannot be measured; the last committed one stays.
  for (const reason of unreachable) log(reason);
  process.exit(1);
}

const seconds = Number(process.env.CEILINGS_SECONDS) > 0 ? Number(process.env.CEILINGS_SECONDS) : 3;
const command = `${process.env.CEILINGS_SECONDS ? `CEILINGS_SECONDS=${seconds} ` : ''}pnpm --filter @authbench/bench ceilings`;
const ceilings = await measureStoreCeilings(storeUrls, { seconds, warmupSeconds: 0.5, keys: 10_000 }, command, log);
await writeFile(`${resultsDir}ceilings.json`, `${JSON.stringify(ceilings, null, 2)}\n`);
for (const note of ceilings.notes) log(note);
log('bench/results/ceilings.json written');
await writeSeeds(log);
