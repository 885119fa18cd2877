import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RowName } from './rows';

export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
/** The README whose benchmark table (between the markers) a full run rewrites. */
const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

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

export interface RoundResult {
  rps: number;
  baselineRps: number;
  ratio: number;
  p50: number;
  p99: number;
  cpuRatio: number;
  cpuUsPerReq: number;
  baselineCpuUsPerReq: number;
  serverCpu: number;
  otherCpu?: number;
  baselineOtherCpu?: number;
}

export interface RowResult {
  name: RowName;
  status: 'ok' | 'skipped' | 'failed';
  description: string;
  reason?: string;
  mode?: string;
  store?: string;
  /** Median over the rounds. */
  rps?: number;
  /** Median of each round's requests/s over the baseline's in the same process and round. */
  ratio?: number;
  /**
   * Median of the baseline's CPU µs per request over the row's, same process and round: what the
   * ratio would be on a core of its own. Steadier than `ratio` when other processes share the core.
   */
  cpuRatio?: number;
  /** The most that other processes took of the server's core during any of the row's runs or its baselines. */
  otherCpuMax?: number;
  /** Milliseconds. */
  p50?: number;
  p99?: number;
  cpuUsPerReq?: number;
  baselineRps?: number;
  baselineCpuUsPerReq?: number;
  /** Server CPU per request beyond the baseline's: what authentication itself costs. */
  authCpuUsPerReq?: number;
  target?: number;
  meetsTarget?: boolean;
  rounds?: RoundResult[];
  /** Bytes of the credential header each request carries (`name: value`). */
  credentialBytes?: number;
  /** Per GET /api/me, by store (user lookup included). */
  storeRoundTrips?: { pglite: number; postgres: number; redis: number };
  /** Store round trips per request beyond the baseline's: what authentication adds. */
  authStoreRoundTrips?: number;
  baselineStoreRoundTrips?: number;
  revocation?: RevocationResult;
  loginsPerSecond?: number;
  cpuUsPerLogin?: number;
  refreshesPerSecond?: number;
  cpuUsPerRefresh?: number;
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
  rows: RowResult[];
}

const num = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

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
  const parts = [
    t.pglite && `${num(t.pglite, 2)} PGlite`,
    t.postgres && `${num(t.postgres, 2)} Postgres`,
    t.redis && `${num(t.redis, 2)} Redis`,
  ].filter(Boolean);
  return `${parts.join(' + ') || '0'} (auth: ${num(r.authStoreRoundTrips, 2)})`;
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, rows } = results;
  const lines: string[] = [];
  lines.push(`Command: \`${results.command}\` · ${results.date} · ${results.durationSeconds} s`);
  lines.push('');
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; ` +
      (machine.pinned ? 'server pinned to core 0, load generator (autocannon) on the other cores' : 'no CPU pinning') +
      `; load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
  );
  const s = results.settings;
  lines.push(
    `Each row: GET /api/me, ${String(s.connections)} connections (one login each), ${String(s.rounds)} rounds of ${String(s.seconds)} s, ` +
      'interleaved with the baseline in the same server process; medians over the rounds.' +
      (s.quick ? ' **Quick smoke run: too short to compare numbers.**' : ''),
  );
  lines.push('');
  lines.push('| row | req/s | ratio to baseline | target | p50 ms | p99 ms | server CPU µs/req | auth CPU µs/req | CPU ratio |');
  lines.push('|---|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.name} | ${r.status}: ${r.reason ?? ''} | | | | | | | |`);
      continue;
    }
    const byCpu = r.cpuRatio !== undefined && r.target !== undefined && r.cpuRatio >= r.target;
    const target =
      r.target === undefined
        ? ''
        : `≥ ${num(r.target, 2)}: ${r.meetsTarget ? 'met' : '**not met**'}${byCpu === r.meetsTarget ? '' : ` (by CPU: ${byCpu ? 'met' : 'not met'})`}`;
    lines.push(
      `| ${r.name} | ${num(r.rps)} | ${num(r.ratio, 2)} | ${target} | ${num(r.p50, 2)} | ${num(r.p99, 2)} | ${num(r.cpuUsPerReq)} | ${r.authCpuUsPerReq === undefined ? '' : num(r.authCpuUsPerReq)} | ${num(r.cpuRatio, 2)} |`,
    );
  }
  lines.push('');
  lines.push(
    'Ratio: the row\'s req/s over its baseline\'s, same process and round (median of the rounds). ' +
      'CPU ratio: the baseline\'s server CPU per request over the row\'s, the same comparison measured in CPU time, ' +
      'which other processes on the machine disturb far less. Auth CPU: the row\'s server CPU per request minus its baseline\'s ' +
      '(median of the rounds), the absolute cost of authentication; the baseline\'s own CPU is mostly its user lookup in the store.',
  );
  const disturbed = Math.max(0, ...rows.map((r) => r.otherCpuMax ?? 0));
  if (disturbed > 0.05) {
    lines.push(
      `**Other processes took up to ${num(disturbed * 100)} % of the server's core during some runs** ` +
        '(see `otherCpu` per round in latest.json): those runs lost requests/s to them, so read the req/s ratios with care.',
    );
  }
  lines.push('');
  lines.push('| row | credential bytes/request | store round trips/request | revocation bites after | login/s (Argon2id) | refresh/s |');
  lines.push('|---|---:|---|---|---:|---:|');
  for (const r of rows) {
    if (r.status !== 'ok' || r.name === 'baseline' || r.credentialBytes === undefined) continue;
    const logins = r.loginsPerSecond === undefined ? '–' : `${num(r.loginsPerSecond, 1)} (${num(r.cpuUsPerLogin)} µs CPU)`;
    const refreshes = r.refreshesPerSecond === undefined ? 'n/a' : `${num(r.refreshesPerSecond)} (${num(r.cpuUsPerRefresh)} µs CPU)`;
    lines.push(`| ${r.name} | ${num(r.credentialBytes)} | ${tripsText(r)} | ${revocationText(r)} | ${logins} | ${refreshes} |`);
  }
  lines.push('');
  lines.push('Rows:');
  for (const r of rows) {
    const own = r.baselineRps === undefined ? '' : ` Its own baseline: ${num(r.baselineRps)} req/s, ${num(r.baselineCpuUsPerReq)} µs CPU/req.`;
    lines.push(`- \`${r.name}\`: ${r.description}.${own}`);
  }
  return lines.join('\n');
}

const markers = { start: '<!-- bench:results:start -->', end: '<!-- bench:results:end -->' };

export async function writeResults(results: BenchResults, options: { updateReadme: boolean }): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const markdown = renderMarkdown(results);
  await writeFile(`${resultsDir}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${resultsDir}latest.md`, `# Authbench: GET /api/me per auth mode and store\n\n${markdown}\n`);
  if (options.updateReadme) {
    const readme = await readFile(readmePath, 'utf8').catch(() => '');
    const from = readme.indexOf(markers.start);
    const to = readme.indexOf(markers.end);
    if (from !== -1 && to > from) {
      await writeFile(readmePath, `${readme.slice(0, from + markers.start.length)}\n${markdown}\n${readme.slice(to)}`);
    }
  }
  return markdown;
}
