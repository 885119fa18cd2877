import type { ConfigResponse } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { buildMatrix, configKeyOf, createLabResults, describeCell, type LabExperimentInfo, type LabRecord } from './lab-results';
import { sameOrigin } from '../test/deployment';

const session: ConfigResponse = { authMode: 'session', cookies: [], deployment: sameOrigin, sessionIdleSeconds: 1800, sessionAbsoluteSeconds: 43_200, csrfHeader: 'X-CSRF-Token' };
const jwt: ConfigResponse = { authMode: 'jwt', cookies: [], deployment: sameOrigin, accessTokenTtlSeconds: 300, refreshTokenTtlSeconds: 604_800, revocationCheck: true };
const columns = [
  { url: 'http://session.test', config: session },
  { url: 'http://jwt.test', config: jwt },
];
const experiments: LabExperimentInfo[] = [
  { id: 'csrf', title: 'CSRF', appliesTo: () => true },
  { id: 'refresh', title: 'Refresh replay', appliesTo: (config) => config.refreshTokenTtlSeconds !== undefined },
];

const record = (url: string, experimentId: string, config: ConfigResponse, over: Partial<LabRecord> = {}): LabRecord => ({
  experimentId,
  url,
  mode: config.authMode,
  configKey: configKeyOf(config),
  verdict: 'held',
  summary: 'Held: nothing changed.',
  figure: 'name unchanged',
  startedAt: 0,
  durationMs: 10,
  evidence: [],
  ...over,
});

describe('the lab matrix', () => {
  it('says "not measured yet" until an experiment ran, and "not applicable" where the configuration rules it out', () => {
    const rows = buildMatrix(experiments, columns, new Map());
    expect(rows.map((row) => row.cells.map((cell) => describeCell(cell).text))).toEqual([
      ['not measured yet', 'not measured yet'],
      ['not applicable', 'not measured yet'],
    ]);
  });

  it('shows each API’s last result, with its verdict and figure', () => {
    const results = createLabResults();
    results.set(record('http://session.test', 'csrf', session));
    results.set(record('http://jwt.test', 'csrf', jwt, { verdict: 'broken', figure: 'renamed the user' }));
    results.set(record('http://jwt.test', 'csrf', jwt, { verdict: 'held', figure: 'still logged in' })); // a later run wins
    const [csrf] = buildMatrix(experiments, columns, results.snapshot());
    expect(csrf!.cells.map(describeCell)).toEqual([
      { verdict: 'held', text: 'held: name unchanged' },
      { verdict: 'held', text: 'held: still logged in' },
    ]);
  });

  it('does not pass off a result measured under other settings as current', () => {
    const results = createLabResults();
    results.set(record('http://jwt.test', 'refresh', { ...jwt, revocationCheck: false }));
    const [, refresh] = buildMatrix(experiments, columns, results.snapshot());
    expect(describeCell(refresh!.cells[1]!)).toEqual({ verdict: 'not-measured', text: 'not measured under the current settings' });
  });

  it('hands React a new snapshot per change, and tells its subscribers', () => {
    const results = createLabResults();
    const before = results.snapshot();
    let calls = 0;
    const unsubscribe = results.subscribe(() => calls++);
    results.set(record('http://jwt.test', 'csrf', jwt));
    expect(results.snapshot()).not.toBe(before);
    expect(calls).toBe(1);
    unsubscribe();
    results.clear();
    expect(calls).toBe(1);
    expect(results.snapshot().size).toBe(0);
  });
});
