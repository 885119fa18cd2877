import { Link, useLocation } from 'react-router';
import { RegisterForm } from '../../features/auth/register-form';

export function RegisterRoute() {
  // Passed through untouched: redirectTargetOf() validates it where it is used.
  const state: unknown = useLocation().state;
  return (
    <div className="narrow stack">
      <title>Create account · Authbench</title>
      <h1>Create an account</h1>
      <RegisterForm />
      <p>
        Already registered?{' '}
        <Link to="/login" state={state}>
          Log in
        </Link>
      </p>
    </div>
  );
}
