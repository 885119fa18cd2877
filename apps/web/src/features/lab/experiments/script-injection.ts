import type { LabOutcome } from '../../../lib/lab-results';
import type { Experiment } from '../lab-context';
import type { SinkResult } from '../sink-page';
import { sinks, type Sink } from '../sinks';

const count = (items: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => (n > 1 ? `${item} ×${n}` : item)).join(', ');
};

/** The event that decided a sink, in a line: the first violation, else what the sink threw. */
function decidedBy(result: SinkResult): string {
  const first = result.violations[0];
  if (first) return `${first.directive}, blocked ${first.blockedUri || '(no URI)'}`;
  return result.threw ?? 'no violation reported';
}

export const scriptInjectionExperiment: Experiment = {
  id: 'script-injection',
  title: 'Can a script get in?',
  tries: `A typical attacker’s string goes through each sink a real app exposes (${sinks.map((sink) => sink.label).join('; ')}) on a page of this app’s own origin, once served with the page policy this app’s server gives its pages, once served with none. The page listens for securitypolicyviolation: the directive and the blocked URI that decided each sink.`,
  appliesTo: () => true,
  needsSinkWindow: true,
  async run(context) {
    const { sinkWindow } = context;
    if (!sinkWindow) throw new Error('The sink page’s window is not open: it opens from a click on Run, and this browser blocked it (allow pop-ups for this page).');
    const results = { with: [] as { sink: Sink; result: SinkResult }[], without: [] as { sink: Sink; result: SinkResult }[] };
    for (const withPolicy of [true, false]) {
      for (const sink of sinks) {
        const result = await sinkWindow.run(sink.id, withPolicy);
        (withPolicy ? results.with : results.without).push({ sink, result });
        context.step({
          actor: 'test page',
          what: `${withPolicy ? 'With the policy' : 'Without a policy'}: ${sink.label}`,
          note: `${result.ran ? 'RAN' : 'blocked'}: ${result.attack}${result.threw ? ` · the sink threw ${result.threw}` : ''}`,
          headers: result.violations.map((violation) => `← securitypolicyviolation: ${violation.directive}, blocked ${violation.blockedUri || '(no URI)'}${violation.sample ? ` (“${violation.sample}”)` : ''}`),
          ms: result.ms,
        });
      }
    }
    const total = sinks.length;
    const ranWith = results.with.filter(({ result }) => result.ran);
    const ranWithout = results.without.filter(({ result }) => result.ran);
    const policy = results.with.flatMap(({ result }) => result.violations).find((violation) => violation.policy)?.policy;
    if (policy) context.step({ actor: 'test page', what: 'The policy the page was served with (as the browser reported it)', note: policy });
    const trustedTypes = results.with.every(({ result }) => result.trustedTypes);
    const typesNote = trustedTypes
      ? 'Trusted Types: enforced by this browser, which refused the strings at the DOM sinks themselves.'
      : 'Trusted Types: not supported by this browser, so only the Content-Security-Policy part applies here; it held without them.';
    const reason = `${count(results.with.map(({ result }) => result.violations[0]?.directive ?? 'no violation'))} · ${typesNote}`;

    if (ranWith.length > 0) {
      return {
        verdict: 'broken',
        summary: `Broken: under the page’s policy ${ranWith.length} of ${total} sinks ran (${ranWith.map(({ sink }) => sink.label).join('; ')}). ${typesNote}`,
        figure: `${ranWith.length} of ${total} sinks ran: ${ranWith.map(({ sink }) => sink.id).join(', ')}`,
        reason,
      } satisfies LabOutcome;
    }
    if (ranWithout.length < total) {
      // A sink that did not run even without the policy proves nothing by not running with it.
      const idle = results.without.filter(({ result }) => !result.ran);
      return {
        verdict: 'error',
        summary: `Could not run: without any policy, ${idle.length} of ${total} sinks did not run either (${idle.map(({ sink, result }) => `${sink.label}: ${decidedBy(result)}`).join('; ')}), so their block under the policy proves nothing. Is the attacker’s site running?`,
        figure: `inconclusive: ${idle.length} sinks ran without the policy neither`,
        reason,
      };
    }
    return {
      verdict: 'held',
      summary: `Held: under the page’s policy none of the ${total} sinks ran (blocked by ${count(results.with.map(({ result }) => result.violations[0]?.directive ?? result.threw ?? 'nothing reported'))}); served without it, all ${total} ran. ${typesNote}`,
      figure: `none of ${total} sinks ran (all ${total} without the policy)`,
      reason,
    };
  },
};
