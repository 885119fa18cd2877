import type { User } from '@authbench/contract';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { z } from 'zod';
import { openBroadcastChannel, type OpenChannel } from '../../api/open-broadcast-channel';
import { useApi } from '../../api/use-api';
import { meQueryKey } from './queries';

export const authChannelName = 'authbench-auth';

const AuthMessage = z.object({ type: z.enum(['login', 'logout']), baseUrl: z.string() });
type AuthMessage = z.infer<typeof AuthMessage>;

const isMe = (queryKey: readonly unknown[]) => queryKey[0] === meQueryKey[0];

/**
 * Forgets everything of the previous user. `me` is set rather than removed: removing a query
 * orphans the components observing it, and the route guards must see the change to redirect.
 */
function resetCache(queryClient: QueryClient, user: User | null) {
  queryClient.setQueryData<User | null>(meQueryKey, user);
  queryClient.removeQueries({ predicate: (query) => !isMe(query.queryKey) });
  if (user === null) queryClient.getMutationCache().clear(); // e.g. a failed profile edit's input
}

/**
 * Keeps the cache in step with the login, and the tabs in step with each other: a login or
 * logout here is broadcast; one elsewhere (on the same API) is replayed here.
 */
export function AuthSync({ openChannel = openBroadcastChannel }: { openChannel?: OpenChannel }) {
  const api = useApi();
  const queryClient = useQueryClient();

  useEffect(() => {
    const channel = openChannel(authChannelName);
    const post = (type: AuthMessage['type']) => channel?.post({ type, baseUrl: api.baseUrl } satisfies AuthMessage);

    const unsubscribeApi = api.subscribe((event) => {
      if (event.type === 'signed-in') {
        resetCache(queryClient, event.user);
        post('login');
      } else {
        resetCache(queryClient, null);
        if (event.reason !== 'other-tab') post('logout');
      }
    });

    const unsubscribeChannel = channel?.subscribe((message) => {
      const parsed = AuthMessage.safeParse(message);
      if (!parsed.success || parsed.data.baseUrl !== api.baseUrl) return; // a tab on the other API
      if (parsed.data.type === 'logout') {
        api.endSession('other-tab');
      } else {
        api.resync(); // the login replaced the session (and its CSRF token) or the refresh cookie
        void queryClient.invalidateQueries();
      }
    });

    return () => {
      unsubscribeApi();
      unsubscribeChannel?.();
      channel?.close();
    };
  }, [api, queryClient, openChannel]);

  return null;
}
