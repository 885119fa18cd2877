import { MeResponse, csrfHeader, paths } from '@authbench/contract';
import type { Experiment } from '../lab-context';
import { injectionPremise, ride } from '../payloads';

export const xssRideExperiment: Experiment = {
  id: 'xss-ride',
  title: 'Injected script acts as the user',
  premise: injectionPremise,
  tries:
    'No theft this time: a script injected into this page renames the user through the user’s own browser, with whatever the page’s origin gets (the cookies the browser attaches, a CSRF token the API hands this origin, or an access token from a refresh, with proofs signed by the page’s own key where the API wants them). The lab then reads the name back, as the user.',
  appliesTo: () => true,
  async run(context) {
    const { target } = context;
    const tab = await context.signIn();
    const before = await tab.get(paths.me, MeResponse);
    const name = `XSS ${crypto.randomUUID().slice(0, 8)}`;
    const report = await context.inject(ride, {
      api: new URL(target.url).origin,
      mePath: paths.me,
      csrfPath: paths.csrf,
      refreshPath: paths.refresh,
      csrfHeader: target.config.csrfHeader ?? csrfHeader,
      proofOrigin: target.config.dpop?.origin ?? new URL(target.url).origin,
      name,
    });
    for (const step of report.steps) {
      context.step({ actor: 'injected script', what: `${step.what}, with the page’s cookies`, status: step.status, ...(step.note !== undefined && { note: step.note }) });
    }
    const after = await tab.get(paths.me, MeResponse);
    const how = report.steps.filter((step) => step.status !== null && step.status < 300).map((step) => step.what);
    // Where tokens are bound to a key, the key cannot leave the page, but script in the page can sign with it.
    const bound = target.config.dpop ? ' DPoP stops theft, not abuse in the page: the key cannot be taken away, but script here can sign with it.' : '';
    if (after.user.name === name) {
      return {
        verdict: 'broken',
        summary: `Broken: the injected script renamed “${before.user.name}” to “${name}” from inside the page (${how.join(', ')}).${bound}`,
        figure: `renamed the user (${report.steps.filter((step) => step.what.startsWith('PATCH')).at(-1)?.status ?? '?'})`,
        reason: `script on ${context.spaOrigin} sends what the app sends: ${how.join(', ')}`,
      };
    }
    return {
      verdict: 'held',
      summary: `Held: the injected script could not rename the user (${report.steps.map((step) => `${step.what} ${step.status ?? 'no answer'}`).join(', ')}).`,
      figure: 'could not act as the user',
    };
  },
};
