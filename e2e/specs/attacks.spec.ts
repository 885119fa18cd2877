import { ErrorBody, cookieNames, paths } from '@authbench/contract';
import type { Page } from '@playwright/test';
import { attackerUrl } from '../e2e-env';
import { expect, test, type Account } from '../fixtures';
import { fetchFromPage, jwtLike, recordWire, scriptReadableState } from '../helpers';
import { greeting, navTo, sessionRows } from '../ui';

// Attacks that must fail in every mode. The attacker's site is http://127.0.0.1:4174
// (attacker/server.mjs): another site than the SPA and the APIs on localhost.

/** The cookies that carry a login, in any mode. */
const credentialCookies = Object.values(cookieNames(false));
const credentialCookie = new RegExp(`(^|; )(${credentialCookies.join('|')})=`);

/** The victim is still logged in, and the server still has their one session. */
async function expectStillLoggedIn(page: Page, account: Account) {
  await navTo(page, 'Home');
  await expect(greeting(page, account)).toBeVisible();
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
  await page.reload();
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
}

test('a cross-site form POST cannot log the victim out', async ({ page, context, apiUrl, account, login }) => {
  await login(page, account);
  const attacker = await context.newPage();
  for (const target of [paths.logoutAll, paths.logout]) {
    const url = `${apiUrl}${target}`;
    const answered = attacker.waitForResponse((response) => response.url() === url && response.request().method() === 'POST');
    // The form posts itself on load, with whatever cookies the browser is willing to attach.
    await attacker.goto(`${attackerUrl}/form?action=${encodeURIComponent(url)}`);
    const response = await answered;
    expect(response.status(), target).toBe(403);
    expect(ErrorBody.parse(await response.json()).error.code, target).toBe('forbidden_origin');
    // And the browser's own defence: the victim's cookies stay home on a cross-site POST.
    const cookie = (await response.request().allHeaders()).cookie ?? '';
    expect(cookie, target).not.toMatch(credentialCookie);
  }
  await attacker.close();
  await expectStillLoggedIn(page, account);
});

test('a script on another site can neither log the victim out nor read their data', async ({ page, context, apiUrl, account, login }) => {
  await login(page, account);
  const attacker = await context.newPage();
  // CORS keeps the answers from the page, and from Playwright's response events too; the
  // DevTools protocol still sees the status lines the API sent.
  const wire = await recordWire(context, attacker, apiUrl);
  await attacker.goto(attackerUrl);

  const results = await fetchFromPage(attacker, apiUrl, {
    // Preflighted (JSON): the preflight is refused, so the POST itself never leaves.
    logoutAllJson: { path: '/api/auth/logout-all', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' },
    // A "simple" request goes out without a preflight; the server must refuse it by itself.
    logoutAllSimple: { path: '/api/auth/logout-all', method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' },
    logoutSimple: { path: '/api/auth/logout', method: 'POST' },
    me: { path: '/api/me', method: 'GET' },
    sessions: { path: '/api/auth/sessions', method: 'GET' },
  });

  // The attacker's script read nothing at all: every answer was withheld by CORS.
  for (const [name, result] of Object.entries(results)) {
    expect(result, name).toEqual({ failed: expect.stringContaining('Failed to fetch') as unknown });
  }
  // What reached the API was refused there, by the API itself. (The preflighted POST never
  // left: its preflight got no Access-Control-Allow-Origin.)
  const refused = [
    `GET ${paths.me} 401`,
    `GET ${paths.sessions} 401`,
    `POST ${paths.logout} 403`,
    `POST ${paths.logoutAll} 403`,
  ].sort();
  await expect
    .poll(() =>
      wire
        .exchanges()
        .filter(({ request }) => !request.startsWith('OPTIONS'))
        .map(({ request, statusCode }) => `${request} ${statusCode}`)
        .sort(),
    )
    .toEqual(refused);
  // The browser's own defence: no cookie of the victim's went along with a cross-site request.
  expect(wire.exchanges().filter(({ cookie }) => credentialCookie.test(cookie))).toEqual([]);
  // Not one answer, preflights included, let the attacker's origin read it.
  const allowing = wire.exchanges().filter(({ headers }) => 'access-control-allow-origin' in headers);
  expect(allowing).toEqual([]);
  await attacker.close();
  await expectStillLoggedIn(page, account);
});

test('a script in the SPA page finds no credential to read', async ({ page, context, apiUrl, account, login }) => {
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  // What an injected script would try first.
  const loot = await scriptReadableState(page);

  expect(loot.cookie).toBe('');
  expect(Object.keys(loot.localStorage)).toEqual(['authbench.apiUrl']); // which API, nothing more
  expect(loot.sessionStorage).toEqual({});
  // IndexedDB holds no token; a key kept there (jwt-dpop's) is a handle script cannot export.
  for (const record of loot.indexedDb) {
    for (const key of record.keys.filter((each) => each.type !== 'public')) {
      expect(key, record.where).toMatchObject({ extractable: false, exported: expect.stringMatching(/^refused: /) as unknown });
    }
  }
  const everything = JSON.stringify(loot);
  expect(everything).not.toMatch(jwtLike);
  // The real credentials exist, in the browser's cookie jar, out of script's reach.
  const credentials = await context.cookies([apiUrl, `${apiUrl}${paths.refresh}`]); // sid's Path is /, rt's /api/auth
  expect(credentials.length).toBeGreaterThan(0);
  for (const cookie of credentials) {
    expect(cookie.httpOnly, cookie.name).toBe(true);
    expect(everything).not.toContain(cookie.value);
    expect(everything).not.toContain(decodeURIComponent(cookie.value));
  }
});
