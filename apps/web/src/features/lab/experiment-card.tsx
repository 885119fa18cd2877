import { configKeyOf, type LabRecord } from '../../lib/lab-results';
import { EvidenceTable } from './evidence-table';
import type { Experiment, LabTarget } from './lab-context';

const verdictLabel = { held: 'Held', broken: 'Broken', measured: 'Measured', 'not-applicable': 'Not applicable', error: 'Could not run' } as const;

interface ExperimentCardProps {
  experiment: Experiment;
  target: LabTarget;
  record: LabRecord | undefined;
  running: boolean;
  busy: boolean;
  onRun: () => void;
}

/** One claim: what it tries, a Run button, the outcome in one line, and the evidence behind it. */
export function ExperimentCard({ experiment, target, record, running, busy, onRun }: ExperimentCardProps) {
  const applies = experiment.appliesTo(target.config);
  const current = record?.configKey === configKeyOf(target.config) ? record : undefined;
  const headingId = `lab-${experiment.id}`;
  return (
    <section className="card stack lab-card" aria-labelledby={headingId} data-experiment={experiment.id}>
      <h2 id={headingId}>{experiment.title}</h2>
      {experiment.premise && (
        <p className="lab-premise">
          <strong>Premise:</strong> {experiment.premise}
        </p>
      )}
      <p>{experiment.tries}</p>
      <div className="lab-run">
        <button type="button" onClick={onRun} disabled={busy || !applies}>
          {running ? 'Running…' : 'Run'}
          <span className="visually-hidden"> {experiment.title}</span>
        </button>
      </div>
      <p role="status" aria-live="polite" className={`lab-outcome verdict-${current?.verdict ?? (applies ? 'not-measured' : 'not-applicable')}`}>
        {running
          ? 'Running…'
          : current
            ? current.summary
            : applies
              ? `Not measured yet against ${target.config.authMode} mode.`
              : `Not applicable: ${experiment.notApplicable?.(target.config) ?? 'the configuration rules it out'}.`}
      </p>
      {current && !running && (
        <>
          {current.reason && (
            <p className="muted">
              <strong>{verdictLabel[current.verdict]}, because:</strong> {current.reason}
            </p>
          )}
          {current.evidence.length > 0 && (
            <details>
              <summary>
                Evidence: {current.evidence.length} steps in {Math.round(current.durationMs)} ms
              </summary>
              <EvidenceTable steps={current.evidence} />
            </details>
          )}
        </>
      )}
    </section>
  );
}
