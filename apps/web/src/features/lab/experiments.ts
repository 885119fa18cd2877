import type { Experiment } from './lab-context';
import { bytesExperiment } from './experiments/bytes';
import { csrfExperiment } from './experiments/csrf';
import { fixationExperiment } from './experiments/fixation';
import { refreshReplayExperiment } from './experiments/refresh-replay';
import { reloadExperiment } from './experiments/reload';
import { revocationExperiment } from './experiments/revocation';
import { scriptInjectionExperiment } from './experiments/script-injection';
import { xssReadExperiment } from './experiments/xss-read';
import { xssPresignExperiment } from './experiments/xss-presign';
import { xssReplayExperiment } from './experiments/xss-replay';
import { xssRideExperiment } from './experiments/xss-ride';

/** Every claim of the comparison, in the order the lab shows them. */
export const experiments: readonly Experiment[] = [
  csrfExperiment,
  // First of the injection cards: whether a script gets in at all, before what one that did can do.
  scriptInjectionExperiment,
  xssReadExperiment,
  xssReplayExperiment,
  xssPresignExperiment,
  xssRideExperiment,
  revocationExperiment,
  refreshReplayExperiment,
  fixationExperiment,
  bytesExperiment,
  reloadExperiment,
];
