import { MeResponse, paths, type LoginInfo } from '@authbench/contract';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { isApiError } from '../../api/api-error';
import type { Api } from '../../api/client';
import { useApi } from '../../api/use-api';

/**
 * The login as the API sees it (GET /api/me's `login`): in jwt-cookie mode the only way to show
 * the access token's claims, since script cannot read its cookie. Keyed by the last renewal this
 * tab knows of, so a refresh (here or in another tab) shows the new token's claims.
 */
export const reportedLoginQuery = (api: Api, renewedAt: number | null) =>
  queryOptions({
    queryKey: ['inspect', 'login', renewedAt] as const,
    queryFn: async (): Promise<LoginInfo | null> => {
      try {
        return (await api.get(paths.me, MeResponse)).login ?? null;
      } catch (error) {
        if (isApiError(error) && error.status === 401) return null; // logged out: nothing to report
        throw error;
      }
    },
  });

export const useReportedLogin = (renewedAt: number | null) => useQuery(reportedLoginQuery(useApi(), renewedAt));
