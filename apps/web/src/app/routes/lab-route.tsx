import { useApi } from '../../api/use-api';
import { experiments } from '../../features/lab/experiments';
import { LabPage } from '../../features/lab/lab-page';
import type { LabExperimentInfo } from '../../lib/lab-results';
import { labAttackerUrl } from '../env';
import { useApiTargets } from '../providers';

/** What /inspect's comparison needs of the lab: its experiments, by name. */
export const labExperiments: readonly LabExperimentInfo[] = experiments;

/** /lab: loaded only where the lab is built in (app/env.ts). Open to visitors: it logs in as an account of its own. */
export function LabRoute() {
  const api = useApi();
  const { targets } = useApiTargets();
  const ready = targets.flatMap((target) => (target.status === 'ready' ? [{ url: target.url, config: target.config }] : []));
  const unreachable = targets.filter((target) => target.status === 'error').map((target) => target.url);
  const pending = targets.filter((target) => target.status === 'loading').length;
  return <LabPage targets={ready} unreachable={unreachable} pending={pending} currentUrl={api.baseUrl} attackerUrl={labAttackerUrl} />;
}
