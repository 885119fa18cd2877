import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../fixtures';
import { configOf, expectedVerdicts, openLab } from '../lab';

// The evidence lab (/lab), run as a person runs it: one button per experiment, in every mode's
// project ("Run in every mode" is lab-every-mode.spec.ts). What each experiment must find comes
// from the API's own GET /api/config (../lab.ts), never from prose: these are the regression tests
// of the security model as a person sees it.

const card = (page: Page, id: string) => page.locator(`section[data-experiment="${id}"]`);
const runButton = (scope: Locator) => scope.getByRole('button', { name: /^Run\b/ });

test.describe('the evidence lab', () => {
  // Many real logins (Argon2id), replays every 100 ms and a popup per CSRF run.
  test.describe.configure({ timeout: 360_000 });

  test('every experiment, run from its card, finds what this API’s configuration predicts', async ({ page, apiUrl, request }) => {
    const config = await configOf(request, apiUrl);
    const expected = expectedVerdicts(config);
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
      // An experiment stops itself within 90 s (the pre-signed proofs take up to ~70 s).
      await expect(runButton(scope)).toBeEnabled({ timeout: 100_000 });
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
    if (expected['refresh-replay'] === 'held' && !config.dpop) {
      await expect(card(page, 'refresh-replay').getByRole('status')).toContainText('took its whole family with it');
      await expect(card(page, 'refresh-replay').getByRole('status')).toContainText('the tab logged the user out');
    }
    // Bound to the owner's key: the thief is refused before reuse detection, and spends nothing.
    if (expected['refresh-replay'] === 'held' && config.dpop) {
      await expect(card(page, 'refresh-replay').getByRole('status')).toContainText('refused (400 invalid_dpop_proof) and spent nothing');
    }
  });
});
