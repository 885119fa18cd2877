import { useEffect, useState } from 'react';
import type { LabExperimentInfo } from '../lib/lab-results';
import { loadLab } from './env';

/** The lab's experiments, for /inspect's comparison: null without the lab in this build, undefined while it loads. */
export function useLabExperiments(): readonly LabExperimentInfo[] | null | undefined {
  const [experiments, setExperiments] = useState<readonly LabExperimentInfo[] | null | undefined>(loadLab ? undefined : null);
  useEffect(() => {
    if (!loadLab) return;
    let live = true;
    loadLab().then(
      (lab) => live && setExperiments(lab.labExperiments),
      () => live && setExperiments(null),
    );
    return () => {
      live = false;
    };
  }, []);
  return experiments;
}
