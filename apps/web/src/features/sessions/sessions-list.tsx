import type { AuthMode, SessionInfo } from '@authbench/contract';
import { useState } from 'react';
import { ErrorAlert } from '../../components/error-alert';
import { LoadingState } from '../../components/loading-state';
import { formatDateTime, formatRelative } from '../../lib/format-time';
import { useApi } from '../../api/use-api';
import { describeUserAgent } from './describe-user-agent';
import { useLogoutAll, useRevokeSession } from './mutations';
import { useSessions } from './queries';

const explanation: Record<AuthMode, string> = {
  session:
    'Each row is a server-side session. Revoking it deletes the session: that device’s next request is refused.',
  jwt:
    'Each row is a refresh-token family (one login). Revoking it stops its refreshes at once and, with the revocation check on, its access token too.',
  'jwt-cookie':
    'Each row is a refresh-token family (one login), whose access token that device keeps in an HttpOnly cookie. Revoking it stops its refreshes at once and, with the revocation check on, its access token cookie too.',
  'jwt-dpop':
    'Each row is a refresh-token family (one login), bound to a key that device holds and cannot export. Revoking it stops its refreshes at once and, with the revocation check on, its access token too.',
};

function SessionRow({ session }: { session: SessionInfo }) {
  const revoke = useRevokeSession();
  const device = describeUserAgent(session.userAgent);
  return (
    <li className="session-row">
      <div className="session-main">
        <p className="session-device">
          {device}
          {session.current && <span className="badge">This device</span>}
        </p>
        <p className="session-meta">
          Signed in <time dateTime={session.createdAt} title={formatDateTime(session.createdAt)}>{formatRelative(session.createdAt)}</time>
          {' · '}last seen <time dateTime={session.lastSeenAt} title={formatDateTime(session.lastSeenAt)}>{formatRelative(session.lastSeenAt)}</time>
          {' · '}expires <time dateTime={session.expiresAt} title={formatDateTime(session.expiresAt)}>{formatRelative(session.expiresAt)}</time>
        </p>
        {session.userAgent && (
          <details>
            <summary>User agent</summary>
            <code className="wrap">{session.userAgent}</code>
          </details>
        )}
        {revoke.isError && <ErrorAlert error={revoke.error} />}
      </div>
      <button
        type="button"
        className={session.current ? 'button-secondary' : 'button-danger'}
        disabled={revoke.isPending}
        aria-label={`${session.current ? 'Log out this device' : 'Revoke'}: ${device}, signed in ${formatDateTime(session.createdAt)}`}
        onClick={() => revoke.mutate(session)}
      >
        {revoke.isPending ? 'Revoking…' : session.current ? 'Log out this device' : 'Revoke'}
      </button>
    </li>
  );
}

function LogoutEverywhere() {
  const logoutAll = useLogoutAll();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
        Log out everywhere
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby="logout-all-question">
      <p id="logout-all-question">End every session, this one included?</p>
      <button type="button" className="button-danger" autoFocus disabled={logoutAll.isPending} onClick={() => logoutAll.mutate()}>
        {logoutAll.isPending ? 'Logging out…' : 'Yes, log out everywhere'}
      </button>
      <button type="button" className="button-secondary" disabled={logoutAll.isPending} onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {logoutAll.isError && <ErrorAlert error={logoutAll.error} />}
    </div>
  );
}

export function SessionsList() {
  const api = useApi();
  const sessions = useSessions();

  return (
    <section aria-labelledby="sessions-heading" className="stack">
      <h2 id="sessions-heading">Active sessions</h2>
      <p className="muted">{explanation[api.mode]}</p>
      {sessions.isPending && <LoadingState label="Loading sessions…" />}
      {sessions.isError && <ErrorAlert error={sessions.error} onRetry={() => void sessions.refetch()} />}
      {sessions.data && (
        <>
          <ul className="session-list" aria-busy={sessions.isFetching}>
            {sessions.data.map((session) => (
              <SessionRow key={session.id} session={session} />
            ))}
          </ul>
          {sessions.data.length === 0 && <p>No active sessions.</p>}
          <LogoutEverywhere />
        </>
      )}
    </section>
  );
}
