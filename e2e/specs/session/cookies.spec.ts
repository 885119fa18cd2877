import { paths } from '@authbench/contract';
import { expect, test } from '../../fixtures';
import { recordApiCalls, scriptReadableState } from '../../helpers';
import { logoutButton, navTo, sessionRows } from '../../ui';

// Session mode only: the browser's cookie is the credential, script never sees it, and every
// unsafe request proves its origin with the CSRF header.

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

test('sends no Authorization header, and the X-CSRF-Token header on every unsafe call', async ({ page, browser, apiUrl, account, login }) => {
  const traffic = recordApiCalls(page, apiUrl);
  // A second device to revoke, so that a DELETE is among the calls too.
  const other = await browser.newContext();
  await login(await other.newPage(), account);
  await login(page, account);
  await page.getByLabel('Display name').fill(`${account.name} II`);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await navTo(page, 'Sessions');
  await page.getByRole('button', { name: /^Revoke:/ }).click();
  await expect(sessionRows(page)).toHaveCount(1);
  await logoutButton(page).click();
  await expect(page).toHaveURL('/login');
  await other.close();

  const calls = await traffic.settled();
  const sent = calls.map((call) => `${call.method} ${call.path.startsWith(`${paths.sessions}/`) ? `${paths.sessions}/:id` : call.path}`);
  expect(sent).toEqual(
    expect.arrayContaining([`POST ${paths.login}`, `PATCH ${paths.me}`, `DELETE ${paths.sessions}/:id`, `POST ${paths.logout}`]),
  );
  expect(calls.filter((call) => call.headers.authorization !== undefined)).toEqual([]);
  for (const call of calls.filter((c) => unsafe.has(c.method))) {
    expect(call.headers['x-csrf-token'], `${call.method} ${call.path}`).toMatch(/^\S{16,}$/);
    expect(call.status, `${call.method} ${call.path}`).toBeLessThan(400);
  }
  // The cookie goes along by itself; the page's script had nothing to add for it.
  const authenticated = calls.filter((call) => (call.path === paths.me || call.path === paths.sessions) && call.status === 200);
  expect(authenticated.length).toBeGreaterThan(0);
  for (const call of authenticated) expect(call.headers.cookie, `${call.method} ${call.path}`).toMatch(/(^|; )sid=/);
});

test('the sid cookie is HttpOnly: document.cookie does not show it', async ({ page, context, apiUrl, account, login }) => {
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);

  const readable = await scriptReadableState(page);
  expect(readable.cookie).not.toContain('sid');
  expect(readable.cookie).toBe('');

  const [sid, ...others] = await context.cookies(apiUrl);
  expect(others).toEqual([]);
  expect(sid).toMatchObject({ name: 'sid', httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(JSON.stringify(readable)).not.toContain(sid!.value);
  expect(JSON.stringify(readable)).not.toContain(decodeURIComponent(sid!.value));
});
