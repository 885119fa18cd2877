import { useSyncExternalStore } from 'react';
import type { RequestLogEntry } from '../../api/request-log';
import { useApi } from '../../api/use-api';

export function useRequestLog(): readonly RequestLogEntry[] {
  const { requests } = useApi();
  return useSyncExternalStore(requests.subscribe, requests.entries);
}
