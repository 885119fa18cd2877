import { expect, newAccount, test } from '../fixtures';
import { greeting, loginHeading, logoutButton, navTo, sessionRows } from '../ui';

// The flows every user meets, in every mode: the same spec runs as the `session`, `jwt` and
// `jwt-cookie` projects (playwright.config.ts), each against its own API.

test('registers through the form and lands home, logged in', async ({ page }) => {
  const account = newAccount('newcomer');
  await page.goto('/register');
  await page.getByLabel('Name').fill(account.name);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(greeting(page, account)).toBeVisible();
  await expect(page).toHaveURL('/');
  await expect(page.getByText(account.email, { exact: true })).toBeVisible();
  // Logged in as far as the API is concerned too: a fresh page load finds the login.
  await page.reload();
  await expect(greeting(page, account)).toBeVisible();
  await expect(logoutButton(page)).toBeVisible();
});

test('logs in and shows the account', async ({ page, account, login }) => {
  await login(page, account);
  await expect(page).toHaveURL('/');
  await expect(greeting(page, account)).toBeVisible();
  await expect(page.getByText(account.email, { exact: true })).toBeVisible();
});

test('announces a wrong password', async ({ page, account }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();

  await expect(page.getByRole('alert')).toHaveText('The email or password is incorrect.');
  await expect(page).toHaveURL('/login');
  await expect(logoutButton(page)).toHaveCount(0);
});

test('a reload keeps the login', async ({ page, account, login }) => {
  await login(page, account);
  await page.reload();
  await expect(greeting(page, account)).toBeVisible();
  // A fresh page load of a protected route, too.
  await page.goto('/sessions');
  await expect(page.getByRole('heading', { name: 'Sessions and devices' })).toBeVisible();
  await expect(logoutButton(page)).toBeVisible();
});

test('a protected route sends a visitor to log in, then back where they were headed', async ({ page, account, login }) => {
  // Records whether the protected page's content ever reached the DOM before the login.
  await page.addInitScript(() => {
    const seen = () => /Sessions and devices|Active sessions/.test(document.body?.textContent ?? '');
    (window as unknown as { flashed: boolean }).flashed = false;
    new MutationObserver(() => {
      if (seen()) (window as unknown as { flashed: boolean }).flashed = true;
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await page.goto('/sessions?tab=devices');
  await expect(page).toHaveURL('/login');
  await expect(loginHeading(page)).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { flashed: boolean }).flashed)).toBe(false);

  await login(page, account);
  await expect(page).toHaveURL('/sessions?tab=devices');
  await expect(page.getByRole('heading', { name: 'Sessions and devices' })).toBeVisible();
  // The watch above would have seen the content: it does see it, now that it may show.
  expect(await page.evaluate(() => (window as unknown as { flashed: boolean }).flashed)).toBe(true);
});

test('edits the profile', async ({ page, account, login }) => {
  await login(page, account);
  const renamed = { ...account, name: `Renamed ${account.name}` };
  await page.getByLabel('Display name').fill(renamed.name);
  await page.getByRole('button', { name: 'Save name' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(greeting(page, renamed)).toBeVisible();
  await expect(page.getByRole('banner').getByText(renamed.name, { exact: true })).toBeVisible();
  await page.reload();
  await expect(greeting(page, renamed)).toBeVisible();
});

test('logging out leaves nothing of the previous user on screen or in the cache', async ({ page, login, registerAccount }) => {
  const [alice, bob] = await Promise.all([registerAccount('alice'), registerAccount('bob')]);
  await login(page, alice);
  const aliceId = await page.getByRole('definition').locator('code').first().textContent();
  expect(aliceId).toBeTruthy();
  // Fill the cache with more of Alice: her sessions, and the inspector's view of them.
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  await navTo(page, 'Inspect');
  await expect(page.getByText('this tab', { exact: true })).toBeVisible();

  await logoutButton(page).click();
  await expect(page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' })).toBeVisible();
  const traces = [alice.name, alice.email, aliceId!];
  const afterLogout = await page.content();
  for (const trace of traces) expect(afterLogout).not.toContain(trace);

  await login(page, bob);
  await expect(page.getByRole('banner').getByText(bob.name, { exact: true })).toBeVisible();
  for (const path of ['Home', 'Sessions', 'Inspect'] as const) {
    await navTo(page, path);
    if (path === 'Home') await expect(greeting(page, bob)).toBeVisible();
    if (path === 'Sessions') await expect(sessionRows(page)).toHaveCount(1);
    if (path === 'Inspect') await expect(page.getByText('this tab', { exact: true })).toBeVisible();
    const html = await page.content();
    for (const trace of traces) expect(html, `${path} shows a trace of the previous user`).not.toContain(trace);
  }
});

test('the sessions page revokes a second device, which is logged out at its next request', async ({ page, browser, account, login }) => {
  await login(page, account);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await login(otherPage, account);

  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(2);
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
  await page.getByRole('button', { name: /^Revoke:/ }).click();
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);

  // The other device still shows the account, until it next asks the API for anything.
  await expect(greeting(otherPage, account)).toBeVisible();
  await navTo(otherPage, 'Sessions');
  await expect(otherPage).toHaveURL('/login');
  await expect(loginHeading(otherPage)).toBeVisible();
  // This device carries on.
  await page.reload();
  await expect(sessionRows(page)).toHaveCount(1);
  await other.close();
});

test('logs out everywhere', async ({ page, browser, account, login }) => {
  await login(page, account);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await login(otherPage, account);

  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(2);
  await page.getByRole('button', { name: 'Log out everywhere' }).click();
  await page.getByRole('button', { name: 'Yes, log out everywhere' }).click();
  await expect(page).toHaveURL('/login');

  await navTo(otherPage, 'Sessions');
  await expect(otherPage).toHaveURL('/login');
  // A reload does not bring either login back.
  for (const each of [page, otherPage]) {
    await each.goto('/');
    await expect(each).toHaveURL('/login');
  }
  await other.close();
});

test('a logout in one tab logs out the other tabs', async ({ page, context, account, login }) => {
  await login(page, account);
  const tab = await context.newPage();
  await tab.goto('/');
  await expect(greeting(tab, account)).toBeVisible();

  await logoutButton(page).click();
  await expect(page).toHaveURL('/login');
  await expect(tab).toHaveURL('/login');
  await expect(loginHeading(tab)).toBeVisible();
  await expect(tab.getByText(account.name)).toHaveCount(0);
});

test('a login in one tab logs in the other tabs', async ({ page, context, account, login }) => {
  const tab = await context.newPage();
  await tab.goto('/login');
  await expect(loginHeading(tab)).toBeVisible();

  await login(page, account);
  await expect(greeting(tab, account)).toBeVisible();
  await expect(tab).toHaveURL('/');
  // And it works there: a request of its own, after the other tab's login.
  await navTo(tab, 'Sessions');
  await expect(sessionRows(tab)).toHaveCount(1);
});

test('logs in with the keyboard alone', async ({ page, account }) => {
  await page.goto('/login');
  const email = page.getByLabel('Email');
  await expect(email).toBeVisible();
  // Tab from the top of the page, past the skip link, the navigation and the mode switch.
  for (let presses = 0; presses < 20 && !(await email.evaluate((el) => el === document.activeElement)); presses++) {
    await page.keyboard.press('Tab');
  }
  await expect(email).toBeFocused();
  await page.keyboard.type(account.email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type(account.password);
  await page.keyboard.press('Enter');

  await expect(greeting(page, account)).toBeVisible();
});
