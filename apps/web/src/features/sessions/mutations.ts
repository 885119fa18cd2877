import { paths, type SessionInfo } from '@authbench/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/use-api';
import { sessionsQueryKey } from './queries';

export function useRevokeSession() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (session: SessionInfo) => {
      await api.delete(paths.session(session.id));
      return session;
    },
    onSuccess: (session) => {
      // Revoking this device's own session is a logout; the api tells the app and other tabs.
      if (session.current) api.endSession('user');
    },
    // Refetch on failure too: a 404 means the row was already gone.
    onSettled: (session) => {
      if (!session?.current) void queryClient.invalidateQueries({ queryKey: sessionsQueryKey });
    },
  });
}

export function useLogoutAll() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.logoutAll() });
}
