import { paths } from '@authbench/contract';
import type { Page } from '@playwright/test';
import { spaServerUrl } from '../e2e-env';
import { expect, test } from '../fixtures';
import { openLab } from '../lab';

// The page policy (packages/contract/src/page-policy.ts) as the browser enforces it, in every mode
// project, Chromium and Firefox, and in every topology: the production build's server
// (apps/web/server/serve.ts) serves each page with it; the app itself breaks none of it; script
// smuggled into a page is refused; and the lab's "Can a script get in?" holds, with the sinks that
// ran without the policy to show that the policy is what stopped them.

interface Violation {
  directive: string;
  blockedUri: string;
  sample: string;
  documentUri: string;
}

/** Records every securitypolicyviolation (CSP and Trusted Types alike) of every document, from its start. */
async function watchViolations(page: Page) {
  await page.addInitScript(() => {
    const seen: unknown[] = [];
    Object.defineProperty(window, '__cspViolations', { value: seen });
    window.addEventListener(
      'securitypolicyviolation',
      (event) => seen.push({ directive: event.effectiveDirective, blockedUri: event.blockedURI, sample: event.sample, documentUri: event.documentURI }),
      true,
    );
  });
}
const violationsOn = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations?: Violation[] }).__cspViolations ?? []);

/** A full load of `path`, then its first heading; the violations of that document. */
async function load(page: Page, path: string, heading: RegExp | string) {
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy, `${path}: Content-Security-Policy`).toContain("script-src 'self'");
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  // What the page loads after its first paint (queries, lazy chunks) must keep to the policy too.
  await page.waitForLoadState('networkidle');
  return { policy, violations: await violationsOn(page) };
}

test('serves every route of the production build with the policy, and the app breaks none of it', async ({ page, account, login }) => {
  await watchViolations(page);
  const pages: [string, RegExp | string][] = [
    ['/login', 'Log in'],
    ['/register', 'Create an account'],
  ];
  const found: Record<string, Violation[]> = {};
  let policy = '';
  for (const [path, heading] of pages) {
    const result = await load(page, path, heading);
    found[path] = result.violations;
    policy = result.policy;
  }

  await login(page, account);
  for (const [path, heading] of [
    ['/', `Hello, ${account.name}`],
    ['/sessions', 'Sessions and devices'],
    ['/inspect', /Inspect/],
    ['/lab', /Evidence lab/],
    ['/no-such-page', 'Page not found'],
  ] as const) {
    found[path] = (await load(page, path, heading)).violations;
  }
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((path) => [path, []])));

  // The policy of SPEC §4: no inline script or eval, no plugins, no <base>, no framing, Trusted Types.
  for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "require-trusted-types-for 'script'", 'report-uri ']) {
    expect(policy).toContain(directive);
  }
  expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|'nonce-|strict-dynamic/);
});

test('refuses an inline script smuggled into a page of the app', async ({ page, browserName }) => {
  await watchViolations(page);
  // The production server's own answer, its policy and all, with an inline script added to it.
  // Fetched from the server itself: in a topology the test's own requests cannot resolve the
  // made-up names, and the edge forwards the server's headers untouched. (A page that the test
  // fulfils has no network address of its own, so Chromium's local network access then refuses
  // its calls to the APIs on this machine: the app does not get far, and needs not, to show what
  // became of the script.)
  await page.route('**/login', async (route) => {
    const response = await route.fetch({ url: `${spaServerUrl}/login` });
    const body = (await response.text()).replace('<head>', '<head><script>window.__inlineRan = true</script>');
    await route.fulfill({ response, body });
  });
  const response = await page.goto('/login');
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect.poll(() => violationsOn(page), browserName).toContainEqual(expect.objectContaining({ directive: expect.stringMatching(/^script-src/), blockedUri: 'inline' }));
  expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
});

test('"Can a script get in?": no sink runs under the policy, every one runs without it', async ({ page, browserName }) => {
  test.setTimeout(120_000);
  await openLab(page);
  const card = page.locator('section[data-experiment="script-injection"]');
  // What the browser reports of each refusal, to the first API (report-uri), from the sink page's
  // window: the reports it sends, and the API's answers that reach it.
  const isReport = (url: string) => new URL(url).pathname === paths.cspReports;
  let sent = 0;
  const answers: number[] = [];
  page.context().on('request', (request) => {
    if (isReport(request.url())) sent += 1;
  });
  page.context().on('response', (response) => {
    if (isReport(response.url())) answers.push(response.status());
  });
  await card.getByRole('button', { name: /^Run\b/ }).click();
  await expect(card.getByRole('button', { name: /^Run\b/ })).toBeEnabled({ timeout: 90_000 });
  const outcome = card.getByRole('status');
  await expect(outcome).toHaveText(/^Held: under the page’s policy none of the 10 sinks ran \(blocked by .+\); served without it, all 10 ran\./);

  // Trusted Types: Chromium has them; where a browser has none, the card says so, and the CSP held alone.
  const trustedTypes = await page.evaluate(() => 'trustedTypes' in window);
  if (browserName === 'chromium') expect(trustedTypes).toBe(true);
  await expect(outcome).toContainText(trustedTypes ? 'Trusted Types: enforced by this browser' : 'Trusted Types: not supported by this browser');

  // Sink by sink: blocked with the policy, by the event the evidence names; run without it.
  await card.locator('details summary').click();
  const rows = await card
    .getByRole('table')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent.replace(/\s+/g, ' ').trim())));
  const sinkRows = (prefix: string) => rows.filter((cells) => cells[2]?.startsWith(prefix)).map(([, , what = '', , decided = '']) => ({ what: what.slice(prefix.length), decided }));
  const withPolicy = sinkRows('With the policy: ');
  const without = sinkRows('Without a policy: ');
  expect(withPolicy).toHaveLength(10);
  expect(without).toHaveLength(10);
  for (const row of withPolicy) {
    expect(row.what, row.what).toContain('blocked:');
    expect(row.decided, row.what).toMatch(/^← securitypolicyviolation: [a-z-]+, blocked /);
  }
  for (const row of without) expect(row.what, row.what).toContain('RAN:');
  const decided = (label: string) => withPolicy.find((row) => row.what.startsWith(label))?.decided;
  expect(decided('a <base>')).toContain('securitypolicyviolation: base-uri');
  if (trustedTypes) expect(decided('innerHTML')).toContain('securitypolicyviolation: require-trusted-types-for, blocked trusted-types-sink');
  else expect(decided('a <script src> from another origin')).toContain('securitypolicyviolation: script-src-elem');

  // Every refusal is reported to the API, which logs it (apps/api/test/csp-reports.test.ts): one
  // report at least per sink page served with the policy, and every answer is 204. Chromium
  // delivers each report apart from the page. Firefox sends a report in its page's load group
  // (nsCSPContext.cpp), so one still unanswered when the lab's window moves on to the next sink is
  // cancelled with the page: on a busy machine some answers never reach it, and are not counted.
  await expect.poll(() => sent).toBeGreaterThanOrEqual(10);
  await expect.poll(() => answers.length).toBeGreaterThanOrEqual(browserName === 'firefox' ? 1 : sent);
  expect(new Set(answers)).toEqual(new Set([204]));

  // And the matrix row of this API.
  await expect(page.getByRole('table', { name: 'Lab results per API' }).locator('tr[data-experiment="script-injection"] td[data-verdict="held"]')).toHaveCount(1);
});
