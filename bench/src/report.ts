import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { UnderLogins } from './logins';
import type { Prices } from './prices';
import type { PeerName, RowName } from './rows';

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
/** The page whose benchmark tables (between the markers) a full run rewrites. */
const benchmarkPage = fileURLToPath(new URL('../../docs/benchmark.md', import.meta.url));

export interface RevocationResult {
  /** From the logout's answer to the other client's first refusal; null: not refused in the window. */
  biteMs: number | null;
  /** Requests of the other client answered 200 after the logout had answered. */
  admittedAfterLogout: number;
  windowMs: number;
  logoutVia: 'same process' | 'another process';
  /** When not refused in the window: how long the access token still lives. */
  tokenExpiresInSeconds?: number;
}

/** One round of one row: its own numbers and its ratios to what was measured beside it. */
export interface RoundResult {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  /** The bare route measured in the same group (interleaved with this row). */
  bareRps: number;
  bareCpuUsPerReq: number;
  ratioToBare: number;
  cpuRatioToBare: number;
  ratioToPeer?: number;
  cpuRatioToPeer?: number;
  ratioToBestPeer?: number;
  cpuRatioToBestPeer?: number;
  ratioToLikePeer?: number;
  cpuRatioToLikePeer?: number;
  ownBaselineRps?: number;
  ownBaselineCpuUsPerReq?: number;
  serverCpu: number;
  otherCpu?: number;
  logLinesPerReq: number;
}

export interface RowResult {
  name: RowName;
  kind: 'bare' | 'peer' | 'authbench';
  status: 'ok' | 'skipped' | 'failed';
  description: string;
  reason?: string;
  mode?: string;
  store?: string;
  /** Medians over the rounds. */
  rps?: number;
  p50?: number;
  p99?: number;
  cpuUsPerReq?: number;
  /** Median over the rounds of the row's req/s over the bare route's, measured beside it in the same round. */
  ratioToBare?: number;
  /** Median over the rounds of the bare route's server CPU per request over the row's. */
  cpuRatioToBare?: number;
  naivePeer?: PeerName;
  /** Median over the rounds of (row's ratio to bare) / (peer's ratio to bare). Above 1: ahead of the peer. */
  ratioToPeer?: number;
  cpuRatioToPeer?: number;
  /** The same library as the peer behind this API's production stack (request log, helmet, CORS). */
  likePeer?: PeerName;
  ratioToLikePeer?: number;
  cpuRatioToLikePeer?: number;
  aheadOfLikePeer?: boolean;
  aheadOfLikePeerByCpu?: boolean;
  bestPeer?: PeerName;
  ratioToBestPeer?: number;
  cpuRatioToBestPeer?: number;
  /** Issue 11's target for ratioToBare, and whether it is met. */
  target?: number;
  meetsTarget?: boolean;
  /** The same verdict on the CPU ratio, which other processes on the machine disturb far less. */
  meetsTargetByCpu?: boolean;
  aheadOfPeer?: boolean;
  aheadOfPeerByCpu?: boolean;
  /** The old comparison: the same API process's middleware and user lookup without authentication. */
  ratioToOwnBaseline?: number;
  cpuRatioToOwnBaseline?: number;
  ownBaselineRps?: number;
  ownBaselineCpuUsPerReq?: number;
  /** Server CPU per request beyond the own baseline's: what authentication itself costs. */
  authCpuUsPerReq?: number;
  /** Session rows: authCpuUsPerReq minus express-session's floor (prices): what this API's session path adds to the library. */
  sessionPathOwnCpuUsPerReq?: number;
  logLinesPerReq?: number;
  logBytesPerReq?: number;
  /** The most that other processes took of the server's core during any of the row's runs or its bare route's. */
  otherCpuMax?: number;
  rounds?: RoundResult[];
  /** Bytes of the headers that authenticate each request (`name: value`). */
  credentialBytes?: number;
  /** Per GET /api/me, by store (user lookup included). */
  storeRoundTrips?: { pglite: number; postgres: number; redis: number };
  /** Store round trips per request beyond the own baseline's: what authentication adds. */
  authStoreRoundTrips?: number;
  baselineStoreRoundTrips?: number;
  revocation?: RevocationResult;
  loginsPerSecond?: number;
  cpuUsPerLogin?: number;
  refreshesPerSecond?: number;
  cpuUsPerRefresh?: number;
  /** GET /api/me alone and during a login flood (issue 8). */
  loginFlood?: UnderLogins & { concurrency: number };
}

export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    os: string;
    node: string;
    pinned: boolean;
    loadAverageAtStart: number[];
  };
  command: string;
  date: string;
  durationSeconds: number;
  settings: Record<string, unknown>;
  /** In-process prices of single pieces of a request (prices.ts). */
  prices?: Prices;
  rows: RowResult[];
}

/** The per-request prices beside the rows: what the algorithm or the library costs, whatever the API around it does. */
function pricesTable(p: Prices): string[] {
  const redis = p.replayRedis ? `${num(p.replayRedis.wallUs, 1)} wall, ${num(p.replayRedis.cpuUs, 1)} CPU` : 'not measured (no Redis)';
  return [
    `Prices per request, in-process (no HTTP; the bench's own process, off the servers' core; median of 3 runs of ${num(p.iterations)} after a warm-up), µs:`,
    '',
    '| piece | µs/request | what bounds it | rows that pay it |',
    '|---|---:|---|---|',
    `| DPoP proof check (parse, ES256 verify, htm/htu/iat/nonce/ath) | ${num(p.proofCheckUs, 1)} | the ES256 verification: ${num(p.es256VerifyUs, 1)} µs of it, once per request (a proof is single-use, so nothing can be cached) | jwt-dpop-* |`,
    `| DPoP replay check, process memory | ${num(p.replayMemoryUs, 1)} | a SHA-256 of jkt:jti and a Map entry | jwt-dpop-embedded |`,
    `| DPoP replay check, Redis SET NX | ${redis} | a Redis round trip on loopback (the wall time; the CPU is node-redis's) | jwt-dpop-redis |`,
    `| express-session's floor (session mode's options, its MemoryStore) | ${num(p.sessionFloorUs, 1)} | the library: cookie parse and unsign (HMAC), store read and touch (JSON), the session object and its change hash | session-* |`,
  ];
}

export const num = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const verdict = (met: boolean | undefined, byCpu: boolean | undefined) =>
  met === undefined ? '' : `${met ? 'met' : '**not met**'}${byCpu === undefined || byCpu === met ? '' : ` (by CPU: ${byCpu ? 'met' : 'not met'})`}`;

const pair = (ratio: number | undefined, cpu: number | undefined) => (ratio === undefined ? '' : `${num(ratio, 2)} (${num(cpu, 2)})`);

function revocationText(r: RowResult): string {
  const rev = r.revocation;
  if (!rev) return '–';
  const via = rev.logoutVia === 'another process' ? ', logout via another process' : '';
  if (rev.biteMs === null) {
    const left = rev.tokenExpiresInSeconds === undefined ? '' : `; the token lives ${rev.tokenExpiresInSeconds} s more`;
    return `not within ${rev.windowMs / 1000} s (${rev.admittedAfterLogout} admitted${left})${via}`;
  }
  return `${num(rev.biteMs, 1)} ms, ${rev.admittedAfterLogout} admitted${via}`;
}

function tripsText(r: RowResult): string {
  const t = r.storeRoundTrips;
  if (!t) return '–';
  const parts = [t.pglite && `${num(t.pglite, 2)} PGlite`, t.postgres && `${num(t.postgres, 2)} Postgres`, t.redis && `${num(t.redis, 2)} Redis`].filter(Boolean);
  return `${parts.join(' + ') || '0'}${r.authStoreRoundTrips === undefined ? '' : ` (auth: ${num(r.authStoreRoundTrips, 2)})`}`;
}

function floodText(r: RowResult): string[] {
  const f = r.loginFlood;
  if (!f) return [];
  const answers = Object.entries(f.loginAnswers)
    .sort()
    .map(([status, n]) => `${n} × ${status}`)
    .join(', ');
  const failed = f.loaded.non200 + f.loaded.errors > 0 ? ` (${f.loaded.non200} non-200, ${f.loaded.errors} errors)` : '';
  return [
    `${num(f.quiet.rps)} · ${num(f.quiet.p50, 1)} · ${num(f.quiet.p99, 1)} · ${num(f.quiet.max)}`,
    `${num(f.loaded.rps)} · ${num(f.loaded.p50, 1)} · **${num(f.loaded.p99, 1)}** · ${num(f.loaded.max)}${failed}`,
    `${num(f.loaded.p99 / f.quiet.p99, 1)}×`,
    `${num(f.loginsPerSecond, 1)} (${answers})`,
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, rows } = results;
  const s = results.settings;
  const lines: string[] = [];
  lines.push(`Command: \`${results.command}\` · ${results.date} · ${results.durationSeconds} s`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
      (machine.pinned ? 'every server pinned to core 0, the load generator (autocannon) to the other cores' : 'no CPU pinning') +
      `; load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
  );
  lines.push(
    `Each row: GET /api/me, ${String(s.connections)} connections (one login each), ${String(s.rounds)} rounds of ${String(s.seconds)} s in ${String(s.slices)} slices, ` +
      'interleaved with the bare Express route (and the row\'s own baseline) measured beside it; medians over the rounds.' +
      (s.quick ? ' **Quick smoke run: too short to compare numbers.**' : ''),
  );
  lines.push('');
  lines.push(
    '| row | req/s | ratio to bare (CPU) | target | naive peer | ratio to peer (CPU) | ahead of peer | ratio to fast-jwt (CPU) | like-for-like peer | ratio to it (CPU) | ahead of it | p50 ms | p99 ms | server CPU µs/req | ratio to own baseline (CPU) |',
  );
  lines.push('|---|---:|---:|---|---|---:|---|---:|---|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.name} | ${r.status}: ${r.reason ?? ''} | | | | | | | | | | | | | |`);
      continue;
    }
    const like = r.likePeer === undefined ? '' : `${r.likePeer}${r.ratioToLikePeer === undefined ? ' (not measured: see its row)' : ''}`;
    const target = r.target === undefined ? '' : `≥ ${num(r.target, 2)}: ${verdict(r.meetsTarget, r.meetsTargetByCpu)}`;
    const peer = r.naivePeer === undefined ? '' : `${r.naivePeer}${r.ratioToPeer === undefined ? ' (not measured: see its row)' : ''}`;
    lines.push(
      `| ${r.name} | ${num(r.rps)} | ${pair(r.ratioToBare, r.cpuRatioToBare)} | ${target} | ${peer} | ${pair(r.ratioToPeer, r.cpuRatioToPeer)} | ` +
        `${verdict(r.aheadOfPeer, r.aheadOfPeerByCpu)} | ${pair(r.ratioToBestPeer, r.cpuRatioToBestPeer)} | ${like} | ${pair(r.ratioToLikePeer, r.cpuRatioToLikePeer)} | ` +
        `${verdict(r.aheadOfLikePeer, r.aheadOfLikePeerByCpu)} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ${num(r.cpuUsPerReq)} | ` +
        `${pair(r.ratioToOwnBaseline, r.cpuRatioToOwnBaseline)} |`,
    );
  }
  lines.push('');
  lines.push(
    '**Ratio to bare**: the row\'s req/s over the bare Express route\'s, the bare route measured in the same round, interleaved with the row on the same core ' +
      '(median of the rounds); in brackets the **CPU ratio**, the bare route\'s server CPU per request over the row\'s, which other processes on the machine disturb far less. ' +
      '**Target**: issue 20\'s, on the req/s ratio (the CPU verdict is added where it differs). ' +
      '**Ratio to peer**: the row\'s ratio to bare over its naive peer\'s (each against the bare route measured beside it, same round); above 1.00 the row is ahead. ' +
      '**Like-for-like peer**: the same peer library behind the production stack this API runs (its request log to a drained pipe, helmet, CORS on the allowlist); the ratio to it is taken the same way. ' +
      '**Ratio to own baseline** (the old column): the row over the same API process serving GET /api/me with the same middleware and user lookup but no authentication: ' +
      'what authentication alone costs, not what the API costs.',
  );
  if (results.prices) {
    lines.push('');
    lines.push(...pricesTable(results.prices));
  }
  const disturbed = Math.max(0, ...rows.map((r) => r.otherCpuMax ?? 0));
  if (disturbed > 0.05) {
    lines.push('');
    lines.push(
      `**Other processes took up to ${num(disturbed * 100)} % of the servers' core during some runs** ` +
        '(`otherCpu` per round in latest.json): those runs lost requests/s to them, so read the req/s ratios beside the CPU ratios.',
    );
  }
  lines.push('');
  lines.push('| row | credential bytes/request | store round trips/request | revocation bites after | login/s (Argon2id) | refresh/s | request log/request |');
  lines.push('|---|---:|---|---|---:|---:|---:|');
  for (const r of rows) {
    if (r.status !== 'ok' || r.kind === 'bare') continue;
    const logins = r.loginsPerSecond === undefined ? 'n/a' : `${num(r.loginsPerSecond, 1)} (${num(r.cpuUsPerLogin)} µs CPU)`;
    const refreshes = r.refreshesPerSecond === undefined ? 'n/a' : `${num(r.refreshesPerSecond)} (${num(r.cpuUsPerRefresh)} µs CPU)`;
    const log = r.kind === 'peer' && !r.logLinesPerReq ? 'none' : `${num(r.logLinesPerReq, 2)} line, ${num(r.logBytesPerReq)} B`;
    lines.push(`| ${r.name} | ${num(r.credentialBytes)} | ${tripsText(r)} | ${r.kind === 'peer' ? 'n/a' : revocationText(r)} | ${logins} | ${refreshes} | ${log} |`);
  }
  const floods = rows.filter((r) => r.loginFlood);
  if (floods.length > 0) {
    const concurrency = floods[0]!.loginFlood!.concurrency;
    lines.push('');
    lines.push(
      `GET /api/me during a login flood (issue 8): ${String(s.connections)} connections on GET /api/me alone, then while ${concurrency} clients log in back to back ` +
        '(more than the process can hash), each for the same time; req/s · p50 ms · p99 ms · max ms (a request still waiting at the end is waited for and counted).',
    );
    lines.push('');
    lines.push('| row | GET /api/me alone | during the flood | p99 × | logins answered/s (answers) |');
    lines.push('|---|---|---|---:|---|');
    for (const r of floods) lines.push(`| ${r.name} | ${floodText(r).join(' | ')} |`);
  }
  lines.push('');
  lines.push('Rows:');
  for (const r of rows) {
    const floor = results.prices && r.sessionPathOwnCpuUsPerReq !== undefined ? `, of which express-session's floor ${num(results.prices.sessionFloorUs)} and the session path's own ${num(r.sessionPathOwnCpuUsPerReq)} µs/req` : '';
    const own = r.ownBaselineRps === undefined ? '' : ` Own baseline: ${num(r.ownBaselineRps)} req/s, ${num(r.ownBaselineCpuUsPerReq)} µs CPU/req; auth CPU ${num(r.authCpuUsPerReq)} µs/req${floor}.`;
    lines.push(`- \`${r.name}\`: ${r.description}.${own}`);
  }
  return lines.join('\n');
}

const markers = { start: '<!-- bench:results:start -->', end: '<!-- bench:results:end -->' };

export async function writeResults(results: BenchResults, options: { updatePage: boolean }): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const markdown = renderMarkdown(results);
  await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${resultsDir}latest.md`, `# Authbench: GET /api/me per auth mode and store, beside a bare Express route and the peers\n\n${markdown}\n`);
  if (options.updatePage) await replaceInPage(markers, markdown);
  return markdown;
}

/** Rewrites docs/benchmark.md between two markers (left alone where they are missing). */
export async function replaceInPage(between: { start: string; end: string }, markdown: string): Promise<boolean> {
  const page = await readFile(benchmarkPage, 'utf8').catch(() => '');
  const from = page.indexOf(between.start);
  const to = page.indexOf(between.end);
  if (from === -1 || to <= from) return false;
  await writeFile(benchmarkPage, `${page.slice(0, from + between.start.length)}\n${markdown}\n${page.slice(to)}`);
  return true;
}
