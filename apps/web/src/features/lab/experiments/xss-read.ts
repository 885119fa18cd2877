import { MeResponse, csrfHeader, paths } from '@authbench/contract';
import type { Api } from '../../../api/client';
import { boundKeyOf, classifyFinding, credentialCookieNames, credentialsIn, findingsOf, shorten, tokenOf, type Finding, type FindingClass } from '../analysis';
import type { Experiment, LabContext } from '../lab-context';
import { injectionPremise, readEverything, type Loot } from '../payloads';

/**
 * Injects the reading payload into this page, makes the app send one ordinary request (as any
 * click would) while its hooks are in place, and records what the script came away with.
 */
const meaning: Record<FindingClass, string> = {
  credential: 'a credential',
  'bound-token': 'a token bound to a key (no use without a proof by that key)',
  'key-handle': 'a key script can use here and not take away',
  proof: 'a proof (good for one request, once)',
  'csrf-token': 'a CSRF token (no use without the cookie)',
  harmless: 'nothing secret',
};

export async function stealFromPage(context: LabContext, tab: Api): Promise<{ loot: Loot; credentials: Finding[] }> {
  const { target } = context;
  const running = context.inject(readEverything, {
    api: new URL(target.url).origin,
    csrfPath: paths.csrf,
    refreshPath: paths.refresh,
    csrfHeader: target.config.csrfHeader ?? csrfHeader,
    waitMs: 3000,
  });
  context.step({ actor: 'injected script', what: 'Installed its hooks on XMLHttpRequest and fetch, then searched the page' });
  await tab.get(paths.me, MeResponse); // the app's next request, as any click would cause
  const loot = await running;
  context.step({ actor: 'injected script', what: 'Searched', note: loot.searched.join(' · ') });
  for (const probe of loot.probes) {
    context.step({ actor: 'injected script', what: `${probe.what}, with the page’s cookies`, status: probe.status, ...(probe.note !== undefined && { note: probe.note }) });
  }
  for (const finding of loot.findings) {
    const kind = classifyFinding(finding, target.config);
    context.step({
      actor: 'injected script',
      what: `Found in ${finding.source}`,
      note: `${meaning[kind]}: ${kind === 'harmless' || kind === 'key-handle' ? finding.value.slice(0, 240) : shorten(finding.value)}`,
    });
  }
  return { loot, credentials: credentialsIn(loot.findings, target.config) };
}

export const xssReadExperiment: Experiment = {
  id: 'xss-read',
  title: 'Injected script reads a credential',
  premise: injectionPremise,
  tries:
    'A script injected into this page, as an XSS payload would be, tries every way to obtain a credential: document.cookie, localStorage and sessionStorage, what the app keeps where script can reach it (globals, the DOM, React’s component state), hooks on XMLHttpRequest and fetch that catch the headers and answers of the app’s next API call, and asking the API itself with the page’s cookies (a CSRF token, a refresh).',
  appliesTo: () => true,
  async run(context) {
    const tab = await context.signIn();
    const { loot, credentials } = await stealFromPage(context, tab);
    const where = [...new Set(credentials.map((finding) => finding.source))];
    if (credentials.length > 0) {
      return {
        verdict: 'broken',
        summary: `Broken: the script caught ${credentials.length} replayable credential${credentials.length > 1 ? 's' : ''} (${where.join('; ')}).`,
        figure: `caught ${credentials.map((finding) => (finding.kind === 'cookie' ? 'a cookie' : 'an access token')).filter((v, i, all) => all.indexOf(v) === i).join(' and ')} via ${where.length} route${where.length > 1 ? 's' : ''}`,
        reason: `read from: ${where.join('; ')}`,
      };
    }
    const readable = loot.findings.length;
    const config = context.target.config;
    const bound = findingsOf(loot.findings, config, 'bound-token');
    const keys = findingsOf(loot.findings, config, 'key-handle');
    if (bound.length > 0 || keys.length > 0) {
      // Read, but bound: the token says which key (cnf.jkt), and that key would not leave the page.
      const token = bound.map(tokenOf).find((value) => value !== null);
      const jkt = token ? boundKeyOf(token) : null;
      const tokenWords = bound.length
        ? `the script read the access token (it is in the page’s memory, as in jwt mode: ${[...new Set(bound.map((finding) => finding.source))].join('; ')}), but it is bound to a key (cnf.jkt ${jkt ? shorten(jkt, 8) : '?'})`
        : 'the script read no token';
      const keyWords = keys.length
        ? `that key is in IndexedDB as a CryptoKey handle, and would not leave: ${keys.map((finding) => finding.value).join('; ')}`
        : 'the script found no key in IndexedDB';
      return {
        verdict: 'held',
        summary: `Held: ${tokenWords}; ${keyWords}. Nothing it read works outside this page.`,
        figure: `read the ${bound.length ? 'token (bound to a key)' : 'page'}; the key would not export`,
        reason: `a token bound to a key needs a proof by it on every request (GET /api/config: ${config.dpop ? `DPoP, ${config.dpop.proofWindowSeconds} s window` : 'no proofs'}); a non-extractable key can sign, never be read`,
      };
    }
    return {
      verdict: 'held',
      summary: `Held: the script read ${readable} thing${readable === 1 ? '' : 's'} and none of them lets anyone act as the user elsewhere.`,
      figure: `no credential among ${readable} finding${readable === 1 ? '' : 's'}`,
      reason: credentialCookieNames(context.target.config)
        .map((name) => context.target.config.cookies.find((cookie) => cookie.name === name))
        .map((cookie) => `${cookie?.name ?? '?'}: ${cookie?.httpOnly ? 'HttpOnly' : 'readable by script'} (GET /api/config)`)
        .join(' · '),
    };
  },
};
