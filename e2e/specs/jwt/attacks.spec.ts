import { ErrorBody, paths } from '@authbench/contract';
import type { BrowserContext } from '@playwright/test';
import { expect, test } from '../../fixtures';
import { greeting, loginHeading } from '../../ui';

// JWT mode only: a refresh token stolen from the cookie jar (as malware on the machine could)
// is worth one use at most, and only until the owner refreshes; then the whole family dies.

const refreshCookieOf = async (context: BrowserContext, apiUrl: string) => {
  const cookie = (await context.cookies(`${apiUrl}${paths.refresh}`)).find((each) => each.name === 'rt');
  if (!cookie) throw new Error('no rt cookie in the jar');
  return cookie;
};

test('a stolen refresh cookie replayed after the owner refreshed kills the family, and logs the owner out at its next refresh', async ({
  page,
  context,
  browser,
  apiUrl,
  account,
  login,
}) => {
  await login(page, account);
  const stolen = await refreshCookieOf(context, apiUrl);

  // The owner refreshes (a reload restores the login through the cookie, rotating it).
  const ownerRefresh = page.waitForResponse((r) => r.url() === `${apiUrl}${paths.refresh}`);
  await page.reload();
  expect((await ownerRefresh).status()).toBe(200);
  await expect(greeting(page, account)).toBeVisible();
  expect((await refreshCookieOf(context, apiUrl)).value).not.toBe(stolen.value);

  // The thief replays the stolen (now spent) cookie from a browser of their own.
  const thief = await browser.newContext();
  await thief.addCookies([stolen]);
  const thiefPage = await thief.newPage();
  const replay = thiefPage.waitForResponse((r) => r.url() === `${apiUrl}${paths.refresh}`);
  await thiefPage.goto('/sessions');
  const replayed = await replay;
  expect(replayed.status()).toBe(401);
  expect(ErrorBody.parse(await replayed.json()).error.code).toBe('token_invalid');
  await expect(thiefPage).toHaveURL('/login');
  await expect(loginHeading(thiefPage)).toBeVisible();
  await thief.close();

  // Reuse detection revoked the family: the owner's own, freshly rotated cookie dies with it.
  const next = page.waitForResponse((r) => r.url() === `${apiUrl}${paths.refresh}`);
  await page.goto('/sessions');
  const refused = await next;
  expect(refused.status()).toBe(401);
  expect(ErrorBody.parse(await refused.json()).error.code).toBe('token_invalid');
  await expect(page).toHaveURL('/login');
  await expect(loginHeading(page)).toBeVisible();
  await expect(page.getByText(account.name)).toHaveCount(0);
});
