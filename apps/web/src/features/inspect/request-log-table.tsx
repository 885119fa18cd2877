import type { RequestLogEntry } from '../../api/request-log';
import { ProofDetails } from './proof-details';
import { useNow } from './use-now';
import { useRequestLog } from './use-request-log';

function carried(entry: RequestLogEntry): string {
  const parts = [
    entry.authScheme && `${entry.authScheme} header`,
    entry.proof && 'DPoP proof',
    // withCredentials is what JS controls; which cookies go along is the browser's decision.
    entry.withCredentials && 'cookies (withCredentials)',
  ].filter(Boolean);
  return parts.length ? parts.join(' + ') : 'nothing';
}

const ago = (then: number, now: number) => `${Math.max(0, Math.round((now - then) / 1000))} s ago`;

/** The last requests this tab sent, as they went on the wire (retries and refreshes included). */
export function RequestLogTable() {
  const entries = useRequestLog();
  const now = useNow();
  // The proof column only where some request carried one (jwt-dpop).
  const proofs = entries.some((entry) => entry.proof !== null);
  return (
    <section aria-labelledby="requests-heading" className="card stack">
      <h2 id="requests-heading">Recent requests</h2>
      {entries.length === 0 ? (
        <p>No requests yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">The most recent requests first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">Credential carried</th>
                <th scope="col">X-CSRF-Token</th>
                {proofs && <th scope="col">DPoP proof (decoded)</th>}
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{ago(entry.startedAt, now)}</td>
                  <td>
                    <code>
                      {entry.method} {entry.path}
                    </code>
                    {entry.retry && <span className="badge">retry</span>}
                  </td>
                  <td>
                    {entry.status ?? 'no response'}
                    {entry.errorCode && <span className="muted"> {entry.errorCode}</span>}
                  </td>
                  <td>{carried(entry)}</td>
                  <td>{entry.csrfHeader ? 'yes' : 'no'}</td>
                  {proofs && <td>{entry.proof ? <ProofDetails proof={entry.proof} /> : 'none'}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
