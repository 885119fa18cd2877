// @vitest-environment jsdom
import type { ConfigResponse } from '@authbench/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttackerServer } from './attacker';
import type { Experiment } from './lab-context';
import { runExperiment } from './runner';
import { sameOrigin } from '../../test/deployment';

afterEach(() => vi.useRealTimers());

const config: ConfigResponse = { authMode: 'session', cookies: [], csrfHeader: 'X-CSRF-Token', deployment: sameOrigin };
const target = { url: 'http://api.test', config };
const attacker: AttackerServer = { url: 'http://attacker.test', replay: () => Promise.reject(new Error('not in this test')) };

const experiment = (run: Experiment['run']): Experiment => ({ id: 'stuck', title: 'Stuck', tries: 'x', appliesTo: () => true, run });

describe('runExperiment', () => {
  it('ends a run that never settles at the time bound, naming its last step, so that "Run in every mode" goes on', async () => {
    vi.useFakeTimers();
    const running = runExperiment(
      experiment((context) => {
        context.step({ actor: 'lab', what: 'Waited for the attacker’s page' });
        return new Promise(() => undefined);
      }),
      target,
      { attacker, attackerPage: null, sinkWindow: null },
    );
    await vi.advanceTimersByTimeAsync(90_000);
    const record = await running;
    expect(record.verdict).toBe('error');
    expect(record.summary).toBe('Could not run: Did not finish within 90 s (the last step: Waited for the attacker’s page).');
  });

  it('keeps the outcome of a run that settles in time', async () => {
    const record = await runExperiment(
      experiment(() => Promise.resolve({ verdict: 'held', summary: 'Held: fine.', figure: 'fine' })),
      target,
      { attacker, attackerPage: null, sinkWindow: null },
    );
    expect(record).toMatchObject({ verdict: 'held', summary: 'Held: fine.' });
  });
});
