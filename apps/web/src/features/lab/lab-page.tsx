import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, useSyncExternalStore } from 'react';
import { labResults, recordOf } from '../../lib/lab-results';
import { createAttackerServer, openAttackerPage } from './attacker';
import { DeploymentPanel } from './deployment-panel';
import { ExperimentCard } from './experiment-card';
import { experiments } from './experiments';
import { labAccount } from './lab-account';
import type { Experiment, LabTarget } from './lab-context';
import { LabMatrix } from './lab-matrix';
import { runExperiment } from './runner';
import { openSinkWindow } from './sink-window';

export interface LabPageProps {
  /** The APIs whose GET /api/config answered: the matrix's columns, in the mode switch's order. */
  targets: readonly LabTarget[];
  /** The APIs that did not answer. */
  unreachable: readonly string[];
  /** How many APIs have not answered yet: "Run in every mode" waits for them, or it would leave them out. */
  pending: number;
  /** The API the app is pointed at: the cards run against it. */
  currentUrl: string;
  /** The attacker's site (apps/attacker), another site than this page. */
  attackerUrl: string;
}

interface Job {
  experiment: Experiment;
  target: LabTarget;
}

const hostOf = (url: string) => new URL(url).host;

/**
 * The evidence lab: every claim of the comparison as an experiment, run with one button against
 * the current API, or against every API at once; each result decided by real requests.
 */
export function LabPage({ targets, unreachable, pending, currentUrl, attackerUrl }: LabPageProps) {
  const records = useSyncExternalStore(labResults.subscribe, labResults.snapshot);
  const queryClient = useQueryClient();
  const attacker = useMemo(() => createAttackerServer(attackerUrl), [attackerUrl]);
  const [running, setRunning] = useState<{ experimentId: string; url: string } | null>(null);
  const [progress, setProgress] = useState('');
  const current = targets.find((target) => target.url === currentUrl);
  const account = labAccount();

  const run = (jobs: readonly Job[], label: string) => {
    if (running || jobs.length === 0) return;
    // Here, in the click itself: a browser opens a window only in answer to a person's gesture, and
    // at most one per click. The sink page's first: it cannot be framed (frame-ancestors 'none'),
    // while the attacker's page falls back to a frame when its window is refused.
    const needs = (need: 'needsSinkWindow' | 'needsAttackerPage') => jobs.some((job) => job.experiment[need] && job.experiment.appliesTo(job.target.config));
    const sinkWindow = needs('needsSinkWindow') ? openSinkWindow() : null;
    const attackerPage = needs('needsAttackerPage') ? openAttackerPage(attackerUrl) : null;
    setRunning({ experimentId: jobs[0]!.experiment.id, url: jobs[0]!.target.url });
    void (async () => {
      try {
        for (const [index, job] of jobs.entries()) {
          setRunning({ experimentId: job.experiment.id, url: job.target.url });
          setProgress(`${label}: ${job.experiment.title} against ${job.target.config.authMode} mode (${hostOf(job.target.url)}), ${index + 1} of ${jobs.length}…`);
          await runExperiment(job.experiment, job.target, { attacker, attackerPage, sinkWindow });
        }
        setProgress(`${label}: done, ${jobs.length} experiment${jobs.length === 1 ? '' : 's'}.`);
      } finally {
        attackerPage?.close();
        sinkWindow?.close();
        setRunning(null);
        // The lab's logins went through this site's cookie jar: let the app find out where it stands.
        void queryClient.invalidateQueries();
      }
    })();
  };

  const everywhere = targets.flatMap((target) => experiments.map((experiment) => ({ experiment, target })));

  return (
    <div className="stack">
      <title>Lab · Authbench</title>
      <h1>
        Evidence lab{current && (
          <>
            : <span className="mode-pill">{current.config.authMode}</span> mode
          </>
        )}
      </h1>
      <p>
        Each claim of the comparison, as an experiment decided by real requests: from the attacker’s site (
        <code>{attackerUrl}</code>, another site than this page), from its server outside the browser, or as a script injected into this
        page. Nothing here asks the API for anything it would not give a real attacker.
      </p>
      <p className="muted">
        The lab logs in as a throwaway account of its own (<code>{account.email}</code>, made on first use on each API). A browser keeps one
        cookie jar per site, not per port: running the lab replaces any login of yours on these APIs in this browser.
      </p>
      {current && <DeploymentPanel current={current} targets={targets} />}
      {unreachable.length > 0 && (
        <p className="alert alert-warning">
          Not reachable, so not in the matrix: {unreachable.join(', ')}.
        </p>
      )}

      <section className="card stack" aria-labelledby="lab-matrix-heading">
        <h2 id="lab-matrix-heading">Every mode</h2>
        <div className="lab-toolbar">
          <button type="button" disabled={running !== null || !current} onClick={() => current && run(experiments.map((experiment) => ({ experiment, target: current })), 'This mode')}>
            Run all here
          </button>
          <button type="button" disabled={running !== null || targets.length === 0 || pending > 0} onClick={() => run(everywhere, 'Every mode')}>
            Run in every mode ({pending > 0 ? `waiting for ${pending} more API${pending === 1 ? '' : 's'}` : `${targets.length} API${targets.length === 1 ? '' : 's'}`})
          </button>
        </div>
        <p role="status" aria-live="polite" className="muted">
          {progress}
        </p>
        <LabMatrix experiments={experiments} columns={targets} records={records} />
      </section>

      {current ? (
        <div className="stack">
          {experiments.map((experiment) => (
            <ExperimentCard
              key={experiment.id}
              experiment={experiment}
              target={current}
              record={recordOf(records, current.url, experiment.id)}
              running={running?.experimentId === experiment.id && running.url === current.url}
              busy={running !== null}
              onRun={() => run([{ experiment, target: current }], experiment.title)}
            />
          ))}
        </div>
      ) : (
        <p>The current API ({currentUrl}) has not answered GET /api/config.</p>
      )}
    </div>
  );
}
