import { authModes, modeTraits } from '@authbench/contract';
import { expect, type Page } from '@playwright/test';
import { createApiClient } from '../../api-client';
import { accessTokenTtlSeconds, apiDirectUrls, apiUrls, deployment, portOffset, spaUrls } from '../../e2e-env';
import { newAccount } from '../../fixtures';
import { cookiesComeBack, expectedOutcomes, steps, writeCell, type CellResult, type Outcome, type Step } from '../../matrix';
import { matrixTest as test } from '../../matrix-fixtures';
import { loginHeading, logoutButton, navTo, sessionRows } from '../../ui';

// One cell of the deployment matrix per test: this run's topology (E2E_TOPOLOGY, E2E_PARTITIONED),
// this project's browser and third-party cookie setting, one mode. Each step is done as a person
// does it, and must go as the browsers' rules predict (../../matrix.ts); where it fails, the app
// must say which cookie the browser dropped and why, never fall back silently to the login page.
// run-matrix.mjs runs every topology and writes the table of docs/deployment.md from the cells' results.

if (!deployment) throw new Error('The matrix needs a topology: E2E_TOPOLOGY=same-origin|same-site|cross-site (see run-matrix.mjs).');
const layout = deployment;
const folder = new URL(`../../.output/${portOffset ? `offset-${portOffset}/` : ''}matrix/`, import.meta.url).pathname;

const sessionsHeading = (page: Page) => page.getByRole('heading', { name: 'Sessions and devices' });
/** The login form's own error (the dropped-cookie notice of an ended login is outside the form). */
const formAlert = (page: Page) => page.locator('form').getByRole('alert');
const cookieNotice = (page: Page) => page.locator('[data-cause="cookie-dropped"]');
const riskNote = (page: Page) => page.locator('[data-cause="cookie-risk"]');

for (const mode of authModes) {
  test(`${mode} mode`, async ({ playwright, engine, thirdPartyCookies, openCell }) => {
    test.setTimeout(150_000);
    const cookies = cookiesComeBack(layout, engine, thirdPartyCookies);
    const expected = expectedOutcomes(mode, cookies);
    const outcomes: Record<Step, Outcome> = Object.fromEntries(steps.map((step) => [step, 'n/a'])) as Record<Step, Outcome>;
    const messages: CellResult['messages'] = {};
    const account = newAccount(`matrix-${mode}`);
    // Another device of the same user, outside the browser: the server's view, and the revocation.
    const device = await createApiClient(playwright, { mode, apiUrl: apiDirectUrls[mode], origin: spaUrls[mode] });
    await device.register(account);
    // Its access token lives 3 s in the modes with a refresh token: renewed before each use.
    const fromDevice = async () => {
      if (modeTraits[mode].refreshToken) await device.refresh();
      return device;
    };
    const { page } = await openCell({ mode, baseURL: spaUrls[mode], apiUrl: apiUrls[mode] });

    /** Through the form: true once the app shows the login (and an authenticated page), false once it says why not. */
    const logIn = async (): Promise<boolean> => {
      await page.goto('/login');
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password', { exact: true }).fill(account.password);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await expect(logoutButton(page).or(formAlert(page))).toBeVisible({ timeout: 20_000 });
      if (!(await logoutButton(page).isVisible())) {
        messages.login = await formAlert(page).innerText();
        return false;
      }
      // An authenticated request, which the login's cookie (or token) must carry.
      await navTo(page, 'Sessions');
      await expect(sessionRows(page).first().or(loginHeading(page))).toBeVisible();
      if (await loginHeading(page).isVisible()) {
        messages.login = await cookieNotice(page).innerText();
        return false;
      }
      await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
      return true;
    };

    outcomes.login = (await logIn()) ? 'works' : 'fails';
    if (outcomes.login === 'works') {
      // A reload: the page's memory is gone, the browser's cookies must bring the login back.
      await page.reload();
      await expect(sessionsHeading(page).or(loginHeading(page))).toBeVisible();
      outcomes.reload = (await sessionsHeading(page).isVisible()) ? 'works' : 'fails';
      if (outcomes.reload === 'fails') {
        // Nothing to observe (a reloaded page knows of no earlier login): the login page says
        // what this layout does to the API's cookies.
        messages.reload = await riskNote(page).innerText();
        expect(await logIn(), 'logs in again').toBe(true);
      }

      if (modeTraits[mode].refreshToken) {
        // Past the access token's life, a write: the app must renew the token with the refresh cookie.
        await page.waitForTimeout(accessTokenTtlSeconds * 1000 + 500);
        await navTo(page, 'Home');
        await page.getByLabel('Display name').fill(`${account.name} renamed`);
        await page.getByRole('button', { name: 'Save name' }).click();
        const saved = page.getByRole('status').filter({ hasText: 'Saved.' });
        await expect(saved.or(loginHeading(page))).toBeVisible();
        outcomes.refresh = (await saved.isVisible()) ? 'works' : 'fails';
        if (outcomes.refresh === 'fails') {
          messages.refresh = await cookieNotice(page).innerText();
          expect(await logIn(), 'logs in again').toBe(true);
        }
      }

      // Logout: the app's button, then the server's view from the other device. (A login whose
      // refresh cookie was lost stays listed until it expires: only the logout's own counts.)
      const before = (await (await fromDevice()).sessions()).length;
      await logoutButton(page).click();
      await expect(loginHeading(page)).toBeVisible();
      const after = (await (await fromDevice()).sessions()).length;
      outcomes.logout = after === before - 1 ? 'works' : 'fails';
      if (outcomes.logout === 'fails') messages.logout = `the server lists ${after} logins after the logout, ${before} before`;

      // Revocation: the other device revokes the browser's login; the browser's next request must be refused.
      expect(await logIn(), 'logs in again').toBe(true);
      const browserLogin = (await (await fromDevice()).sessions()).filter((session) => !session.current).toSorted((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      expect(browserLogin, 'the browser’s login, as the other device sees it').toBeDefined();
      await (await fromDevice()).revoke(browserLogin!.id);
      // A write, which always asks the API (a page may show cached data without asking).
      await navTo(page, 'Home');
      await page.getByLabel('Display name').fill(`${account.name} after revocation`);
      await page.getByRole('button', { name: 'Save name' }).click();
      const savedAnyway = page.getByRole('status').filter({ hasText: 'Saved.' });
      await expect(savedAnyway.or(loginHeading(page))).toBeVisible();
      outcomes.revocation = (await loginHeading(page).isVisible()) ? 'works' : 'fails';
      if (outcomes.revocation === 'fails') messages.revocation = 'the revoked login still works';
    }

    // The lab says where it runs and what this browser does with the API's cookies there.
    await page.goto('/lab');
    const panel = page.locator('[data-topology]');
    await expect(panel).not.toHaveAttribute('data-cookie-setting', 'probing', { timeout: 20_000 });
    const lab = { topology: (await panel.getAttribute('data-topology')) ?? '', cookieSetting: (await panel.getAttribute('data-cookie-setting')) ?? '' };

    writeCell(folder, { topology: layout.topology, partitioned: layout.partitioned, mode, engine, thirdPartyCookies, outcomes, messages, lab });
    await device.dispose();

    expect(outcomes, `${mode} mode, ${layout.summary}, ${engine} with third-party cookies ${thirdPartyCookies}`).toEqual(expected);
    // Every failure is explained: which cookie, and (in this layout) that it is a third-party one.
    for (const step of steps.filter((each) => outcomes[each] === 'fails')) {
      expect(messages[step], `${step}: what the person saw`).toMatch(/different sites.*third-party/);
    }
    const observed = layout.topology !== 'cross-site' ? 'first-party' : cookies ? (layout.partitioned ? 'third-party-allowed-or-partitioned' : 'third-party-allowed') : layout.partitioned ? 'all-third-party-blocked' : 'third-party-blocked';
    expect(lab).toEqual({ topology: layout.topology, cookieSetting: observed });
  });
}
