import { CsrfResponse, ErrorBody, JwtCookieLoginResponse, cookieNames, csrfHeader, paths } from '@authbench/contract';
import { errorCodeOf } from '../../api-client';
import { sameSiteAttackerUrl, spaUrl } from '../../e2e-env';
import { expect, test } from '../../fixtures';
import { fetchFromPage, recordWire } from '../../helpers';
import { greeting, navTo, sessionRows } from '../../ui';

// jwt-cookie mode only: the browser attaches the `at` cookie by itself, so whoever can make the
// browser send a request must still be stopped. Across sites, SameSite keeps the cookie home
// (specs/attacks.spec.ts, run in this mode too); here, a page of the same site, where it does
// go along, and the cookie without the CSRF token of its login.

const names = cookieNames(false);
const carries = (name: string) => new RegExp(`(^|; )${name}=`);

test('a form or fetch from another origin cannot act as the user, even from the same site, where the browser attaches the at cookie', async ({
  page,
  context,
  apiUrl,
  account,
  login,
}) => {
  await login(page, account);
  // The attacker's server reached as localhost: another origin, but the SPA's (and the API's) site.
  const attacker = await context.newPage();
  const wire = await recordWire(context, attacker, apiUrl);

  const logoutAll = `${apiUrl}${paths.logoutAll}`;
  const formAnswer = attacker.waitForResponse((response) => response.url() === logoutAll && response.request().method() === 'POST');
  await attacker.goto(`${sameSiteAttackerUrl}/form?action=${encodeURIComponent(logoutAll)}`);
  const refused = await formAnswer;
  expect((await refused.request().allHeaders()).cookie ?? '', 'the form POST carried the cookie').toMatch(carries(names.access));
  expect(refused.status()).toBe(403);
  expect(ErrorBody.parse(await refused.json()).error.code).toBe('forbidden_origin');

  await attacker.goto(sameSiteAttackerUrl);
  const results = await fetchFromPage(attacker, apiUrl, {
    // Preflighted (JSON): the preflight is refused, so the PATCH itself never leaves.
    rename: { path: '/api/me', method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"name":"pwned"}' },
    // "Simple" requests leave without a preflight, cookies attached: the API must refuse them.
    logoutAll: { path: '/api/auth/logout-all', method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' },
    refresh: { path: '/api/auth/refresh', method: 'POST' },
    // Answered, but not to this page: CORS withholds the answer.
    me: { path: '/api/me', method: 'GET' },
  });

  for (const [name, result] of Object.entries(results)) {
    expect(result, name).toEqual({ failed: expect.stringContaining('Failed to fetch') as unknown });
  }
  await expect
    .poll(() =>
      wire
        .exchanges()
        // Not the preflights, nor the favicon the browser asks for after the form's navigation.
        .filter(({ request }) => !request.startsWith('OPTIONS') && request.includes(' /api/'))
        // The GET is answered, 200 or (once the 3-second token has expired) 401: either way, not to this page.
        .map(({ request, statusCode }) => (request === `GET ${paths.me}` ? `${request} answered` : `${request} ${statusCode}`))
        .sort(),
    )
    // The form's POST and the script's, the refresh, and the GET.
    .toEqual([`GET ${paths.me} answered`, `POST ${paths.logoutAll} 403`, `POST ${paths.logoutAll} 403`, `POST ${paths.refresh} 403`].sort());
  // The browser did attach the cookies (same site): only the API's Origin check stopped them.
  const fetched = wire.exchanges().filter(({ request }) => request === `GET ${paths.me}` || request === `POST ${paths.refresh}`);
  for (const exchange of fetched) expect(exchange.cookie, exchange.request).toMatch(carries(names.access));
  expect(wire.exchanges().filter(({ headers }) => 'access-control-allow-origin' in headers)).toEqual([]);
  await attacker.close();

  // The victim carries on, name unchanged, with the one login the server still has.
  await page.reload();
  await expect(greeting(page, account)).toBeVisible();
  await navTo(page, 'Sessions');
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
  await expect(sessionRows(page)).toHaveCount(1);
});

test('the at cookie alone cannot act: an unsafe request needs the CSRF token of its own login', async ({
  page,
  context,
  apiUrl,
  account,
  login,
  openApi,
  playwright,
}) => {
  const loginAnswer = page.waitForResponse((r) => r.url() === `${apiUrl}${paths.login}` && r.status() === 200);
  await login(page, account);
  const ownToken = JwtCookieLoginResponse.parse(await (await loginAnswer).json()).csrfToken;
  // CSRF tokens an attacker could obtain: another login's (of the same user), and a visitor's.
  const elsewhere = await openApi();
  await elsewhere.login(account);
  const otherLogin = CsrfResponse.parse(await (await elsewhere.request.get(paths.csrf)).json()).csrfToken;
  const visitor = await openApi();
  const anonymous = CsrfResponse.parse(await (await visitor.request.get(paths.csrf)).json()).csrfToken;
  expect(new Set([ownToken, otherLogin, anonymous]).size).toBe(3);

  // The victim's `at` cookie, sent with the SPA's own Origin: all that the browser would add by itself.
  const jar = (await context.cookies(apiUrl)).filter((cookie) => cookie.name === names.access);
  expect(jar).toHaveLength(1);
  const replay = await playwright.request.newContext({ baseURL: apiUrl, extraHTTPHeaders: { Origin: spaUrl }, storageState: { cookies: jar, origins: [] } });
  const rename = (headers: Record<string, string>) => replay.patch(paths.me, { data: { name: 'Mallory was here' }, headers });
  try {
    for (const [what, headers] of [
      ['no token', {}],
      ['another login’s token', { [csrfHeader]: otherLogin }],
      ['a visitor’s token', { [csrfHeader]: anonymous }],
      ['a forged token', { [csrfHeader]: `${ownToken.slice(0, -4)}AAAA` }],
    ] as const) {
      const response = await rename(headers);
      expect(response.status(), what).toBe(403);
      expect(await errorCodeOf(response), what).toBe('csrf_failed');
    }
    // Nothing changed: the victim's name is still theirs.
    await page.reload();
    await expect(greeting(page, account)).toBeVisible();
    // The same request with the login's own token passes the CSRF check (which comes before
    // authentication: the cookie's token may have expired meanwhile, and that is all it may say).
    const control = await rename({ [csrfHeader]: ownToken });
    expect(['200', '401 token_expired']).toContain(`${control.status()} ${(await errorCodeOf(control)) ?? ''}`.trim());
  } finally {
    await replay.dispose();
  }
});
