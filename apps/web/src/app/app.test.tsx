// @vitest-environment jsdom
import { cleanup, configure, fireEvent, render, waitFor, within } from '@testing-library/react';
import { createMemoryRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi, type ApiOptions } from '../api/client';
import { MeResponse, paths } from '@authbench/contract';
import type { AxiosAdapter } from 'axios';
import { createFakeJwtCookieApi } from '../test/fake-jwt-cookie-api';
import { createChannelHub, createFakeAdapter, errorReply } from '../test/fake-server';
import { createFakeSessionApi } from '../test/fake-session-api';
import { apiChoiceKey, Providers } from './providers';
import { routes } from './router';
import { sameOrigin } from '../test/deployment';

// The whole app renders here, its routes loaded lazily, against fake APIs that answer through
// promises: on a loaded 2-core machine (CI runs the suites side by side) that takes more than
// Testing Library's default 1 s to show. A wait ends as soon as it appears; the bound only says when to give up.
configure({ asyncUtilTimeout: 5_000 });

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

/** The modes whose fake API models a browser cookie jar; the UI must behave the same in both. */
const cookieModeApis = [
  { mode: 'session', createServer: createFakeSessionApi },
  { mode: 'jwt-cookie', createServer: () => createFakeJwtCookieApi() },
] as const;

describe.each(cookieModeApis)('the SPA against a $mode-mode API', ({ mode, createServer }) => {
  it('never shows a protected page before /api/me answers, then sends the visitor to log in and back', async () => {
    const server = createServer();
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
    const server = createServer();
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
    const server = createServer();
    const { scope } = renderApp('/register', { adapter: server.adapter });

    fireEvent.change(await scope.findByLabelText('Name'), { target: { value: 'Ada again' } });
    fireEvent.change(scope.getByLabelText('Email'), { target: { value: 'ada@example.test' } });
    fireEvent.change(scope.getByLabelText('Password'), { target: { value: 'long enough' } });
    fireEvent.click(scope.getByRole('button', { name: 'Create account' }));

    expect((await scope.findByRole('alert')).textContent).toContain('An account with this email already exists.');
  });

  it('edits the profile name and logs out, leaving nothing of the user behind', async () => {
    const server = createServer();
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
    expect(server.holdsLogin()).toBe(false);
  });

  it('keeps two tabs in step: a logout in one logs the other out, a login in one logs the other in', async () => {
    const server = createServer();
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
    const server = createServer();
    const { scope } = renderApp('/inspect', { adapter: server.adapter });

    expect(await scope.findByRole('heading', { name: /Inspect/ })).toBeTruthy();
    expect(scope.getByLabelText('Auth mode').textContent).toContain(mode);
    expect(scope.queryByRole('button', { name: /jwt|session/ })).toBeNull();
    expect(await scope.findByText('Log in to see your own records.')).toBeTruthy();
    expect(scope.getByRole('heading', { name: 'The modes side by side' })).toBeTruthy();
    expect((await scope.findAllByText('GET /api/me')).length).toBeGreaterThan(0);
  });
});

describe('the SPA against a session-mode API', () => {

  it('switches to the other API with a new client and an empty cache, and remembers the choice', async () => {
    const sessionApi = createFakeSessionApi();
    sessionApi.loginElsewhere();
    // A jwt-mode API where this browser has no refresh cookie.
    const jwtApi = createFakeAdapter((request) =>
      request.path === paths.config
        ? { status: 200, body: { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [], deployment: sameOrigin } }
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

describe('the SPA against a jwt-cookie-mode API', () => {
  it('restores the login after a reload with GET /api/me alone, and fetches the CSRF token before the first edit', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere(); // the cookies of the tab before the reload
    const { scope, view } = renderApp('/', { adapter: server.adapter });

    expect(await scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
    expect(view.container.textContent).toContain('Logged in througha JWT in an HttpOnly cookie at http://api.test');
    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual([`GET ${paths.config}`, `GET ${paths.me}`]);

    fireEvent.change(scope.getByLabelText('Display name'), { target: { value: 'Ada L.' } });
    fireEvent.click(scope.getByRole('button', { name: 'Save name' }));
    expect(await scope.findByRole('heading', { name: 'Hello, Ada L.' })).toBeTruthy();
    expect(server.calls.slice(2).map((call) => `${call.method} ${call.path}`)).toEqual([`GET ${paths.csrf}`, `PATCH ${paths.me}`]);
    expect(server.state.refreshes).toBe(0);
  });

  it('shows on /inspect where this mode puts things: the cookies’ flags, no token in script, the claims the API reports', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere();
    const { scope, view } = renderApp('/inspect', { adapter: server.adapter });

    expect(await scope.findByRole('heading', { name: /Inspect: jwt-cookie mode/ })).toBeTruthy();
    expect(await scope.findByRole('heading', { name: 'Claims, as GET /api/me reports them' })).toBeTruthy();
    const text = () => view.container.textContent;
    expect(text()).toContain('this tab holds no token at all, only the CSRF token');
    expect(text()).toMatch(/Cookie at for http:\/\/api\.test\s*HttpOnly, SameSite=Lax, Path=\/, Max-Age=604800s/);
    expect(text()).toMatch(/Cookie rt for http:\/\/api\.test\s*HttpOnly, SameSite=Strict, Path=\/api\/auth/);
    expect(text()).toMatch(/Expires in \d:\d\d/);
    expect(text()).toContain('"iss": "authbench"');
    expect(await scope.findByText('Family (sid)')).toBeTruthy();
    for (const token of server.issuedTokens()) expect(text()).not.toContain(token);
  });

  it('follows a refresh made in another tab: /inspect shows the new token’s claims, with one refresh in all', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere();
    const hub = createChannelHub();
    const { scope, view } = renderApp('/inspect', { adapter: server.adapter, openChannel: hub.tab() });
    expect(await scope.findByRole('heading', { name: 'Claims, as GET /api/me reports them' })).toBeTruthy();
    await waitFor(() => expect(view.container.textContent).toContain('"jti": "jti-'));
    const jtiBefore = /"jti": "(jti-\d+)"/.exec(view.container.textContent)?.[1];

    // Another tab (same cookie jar, same channels) meets the expired cookie first and refreshes.
    server.expireAccessTokens();
    const other = createApi({ baseUrl: 'http://api.test', config: server.config, adapter: server.adapter, openChannel: hub.tab() });
    await other.get(paths.me, MeResponse);

    await waitFor(() => expect(/"jti": "(jti-\d+)"/.exec(view.container.textContent)?.[1]).not.toBe(jtiBefore));
    expect(server.state.refreshes).toBe(1);
    other.dispose();
  });

  it('offers the three APIs of pnpm dev in the mode switch', async () => {
    const sessionApi = createFakeSessionApi();
    const jwtApi = createFakeAdapter((request) =>
      request.path === paths.config
        ? { status: 200, body: { authMode: 'jwt', accessTokenTtlSeconds: 300, cookies: [], deployment: sameOrigin } }
        : errorReply(401, 'unauthenticated'),
    );
    const jwtCookieApi = createFakeJwtCookieApi();
    jwtCookieApi.loginElsewhere();
    const byUrl: Record<string, AxiosAdapter> = {
      'http://session.test': sessionApi.adapter,
      'http://jwt.test': jwtApi.adapter,
      'http://jwt-cookie.test': jwtCookieApi.adapter,
    };
    const adapter: AxiosAdapter = (config) => byUrl[config.baseURL ?? '']!(config);
    const { scope } = renderApp('/', { adapter }, Object.keys(byUrl));

    expect(await scope.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    const switcher = scope.getByRole('group', { name: /Auth mode/ });
    await waitFor(() => expect(within(switcher).getAllByRole('button').every((button) => !button.hasAttribute('disabled'))).toBe(true));
    expect(within(switcher).getAllByRole('button').map((button) => button.textContent)).toEqual([
      'sessionsession.test',
      'jwtjwt.test',
      'jwt-cookiejwt-cookie.test',
    ]);

    fireEvent.click(within(switcher).getByRole('button', { name: /^jwt-cookie/ }));
    expect(await scope.findByRole('heading', { name: 'Hello, Ada' })).toBeTruthy();
  });
});
