import type { AuthMode, SessionInfo } from '@authbench/contract';
import { ErrorAlert } from '../../components/error-alert';
import { LoadingState } from '../../components/loading-state';
import { formatRelative } from '../../lib/format-time';

const stored: Record<AuthMode, string> = {
  session:
    'One session record per login, keyed by the sid: the user id, the timestamps behind the idle and absolute timeouts, and the user agent. Every request looks it up.',
  jwt:
    'One refresh-token family per login (its id is the sid claim): the hash of the current refresh token, timestamps and the user agent; plus the list of revoked sids that each request is checked against. Access tokens themselves are not stored.',
  'jwt-cookie':
    'As in jwt mode: one refresh-token family per login (its id is the sid claim) and the list of revoked sids; neither the access token nor any CSRF state is stored. The CSRF token is an HMAC over the sid (before login, over a random value in the HttpOnly csrf cookie), so the server can check it without keeping it.',
  'jwt-dpop':
    'As in jwt mode, one refresh-token family per login and the list of revoked sids; each family also keeps the thumbprint of the key its login proved (the access tokens carry it as cnf.jkt), and the server remembers each proof’s jti until it is too old to be accepted anyway, so no proof works twice. Nonces are not stored: each is an HMAC over a time step. No key is stored: the private key never leaves this browser.',
};

const recordName: Record<AuthMode, string> = { session: 'Session', jwt: 'Family (sid)', 'jwt-cookie': 'Family (sid)', 'jwt-dpop': 'Family (sid), bound to a key' };

export interface ServerStateProps {
  mode: AuthMode;
  status: 'signed-out' | 'pending' | 'error' | 'ready';
  sessions: readonly SessionInfo[] | undefined;
  error: unknown;
  onRetry: () => void;
}

/** What the server keeps for this user, from GET /api/auth/sessions. */
export function ServerState({ mode, status, sessions, error, onRetry }: ServerStateProps) {
  return (
    <section aria-labelledby="server-heading" className="card stack">
      <h2 id="server-heading">What the server stores</h2>
      <p>{stored[mode]}</p>
      {status === 'signed-out' && <p>Log in to see your own records.</p>}
      {status === 'pending' && <LoadingState label="Loading the server’s records…" />}
      {status === 'error' && <ErrorAlert error={error} onRetry={onRetry} />}
      {status === 'ready' && sessions && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{recordName[mode]}</th>
                <th scope="col">Created</th>
                <th scope="col">Last seen</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td>
                    <code>{session.id.length > 16 ? `${session.id.slice(0, 12)}…` : session.id}</code>
                    {session.current && <span className="badge">this tab</span>}
                  </td>
                  <td>{formatRelative(session.createdAt)}</td>
                  <td>{formatRelative(session.lastSeenAt)}</td>
                  <td>{formatRelative(session.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
