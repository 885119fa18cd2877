// @vitest-environment jsdom
import type { ConfigResponse } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import type { AttackerServer } from '../attacker';
import { sameOrigin } from '../../../test/deployment';
import { runExperiment } from '../runner';
import type { SinkResult } from '../sink-page';
import type { SinkWindow } from '../sink-window';
import { sinks, type SinkId } from '../sinks';
import { scriptInjectionExperiment } from './script-injection';

const config: ConfigResponse = { authMode: 'jwt', cookies: [], deployment: sameOrigin };
const target = { url: 'http://api.test', config };
const attacker: AttackerServer = { url: 'http://attacker.test', replay: () => Promise.reject(new Error('not in this test')) };

/** A sink page that answers as told: which sinks run with the policy, and whether the browser has Trusted Types. */
function fakeSinkWindow({ ranWithPolicy = [], idleWithout = [], trustedTypes = true }: { ranWithPolicy?: SinkId[]; idleWithout?: SinkId[]; trustedTypes?: boolean }): SinkWindow {
  return {
    run: (sink, withPolicy) => {
      const ran = withPolicy ? ranWithPolicy.includes(sink) : !idleWithout.includes(sink);
      const directive = sink === 'base' ? 'base-uri' : trustedTypes ? 'require-trusted-types-for' : 'script-src-elem';
      const result: SinkResult = {
        type: 'authbench-lab:sink-result',
        run: 'r',
        sink,
        attack: `attack on ${sink}`,
        ran,
        violations: withPolicy && !ran ? [{ directive, blockedUri: 'inline', disposition: 'enforce', sample: '', policy: "script-src 'self'" }] : [],
        trustedTypes,
        ms: 5,
      };
      return Promise.resolve(result);
    },
    close: () => undefined,
  };
}

const run = (sinkWindow: SinkWindow | null) => runExperiment(scriptInjectionExperiment, target, { attacker, attackerPage: null, sinkWindow });

describe('"Can a script get in?"', () => {
  it('holds when no sink runs under the policy and every one runs without it, naming what refused them', async () => {
    const record = await run(fakeSinkWindow({}));
    expect(record.verdict).toBe('held');
    expect(record.figure).toBe(`none of ${sinks.length} sinks ran (all ${sinks.length} without the policy)`);
    expect(record.summary).toContain(`blocked by require-trusted-types-for ×${sinks.length - 1}, base-uri`);
    expect(record.summary).toContain('Trusted Types: enforced by this browser');
    // One step per sink and policy, and the policy the page was served with.
    expect(record.evidence.filter((step) => step.actor === 'test page')).toHaveLength(2 * sinks.length + 1);
  });

  it('says so where the browser has no Trusted Types, and holds on the policy alone', async () => {
    const record = await run(fakeSinkWindow({ trustedTypes: false }));
    expect(record.verdict).toBe('held');
    expect(record.summary).toContain('Trusted Types: not supported by this browser, so only the Content-Security-Policy part applies');
  });

  it('is broken by any sink that runs under the policy', async () => {
    const record = await run(fakeSinkWindow({ ranWithPolicy: ['eval', 'base'] }));
    expect(record.verdict).toBe('broken');
    expect(record.figure).toBe('2 of 10 sinks ran: eval, base');
  });

  it('proves nothing by a sink that does not run without the policy either', async () => {
    const record = await run(fakeSinkWindow({ idleWithout: ['foreign-script'] }));
    expect(record.verdict).toBe('error');
    expect(record.summary).toMatch(/^Could not run: without any policy, 1 of 10 sinks did not run either/);
  });

  it('cannot run without its window (a browser that blocked it)', async () => {
    const record = await run(null);
    expect(record.verdict).toBe('error');
    expect(record.summary).toContain('allow pop-ups for this page');
  });
});
