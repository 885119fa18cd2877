import { paths } from '@authbench/contract';
import { expect, test } from '../../fixtures';
import { collectAccessTokens, jwtLike, recordApiCalls, scriptReadableState, type ApiCall } from '../../helpers';
import { greeting, navTo, sessionRows } from '../../ui';

// JWT mode only: where the access token lives, what carries it, and what happens when it
// expires (the jwt API runs with ACCESS_TOKEN_TTL=3, see playwright.config.ts).

const refreshesIn = (calls: ApiCall[]) => calls.filter((call) => call.method === 'POST' && call.path === paths.refresh);

test('the access token never reaches localStorage, sessionStorage or a script-readable cookie', async ({ page, context, apiUrl, account, login }) => {
  const issued = collectAccessTokens(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  // A reload restores the login through the refresh cookie: a second token, held the same way.
  await page.reload();
  await expect(sessionRows(page)).toHaveCount(1);
  await expect.poll(() => issued.tokens.length).toBeGreaterThanOrEqual(2);
  await issued.newest(); // and no token answer still unread

  const readable = await scriptReadableState(page);
  const everything = JSON.stringify(readable);
  for (const token of issued.tokens) expect(everything).not.toContain(token);
  expect(everything).not.toMatch(jwtLike);
  expect(readable.cookie).toBe('');
  expect(Object.keys(readable.localStorage)).toEqual(['authbench.apiUrl']);
  expect(readable.sessionStorage).toEqual({});
  expect(readable.indexedDb).toEqual([]);

  // The refresh token is in the browser's jar all right, where only the browser can use it.
  const cookies = await context.cookies(`${apiUrl}${paths.refresh}`); // the cookie's Path is /api/auth
  expect(cookies.map((cookie) => cookie.name)).toEqual(['rt']);
  expect(cookies[0]).toMatchObject({ name: 'rt', httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
  expect(cookies[0]!.value).not.toMatch(jwtLike);
  // And the SPA's own origin has no cookie at all.
  expect(await context.cookies(page.url())).toEqual([]);
});

test('API calls carry Authorization: Bearer, and only the calls that need it', async ({ page, apiUrl, account, login }) => {
  const issued = collectAccessTokens(page, apiUrl);
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  await navTo(page, 'Home');
  await page.getByLabel('Display name').fill(`${account.name} II`);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const calls = await traffic.settled();
  await issued.newest(); // every token answer read
  const needsToken = new Set<string>([paths.me, paths.sessions]);
  const tokenFree = new Set<string>([paths.login, paths.refresh, paths.config]);
  const authenticated = calls.filter((call) => needsToken.has(call.path));
  expect(authenticated.map((call) => `${call.method} ${call.path}`)).toEqual(
    expect.arrayContaining([`GET ${paths.me}`, `GET ${paths.sessions}`, `PATCH ${paths.me}`]),
  );
  for (const call of authenticated.filter((c) => c.status === 200)) {
    expect(call.headers.authorization, `${call.method} ${call.path}`).toMatch(/^Bearer eyJ/);
    expect(issued.tokens).toContain(call.headers.authorization!.replace(/^Bearer /, ''));
  }
  // Logging in and refreshing prove who you are otherwise; GET /api/config is public.
  for (const call of calls.filter((c) => tokenFree.has(c.path))) {
    expect(call.headers.authorization, `${call.method} ${call.path}`).toBeUndefined();
  }
  // No CSRF machinery in this mode: the header is the proof of intent.
  expect(calls.filter((call) => call.headers['x-csrf-token'])).toEqual([]);
});

test('an access token that expires under several parallel requests is refreshed exactly once, and every request succeeds', async ({
  page,
  apiUrl,
  account,
  login,
  openApi,
}) => {
  // Three more devices, so that the sessions page offers three revocations to fire at once.
  for (let i = 0; i < 3; i++) await (await openApi()).login(account);
  const issued = collectAccessTokens(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(4);

  await issued.waitOutAll(page);
  const traffic = recordApiCalls(page, apiUrl);
  // One task, several requests: three revocations (DELETE) and, as when the tab regains
  // focus, a refetch of the stale sessions list (GET), all with the expired token.
  await page.evaluate(() => {
    const revokes = [...document.querySelectorAll('button')].filter((button) => button.textContent === 'Revoke');
    for (const button of revokes) button.click();
    window.dispatchEvent(new Event('visibilitychange')); // TanStack Query's focus manager listens on window
  });
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('banner').getByText(account.name, { exact: true })).toBeVisible(); // still logged in

  const calls = await traffic.settled();
  // The burst: up to the last of the three revocations' success. (Later, the fresh token may
  // expire in turn under a slow machine; that would be another refresh, for another expiry.)
  const deletes = calls.filter((call) => call.method === 'DELETE');
  const revoked = new Set(deletes.filter((call) => call.status === 204).map((call) => call.path));
  expect(revoked.size, 'sessions revoked').toBe(3);
  const burst = calls.slice(0, calls.findLastIndex((call) => call.method === 'DELETE' && call.status === 204) + 1);

  const expired = burst.filter((call) => call.errorCode === 'token_expired');
  expect(expired.length, 'requests that met the expired token').toBeGreaterThanOrEqual(3);
  expect(refreshesIn(burst).map((call) => call.status), 'refreshes for the burst').toEqual([200]);
  // Each request that met the expiry went out once more, with the new token, and succeeded.
  for (const path of revoked) {
    expect(deletes.filter((call) => call.path === path).map((call) => call.status), path).toEqual([401, 204]);
  }
  for (const call of expired) {
    const retry = calls.slice(calls.indexOf(call) + 1).find((later) => later.method === call.method && later.path === call.path);
    expect(retry?.status, `${call.method} ${call.path} retried`).toBe(call.method === 'DELETE' ? 204 : 200);
  }
  expect(calls.filter((call) => call.status !== undefined && call.status >= 400 && call.errorCode !== 'token_expired')).toEqual([]);
});

test('two tabs whose tokens expire together both keep working, without tripping reuse detection', async ({
  page,
  context,
  apiUrl,
  account,
  login,
  openApi,
}) => {
  const issued = collectAccessTokens(context, apiUrl);
  await login(page, account);
  const tab = await context.newPage();
  await tab.goto('/sessions');
  // The second tab restored the login with the refresh cookie and shared its token: both tabs
  // now hold the same access token, and one refresh cookie between them.
  await expect(sessionRows(tab)).toHaveCount(1);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);

  await issued.waitOutAll(page);
  const tabs = [page, tab].map((each) => ({ page: each, traffic: recordApiCalls(each, apiUrl) }));
  // Both tabs come back to life at the same moment (as when the window regains focus): each
  // refetches its sessions list with the expired token. Scheduled for one instant in both tabs,
  // rather than sent one after the other, so that neither tab can have refreshed already.
  const at = Date.now() + 500;
  await Promise.all(
    tabs.map(({ page: each }) =>
      each.evaluate((when) => {
        setTimeout(() => window.dispatchEvent(new Event('visibilitychange')), when - Date.now());
      }, at),
    ),
  );
  for (const { traffic } of tabs) {
    await expect
      .poll(async () => (await traffic.settled()).filter((call) => call.path === paths.sessions).map((call) => call.status))
      .toEqual([401, 200]);
  }
  const atExpiry = (await Promise.all(tabs.map(({ traffic }) => traffic.settled()))).flat();
  expect(atExpiry.filter((call) => call.errorCode === 'token_expired')).toHaveLength(2);
  // Web Locks queue the tabs: the second finds the first's fresh token and spends nothing, or,
  // if that token's message arrives after the lock, spends the cookie the first tab's refresh
  // already rotated. Never the same cookie twice, which would revoke the family.
  const refreshes = refreshesIn(atExpiry);
  test.info().annotations.push({ type: 'refreshes at the shared expiry', description: String(refreshes.length) });
  expect(refreshes.length).toBeGreaterThanOrEqual(1);
  expect(refreshes.length).toBeLessThanOrEqual(2);
  expect(refreshes.map((call) => call.status)).toEqual(refreshes.map(() => 200));

  // A further action in each tab: both still logged in, with working credentials.
  for (const { page: each } of tabs) {
    await navTo(each, 'Home');
    await expect(greeting(each, account)).toBeVisible();
    await navTo(each, 'Sessions');
    await expect(sessionRows(each).filter({ hasText: 'This device' })).toHaveCount(1);
  }
  const calls = (await Promise.all(tabs.map(({ traffic }) => traffic.settled()))).flat();
  expect(calls.filter((call) => call.errorCode === 'token_invalid' || call.errorCode === 'unauthenticated')).toEqual([]);
  expect(refreshesIn(calls).filter((call) => call.status !== 200)).toEqual([]);

  // And the server still lists the browser's login: another device of the same user sees it.
  const outside = await openApi();
  await outside.login(account);
  const listed = await outside.sessions();
  expect(listed).toHaveLength(2);
  expect(listed.filter((session) => !session.current)).toHaveLength(1);
});
