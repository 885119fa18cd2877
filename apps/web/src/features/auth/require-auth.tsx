import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorAlert } from '../../components/error-alert';
import { LoadingState } from '../../components/loading-state';
import { useMe } from './queries';
import type { RedirectState } from './redirect-target';

/**
 * Guards the routes below it. Until `me` has answered, only a loading state renders: the
 * protected page must not flash to a visitor who turns out to be logged out.
 */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();

  if (me.data) return <Outlet />;
  if (me.isPending) return <LoadingState label="Checking your session…" />;
  if (me.data === null) {
    const state: RedirectState = { from: { pathname: location.pathname, search: location.search, hash: location.hash } };
    return <Navigate to="/login" replace state={state} />;
  }
  return <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />;
}
