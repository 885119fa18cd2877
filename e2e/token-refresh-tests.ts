import { paths } from '@authbench/contract';
import type { Page, Request, Route } from '@playwright/test';
import { expect, test } from './fixtures';
import { collectAccessTokens, recordApiCalls, type ApiCall } from './helpers';
import { greeting, navTo, sessionRows } from './ui';

// What the two modes with a refresh token (jwt, jwt-cookie) share, whatever carries the access
// token: on 401 token_expired one refresh in flight, serialised across tabs, then each failed
// request retried once. specs/jwt/ and specs/jwt-cookie/ each run these against their own API
// (ACCESS_TOKEN_TTL=3s, see playwright.config.ts).

const refreshesIn = (calls: ApiCall[]) => calls.filter((call) => call.method === 'POST' && call.path === paths.refresh);

/**
 * Holds the API requests that `match` picks, in the given pages, at the network until `count` of
 * them have been sent, then lets them all go at once (and any later one straight through).
 * Each then carries the credential its page held when it was sent, whatever a loaded machine
 * does to the pages' timers: a Bearer header is set by script, but the browser attaches a
 * cookie only when the request starts, and a slow preflight could otherwise start it after a
 * refresh has already renewed the cookie. (While routes are set, Playwright answers the CORS
 * preflights itself; CORS is what specs/attacks.spec.ts is about, not these tests.)
 */
async function sendTogether(pages: Page[], apiUrl: string, count: number, match: (request: Request) => boolean) {
  let waiting = count;
  let release!: () => void;
  const allSent = new Promise<void>((resolve) => (release = resolve));
  const isApi = (url: URL) => url.origin === apiUrl;
  const hold = async (route: Route) => {
    if (!match(route.request())) return route.fallback();
    if (--waiting === 0) release();
    await allSent;
    return route.continue();
  };
  await Promise.all(pages.map((page) => page.route(isApi, hold)));
  return {
    /** Stops holding anything. */
    done: () => Promise.all(pages.map((page) => page.unroute(isApi, hold))),
  };
}

const pathOf = (request: Request) => new URL(request.url()).pathname;

export function tokenRefreshTests() {
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
    const burst = await sendTogether([page], apiUrl, 4, (request) => request.method() === 'DELETE' || pathOf(request) === paths.sessions);
    await page.evaluate(() => {
      const revokes = [...document.querySelectorAll('button')].filter((button) => button.textContent === 'Revoke');
      for (const button of revokes) button.click();
      window.dispatchEvent(new Event('visibilitychange')); // TanStack Query's focus manager listens on window
    });
    await expect(sessionRows(page)).toHaveCount(1);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByRole('banner').getByText(account.name, { exact: true })).toBeVisible(); // still logged in
    await burst.done();

    const calls = await traffic.settled();
    // The burst: up to the last of the three revocations' success. (Later, the fresh token may
    // expire in turn under a slow machine; that would be another refresh, for another expiry.)
    const deletes = calls.filter((call) => call.method === 'DELETE');
    const revoked = new Set(deletes.filter((call) => call.status === 204).map((call) => call.path));
    expect(revoked.size, 'sessions revoked').toBe(3);
    const upToLast = calls.slice(0, calls.findLastIndex((call) => call.method === 'DELETE' && call.status === 204) + 1);

    const expired = upToLast.filter((call) => call.errorCode === 'token_expired');
    // (GET /api/me may be among them too, when its cached answer has gone stale meanwhile.)
    expect(expired.filter((call) => call.method === 'DELETE'), 'revocations that met the expired token').toHaveLength(3);
    expect(expired.filter((call) => call.path === paths.sessions), 'refetches that met the expired token').toHaveLength(1);
    expect(refreshesIn(upToLast).map((call) => call.status), 'refreshes for the burst').toEqual([200]);
    // Each request that met the expiry went out once more, after the refresh, and succeeded.
    const refreshed = calls.indexOf(refreshesIn(upToLast)[0]!);
    for (const path of revoked) {
      expect(deletes.filter((call) => call.path === path).map((call) => call.status), path).toEqual([401, 204]);
    }
    for (const call of expired) {
      const retry = calls.slice(refreshed + 1).find((later) => later.method === call.method && later.path === call.path);
      expect(retry?.status, `${call.method} ${call.path} retried`).toBe(call.method === 'DELETE' ? 204 : 200);
    }
    expect(calls.filter((call) => call.status !== undefined && call.status >= 400 && call.errorCode !== 'token_expired')).toEqual([]);
    // And the server agrees: only this device is left.
    const outside = await openApi();
    await outside.login(account);
    expect((await outside.sessions()).length, 'sessions left: this device and the one checking').toBe(2);
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
    // Both tabs are logged in with one refresh cookie between them (the browser's jar), and
    // with access tokens that expire within a second of each other at most.
    await expect(sessionRows(tab)).toHaveCount(1);
    await navTo(page, 'Sessions');
    await expect(sessionRows(page)).toHaveCount(1);

    await issued.waitOutAll(page);
    const tabs = [page, tab].map((each) => ({ page: each, traffic: recordApiCalls(each, apiUrl) }));
    // Both tabs come back to life at the same moment (as when the window regains focus): each
    // refetches its sessions list. Their requests leave together, each with the expired token,
    // so that each tab meets the expiry before either could have refreshed.
    const refetches = await sendTogether([page, tab], apiUrl, 2, (request) => pathOf(request) === paths.sessions);
    for (const { page: each } of tabs) await each.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));
    for (const { traffic } of tabs) {
      await expect
        .poll(async () => (await traffic.settled()).filter((call) => call.path === paths.sessions).map((call) => `${call.status} ${call.errorCode ?? ''}`.trim()))
        .toEqual(['401 token_expired', '200']);
    }
    await refetches.done();
    // Web Locks queue the tabs: the second finds the first's renewal and spends nothing, or, if
    // news of it arrives after the lock, spends the cookie the first tab's refresh already
    // rotated. Never the same cookie twice, which would revoke the family.
    const atExpiry = (await Promise.all(tabs.map(({ traffic }) => traffic.settled()))).flat();
    const refreshes = refreshesIn(atExpiry);
    test.info().annotations.push({ type: 'refreshes at the shared expiry', description: String(refreshes.length) });
    expect(refreshes.length, 'refreshes at the shared expiry').toBeGreaterThanOrEqual(1);
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
}
