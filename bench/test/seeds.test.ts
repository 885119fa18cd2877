import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { authModes } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { num } from '../src/report';
import { buildSeeds, readSeedInputs, renderSeeds, seedsJsonPath, seedsMarkers, type SeedInputs } from '../src/seeds';

const benchmarkPage = fileURLToPath(new URL('../../docs/benchmark.md', import.meta.url));
const committed = await readSeedInputs();

const withoutRows = (inputs: SeedInputs, drop: (name: string) => boolean): SeedInputs => ({
  ...inputs,
  results: { ...inputs.results, rows: inputs.results.rows.filter((row) => !drop(row.name)) },
});
const cellOf = (inputs: SeedInputs, claim: string, mode: (typeof authModes)[number]) => buildSeeds(inputs).claims.find((c) => c.id === claim)!.cells[mode];

describe('the seeds’ table', () => {
  it('is what the committed results give, byte for byte, in docs/benchmark.md and in /inspect', async () => {
    const { json, markdown } = renderSeeds(committed);
    expect(await readFile(seedsJsonPath, 'utf8')).toBe(json);
    const page = await readFile(benchmarkPage, 'utf8');
    const section = page.slice(page.indexOf(seedsMarkers.start) + seedsMarkers.start.length, page.indexOf(seedsMarkers.end));
    expect(section).toBe(`\n${markdown}\n`);
  });

  it('answers every claim for every mode of the contract', () => {
    const seeds = buildSeeds(committed);
    expect(seeds.claims.map((claim) => claim.id)).toEqual(['storage', 'statefulness', 'scalability', 'security', 'revocation', 'data-size']);
    for (const claim of seeds.claims) expect(Object.keys(claim.cells)).toEqual([...authModes]);
  });

  it('says "not in this run" for a mode the run has no row for, and invents nothing', () => {
    const inputs = withoutRows(committed, (name) => name.startsWith('jwt-cookie-'));
    for (const claim of buildSeeds(inputs).claims) expect(claim.cells['jwt-cookie']).toEqual({ text: 'not in this run', measured: false, rows: [] });
    const onlyEmbedded = withoutRows(committed, (name) => name === 'session-redis');
    expect(cellOf(onlyEmbedded, 'revocation', 'session').text).toContain('distributed not in this run');
  });

  it('puts the store’s limit at its measured ceiling over the row’s round trips per request', () => {
    const row = committed.results.rows.find((r) => r.name === 'session-redis')!;
    const ceiling = committed.ceilings!.results.find((r) => r.op === 'redis-session-get')!;
    expect(cellOf(committed, 'scalability', 'session').text).toContain(`is the limit at ${num(ceiling.opsPerSecond / row.storeRoundTrips!.redis)} req/s`);
    expect(cellOf({ ...committed, ceilings: undefined }, 'scalability', 'session').text).toContain('Redis: its ceiling not measured yet');
  });

  it('reads jwt-dpop rows when a run has them, against the replay check’s ceiling', () => {
    const jwtRedis = committed.results.rows.find((r) => r.name === 'jwt-redis')!;
    const dpop = { ...jwtRedis, name: 'jwt-dpop-redis' as typeof jwtRedis.name, mode: 'jwt-dpop', storeRoundTrips: { pglite: 0, postgres: 0, redis: 1 } };
    // Whatever jwt-dpop rows the committed run has, this one alone stands for the mode here.
    const others = withoutRows(committed, (name) => name.startsWith('jwt-dpop-'));
    const inputs = { ...others, results: { ...others.results, rows: [...others.results.rows, dpop] } };
    const replay = committed.ceilings!.results.find((r) => r.op === 'redis-proof-replay')!;
    const cell = cellOf(inputs, 'scalability', 'jwt-dpop');
    expect(cell.measured).toBe(true);
    expect(cell.text).toContain(`one Redis (${num(replay.opsPerSecond)} DPoP replay SET NX/s here) is the limit at ${num(replay.opsPerSecond)} req/s`);
    expect(cellOf(inputs, 'storage', 'jwt-dpop').text).toContain('embedded not in this run');
  });
});
