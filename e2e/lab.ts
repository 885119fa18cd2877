import { ConfigResponse, modeTraits, paths } from '@authbench/contract';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

// What the lab specs (specs/lab.spec.ts, specs/lab-every-mode.spec.ts) expect of each experiment,
// derived from the API's own GET /api/config and the contract's mode traits, never from prose.

export type Verdict = 'held' | 'broken' | 'measured' | 'not applicable';

/** What each experiment must find against an API with this configuration. */
export function expectedVerdicts(config: ConfigResponse): Record<string, Verdict> {
  const traits = modeTraits[config.authMode];
  // A token that script adds to each request is a token script can catch; unless it is bound to
  // a key script cannot export, a token that works anywhere.
  const stealable = traits.tokenInScript && !traits.proof;
  return {
    csrf: 'held',
    // The page's policy refuses every sink, whatever the mode: nothing in it is the mode's.
    'script-injection': 'held',
    'xss-read': stealable ? 'broken' : 'held',
    'xss-replay': stealable ? 'broken' : 'held',
    // The key cannot leave the page, but script there can sign with it ahead: bounded, not stopped.
    'xss-presign': config.dpop ? 'broken' : 'not applicable',
    // HttpOnly limits theft, not abuse: script in the page acts as the user in every mode.
    'xss-ride': 'broken',
    revocation: config.revocationCheck === false ? 'broken' : 'held',
    'refresh-replay': traits.refreshToken ? 'held' : 'not applicable',
    fixation: traits.security === 'sessionCookie' ? 'held' : 'not applicable',
    bytes: 'measured',
    reload: 'measured',
  };
}

export const configOf = async (request: APIRequestContext, apiUrl: string) => ConfigResponse.parse(await (await request.get(`${apiUrl}${paths.config}`)).json());

export async function openLab(page: Page) {
  await page.goto('/lab');
  await expect(page.getByRole('heading', { name: /Evidence lab/, level: 1 })).toBeVisible();
}
