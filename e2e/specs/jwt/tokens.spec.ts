import { paths } from '@authbench/contract';
import { expect, test } from '../../fixtures';
import { collectAccessTokens, jwtLike, recordApiCalls, scriptReadableState } from '../../helpers';
import { tokenRefreshTests } from '../../token-refresh-tests';
import { navTo, sessionRows } from '../../ui';

// JWT mode only: where the access token lives, what carries it, and what happens when it
// expires (the jwt API runs with ACCESS_TOKEN_TTL=3, see playwright.config.ts).

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

// Refreshing on expiry, in one tab and across tabs: shared with jwt-cookie mode.
tokenRefreshTests();
