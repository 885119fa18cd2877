import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { authModes } from '@authbench/contract';
import { apiUrls } from '../e2e-env';
import { expect, test } from '../fixtures';
import { configOf, expectedVerdicts, openLab } from '../lab';

// "Run in every mode", as a person presses it: one run covers every API, so only the first mode's
// project runs this file (playwright.config.ts); each project runs its own cards in lab.spec.ts.

const folder = fileURLToPath(new URL('../screenshots/', import.meta.url));

test('"Run in every mode" fills the matrix as each API’s configuration predicts', async ({ page, request }) => {
  // Every experiment against every API: many real logins (Argon2id), replays every 100 ms.
  test.setTimeout(480_000);
  const urls = authModes.map((each) => apiUrls[each]);
  const expected = Object.fromEntries(await Promise.all(urls.map(async (url) => [url, expectedVerdicts(await configOf(request, url))] as const)));
  await openLab(page);
  await page.getByRole('button', { name: /^Run in every mode/ }).click();
  // On a timeout, the progress line it shows names the experiment and the API the run was on.
  await expect(page.getByRole('region', { name: 'Every mode' }).getByRole('status')).toHaveText(/^Every mode: done/, { timeout: 440_000 });

  const matrix = page.getByRole('table', { name: 'Lab results per API' });
  for (const url of urls) {
    for (const [id, verdict] of Object.entries(expected[url]!)) {
      const cell = matrix.locator(`tr[data-experiment="${id}"] td[data-api="${url}"]`);
      await expect(cell, `${id} against ${url}`).toHaveText(new RegExp(`^${verdict}\\b`));
    }
  }

  // The matrix of docs/lab.md: a screenshot and the same cells as a Markdown table
  // (copy-screenshots.mjs copies both there: docs/screenshots/lab-matrix.png, the table between markers).
  mkdirSync(`${folder}lab`, { recursive: true });
  await page.getByRole('region', { name: 'Every mode' }).screenshot({ path: `${folder}lab/matrix.png`, animations: 'disabled' });
  const table = await matrix.evaluate((element) =>
    Array.from(element.querySelectorAll('tr'), (row) => Array.from(row.querySelectorAll('th, td'), (cell) => cell.textContent.replace(/\s+/g, ' ').trim())),
  );
  const [header = [], ...rows] = table;
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  writeFileSync(`${folder}lab/matrix.md`, [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n');
});
