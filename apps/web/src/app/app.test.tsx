// @vitest-environment jsdom
import { cleanup, fireEvent, render, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiOptions } from '../api/client';
import { paths } from '@authbench/contract';
import type { AxiosAdapter } from 'axios';
import { createChannelHub, createFakeAdapter, errorReply } from '../test/fake-server';
import { createFakeSessionApi } from '../test/fake-session-api';
import { apiChoiceKey, Providers } from './providers';
import { routes } from './router';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

const apiUrls = ['http://api.test'];

function renderApp(initialPath: string, apiOptions: ApiOptions, urls: readonly string[] = apiUrls) {
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] });
  const view = render(
    <Providers apiUrls={urls} apiOptions={apiOptions}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { router, view, scope: within(view.container) };
}

async function logIn(scope: ReturnType<typeof within>, email: string, password: string) {
  fireEvent.change(await scope.findByLabelText('Email'), { target: { value: email } });
  fireEvent.change(scope.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(scope.getByRole('button', { name: 'Log in' }));
}

describe('the SPA against a session-mode API', () => {
  it('never shows a protected page before /api/me answers, then sends the visitor to log in and back', async () => {
    const server = createFakeSessionApi();
    const release = server.holdMe();
    const { scope, router } = renderApp('/sessions?tab=all', { adapter: server.adapter });

    expect(await scope.findByText('Checking your session…')).toBeTruthy();
    expect(scope.queryByRole('heading', { name: 'Sessions and devices' })).toBeNull();
    release();

    expect(await scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
    expect(scope.queryByRole('heading', { name: 'Sessions and devices' })).toBeNull();

    await logIn(scope, 'ada@example.test', 'correct horse');

    expect(await scope.findByRole('heading', { name: 'Sessions and devices' })).toBeTruthy();
    expect(router.state.location.pathname + router.state.location.search).toBe('/sessions?tab=all');
    expect(await scope.findByText('Firefox on Linux')).toBeTruthy();
  });

  it('announces wrong credentials with the contract’s words and validates fields before sending', async () => {
    const server = createFakeSessionApi();
    const { scope } = renderApp('/login', { adapter: server.adapter });

    await logIn(scope, 'not-an-email', 'x');
    expect(await scope.findByText('Enter a valid email address.')).toBeTruthy();
    expect(scope.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(server.calls.some((call) => call.method === 'POST')).toBe(false);

    await logIn(scope, 'ada@example.test', 'wrong password');
    const alert = await scope.findByRole('alert');
    expect(alert.textContent).toContain('The email or password is incorrect.');
  });

  it('shows email_taken and server-side field issues on the register form', async () => {
    const server = createFakeSessionApi();
    const { scope } = renderApp('/register', { adapter: server.adapter });

    fireEvent.change(await scope.findByLabelText('Name'), { target: { value: 'Ada again' } });
    fireEvent.change(scope.getByLabelText('Email'), { target: { value: 'ada@example.test' } });
    fireEvent.change(scope.getByLabelText('Password'), { target: { value: 'long enough' } });
    fireEvent.click(scope.getByRole('button', { name: 'Create account' }));

    expect((await scope.findByRole('alert')).textContent).toContain('An account with this email already exists.');
  });

  it('edits the profile name and logs out, leaving nothing of the user behind', async () => {
    const server = createFakeSessionApi();
    server.loginElsewhere();
    const { scope, router } = renderApp('/', { adapter: server.adapter });

    expect(await scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
    fireEvent.change(scope.getByLabelText('Display name'), { target: { value: '  Ada Lovelace ' } });
    fireEvent.click(scope.getByRole('button', { name: 'Save name' }));
    expect(await scope.findByRole('heading', { name: 'Hello, Ada Lovelace' })).toBeTruthy();

    fireEvent.click(scope.getByRole('button', { name: 'Log out' }));
    expect(await scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(router.state.location.pathname).toBe('/login');
    expect(scope.queryByText(/Ada/)).toBeNull();
    expect(server.jar.sid).toBeNull();
  });

  it('keeps two tabs in step: a logout in one logs the other out, a login in one logs the other in', async () => {
    const server = createFakeSessionApi();
    server.loginElsewhere();
    const hub = createChannelHub();
    const a = renderApp('/', { adapter: server.adapter, openChannel: hub.tab() });
    const b = renderApp('/sessions', { adapter: server.adapter, openChannel: hub.tab() });

    expect(await a.scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
    expect(await b.scope.findByRole('heading', { name: 'Sessions and devices' })).toBeTruthy();

    fireEvent.click(a.scope.getByRole('button', { name: 'Log out' }));
    expect(await a.scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(await b.scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(b.router.state.location.pathname).toBe('/login');

    await logIn(a.scope, 'ada@example.test', 'correct horse');
    expect(await a.scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
    // Tab b returns to where it was headed.
    expect(await b.scope.findByRole('heading', { name: 'Sessions and devices' })).toBeTruthy();
    await waitFor(() => expect(b.router.state.location.pathname).toBe('/sessions'));
  });

  it('shows the mode read-only with one API, and the inspect view for a visitor', async () => {
    const server = createFakeSessionApi();
    const { scope } = renderApp('/inspect', { adapter: server.adapter });

    expect(await scope.findByRole('heading', { name: /Inspect/ })).toBeTruthy();
    expect(scope.getByLabelText('Auth mode').textContent).toContain('session');
    expect(scope.queryByRole('button', { name: /jwt/ })).toBeNull();
    expect(await scope.findByText('Log in to see your own records.')).toBeTruthy();
    expect(scope.getByRole('heading', { name: 'The two modes side by side' })).toBeTruthy();
    expect(await scope.findByText('GET /api/me')).toBeTruthy();
  });

  it('switches to the other API with a new client and an empty cache, and remembers the choice', async () => {
    const sessionApi = createFakeSessionApi();
    sessionApi.loginElsewhere();
    // A jwt-mode API where this browser has no refresh cookie.
    const jwtApi = createFakeAdapter((request) =>
      request.path === paths.config
        ? { status: 200, body: { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [] } }
        : errorReply(401, 'unauthenticated'),
    );
    const adapter: AxiosAdapter = (config) =>
      (config.baseURL === 'http://jwt.test' ? jwtApi.adapter : sessionApi.adapter)(config);
    const urls = ['http://session.test', 'http://jwt.test'];
    const first = renderApp('/', { adapter }, urls);

    expect(await first.scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
    const switcher = first.scope.getByRole('group', { name: /Auth mode/ });
    await within(switcher).findByRole('button', { name: /jwt/ });
    expect(within(switcher).getByRole('button', { name: /session/ }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(within(switcher).getByRole('button', { name: /jwt/ }));

    // Not logged in there: nothing of the session-mode user survives the switch.
    expect(await first.scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(first.scope.queryByText(/Ada/)).toBeNull();
    expect(window.localStorage.getItem(apiChoiceKey)).toBe('http://jwt.test');
    expect(jwtApi.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      `GET ${paths.config}`,
      `POST ${paths.refresh}`, // the silent restore: no rt cookie here
      `GET ${paths.me}`,
    ]);
    cleanup();

    // A reload starts on the chosen API.
    const second = renderApp('/inspect', { adapter }, urls);
    expect(await second.scope.findByRole('heading', { name: /Inspect: jwt mode/ })).toBeTruthy();
  });
});
