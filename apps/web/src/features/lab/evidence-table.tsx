import type { EvidenceStep } from '../../lib/lab-results';
import { formatMs } from './analysis';

/** The requests and observations behind a result, in the order they happened. */
export function EvidenceTable({ steps }: { steps: readonly EvidenceStep[] }) {
  if (steps.length === 0) return <p className="muted">No requests: nothing ran.</p>;
  return (
    <div className="table-scroll">
      <table className="evidence">
        <caption className="visually-hidden">Evidence, in the order it happened</caption>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Status</th>
            <th scope="col">Headers that decided it</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step, index) => (
            <tr key={index}>
              <td>{formatMs(step.at)}</td>
              <td>{step.actor}</td>
              <td>
                <code>{step.what}</code>
                {step.note && <p className="muted wrap">{step.note}</p>}
              </td>
              <td>
                {step.status === undefined ? '' : step.status === null ? 'not visible' : step.status}
                {step.code && <span className="muted"> {step.code}</span>}
              </td>
              <td>
                {step.headers && step.headers.length > 0 && (
                  <ul className="plain-list">
                    {step.headers.map((header) => (
                      <li key={header}>
                        <code className="wrap">{header}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{step.ms === undefined ? '' : formatMs(step.ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
