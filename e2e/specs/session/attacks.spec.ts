import { paths } from '@authbench/contract';
import { expect, test } from '../../fixtures';
import { navTo, sessionRows } from '../../ui';

// Session mode only: session fixation. An attacker who plants a session id of their own in the
// victim's browser before login must not share the victim's session after it.

test('a session id planted before login does not survive the login', async ({ page, context, apiUrl, account, login, openApi }) => {
  // The attacker gets a pre-login session of their own: GET /api/auth/csrf starts one.
  const attacker = await openApi();
  expect((await attacker.request.get(paths.csrf)).status()).toBe(200);
  const planted = (await attacker.request.storageState()).cookies.find((cookie) => cookie.name === 'sid');
  if (!planted) throw new Error('GET /api/auth/csrf set no sid cookie');
  await context.addCookies([planted]);
  expect((await context.cookies(apiUrl)).map((cookie) => cookie.value)).toEqual([planted.value]);

  await login(page, account);
  const [after] = await context.cookies(apiUrl);
  expect(after?.name).toBe('sid');
  expect(after?.value).not.toBe(planted.value);

  // The planted id names nothing now: the attacker is not logged in as the victim.
  const me = await attacker.me();
  expect(me.status()).toBe(401);
  expect((await attacker.request.get(paths.sessions)).status()).toBe(401);
  // The victim's own session works.
  await navTo(page, 'Sessions');
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
});
