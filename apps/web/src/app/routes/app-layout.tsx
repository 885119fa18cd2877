import { NavLink, Outlet } from 'react-router';
import { LogoutButton } from '../../features/auth/logout-button';
import { useMe } from '../../features/auth/queries';
import { ApiSwitch } from '../api-switch';
import { CookieNotice } from '../cookie-notice';
import { KeyNotice } from '../key-notice';
import { loadLab } from '../env';
import { SiteMismatchNotice } from '../site-mismatch-notice';

function Account() {
  const me = useMe();
  if (me.isPending) return null;
  if (!me.data) {
    return (
      <nav aria-label="Account" className="nav">
        <NavLink to="/login">Log in</NavLink>
        <NavLink to="/register">Register</NavLink>
      </nav>
    );
  }
  return (
    <div className="account">
      <span className="account-name" title={me.data.email}>
        {me.data.name}
      </span>
      <LogoutButton />
    </div>
  );
}

export function AppLayout() {
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="header">
        <NavLink to="/" className="brand">
          Authbench
        </NavLink>
        <nav aria-label="Main" className="nav">
          <NavLink to="/" end>
            Home
          </NavLink>
          <NavLink to="/sessions">Sessions</NavLink>
          <NavLink to="/inspect">Inspect</NavLink>
          {loadLab && <NavLink to="/lab">Lab</NavLink>}
        </nav>
        <ApiSwitch />
        <Account />
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <SiteMismatchNotice />
        <CookieNotice />
        <KeyNotice />
        <Outlet />
      </main>
    </>
  );
}
