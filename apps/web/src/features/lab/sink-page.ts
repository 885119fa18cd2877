import { z } from 'zod';
import { isSinkId, ranHook, sinkIds, sinks } from './sinks';

// The lab's sink page (lab-sinks.html): a page of this app's origin, served with the page policy
// or, asked with policy=off, without any. Opened by the lab (sink-window.ts), it feeds the one
// sink its URL names, listens for securitypolicyviolation, and tells the lab what happened.

export const SinkViolation = z.object({
  directive: z.string(),
  blockedUri: z.string(),
  disposition: z.string(),
  sample: z.string(),
  /** The policy that refused it, as the page was served with it. */
  policy: z.string(),
});
export type SinkViolation = z.infer<typeof SinkViolation>;

export const SinkResult = z.object({
  type: z.literal('authbench-lab:sink-result'),
  run: z.string(),
  sink: z.enum(sinkIds),
  /** The attacker's string, as fed. */
  attack: z.string(),
  ran: z.boolean(),
  /** What the sink threw when fed (a Trusted Types TypeError, an EvalError), if anything. */
  threw: z.string().optional(),
  violations: z.array(SinkViolation),
  /** Whether this browser has Trusted Types at all. */
  trustedTypes: z.boolean(),
  ms: z.number(),
});
export type SinkResult = z.infer<typeof SinkResult>;

/** How long the page waits for the string to run, and how long after the last violation for anything else. */
const limitMs = 2500;
const quietMs = 300;

/** The window that opened this page, if it is of this origin: only the lab's own page may drive it. */
function labOpener(): Window | null {
  try {
    const opener = window.opener as Window | null;
    return opener && opener.location.origin === location.origin ? opener : null;
  } catch {
    return null; // another origin's window: reading its location throws
  }
}

/**
 * Runs the sink this page's URL names, with the attacker's site of this build, and posts the
 * result to the lab. Nothing comes from the URL but the sink's name (one of the list) and the run's
 * id: the strings and the attacker's site are this build's own.
 */
export async function runSinkPage(attackerUrl: string): Promise<void> {
  const status = document.getElementById('status');
  const stage = document.getElementById('stage');
  const params = new URLSearchParams(location.search);
  const sinkId = params.get('sink');
  const opener = labOpener();
  const sink = sinks.find((each) => each.id === sinkId);
  if (!opener || !sink || !isSinkId(sinkId) || !stage) return;

  const violations: SinkViolation[] = [];
  let lastViolationAt = 0;
  window.addEventListener(
    'securitypolicyviolation',
    (event) => {
      violations.push({ directive: event.effectiveDirective, blockedUri: event.blockedURI, disposition: event.disposition, sample: event.sample, policy: event.originalPolicy });
      lastViolationAt = performance.now();
    },
    true,
  );
  // An object: the hook sets it from outside this function's flow.
  const state = { ran: false };
  Reflect.set(window, ranHook, (id: unknown) => {
    if (id === sink.id) state.ran = true;
  });

  const attack = sink.attack(new URL(attackerUrl).origin);
  if (status) status.textContent = `${sink.label}: ${attack}`;
  const started = performance.now();
  let threw: string | undefined;
  try {
    sink.feed(attack, stage);
  } catch (error) {
    threw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  // Until it runs, or the browser has said why not and then nothing more for a while, or the limit.
  while (!state.ran && performance.now() - started < limitMs && !(violations.length > 0 && performance.now() - lastViolationAt >= quietMs)) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const result: SinkResult = {
    type: 'authbench-lab:sink-result',
    run: params.get('run') ?? '',
    sink: sinkId,
    attack,
    ran: state.ran,
    ...(threw !== undefined && { threw }),
    violations,
    trustedTypes: 'trustedTypes' in window,
    ms: Math.round(performance.now() - started),
  };
  if (status) status.textContent = `${sink.label}: ${state.ran ? 'ran' : 'did not run'}${violations[0] ? ` (${violations[0].directive})` : ''}.`;
  opener.postMessage(result, location.origin);
}
