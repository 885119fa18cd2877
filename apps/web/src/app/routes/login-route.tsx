import { Link, useLocation } from 'react-router';
import { LoginForm } from '../../features/auth/login-form';
import { CookieRiskNote } from '../cookie-notice';

export function LoginRoute() {
  // Passed through untouched: redirectTargetOf() validates it where it is used.
  const state: unknown = useLocation().state;
  return (
    <div className="narrow stack">
      <title>Log in · Authbench</title>
      <h1>Log in</h1>
      <CookieRiskNote />
      <LoginForm />
      <p>
        {/* Carry the destination along, so a new account also lands where it was headed. */}
        No account yet?{' '}
        <Link to="/register" state={state}>
          Create one
        </Link>
      </p>
    </div>
  );
}
