// @vitest-environment jsdom
import { MeResponse, UpdateMeRequest, paths } from '@authbench/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeJwtCookieApi } from '../test/fake-jwt-cookie-api';
import { errorReply } from '../test/fake-server';
import { describeTokenRefresh, openTab, type Tab } from './token-refresh-tests';

const credentials = { email: 'ada@example.test', password: 'correct horse' };


const getMe = (tab: Tab) => tab.api.get(paths.me, MeResponse);
const rename = (tab: Tab, name: string) => tab.api.patch(paths.me, { name } satisfies UpdateMeRequest, MeResponse);
/** The CSRF token this tab holds: the only credential script has in this mode. */
const csrfOf = (tab: Tab) => {
  const held = tab.api.credentials();
  return held.mode === 'jwt-cookie' ? held.csrfToken : undefined;
};

describeTokenRefresh({ mode: 'jwt-cookie', createServer: createFakeJwtCookieApi });

afterEach(() => {
  window.localStorage.clear();
  window.sessionStorage.clear();
});

describe('jwt-cookie transport', () => {
  it('sends cookies on every request, no Authorization header, and the CSRF header on unsafe ones only', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);

    await tab.api.login(credentials);
    await getMe(tab);
    await rename(tab, 'Ada L.');

    expect(server.calls.every((call) => call.withCredentials && call.bearer === null)).toBe(true);
    expect(server.calls.map((call) => [`${call.method} ${call.path}`, call.csrf !== null])).toEqual([
      [`GET ${paths.csrf}`, false], // before login: the anonymous token (signed over the csrf cookie)
      [`POST ${paths.login}`, true],
      [`GET ${paths.me}`, false],
      [`PATCH ${paths.me}`, true],
    ]);
    // The login response brings the token of the new login: no second fetch.
    expect(server.state.csrfFetches).toBe(1);
    expect(server.callsTo('PATCH', paths.me)[0]?.csrf).toBe(csrfOf(tab));
    expect(csrfOf(tab)).toMatch(/^csrf\(login:/);
    expect(tab.api.credentials()).toMatchObject({ mode: 'jwt-cookie', expiresIn: 300 });
  });

  it('fetches one CSRF token for parallel unsafe requests after a reload', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere();
    const tab = openTab(server);

    await Promise.all([rename(tab, 'a'), rename(tab, 'b'), rename(tab, 'c')]);

    expect(server.state.csrfFetches).toBe(1);
    expect(new Set(server.callsTo('PATCH', paths.me).map((call) => call.csrf)).size).toBe(1);
  });

  it('re-fetches the CSRF token once and retries once on 403 csrf_failed; a second refusal is surfaced', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);

    server.state.refuseCsrf = 1;
    expect((await rename(tab, 'second')).user.name).toBe('second');
    expect(server.state.csrfFetches).toBe(2);

    server.state.refuseCsrf = 10;
    await expect(rename(tab, 'third')).rejects.toMatchObject({ code: 'csrf_failed', status: 403 });
    expect(server.callsTo('PATCH', paths.me)).toHaveLength(4); // 2 attempts each, never more
  });

  it('refreshes with cookies and the unchanged CSRF token, no Bearer header and no new CSRF fetch', async () => {
    const server = createFakeJwtCookieApi({ refreshDelayMs: 20 });
    const tab = openTab(server);
    await tab.api.login(credentials);
    const before = tab.api.credentials();
    const csrfToken = csrfOf(tab);
    server.expireAccessTokens();

    await Promise.all(Array.from({ length: 5 }, () => getMe(tab)));

    const [refresh] = server.callsTo('POST', paths.refresh);
    expect(refresh).toMatchObject({ withCredentials: true, bearer: null });
    expect(refresh?.csrf).toBe(csrfToken);
    expect(server.state.csrfFetches).toBe(1); // a refresh keeps the sid, hence the token
    expect(tab.api.credentials()).not.toBe(before); // /inspect re-renders: a new `at` is in the jar
  });

  it('after a refused refresh, forgets the CSRF token; a new login starts afresh', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAccessTokens();
    server.state.refreshReply = () => errorReply(401, 'token_invalid');
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'token_invalid' });
    expect(tab.api.credentials()).toMatchObject({ csrfToken: null, receivedAt: null });

    // The expired `at` is still in the jar, but the login is over: no refresh.
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'token_expired' });
    expect(server.state.refreshes).toBe(1);
    server.state.refreshReply = null;
    await tab.api.login(credentials);
    server.expireAccessTokens();
    await getMe(tab);
    expect(server.state.refreshes).toBe(2);
  });

  it('restores the login after a reload with no request beyond what is needed', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere(); // the tab before the reload; its cookies stay in the jar
    const reloaded = openTab(server);

    await Promise.all([getMe(reloaded), getMe(reloaded)]);
    await rename(reloaded, 'Ada L.');

    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      `GET ${paths.me}`,
      `GET ${paths.me}`,
      `GET ${paths.csrf}`, // the token of this login (the `at` names it), before the first unsafe request
      `PATCH ${paths.me}`,
    ]);
    expect(server.state.refreshes).toBe(0);
  });

  it('after a reload with an expired access cookie: fetches the CSRF token, refreshes once, retries', async () => {
    const server = createFakeJwtCookieApi();
    server.loginElsewhere();
    server.expireAccessTokens();
    const reloaded = openTab(server);

    await Promise.all([getMe(reloaded), getMe(reloaded)]);

    expect(server.calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      `GET ${paths.me}`,
      `GET ${paths.me}`,
      `GET ${paths.csrf}`,
      `POST ${paths.refresh}`,
      `GET ${paths.me}`,
      `GET ${paths.me}`,
    ]);
  });

  it('stays quietly logged out at start-up without cookies', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(server.state.refreshes).toBe(0);
    expect(tab.events).toEqual([]);
  });

  it('logout clears the cookies and forgets the CSRF token; the next unsafe request fetches a new one', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await tab.api.logout();

    expect(server.holdsLogin()).toBe(false);
    expect(tab.api.credentials()).toMatchObject({ csrfToken: null });
    expect(tab.events.map((event) => event.type)).toEqual(['signed-in', 'signed-out']);
    await tab.api.login(credentials);
    expect(server.state.csrfFetches).toBe(2);
    expect(server.callsTo('POST', paths.login).map((call) => call.csrf?.startsWith('csrf(anon:'))).toEqual([true, true]);
    expect(server.callsTo('POST', paths.logout)[0]?.csrf).toMatch(/^csrf\(login:/);
  });

  it('drops the CSRF token of the previous login when another tab logs in (resync)', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.loginElsewhere(); // a new login (new sid) replaces the cookies
    tab.api.resync(); // what <AuthSync> does on the other tab's "login" message

    await rename(tab, 'after');

    expect(server.callsTo('PATCH', paths.me)).toHaveLength(1); // no csrf_failed round trip
    expect(server.state.csrfFetches).toBe(2);
  });

  it('never lets script hold an access token: not in memory, storage, headers or a readable cookie', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAccessTokens();
    await getMe(tab); // one refresh

    const held = JSON.stringify(tab.api.credentials());
    expect(server.issuedTokens()).toHaveLength(2);
    for (const token of server.issuedTokens()) expect(held).not.toContain(token);
    expect(held).not.toContain(server.jar.rt ?? 'no rt');
    expect(Object.keys(tab.api.credentials()).sort()).toEqual(['csrfToken', 'expiresIn', 'mode', 'receivedAt']);
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);
    expect(document.cookie).toBe('');
    expect(tab.api.requests.entries().every((entry) => entry.authScheme === null && entry.withCredentials)).toBe(true);
  });

  it('refuses an answer that would hand script a token, and keeps nothing of it', async () => {
    const server = createFakeJwtCookieApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    server.expireAccessTokens();
    server.state.refreshReply = () => ({ status: 200, body: { expiresIn: 300, accessToken: 'leaked' } });

    await expect(getMe(tab)).rejects.toMatchObject({ code: 'invalid_response' });
    expect(JSON.stringify(tab.api.credentials())).not.toContain('leaked');
    expect(tab.events.filter((event) => event.type === 'signed-out')).toEqual([]); // not the server refusing
  });
});
