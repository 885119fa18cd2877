import { cookieNames, paths } from '@authbench/contract';
import { errorCodeOf } from '../../api-client';
import { expect, test } from '../../fixtures';
import { greeting, loginHeading, navTo, sessionRows } from '../../ui';

// Session mode only: session fixation. An attacker who plants a session id of their own in the
// victim's browser before login must not share the victim's session after it.

const names = cookieNames(false);

test('a session id planted before login does not survive the login', async ({
  page,
  context,
  apiUrl,
  account,
  login,
  openApi,
  registerAccount,
}) => {
  // A visitor gets no session at all: the CSRF token before login is signed over a `csrf`
  // cookie, and nothing is stored for it.
  const visitor = await openApi();
  expect((await visitor.request.get(paths.csrf)).status()).toBe(200);
  expect((await visitor.request.storageState()).cookies.map((cookie) => cookie.name)).toEqual([names.csrf]);

  // So the attacker plants a genuine, signed session id: one of their own login's. Planted
  // while the victim's login form is open (before it, the app would simply show the attacker's
  // account), so that the victim's login request carries it.
  const attacker = await openApi();
  await attacker.login(await registerAccount('mallory'));
  const planted = (await attacker.request.storageState()).cookies.find((cookie) => cookie.name === names.session);
  if (!planted) throw new Error('a login set no sid cookie');
  await page.goto('/login');
  await expect(loginHeading(page)).toBeVisible();
  // Planted for the API as the browser calls it (the attacker's client calls the process directly).
  await context.addCookies([{ name: planted.name, value: planted.value, url: apiUrl, httpOnly: true, sameSite: planted.sameSite }]);
  expect((await context.cookies(apiUrl)).filter((cookie) => cookie.name === names.session).map((cookie) => cookie.value)).toEqual([planted.value]);

  await login(page, account);
  await expect(greeting(page, account)).toBeVisible();
  const after = (await context.cookies(apiUrl)).filter((cookie) => cookie.name === names.session);
  expect(after).toHaveLength(1);
  expect(after[0]!.value).not.toBe(planted.value);

  // The login regenerated the id and ended the session it replaced: the attacker, presenting the
  // planted id, is logged in as nobody, least of all as the victim.
  for (const path of [paths.me, paths.sessions]) {
    const response = await attacker.request.get(path);
    expect(response.status(), path).toBe(401);
    expect(await errorCodeOf(response), path).toBe('unauthenticated');
  }
  // The victim's own session works, and is the account's only one.
  await navTo(page, 'Sessions');
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(sessionRows(page)).toHaveCount(1);
});
