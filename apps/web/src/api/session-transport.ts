import { loginResponses } from '@authbench/contract';
import { createCsrfGuard } from './csrf-guard';
import type { CredentialSnapshot, TransportFactory } from './transport';

/**
 * Cookie sessions: the browser holds the HttpOnly `sid` cookie and sends it itself; all this
 * transport carries is the CSRF token, which lives in memory and goes out on unsafe methods.
 */
export const createSessionTransport: TransportFactory = ({ http, events }) => {
  // Cross-origin requests send and store cookies only with credentials.
  http.defaults.withCredentials = true;

  // One object per change: React's useSyncExternalStore compares snapshots by identity.
  let snapshot: CredentialSnapshot = { mode: 'session', csrfToken: null };
  const csrf = createCsrfGuard(http, (csrfToken) => {
    snapshot = { mode: 'session', csrfToken };
    events.credentialsChanged();
  });

  return {
    mode: 'session',
    acceptLogin(data) {
      // Login regenerates the session id, and the CSRF token belongs to the new session.
      const parsed = loginResponses.session.parse(data);
      csrf.set(parsed.csrfToken);
      return parsed.user;
    },
    signedOut: () => csrf.set(null),
    resync: () => csrf.set(null),
    credentials: () => snapshot,
    dispose: () => csrf.dispose(),
  };
};
