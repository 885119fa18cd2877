import { isApiError } from '../../api/api-error';
import { configKeyOf, labResults, type LabOutcome, type LabRecord } from '../../lib/lab-results';
import type { AttackerPage, AttackerServer } from './attacker';
import { labAccount } from './lab-account';
import { createLabContext, type Experiment, type LabTarget } from './lab-context';
import type { SinkWindow } from './sink-window';

export interface RunDeps {
  attacker: AttackerServer;
  attackerPage: AttackerPage | null;
  sinkWindow: SinkWindow | null;
}

/** Every wait inside an experiment has a bound well below this: a run that reaches it is stuck, and says where. */
const experimentLimitMs = 90_000;

function withinLimit<T>(work: Promise<T>, lastStep: () => string | undefined): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const last = lastStep();
      reject(new Error(`Did not finish within ${experimentLimitMs / 1000} s${last ? ` (the last step: ${last})` : ''}.`));
    }, experimentLimitMs);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

const describeFailure = (error: unknown): string =>
  isApiError(error) ? `${error.status ? `${error.status} ` : ''}${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);

/** Runs one experiment against one API and keeps its result (in memory) for the lab and /inspect. */
export async function runExperiment(experiment: Experiment, target: LabTarget, deps: RunDeps): Promise<LabRecord> {
  const startedAt = Date.now();
  const base = { experimentId: experiment.id, url: target.url, mode: target.config.authMode, configKey: configKeyOf(target.config), startedAt };
  let record: LabRecord;
  if (!experiment.appliesTo(target.config)) {
    const why = experiment.notApplicable?.(target.config);
    record = { ...base, verdict: 'not-applicable', summary: `Not applicable${why ? `: ${why}` : ''}.`, figure: '', durationMs: 0, evidence: [] };
  } else {
    const { context, evidence, cleanup } = createLabContext({ target, account: labAccount(), ...deps });
    let outcome: LabOutcome;
    try {
      if (experiment.needsAttackerPage && !deps.attackerPage) throw new Error('The attacker’s page is not open (it opens from a click on Run).');
      if (experiment.needsSinkWindow && !deps.sinkWindow) throw new Error('The sink page’s window is not open: it opens from a click on Run, and this browser blocked it (allow pop-ups for this page).');
      outcome = await withinLimit(experiment.run(context), () => evidence.at(-1)?.what);
    } catch (error) {
      const message = describeFailure(error);
      context.step({ actor: 'lab', what: 'The run stopped', note: message });
      outcome = { verdict: 'error', summary: `Could not run: ${message}`, figure: message };
    } finally {
      await cleanup();
    }
    record = { ...base, ...outcome, durationMs: Date.now() - startedAt, evidence: [...evidence] };
  }
  labResults.set(record);
  return record;
}
