import { MeResponse, paths } from '@authbench/contract';
import { isApiError } from '../../../api/api-error';
import { fetchApiConfig } from '../../../api/client';
import type { CredentialSnapshot } from '../../../api/transport';
import { formatMs } from '../analysis';
import type { Experiment } from '../lab-context';

/** What the transport keeps in the page's memory: the snapshot's secrets that are set (not its timestamps). */
const heldInMemory = (snapshot: CredentialSnapshot): string[] =>
  Object.entries(snapshot)
    .filter(([key, value]) => key !== 'mode' && typeof value === 'string')
    .map(([key]) => key);

export const reloadExperiment: Experiment = {
  id: 'reload',
  title: 'What survives a reload',
  tries:
    'A reload empties the page’s memory and keeps the browser’s cookies. The lab logs in, notes what the app’s transport holds in memory, then builds the app’s client afresh against the same cookie jar, as the SPA does after a reload (GET /api/config, then its first GET /api/me), and counts the requests and milliseconds until the user is known again.',
  appliesTo: () => true,
  async run(context) {
    const { target } = context;
    const tab = await context.signIn();
    await tab.get(paths.me, MeResponse);
    const before = heldInMemory(tab.credentials());
    context.step({ actor: 'lab', what: 'Before the reload, the transport held in memory', note: before.length ? before.join(', ') : 'nothing' });

    const started = performance.now();
    await fetchApiConfig(target.url);
    const configMs = performance.now() - started;
    context.step({ actor: 'tab', what: `GET ${paths.config} (the reloaded page asks the API its mode)`, status: 200, ms: Math.round(configMs) });
    const fresh = context.newClient();
    let survived = true;
    try {
      await fresh.get(paths.me, MeResponse);
    } catch (error) {
      if (!isApiError(error) || error.status !== 401) throw error;
      survived = false;
    }
    const totalMs = performance.now() - started;
    const requests = [`GET ${paths.config}`, ...fresh.requests.entries().toReversed().map((entry) => `${entry.method} ${entry.path} ${entry.status ?? ''}`.trim())];
    const after = heldInMemory(fresh.credentials());
    const lost = before.filter((key) => !after.includes(key));
    const memory = before.length === 0 ? 'the page held no credential in memory' : `memory held ${before.join(', ')}${lost.length ? `; ${lost.join(', ')} still empty after` : '; all of it back after'}`;
    if (!survived) {
      return {
        verdict: 'measured',
        summary: `Measured: the login did not survive the reload (${requests.join(', ')}; ${formatMs(totalMs)}).`,
        figure: `login lost (${requests.length} requests)`,
      };
    }
    return {
      verdict: 'measured',
      summary: `Measured: the login survives a reload; knowing the user again took ${requests.length} requests (${requests.join(', ')}) and ${formatMs(totalMs)}; ${memory}.`,
      figure: `login survives: ${requests.length} requests, ${formatMs(totalMs)}`,
      reason: memory,
    };
  },
};
