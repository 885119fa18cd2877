import { Navigate, Outlet, useLocation } from 'react-router';
import { LoadingState } from '../../components/loading-state';
import { useMe } from './queries';
import { redirectTargetOf } from './redirect-target';

/** Login and register: a logged-in user (also right after logging in) goes where they were headed. */
export function GuestOnly() {
  const me = useMe();
  const location = useLocation();

  if (me.isPending) return <LoadingState label="Checking your session…" />;
  if (me.data) return <Navigate to={redirectTargetOf(location.state)} replace />;
  return <Outlet />;
}
