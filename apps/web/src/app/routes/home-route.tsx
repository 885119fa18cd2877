import type { AuthMode } from '@authbench/contract';
import { Link } from 'react-router';
import { useApi } from '../../api/use-api';
import { ProfileForm } from '../../features/auth/profile-form';
import { useMe } from '../../features/auth/queries';
import { formatDateTime } from '../../lib/format-time';

const loggedInThrough: Record<AuthMode, string> = {
  session: 'a cookie session',
  jwt: 'Bearer JWTs',
  'jwt-cookie': 'a JWT in an HttpOnly cookie',
  'jwt-dpop': 'DPoP-bound JWTs (each request signed by a key this browser cannot export)',
};

export function HomeRoute() {
  const api = useApi();
  const { data: user } = useMe();
  if (!user) return null; // RequireAuth renders this route only with a user
  return (
    <div className="stack">
      <title>Home · Authbench</title>
      <h1>Hello, {user.name}</h1>
      <section className="card stack" aria-labelledby="account-heading">
        <h2 id="account-heading">Your account</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>User id</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
          <dt>Member since</dt>
          <dd>{formatDateTime(user.createdAt)}</dd>
          <dt>Logged in through</dt>
          <dd>
            {loggedInThrough[api.mode]} at <code>{api.baseUrl}</code>
          </dd>
        </dl>
      </section>
      <section className="card stack" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <ProfileForm user={user} />
      </section>
      <p>
        See your devices on <Link to="/sessions">Sessions</Link>, and what each mode puts where on{' '}
        <Link to="/inspect">Inspect</Link>.
      </p>
    </div>
  );
}
