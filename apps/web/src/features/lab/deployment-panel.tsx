import { useEffect, useState } from 'react';
import { describeCookie } from '../../api/deployment';
import type { LabTarget } from './lab-context';
import { cookieSettingLabel, probeCookies, type CookieObservation } from './cookie-probe';

const topologyLabel = {
  'same-origin': 'same-origin: the SPA and the API under one origin',
  'same-site': 'same-site: two origins of one site',
  'cross-site': 'cross-site: the API on another site',
} as const;

/**
 * Beside the lab's results: where this page and the current API live (as the API sees this page,
 * in its GET /api/config) and what this browser does with the API's cookies here (observed, not
 * assumed), since both decide what the experiments can find.
 */
export function DeploymentPanel({ current, targets }: { current: LabTarget; targets: readonly LabTarget[] }) {
  const { deployment } = current.config;
  const [observed, setObserved] = useState<CookieObservation | 'probing' | Error>('probing');
  // The probe needs an API with a CSRF endpoint: this one, or another mode's on the same site.
  const probe = [current, ...targets].find((target) => target.config.csrfHeader !== undefined && target.config.deployment.apiSite === deployment.apiSite);

  const probeUrl = probe?.url;
  const probeConfig = probe?.config;
  useEffect(() => {
    let cancelled = false;
    setObserved('probing');
    const run = probeUrl && probeConfig ? probeCookies(probeUrl, probeConfig) : Promise.resolve({ setting: 'unknown', evidence: '' } as const);
    run.then(
      (result) => !cancelled && setObserved(result),
      (error: unknown) => !cancelled && setObserved(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      cancelled = true;
    };
  }, [probeUrl, probeConfig]);

  const setting = observed === 'probing' ? 'probing' : observed instanceof Error ? 'error' : observed.setting;
  return (
    <section className="card stack" aria-labelledby="lab-deployment-heading" data-topology={deployment.topology} data-cookie-setting={setting}>
      <h2 id="lab-deployment-heading">Where this runs</h2>
      <dl className="facts">
        <dt>Topology</dt>
        <dd>
          {topologyLabel[deployment.topology]} (this page <code>{deployment.pageOrigin}</code>, site {deployment.pageSite}; the API{' '}
          <code>{deployment.apiOrigin}</code>, site {deployment.apiSite})
        </dd>
        <dt>The API’s cookies</dt>
        <dd>{current.config.cookies.map((cookie) => describeCookie(cookie)).join(' · ') || 'none'}</dd>
        <dt>This browser’s cookie setting</dt>
        <dd>
          {observed === 'probing'
            ? 'probing…'
            : observed instanceof Error
              ? `could not probe: ${observed.message}`
              : (
                  <>
                    {cookieSettingLabel[observed.setting]}
                    {observed.evidence && <span className="muted"> ({observed.evidence})</span>}
                  </>
                )}
        </dd>
      </dl>
    </section>
  );
}
