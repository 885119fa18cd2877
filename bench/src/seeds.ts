/**
 * The seeds' table answered: each claim the usual session-vs-JWT articles make (storage location,
 * statefulness, scalability, security, logout, data size), per mode, with the figures of the
 * committed runs that decide it. Reads bench/results/{latest,scale,ceilings}.json, writes the
 * section of docs/benchmark.md between the `bench:seeds` markers and
 * apps/web/src/features/inspect/bench-seeds.json (/inspect). Nothing here measures, and no figure is
 * typed in: a mode with no row in the run says "not in this run".
 * `pnpm --filter @authbench/bench seeds` regenerates both; a full `pnpm bench` and `ceilings` do too.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { authModes, BenchSeeds, modeTraits, type AuthMode, type ModeTraits, type SeedCell, type SeedClaim, type SeedClaimId, type SeedSource } from '@authbench/contract';
import { num, replaceInPage, resultsDir, type BenchResults, type RowResult } from './report';
import type { CeilingOp, CeilingResult, StoreCeilings } from './store-ceilings';

export const seedsMarkers = { start: '<!-- bench:seeds:start -->', end: '<!-- bench:seeds:end -->' };
export const seedsJsonPath = fileURLToPath(new URL('../../apps/web/src/features/inspect/bench-seeds.json', import.meta.url));

/** What the generator reads of scale.json (bench/src/scale.ts writes it). */
export interface ScaleInput {
  date: string;
  machine: { node: string; cores: number; loadAverageAtStart: number[] };
  results: { row: string; size: number; bytesPerLogin: number; rps: number }[];
}

export interface SeedInputs {
  results: BenchResults;
  scale?: ScaleInput | undefined;
  ceilings?: StoreCeilings | undefined;
}

type Store = 'embedded' | 'redis';
const stores: Store[] = ['embedded', 'redis'];
const notInRun = 'not in this run';

/** The store operation that a request of each mode needs from the shared Redis when its cache cannot answer. */
const redisOpOf: Record<AuthMode, CeilingOp> = {
  session: 'redis-session-get',
  jwt: 'redis-revocation-check',
  'jwt-cookie': 'redis-revocation-check',
  'jwt-dpop': 'redis-proof-replay',
};
const opWords: Record<CeilingOp, string> = {
  'redis-session-get': 'session GET',
  'redis-revocation-check': 'revocation EXISTS',
  'redis-proof-replay': 'DPoP replay SET NX',
  'postgres-user-by-id': 'user SELECT by id',
};

/** Where each mode's credential travels (the contract's traits), in the words of the table. */
const credentialWords: Record<ModeTraits['security'], string> = {
  sessionCookie: 'the session cookie (an id)',
  bearer: 'the access token in an Authorization: Bearer header, held by script',
  accessCookie: 'the access token in an HttpOnly cookie',
  dpop: 'the access token in an Authorization: DPoP header with a DPoP proof, held by script',
};

/** What a login leaves in the stores: a session, or a refresh family (SPEC §3's storage table). */
const loginOf = (mode: AuthMode) => (modeTraits[mode].refreshToken ? 'refresh family' : 'session');
/** Where a distributed deployment keeps a login (SPEC §3): sessions in Redis, refresh families in PostgreSQL. */
const distributedStoreOf = (mode: AuthMode) => (loginOf(mode) === 'session' ? 'Redis' : 'PostgreSQL');

const claims: { id: SeedClaimId; topic: string; claim: string }[] = [
  { id: 'storage', topic: 'Storage location', claim: 'A session lives on the server; a JWT lives in the client.' },
  { id: 'statefulness', topic: 'Statefulness', claim: 'JWTs are stateless; sessions are stateful.' },
  { id: 'scalability', topic: 'Scalability', claim: 'Sessions don’t scale: every request hits the session store.' },
  { id: 'security', topic: 'Security', claim: 'A JWT, once out, cannot be taken back; a session can.' },
  { id: 'revocation', topic: 'Logout and revocation', claim: 'Logging out of a session is immediate; a JWT lives until it expires.' },
  { id: 'data-size', topic: 'Data size', claim: 'A JWT is much larger than a session id on every request.' },
];

const sentence = (parts: (string | false | undefined)[]) =>
  parts
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .join('; ')
    .concat('.');

/** The claims' cells, from one run's files. */
function createReader({ results, scale, ceilings }: SeedInputs) {
  const rowOf = (mode: AuthMode, store: Store): RowResult | undefined => results.rows.find((r) => r.name === `${mode}-${store}` && r.status === 'ok');
  const rowsOf = (mode: AuthMode) => stores.flatMap((store) => (rowOf(mode, store) ? [{ store, row: rowOf(mode, store)! }] : []));
  const scaleRowsOf = (name: string) => (scale?.results ?? []).filter((r) => r.row === name).sort((a, b) => a.size - b.size);
  const ceilingOf = (op: CeilingOp): CeilingResult | undefined => ceilings?.results.find((r) => r.op === op && r.errors === 0);
  const storeWords = (store: Store) => (store === 'embedded' ? 'embedded' : 'distributed');

  /** Both stores' figures for a mode, "embedded …, distributed …", a missing row said to be missing. */
  const perStore = (mode: AuthMode, words: (row: RowResult, store: Store) => string | undefined) =>
    stores
      .map((store) => {
        const row = rowOf(mode, store);
        return `${storeWords(store)} ${row ? (words(row, store) ?? '–') : notInRun}`;
      })
      .join(', ');

  /** Bytes each stored login takes, at the largest size the scale run filled. */
  const bytesPerLogin = (row: RowResult, store: Store, mode: AuthMode) => {
    const largest = scaleRowsOf(row.name).at(-1);
    const where = store === 'embedded' ? '' : ` in ${distributedStoreOf(mode)}`;
    return largest ? `${num(largest.bytesPerLogin)} B${where} (at ${num(largest.size)} logins)` : 'not in the scale run';
  };

  const roundTripsPer1000 = (row: RowResult) => {
    const trips = row.storeRoundTrips;
    if (!trips) return undefined;
    const parts = [
      trips.redis > 0 && `${num(trips.redis * 1000)} to Redis`,
      trips.postgres > 0 && `${num(trips.postgres * 1000)} to PostgreSQL`,
      trips.pglite > 0 && `${num(trips.pglite * 1000)} into the in-process database`,
    ].filter((part): part is string => typeof part === 'string');
    // The share authentication adds over the same process without it (the rest is the user lookup and the clients' upkeep).
    const own = row.authStoreRoundTrips === undefined ? '' : ` (authentication’s own: ${num(Math.max(0, row.authStoreRoundTrips) * 1000)})`;
    return `${parts.join(' + ') || 'none'}${own}`;
  };

  const revocationWords = (row: RowResult) => {
    const rev = row.revocation;
    if (!rev) return undefined;
    const via = rev.logoutVia === 'another process' ? ', logout through another process' : '';
    if (rev.biteMs === null) {
      const left = rev.tokenExpiresInSeconds === undefined ? '' : `, the token had ${num(rev.tokenExpiresInSeconds)} s left`;
      return `not refused within ${num(rev.windowMs / 1000)} s (${num(rev.admittedAfterLogout)} requests let in${left}${via})`;
    }
    return `${num(rev.biteMs, 1)} ms (${num(rev.admittedAfterLogout)} requests let in${via})`;
  };

  /** When one shared store becomes the limit: its measured ceiling over this row's round trips per request. */
  const limitWords = (mode: AuthMode, row: RowResult) => {
    const trips = row.storeRoundTrips;
    if (!trips || row.rps === undefined) return undefined;
    const against = (tripsPerRequest: number, op: CeilingOp, store: string) => {
      if (tripsPerRequest <= 0) return `${store}: no round trip per request, so never the limit`;
      const ceiling = ceilingOf(op);
      if (!ceiling) return `${store}: its ceiling not measured yet`;
      const limit = ceiling.opsPerSecond / tripsPerRequest;
      return `one ${store} (${num(ceiling.opsPerSecond)} ${opWords[op]}/s here) is the limit at ${num(limit)} req/s, ${num(limit / row.rps!)} API cores at this row’s ${num(row.rps)} req/s`;
    };
    return [against(trips.redis, redisOpOf[mode], 'Redis'), against(trips.postgres, 'postgres-user-by-id', 'PostgreSQL')].join('; ');
  };

  const cell = (used: RowResult[], text: (string | false | undefined)[]): SeedCell =>
    used.length === 0 ? { text: notInRun, measured: false, rows: [] } : { text: sentence(text), measured: true, rows: used.map((r) => r.name) };

  const answer: Record<SeedClaimId, (mode: AuthMode) => SeedCell> = {
    storage: (mode) =>
      cell(
        rowsOf(mode).map((r) => r.row),
        [
          `Server: a ${loginOf(mode)} per login, ${perStore(mode, (row, store) => bytesPerLogin(row, store, mode))}`,
          `browser: ${credentialWords[modeTraits[mode].security]}${modeTraits[mode].refreshToken ? ', and a refresh token in an HttpOnly cookie' : ''}`,
        ],
      ),
    statefulness: (mode) => {
      const rows = rowsOf(mode).map((r) => r.row);
      const stored = rows.flatMap((row) => scaleRowsOf(row.name).map((r) => r.bytesPerLogin));
      // The verdict follows the bytes: any login that takes room on the server is state.
      const verdict = stored.length === 0 ? 'State' : stored.some((bytes) => bytes > 0) ? 'Keeps state on the server' : 'Keeps no state on the server';
      return cell(rows, [
        `${verdict}, per login: ${perStore(mode, (row, store) => bytesPerLogin(row, store, mode))}`,
        modeTraits[mode].refreshToken && rows.some((row) => /revocation check on/.test(row.description)) && 'and a revocation list consulted on every request',
        `store round trips per 1,000 requests: ${perStore(mode, roundTripsPer1000)}`,
      ]);
    },
    scalability: (mode) => {
      const distributed = rowOf(mode, 'redis');
      const sizes = distributed ? scaleRowsOf(distributed.name) : [];
      const [smallest, largest] = [sizes[0], sizes.at(-1)];
      const embedded = rowOf(mode, 'embedded');
      return cell(
        rowsOf(mode).map((r) => r.row),
        [
          distributed
            ? `${distributed.name}: store round trips per 1,000 requests ${roundTripsPer1000(distributed) ?? '–'}; ${limitWords(mode, distributed) ?? '–'}`
            : `distributed: ${notInRun}`,
          smallest && largest && largest !== smallest && `req/s with ${num(largest.size)} logins stored: ${num(largest.rps / smallest.rps, 2)}× that with ${num(smallest.size)}`,
          embedded && `embedded (one process by design): ${num(embedded.rps)} req/s on one core`,
        ],
      );
    },
    security: (mode) => {
      // The one row that runs a mode without its revocation check: what a copied token is worth then.
      const unchecked = results.rows.find((r) => r.name === `${mode}-check-off` && r.status === 'ok');
      return cell(
        [...rowsOf(mode).map((r) => r.row), ...(unchecked ? [unchecked] : [])],
        [
          `A copy of the credential used after logout got in: ${perStore(mode, (row) => (row.revocation ? `${num(row.revocation.admittedAfterLogout)} times` : undefined))}`,
          unchecked && `with the revocation check off (${unchecked.name}): ${revocationWords(unchecked) ?? '–'}`,
          'what a script in the page or another site can do with it: the lab’s experiments answer, not the bench',
        ],
      );
    },
    revocation: (mode) => cell(rowsOf(mode).map((r) => r.row), [`A credential refused after its logout: ${perStore(mode, revocationWords)}`]),
    'data-size': (mode) => {
      const rows = rowsOf(mode).map((r) => r.row);
      const session = rowOf('session', 'redis') ?? rowOf('session', 'embedded');
      const own = rows.find((row) => row.credentialBytes !== undefined);
      return cell(rows, [
        `Credential per request: ${perStore(mode, (row) => (row.credentialBytes === undefined ? undefined : `${num(row.credentialBytes)} B`))}`,
        mode !== 'session' &&
          session?.credentialBytes !== undefined &&
          own?.credentialBytes !== undefined &&
          `${num(own.credentialBytes / session.credentialBytes, 1)}× the session cookie of ${session.name}`,
      ]);
    },
  };
  return answer;
}

/** The run behind each file, and what to know about its machine. */
function sourcesOf({ results, scale, ceilings }: SeedInputs): SeedSource[] {
  const busy = (load: number[] | undefined, cores: number) =>
    load?.[0] !== undefined && load[0] > cores / 2 ? [`Busy machine: load average ${num(load[0], 2)} on ${num(cores)} cores at the start.`] : [];
  const otherCpu = Math.max(0, ...results.rows.map((r) => r.otherCpuMax ?? 0));
  const sources: SeedSource[] = [
    {
      file: 'bench/results/latest.json',
      command: results.command,
      date: results.date,
      node: results.machine.node,
      notes: [
        ...busy(results.machine.loadAverageAtStart, results.machine.cores),
        ...(otherCpu > 0.05 ? [`Other processes took up to ${num(otherCpu * 100)} % of the servers’ core.`] : []),
      ],
    },
  ];
  if (scale) {
    sources.push({ file: 'bench/results/scale.json', command: 'pnpm bench --scale', date: scale.date, node: scale.machine.node, notes: busy(scale.machine.loadAverageAtStart, scale.machine.cores) });
  }
  if (ceilings) {
    sources.push({ file: 'bench/results/ceilings.json', command: ceilings.command, date: ceilings.date, node: ceilings.machine.node, notes: ceilings.notes });
  }
  return sources;
}

export function buildSeeds(inputs: SeedInputs): BenchSeeds {
  const answer = createReader(inputs);
  const table: SeedClaim[] = claims.map((claim) => ({
    ...claim,
    cells: Object.fromEntries(authModes.map((mode) => [mode, answer[claim.id](mode)])) as Record<AuthMode, SeedCell>,
  }));
  // Parsed against the contract's schema, so the SPA never reads a shape it does not expect.
  return BenchSeeds.parse({ sources: sourcesOf(inputs), claims: table });
}

const ceilingsTable = (ceilings: StoreCeilings) => [
  '| store operation | as the API sends it | connections × in flight | ops/s | client CPU | store CPU | ops/s per store core |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...ceilings.results.map(
    (r) =>
      `| ${opWords[r.op]} | \`${r.command}\` | ${num(r.connections)} × ${num(r.inFlightPerConnection)} | ${num(r.opsPerSecond)} | ${num(r.clientCpu, 2)} | ${r.serverCpu === undefined ? '–' : num(r.serverCpu, 2)} | ${r.serverCpu ? num(r.opsPerSecond / r.serverCpu) : '–'} |`,
  ),
];

/** The section of docs/benchmark.md: the runs, the ceilings, the claims per mode. */
export function renderSeedsMarkdown(seeds: BenchSeeds, ceilings: StoreCeilings | undefined): string {
  const lines: string[] = [];
  for (const source of seeds.sources) {
    lines.push(`- \`${source.file}\`: \`${source.command}\` · ${source.date} · Node ${source.node}${source.notes.length ? ` · ${source.notes.join(' ')}` : ''}`);
  }
  lines.push('');
  if (ceilings) {
    lines.push(
      `Store ceilings on this machine (${ceilings.machine.cpu}, ${num(ceilings.machine.cores)} cores; ${num(ceilings.settings.seconds)} s per operation over ${num(ceilings.settings.keys)} keys); CPU as a share of one core:`,
      '',
      ...ceilingsTable(ceilings),
      '',
    );
  } else {
    lines.push('Store ceilings: not measured yet (`pnpm --filter @authbench/bench ceilings`).', '');
  }
  lines.push(`| claim | ${authModes.join(' | ')} |`, `|---|${authModes.map(() => '---|').join('')}`);
  for (const claim of seeds.claims) {
    lines.push(`| **${claim.topic}**: “${claim.claim}” | ${authModes.map((mode) => claim.cells[mode].text).join(' | ')} |`);
  }
  return lines.join('\n');
}

const readJson = async <T>(file: string): Promise<T | undefined> => {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as T);
};

/** Reads the committed results files; latest.json must be there, the others may not yet be. */
export async function readSeedInputs(dir = resultsDir): Promise<SeedInputs> {
  const results = await readJson<BenchResults>(`${dir}latest.json`);
  if (!results) throw new Error(`${dir}latest.json: no results to read`);
  return { results, scale: await readJson<ScaleInput>(`${dir}scale.json`), ceilings: await readJson<StoreCeilings>(`${dir}ceilings.json`) };
}

/** The two generated texts, exactly as they are written. */
export function renderSeeds(inputs: SeedInputs) {
  const seeds = buildSeeds(inputs);
  return { json: `${JSON.stringify(seeds, null, 2)}\n`, markdown: renderSeedsMarkdown(seeds, inputs.ceilings) };
}

/** Regenerates docs/benchmark.md's seeds section and the SPA's bench-seeds.json from the committed results. */
export async function writeSeeds(log: (line: string) => void = () => {}): Promise<void> {
  const { json, markdown } = renderSeeds(await readSeedInputs());
  await writeFile(seedsJsonPath, json);
  const replaced = await replaceInPage(seedsMarkers, markdown);
  log(`seeds: ${seedsJsonPath} written${replaced ? ', docs/benchmark.md updated' : ' (docs/benchmark.md has no seeds markers)'}`);
}
