import { fileURLToPath } from 'node:url';
import { expect, test } from '../fixtures';
import { greeting, navTo, sessionRows } from '../ui';

// Screenshots of the main pages in each mode, for docs/spa.md (copy-screenshots.mjs copies the
// current set to docs/screenshots/). Viewport-sized (1280x800, playwright.config.ts), PNG.

const folder = fileURLToPath(new URL('../screenshots/', import.meta.url));

test('screenshots of login, home, sessions and inspect', async ({ page, mode, login, registerAccount, openApi }) => {
  const account = await registerAccount('ada', 'Ada Lovelace');
  // A second device, so that the sessions page has something to revoke.
  await (await openApi({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' })).login(account);
  const shoot = (name: string) => page.screenshot({ path: `${folder}${mode}/${name}.png`, animations: 'disabled', caret: 'hide' });

  await page.goto('/login');
  await expect(page.getByLabel('Email')).toBeVisible();
  await shoot('login');

  await login(page, account);
  await expect(greeting(page, account)).toBeVisible();
  await shoot('home');

  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(2);
  await shoot('sessions');

  await navTo(page, 'Inspect');
  await expect(page.getByText('this tab', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Recent requests' })).toBeVisible();
  await shoot('inspect');
});
