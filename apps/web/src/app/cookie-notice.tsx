import { useCallback, useSyncExternalStore } from 'react';
import { cookieRisk } from '../api/deployment';
import { useApi } from '../api/use-api';

/**
 * After the browser dropped the login's cookie (the session ended with reason `cookie-dropped`):
 * which cookie, and why, computed from this page's layout and the API's cookie flags. Never a
 * silent return to the login page; gone at the next successful login.
 */
export function CookieNotice() {
  const api = useApi();
  const subscribe = useCallback((onChange: () => void) => api.subscribe(() => onChange()), [api]);
  const problem = useSyncExternalStore(subscribe, api.cookieProblem);
  if (!problem) return null;
  return (
    <div role="alert" className="alert alert-error" data-cause="cookie-dropped">
      <p>{problem.message}</p>
    </div>
  );
}

/**
 * On the login page, where the layout itself puts the API's cookies at risk (another site): what
 * browsers may do with them, before anything has gone wrong. A reload that finds no login is
 * then explained, too.
 */
export function CookieRiskNote() {
  const api = useApi();
  const risk = cookieRisk(api.deployment, api.config);
  if (!risk) return null;
  return (
    <p className="alert alert-warning" role="note" data-cause="cookie-risk">
      {risk}
    </p>
  );
}
