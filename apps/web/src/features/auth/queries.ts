import { MeResponse, paths, type User } from '@authbench/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { isApiError } from '../../api/api-error';
import type { Api } from '../../api/client';
import { useApi } from '../../api/use-api';

export const meQueryKey = ['me'] as const;

/** The current user, or null for a visitor: "logged out" is an answer, not an error. */
export const meQuery = (api: Api) =>
  queryOptions({
    queryKey: meQueryKey,
    queryFn: async (): Promise<User | null> => {
      try {
        return (await api.get(paths.me, MeResponse)).user;
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 30_000,
  });

export const useMe = () => useQuery(meQuery(useApi()));
