import type { AuthMode, ConfigResponse } from '@authbench/contract';

// What the evidence lab (/lab) measured, kept in this tab's memory only (never in storage: the
// evidence quotes credentials, shortened or not). /inspect's comparison reads it too; in a build
// without the lab it simply stays empty, and every lab cell says it was not measured.

/** held: the defence stood; broken: the attack worked; measured: a cost, not a defence. */
export type LabVerdict = 'held' | 'broken' | 'measured' | 'not-applicable' | 'error';

/** Who sent a request, or did a thing, in an experiment. */
export type LabActor = 'tab' | 'injected script' | 'test page' | 'attacker page' | 'attacker server' | 'lab';

/** One thing that happened in a run: a request and its answer, or an observation. */
export interface EvidenceStep {
  actor: LabActor;
  /** `PATCH /api/me`, or what was done. */
  what: string;
  /** The HTTP status; null when the actor could not see the answer (CORS, a frame). */
  status?: number | null;
  /** The contract's error code of the answer, if any. */
  code?: string | null;
  /** The headers that decided the outcome (sent → or received ←), secrets shortened. */
  headers?: readonly string[];
  /** How long the request took. */
  ms?: number;
  /** When it happened, in ms since the run began. */
  at: number;
  note?: string;
}

/** What an experiment is, as the comparison needs it: a name and whether it applies to a mode. */
export interface LabExperimentInfo {
  id: string;
  title: string;
  appliesTo(config: ConfigResponse): boolean;
}

export interface LabOutcome {
  verdict: LabVerdict;
  /** One line, with the figure that decided it. */
  summary: string;
  /** A few words for a table cell. */
  figure: string;
  /** The defences (or their absence) that decided it. */
  reason?: string;
}

export interface LabRecord extends LabOutcome {
  experimentId: string;
  url: string;
  mode: AuthMode;
  /** The configuration it ran under: a result measured under other settings is not shown as current. */
  configKey: string;
  startedAt: number;
  durationMs: number;
  evidence: readonly EvidenceStep[];
}

export const configKeyOf = (config: ConfigResponse): string => JSON.stringify(config);

const keyOf = (url: string, experimentId: string) => `${url}\n${experimentId}`;

/** The record of one experiment against one API in a snapshot. */
export const recordOf = (records: ReadonlyMap<string, LabRecord>, url: string, experimentId: string) => records.get(keyOf(url, experimentId));

export interface LabResults {
  // Arrow-typed: React calls these detached (useSyncExternalStore).
  snapshot: () => ReadonlyMap<string, LabRecord>;
  subscribe: (listener: () => void) => () => void;
  get(url: string, experimentId: string): LabRecord | undefined;
  set(record: LabRecord): void;
  clear(): void;
}

export function createLabResults(): LabResults {
  let records: ReadonlyMap<string, LabRecord> = new Map();
  const listeners = new Set<() => void>();
  const publish = (next: ReadonlyMap<string, LabRecord>) => {
    records = next; // a new map per change: useSyncExternalStore compares snapshots by identity
    for (const listener of listeners) listener();
  };
  return {
    snapshot: () => records,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: (url, experimentId) => records.get(keyOf(url, experimentId)),
    set: (record) => publish(new Map(records).set(keyOf(record.url, record.experimentId), record)),
    clear: () => publish(new Map()),
  };
}

/** The tab's results: one store for /lab and /inspect. */
export const labResults = createLabResults();

export interface MatrixColumn {
  url: string;
  config: ConfigResponse;
}

export type MatrixCell =
  | { state: 'not-measured' }
  | { state: 'stale'; record: LabRecord }
  | { state: 'not-applicable' }
  | { state: 'result'; record: LabRecord };

export interface MatrixRow {
  experiment: LabExperimentInfo;
  cells: MatrixCell[];
}

/**
 * Experiments × APIs. A cell is the last result of that experiment against that API under its
 * current configuration; else "not applicable" when the configuration rules it out, else "not
 * measured yet" (or "stale" when the result was measured under other settings).
 */
export function buildMatrix(
  experiments: readonly LabExperimentInfo[],
  columns: readonly MatrixColumn[],
  records: ReadonlyMap<string, LabRecord>,
): MatrixRow[] {
  return experiments.map((experiment) => ({
    experiment,
    cells: columns.map((column): MatrixCell => {
      const record = records.get(keyOf(column.url, experiment.id));
      if (record && record.configKey === configKeyOf(column.config)) return { state: 'result', record };
      if (!experiment.appliesTo(column.config)) return { state: 'not-applicable' };
      return record ? { state: 'stale', record } : { state: 'not-measured' };
    }),
  }));
}

const verdictWords: Record<LabVerdict, string> = {
  held: 'held',
  broken: 'broken',
  measured: 'measured',
  'not-applicable': 'not applicable',
  error: 'could not run',
};

/** A cell in words: "held: 403 forbidden_origin", "not measured yet". */
export function describeCell(cell: MatrixCell): { verdict: LabVerdict | 'not-measured'; text: string } {
  switch (cell.state) {
    case 'not-measured':
      return { verdict: 'not-measured', text: 'not measured yet' };
    case 'stale':
      return { verdict: 'not-measured', text: 'not measured under the current settings' };
    case 'not-applicable':
      return { verdict: 'not-applicable', text: verdictWords['not-applicable'] };
    case 'result':
      return {
        verdict: cell.record.verdict,
        text: cell.record.figure ? `${verdictWords[cell.record.verdict]}: ${cell.record.figure}` : verdictWords[cell.record.verdict],
      };
  }
}
