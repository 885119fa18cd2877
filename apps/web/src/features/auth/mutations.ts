import {
  MeResponse,
  paths,
  type LoginRequest,
  type RegisterRequest,
  type UpdateMeRequest,
  type User,
} from '@authbench/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/use-api';
import { meQueryKey } from './queries';

// Login, register and logout only talk to the API here: the cache follows from the api's
// signed-in / signed-out events in <AuthSync>, which every way of logging in or out goes through.

export function useLogin() {
  const api = useApi();
  return useMutation({ mutationFn: (body: LoginRequest) => api.login(body) });
}

export function useRegister() {
  const api = useApi();
  return useMutation({ mutationFn: (body: RegisterRequest) => api.register(body) });
}

export function useLogout() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.logout() });
}

export function useUpdateProfile() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateMeRequest) => api.patch(paths.me, body, MeResponse),
    onSuccess: ({ user }) => queryClient.setQueryData<User | null>(meQueryKey, user),
  });
}
