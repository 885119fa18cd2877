import { useSyncExternalStore } from 'react';
import { useApi } from '../api/use-api';

/**
 * While logged in with a key this browser would not keep (IndexedDB refused the CryptoKey, as
 * some private windows do): why a reload will lose the login, before it does.
 */
export function KeyNotice() {
  const api = useApi();
  const held = useSyncExternalStore(api.subscribeCredentials, api.credentials);
  if (!('dpop' in held) || held.accessToken === null) return null;
  const persistence = held.dpop.key?.persistence;
  if (persistence?.where !== 'memory') return null;
  return (
    <div role="status" className="alert alert-warning" data-cause="key-in-memory">
      <p>
        This browser would not keep the key that proves this login ({persistence.why}). The login lasts as long as this tab: a reload, or
        another tab, cannot prove it, and will ask you to log in again.
      </p>
    </div>
  );
}
