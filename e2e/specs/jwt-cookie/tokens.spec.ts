import { SessionsResponse, cookieNames, csrfHeader, paths } from '@authbench/contract';
import type { Page, Response } from '@playwright/test';
import { apiChoiceKey } from '../../e2e-env';
import { expect, test } from '../../fixtures';
import { collectAccessTokens, jwtLike, recordApiCalls, scriptReadableState } from '../../helpers';
import { tokenRefreshTests } from '../../token-refresh-tests';
import { greeting, logoutButton, navTo, sessionRows } from '../../ui';

// jwt-cookie mode only: jwt mode's access token, carried in the HttpOnly `at` cookie, which the
// browser attaches by itself and script never sees (the API runs with ACCESS_TOKEN_TTL=3s, see
// playwright.config.ts).

const names = cookieNames(false);
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Everything of the API's answers that script on the page could ever read: bodies, and headers
 * other than Set-Cookie (which no script sees). Stricter than CORS, which exposes only some headers.
 */
function collectReadableAnswers(page: Page, apiUrl: string) {
  const seen: Promise<string>[] = [];
  page.on('response', (response: Response) => {
    if (!response.url().startsWith(`${apiUrl}/`)) return;
    seen.push(
      (async () => {
        const headers = (await response.headersArray()).filter(({ name }) => name.toLowerCase() !== 'set-cookie');
        const body = await response.text().catch(() => '');
        return `${response.request().method()} ${response.url()} ${JSON.stringify(headers)} ${body}`;
      })().catch(() => ''),
    );
  });
  return { all: () => Promise.all(seen) };
}

/** The id of the login the sessions page marks as this device's, from the API's answer. */
async function currentSessionId(page: Page, apiUrl: string, show: () => Promise<unknown>): Promise<string> {
  const answer = page.waitForResponse((r) => r.url() === `${apiUrl}${paths.sessions}` && r.request().method() === 'GET' && r.status() === 200);
  await show();
  const current = SessionsResponse.parse(await (await answer).json()).sessions.filter((session) => session.current);
  expect(current).toHaveLength(1);
  return current[0]!.id;
}

test('script can read no credential in any form: the access token travels only in the HttpOnly at cookie', async ({
  page,
  context,
  apiUrl,
  account,
  login,
}) => {
  const issued = collectAccessTokens(page, apiUrl);
  const answers = collectReadableAnswers(page, apiUrl);
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  // Once it has expired, the next page's requests renew it: a refresh answer to examine too.
  await issued.waitOutAll(page);
  await navTo(page, 'Inspect');
  await expect(page.getByRole('heading', { name: 'Claims, as GET /api/me reports them' })).toBeVisible();
  await expect.poll(() => issued.tokens.length, 'access tokens issued: the login’s and a refresh’s').toBeGreaterThanOrEqual(2);
  await issued.newest(); // and no token answer still unread

  // The credentials exist, in the browser's jar, out of script's reach. (Cookies ignore ports:
  // here, where the SPA and the API share the host localhost, the jar sends `at` to the SPA's
  // server too, HttpOnly all the same.)
  const jar = await context.cookies([apiUrl, `${apiUrl}${paths.refresh}`]); // at's Path is /, rt's /api/auth
  expect(jar.map((cookie) => cookie.name).sort()).toEqual([names.access, names.refresh].sort());
  const at = jar.find((cookie) => cookie.name === names.access)!;
  const rt = jar.find((cookie) => cookie.name === names.refresh)!;
  expect(at).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(rt).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
  expect(issued.tokens).toContain(at.value);
  expect(at.value).toMatch(jwtLike);
  const secrets = [...issued.tokens, rt.value];

  // Not in script's storage, not in the page, not in anything the API answered.
  const readable = await scriptReadableState(page);
  expect(readable.cookie).toBe('');
  expect(Object.keys(readable.localStorage)).toEqual([apiChoiceKey]); // which API, nothing more
  expect(readable.sessionStorage).toEqual({});
  expect(readable.indexedDb).toEqual([]);
  const everything = [JSON.stringify(readable), await page.content(), ...(await answers.all())];
  expect(everything.length).toBeGreaterThan(2);
  for (const text of everything) {
    expect(text).not.toMatch(jwtLike);
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
  // Nor in a request script made: no Authorization header, only the cookie the browser attached.
  const calls = await traffic.settled();
  expect(calls.filter((call) => call.headers.authorization !== undefined)).toEqual([]);
  const authenticated = calls.filter((call) => (call.path === paths.me || call.path === paths.sessions) && call.status === 200);
  expect(authenticated.length).toBeGreaterThan(0);
  for (const call of authenticated) expect(call.headers.cookie, `${call.method} ${call.path}`).toMatch(new RegExp(`(^|; )${names.access}=`));
});

test('every unsafe request carries the X-CSRF-Token header, login, refresh and logout included', async ({ page, apiUrl, account, login }) => {
  const issued = collectAccessTokens(page, apiUrl);
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  await page.getByLabel('Display name').fill(`${account.name} II`);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await issued.waitOutAll(page);
  await navTo(page, 'Sessions'); // meets the expired token: a refresh
  await expect(sessionRows(page)).toHaveCount(1);
  await logoutButton(page).click();
  await expect(page).toHaveURL('/login');

  const calls = await traffic.settled();
  const unsafeCalls = calls.filter((call) => unsafe.has(call.method));
  expect(unsafeCalls.map((call) => `${call.method} ${call.path}`)).toEqual(
    expect.arrayContaining([`POST ${paths.login}`, `PATCH ${paths.me}`, `POST ${paths.refresh}`, `POST ${paths.logout}`]),
  );
  for (const call of unsafeCalls) {
    expect(call.headers[csrfHeader.toLowerCase()], `${call.method} ${call.path}`).toMatch(/^\S{16,}$/);
    // Refused for nothing but an expiry (then refreshed and retried): never csrf_failed.
    if (call.errorCode !== 'token_expired') expect(call.status, `${call.method} ${call.path}`).toBeLessThan(400);
  }
  // A refresh keeps the login's id, and so its CSRF token: the same one before and after.
  const afterLogin = unsafeCalls.filter((call) => call.path !== paths.login).map((call) => call.headers[csrfHeader.toLowerCase()]);
  expect(new Set(afterLogin).size, 'CSRF tokens used by one login').toBe(1);
  // Safe requests need none.
  expect(calls.filter((call) => !unsafe.has(call.method) && call.headers[csrfHeader.toLowerCase()] !== undefined)).toEqual([]);
});

test('a reload restores the login from the cookies, through one refresh once the access token has expired', async ({
  page,
  apiUrl,
  account,
  login,
}) => {
  const issued = collectAccessTokens(page, apiUrl);
  await login(page, account);
  const loggedIn = await currentSessionId(page, apiUrl, () => navTo(page, 'Sessions'));

  await issued.waitOutAll(page);
  const traffic = recordApiCalls(page, apiUrl);
  // A reload empties the page's memory; the browser's jar holds an expired `at` and the `rt`.
  const restored = await currentSessionId(page, apiUrl, () => page.reload());
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(page).toHaveURL('/sessions');
  expect(restored, 'the same login, not a new one').toBe(loggedIn);

  // Up to the answer that showed the sessions page (the fresh token may expire in turn later).
  const all = await traffic.settled();
  const calls = all.slice(0, all.findIndex((call) => call.path === paths.sessions && call.status === 200) + 1);
  const refreshes = calls.filter((call) => call.path === paths.refresh);
  expect(refreshes.map((call) => call.status), 'refreshes').toEqual([200]);
  const expired = calls.filter((call) => call.errorCode === 'token_expired');
  expect(expired.length, 'requests that met the expired token').toBeGreaterThan(0);
  expect(calls.filter((call) => call.path === paths.login || call.path === paths.register)).toEqual([]);
  expect(calls.filter((call) => call.status !== undefined && call.status >= 400 && call.errorCode !== 'token_expired')).toEqual([]);
  await navTo(page, 'Home');
  await expect(greeting(page, account)).toBeVisible();
});

// Refreshing on expiry, in one tab and across tabs: shared with jwt mode.
tokenRefreshTests();
