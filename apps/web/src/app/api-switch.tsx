import { useApi } from '../api/use-api';
import { sameOriginApi, useApiTargets, type ApiTarget } from './providers';

const hostOf = (url: string) => new URL(url).host;

function labelOf(target: ApiTarget): string {
  if (target.status === 'ready') return target.config.authMode;
  return target.status === 'loading' ? '…' : 'offline';
}

/**
 * The mode lives in the API, not in the SPA: switching points the app at the other API, with a
 * fresh client and cache. One API configured: the mode is shown, read-only.
 */
export function ApiSwitch() {
  const api = useApi();
  const { targets, current, switchTo } = useApiTargets();
  // Same-origin: each API serves its own copy of the SPA, so switching is going there.
  const sameOrigin = sameOriginApi(targets.map((target) => target.url)) !== undefined;
  const go = (url: string) => {
    if (sameOrigin) window.location.assign(`${new URL(url).origin}${window.location.pathname}${window.location.search}`);
    else switchTo(url);
  };

  if (targets.length < 2) {
    return (
      <p className="mode-switch" aria-label="Auth mode">
        Mode <strong className="mode-pill">{api.mode}</strong>
        <span className="muted"> {hostOf(api.baseUrl)}</span>
      </p>
    );
  }

  return (
    <div className="mode-switch" role="group" aria-label="Auth mode (switches API)">
      <span aria-hidden="true">Mode</span>
      {targets.map((target) => {
        const selected = target.url === current;
        return (
          <button
            key={target.url}
            type="button"
            className="mode-option"
            aria-pressed={selected}
            disabled={!selected && target.status !== 'ready'}
            title={target.status === 'error' ? `${target.url} is unreachable` : target.url}
            onClick={() => !selected && go(target.url)}
          >
            {labelOf(target)}
            <span className="mode-host">{hostOf(target.url)}</span>
          </button>
        );
      })}
    </div>
  );
}
