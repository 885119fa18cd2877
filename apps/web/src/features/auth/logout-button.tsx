import { ErrorAlert } from '../../components/error-alert';
import { useLogout } from './mutations';

export function LogoutButton() {
  const logout = useLogout();
  return (
    <>
      <button type="button" className="button-secondary" disabled={logout.isPending} onClick={() => logout.mutate()}>
        {logout.isPending ? 'Logging out…' : 'Log out'}
      </button>
      {/* Only on failure: a logout that did not reach the server must not pretend it did. */}
      {logout.isError && <ErrorAlert error={logout.error} />}
    </>
  );
}
