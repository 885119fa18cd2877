import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigResponse, authModes, modeTraits, paths } from '@authbench/contract';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { apiUrls } from '../e2e-env';
import { expect, test } from '../fixtures';

// The evidence lab (/lab), run as a person runs it: one button per experiment, and "Run in every
// mode". What each experiment must find is derived from the API's own GET /api/config and the
// contract's mode traits, never from prose: these are the regression tests of the security model
// as a person sees it.

type Verdict = 'held' | 'broken' | 'measured' | 'not applicable';

/** What each experiment must find against an API with this configuration. */
function expectedVerdicts(config: ConfigResponse): Record<string, Verdict> {
  const traits = modeTraits[config.authMode];
  // A token that script adds to each request is a token script can catch.
  const scriptHoldsTheToken = traits.security === 'bearer';
  return {
    csrf: 'held',
    'xss-read': scriptHoldsTheToken ? 'broken' : 'held',
    'xss-replay': scriptHoldsTheToken ? 'broken' : 'held',
    // HttpOnly limits theft, not abuse: script in the page acts as the user in every mode.
    'xss-ride': 'broken',
    revocation: config.revocationCheck === false ? 'broken' : 'held',
    'refresh-replay': traits.refreshToken ? 'held' : 'not applicable',
    fixation: traits.security === 'sessionCookie' ? 'held' : 'not applicable',
    bytes: 'measured',
    reload: 'measured',
  };
}

const configOf = async (request: APIRequestContext, apiUrl: string) => ConfigResponse.parse(await (await request.get(`${apiUrl}${paths.config}`)).json());

const folder = fileURLToPath(new URL('../screenshots/', import.meta.url));
const card = (page: Page, id: string) => page.locator(`section[data-experiment="${id}"]`);
const runButton = (scope: Locator) => scope.getByRole('button', { name: /^Run\b/ });

async function openLab(page: Page) {
  await page.goto('/lab');
  await expect(page.getByRole('heading', { name: /Evidence lab/, level: 1 })).toBeVisible();
}

test.describe('the evidence lab', () => {
  // Many real logins (Argon2id), replays every 100 ms and a popup per CSRF run.
  test.describe.configure({ timeout: 240_000 });

  test('every experiment, run from its card, finds what this API’s configuration predicts', async ({ page, apiUrl, request }) => {
    const expected = expectedVerdicts(await configOf(request, apiUrl));
    await openLab(page);
    const ids = await page.locator('section[data-experiment]').evaluateAll((cards) => cards.map((each) => each.getAttribute('data-experiment')));
    // A new experiment needs an expectation here before it counts as tested.
    expect(ids.toSorted()).toEqual(Object.keys(expected).toSorted());

    for (const [id, verdict] of Object.entries(expected)) {
      const scope = card(page, id);
      const outcome = scope.getByRole('status');
      if (verdict === 'not applicable') {
        await expect(runButton(scope)).toBeDisabled();
        await expect(outcome).toHaveText(/^Not applicable: /);
        continue;
      }
      await runButton(scope).click();
      await expect(runButton(scope)).toBeEnabled({ timeout: 60_000 });
      const text = await outcome.innerText();
      expect(text, `${id}: ${text}`).toMatch(new RegExp(`^${verdict[0]!.toUpperCase()}${verdict.slice(1)}: `));
      // Its evidence is there, one click away: the requests that decided it.
      await scope.locator('details summary').click();
      await expect(scope.getByRole('table').locator('tbody tr').first()).toBeVisible();
    }

    // A few figures behind the verdicts, read as a person reads them.
    await expect(card(page, 'csrf').getByRole('status')).toContainText('the name is unchanged and the login works');
    // From another site and from the app's own site alike, the API refused the foreign Origin.
    await expect(card(page, 'csrf')).toContainText(/Origin check: [^·]*403 forbidden_origin, [^·]*403 forbidden_origin/);
    await expect(card(page, 'revocation').getByRole('status')).toContainText('refused at the first replay');
    await expect(card(page, 'bytes').getByRole('status')).toHaveText(/GET \/api\/me carries \d+ B of credentials/);
    await expect(card(page, 'reload').getByRole('status')).toContainText('the login survives a reload');
    if (expected['xss-read'] === 'broken') await expect(card(page, 'xss-read').getByRole('status')).toContainText('hook');
    if (expected['refresh-replay'] === 'held') {
      await expect(card(page, 'refresh-replay').getByRole('status')).toContainText('took its whole family with it');
      await expect(card(page, 'refresh-replay').getByRole('status')).toContainText('the tab logged the user out');
    }
  });

  test('"Run in every mode" fills the matrix as each API’s configuration predicts', async ({ page, mode, request }) => {
    test.skip(mode !== authModes[0], 'one run covers every API; the other projects run their own cards');
    const urls = authModes.map((each) => apiUrls[each]);
    const expected = Object.fromEntries(await Promise.all(urls.map(async (url) => [url, expectedVerdicts(await configOf(request, url))] as const)));
    await openLab(page);
    await page.getByRole('button', { name: /^Run in every mode/ }).click();
    // On a timeout, the progress line it shows names the experiment and the API the run was on.
    await expect(page.getByRole('region', { name: 'Every mode' }).getByRole('status')).toHaveText(/^Every mode: done/, { timeout: 200_000 });

    const matrix = page.getByRole('table', { name: 'Lab results per API' });
    for (const url of urls) {
      for (const [id, verdict] of Object.entries(expected[url]!)) {
        const cell = matrix.locator(`tr[data-experiment="${id}"] td[data-api="${url}"]`);
        await expect(cell, `${id} against ${url}`).toHaveText(new RegExp(`^${verdict}\\b`));
      }
    }

    // The README's matrix: a screenshot (copy-screenshots.mjs makes it docs/screenshots/lab-matrix.png)
    // and the same cells as a Markdown table.
    mkdirSync(`${folder}lab`, { recursive: true });
    await page.getByRole('region', { name: 'Every mode' }).screenshot({ path: `${folder}lab/matrix.png`, animations: 'disabled' });
    const table = await matrix.evaluate((element) =>
      Array.from(element.querySelectorAll('tr'), (row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent.replace(/\s+/g, ' ').trim())),
    );
    const [header = [], ...rows] = table;
    const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
    writeFileSync(`${folder}lab/matrix.md`, [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n');
  });
});
