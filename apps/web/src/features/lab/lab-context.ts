import type { ConfigResponse, User } from '@authbench/contract';
import { isApiError } from '../../api/api-error';
import { createApi, type Api } from '../../api/client';
import type { RequestLogEntry } from '../../api/request-log';
import type { EvidenceStep, LabExperimentInfo, LabOutcome } from '../../lib/lab-results';
import type { AttackerPage, AttackerServer } from './attacker';
import { createOutsideClient, type LabAccount, type OutsideClient } from './outside-client';
import { inject } from './payloads';
import type { SinkWindow } from './sink-window';

export interface LabTarget {
  url: string;
  config: ConfigResponse;
}

/** What one experiment needs; everything it shows comes from what these do. */
export interface LabContext {
  readonly target: LabTarget;
  /** This page's origin: the one the API allows. */
  readonly spaOrigin: string;
  readonly attacker: AttackerServer;
  /** The attacker's page, for the experiments that attack from another origin with this browser. */
  readonly attackerPage: AttackerPage | null;
  /** The window of the lab's sink page, for the experiment that feeds attacker strings to the page's sinks. */
  readonly sinkWindow: SinkWindow | null;
  readonly account: LabAccount;
  /** A client of the app's own transports for this API in this tab (the browser's cookie jar), logged in as the lab's account. */
  signIn(): Promise<Api>;
  /** The same, not logged in. */
  newClient(): Api;
  /** Another device of the lab's account, outside the browser (its requests leave from the attacker's server), logged in. */
  outside(label: string): Promise<OutsideClient>;
  /** A client outside the browser that has logged in nowhere: a thief, who brings what they stole. */
  stranger(label: string): OutsideClient;
  /**
   * Runs a payload as a script that got into this page (see payloads.ts: the premise of the cards
   * that use it); what it did goes into the evidence.
   */
  inject<A, R>(payload: (arg: A) => Promise<R>, arg: A): Promise<R>;
  step(step: Omit<EvidenceStep, 'at'>): void;
  elapsed(): number;
  /** Undone when the run ends, whatever happens (logouts, for instance). */
  defer(cleanup: () => unknown): void;
}

/** One claim of the comparison, as an experiment a person can run. */
export interface Experiment extends LabExperimentInfo {
  /** What it tries, in a sentence or two (the how, never the result). */
  tries: string;
  /** Why it does not apply to a configuration, in words computed from it. */
  notApplicable?: (config: ConfigResponse) => string;
  /**
   * What the experiment takes for granted, said on its card: the injected-script cards assume the
   * script got past the page's policy.
   */
  premise?: string;
  /** Needs the attacker's page opened from a click (window.open needs a person's gesture). */
  needsAttackerPage?: boolean;
  /** Needs the sink page's window, opened from a click too. */
  needsSinkWindow?: boolean;
  run(context: LabContext): Promise<LabOutcome>;
}

/** How a tab request went on the wire, for the evidence (the transports set these headers). */
function carriedBy(entry: RequestLogEntry): string[] {
  return [
    entry.authScheme && `→ Authorization: ${entry.authScheme} (from the tab’s memory)`,
    entry.proof && '→ DPoP: a proof signed by the tab’s key',
    entry.csrfHeader && '→ X-CSRF-Token (from the tab’s memory)',
    entry.withCredentials && '→ the browser’s cookies for the API (withCredentials)',
  ].filter((header): header is string => typeof header === 'string');
}

/** Logs in, or registers the lab's account where it does not exist yet (each API may have its own database). */
export async function signInLab(api: Api, account: LabAccount): Promise<User> {
  try {
    return await api.login({ email: account.email, password: account.password });
  } catch (error) {
    if (isApiError(error) && error.code === 'invalid_credentials') return api.register(account);
    throw error;
  }
}

export interface ContextDeps {
  target: LabTarget;
  attacker: AttackerServer;
  attackerPage: AttackerPage | null;
  sinkWindow: SinkWindow | null;
  account: LabAccount;
}

export function createLabContext({ target, attacker, attackerPage, sinkWindow, account }: ContextDeps) {
  const started = performance.now();
  const evidence: EvidenceStep[] = [];
  const cleanups: (() => unknown)[] = [];
  const elapsed = () => Math.round(performance.now() - started);
  const step = (entry: Omit<EvidenceStep, 'at'>) => evidence.push({ ...entry, at: elapsed() });

  // Every request of the tab's clients goes into the evidence, as the request log saw it on the wire.
  const watch = (api: Api) => {
    let last = 0;
    const unsubscribe = api.requests.subscribe(() => {
      const fresh = api.requests.entries().filter((entry) => entry.id > last).reverse();
      for (const entry of fresh) {
        last = Math.max(last, entry.id);
        evidence.push({
          actor: 'tab',
          what: `${entry.method} ${entry.path}${entry.retry ? ' (retried)' : ''}`,
          status: entry.status,
          code: entry.errorCode,
          headers: carriedBy(entry),
          ms: entry.durationMs,
          at: Math.round(entry.startedAt - (performance.timeOrigin + started)),
        });
      }
    });
    cleanups.push(unsubscribe);
  };

  const newClient = () => {
    // No channel: the lab's logins must not reach the app's own client, in this tab or another.
    const api = createApi({ baseUrl: target.url, config: target.config, openChannel: () => undefined });
    watch(api);
    cleanups.push(() => api.dispose());
    return api;
  };

  const context: LabContext = {
    target,
    spaOrigin: window.location.origin,
    attacker,
    attackerPage,
    sinkWindow,
    account,
    newClient,
    async signIn() {
      const api = newClient();
      await signInLab(api, account);
      // Logged out at the end, so the lab leaves no login of its own behind.
      cleanups.push(() => api.logout().catch(() => undefined));
      return api;
    },
    stranger: (label) => createOutsideClient({ label, apiUrl: target.url, config: target.config, account, attacker, spaOrigin: window.location.origin, record: step }),
    async outside(label) {
      const client = context.stranger(label);
      await client.login();
      cleanups.push(() => client.logout().catch(() => undefined));
      return client;
    },
    inject(payload, arg) {
      return inject(payload, arg);
    },
    step,
    elapsed,
    defer: (cleanup) => cleanups.push(cleanup),
  };

  return {
    context,
    evidence,
    cleanup: async () => {
      // Last in, first out: logouts before the clients they belong to are disposed.
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch {
          // best effort: the run's result stands
        }
      }
    },
  };
}
