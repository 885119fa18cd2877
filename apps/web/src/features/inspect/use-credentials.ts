import { useSyncExternalStore } from 'react';
import type { CredentialSnapshot } from '../../api/transport';
import { useApi } from '../../api/use-api';

/** What the transport holds in memory right now; re-renders on login, refresh and logout. */
export function useCredentials(): CredentialSnapshot {
  const api = useApi();
  return useSyncExternalStore(api.subscribeCredentials, api.credentials);
}
