import { SessionsResponse, paths } from '@authbench/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Api } from '../../api/client';
import { useApi } from '../../api/use-api';

export const sessionsQueryKey = ['sessions'] as const;

export const sessionsQuery = (api: Api) =>
  queryOptions({
    queryKey: sessionsQueryKey,
    queryFn: async () => (await api.get(paths.sessions, SessionsResponse)).sessions,
  });

export const useSessions = ({ enabled = true }: { enabled?: boolean } = {}) =>
  useQuery({ ...sessionsQuery(useApi()), enabled });
