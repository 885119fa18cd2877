import { useApi } from '../../api/use-api';
import { useMe } from '../../features/auth/queries';
import { BrowserState } from '../../features/inspect/browser-state';
import { ModeComparison } from '../../features/inspect/mode-comparison';
import { RequestLogTable } from '../../features/inspect/request-log-table';
import { ServerState } from '../../features/inspect/server-state';
import { useSessions } from '../../features/sessions/queries';
import { useApiTargets } from '../providers';
import { useLabExperiments } from '../use-lab-experiments';

/**
 * Open to visitors too: what the browser holds and sends is worth seeing before login. The
 * server's records need a login; the route hands the sessions feature's data to inspect's panel.
 */
export function InspectRoute() {
  const api = useApi();
  const me = useMe();
  const signedIn = Boolean(me.data);
  const sessions = useSessions({ enabled: signedIn });
  const { targets } = useApiTargets();
  const columns = targets.flatMap((target) => (target.status === 'ready' ? [{ url: target.url, config: target.config }] : []));
  const experiments = useLabExperiments();
  const status = !signedIn
    ? me.isPending
      ? 'pending'
      : 'signed-out'
    : sessions.isPending
      ? 'pending'
      : sessions.isError
        ? 'error'
        : 'ready';

  return (
    <div className="stack">
      <title>Inspect · Authbench</title>
      <h1>
        Inspect: <span className="mode-pill">{api.mode}</span> mode
      </h1>
      <div className="columns">
        <BrowserState />
        <ServerState
          mode={api.mode}
          status={status}
          sessions={sessions.data}
          error={sessions.error}
          onRetry={() => void sessions.refetch()}
        />
      </div>
      <RequestLogTable />
      <ModeComparison columns={columns} experiments={experiments} />
    </div>
  );
}
