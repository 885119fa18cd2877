import type { Page } from '@playwright/test';
import { expect, test } from '../../fixtures';
import { configOf, openLab } from '../../lab';

// The lab's cards about theft, in jwt-dpop mode, in Chromium and Firefox (the key's handling is
// the browser's): what each shows, asserted beyond its verdict (../lab.spec.ts checks those).

const card = (page: Page, id: string) => page.locator(`section[data-experiment="${id}"]`);

async function run(page: Page, id: string): Promise<string> {
  const scope = card(page, id);
  await scope.getByRole('button', { name: /^Run\b/ }).click();
  // An experiment stops itself within 90 s.
  await expect(scope.getByRole('button', { name: /^Run\b/ })).toBeEnabled({ timeout: 100_000 });
  const text = await scope.getByRole('status').innerText();
  test.info().annotations.push({ type: id, description: text });
  console.log(`[${test.info().project.name}] ${id}: ${text}`); // what each card showed, in the run's log
  return text;
}

/** "taken until 12.3 s after the signing, refused from 14.3 s (use_dpop_nonce" → [12.3, 14.3, 'use_dpop_nonce'] */
function lifeIn(text: string, after: string): [number, number, string] {
  const match = new RegExp(`${after}[^;]*?taken until ([\\d.]+) s after the signing, refused from ([\\d.]+) s \\((\\w+)`).exec(text);
  if (!match) throw new Error(`no measured life after "${after}" in: ${text}`);
  return [Number(match[1]), Number(match[2]), match[3]!];
}

test('in jwt-dpop mode the script reads the token but not the key, its thefts are refused, proofs it signs ahead are worth seconds, and it still acts as the user', async ({ page, apiUrl, request }) => {
  test.setTimeout(300_000);
  const { dpop, accessTokenTtlSeconds } = await configOf(request, apiUrl);
  if (!dpop?.nonceStepSeconds) throw new Error('the jwt-dpop API runs with nonces on (its default)');
  await openLab(page);

  const read = await run(page, 'xss-read');
  expect(read).toMatch(/^Held: the script read the access token \(it is in the page’s memory/);
  expect(read).toContain('but it is bound to a key (cnf.jkt');
  expect(read).toMatch(/a private ECDSA CryptoKey, extractable: false, usages: sign; crypto\.subtle\.exportKey refused \(InvalidAccessError/);

  const replay = await run(page, 'xss-replay');
  expect(replay).toMatch(/^Held: the script stole the access token, but it is bound to the page’s key/);
  expect(replay).toContain('with no proof: 401 invalid_dpop_proof');
  expect(replay).toContain('as a Bearer token: 401 token_invalid');
  expect(replay).toMatch(/with a proof by the attacker’s own key: 401 invalid_dpop_proof \([^)]*another key/);
  expect(replay).toContain('with the proof copied from the page’s last request: 401 invalid_dpop_proof (this proof (its jti) was used before)');

  const presign = await run(page, 'xss-presign');
  expect(presign).toMatch(/^Broken: for a while\. The script could not export the key, but it signed \d+ proofs with it for later/);
  // With the stolen token: until the token's own end or the proofs', whichever comes first.
  const [tokenLast, tokenRefused, tokenCode] = lifeIn(presign, 'with the stolen token, they were');
  expect(['token_expired', 'use_dpop_nonce']).toContain(tokenCode);
  expect(tokenLast).toBeLessThanOrEqual(Math.min(accessTokenTtlSeconds ?? Infinity, 2 * dpop.nonceStepSeconds) + 1);
  expect(tokenRefused).toBeGreaterThan(tokenLast);
  // The proof alone: until its nonce is two steps old, more than one step and at most two after the signing.
  const [aloneLast, aloneRefused, aloneCode] = lifeIn(presign, 'a proof alone was');
  expect(aloneCode).toBe('use_dpop_nonce');
  expect(aloneLast).toBeGreaterThanOrEqual(dpop.nonceStepSeconds - 3);
  expect(aloneRefused).toBeLessThanOrEqual(2 * dpop.nonceStepSeconds + 3);
  expect(presign).toMatch(/the first proof spent again got 401 invalid_dpop_proof \(this proof \(its jti\) was used before\)/);
  await expect(card(page, 'xss-presign')).toContainText('cannot be shown from this browser');

  const ride = await run(page, 'xss-ride');
  expect(ride).toMatch(/^Broken: the injected script renamed/);
  expect(ride).toContain('with a proof by the page’s key');
  expect(ride).toContain('DPoP stops theft, not abuse in the page');
});
