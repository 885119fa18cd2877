import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '../api/api-error';

/** Retry only what may pass on its own; a 4xx will answer the same way again. */
const isTransient = (error: unknown) =>
  isApiError(error) && (error.code === 'network_error' || error.code === 'service_unavailable' || error.status >= 500);

export const createQueryClient = () =>
  new QueryClient({
    defaultOptions: {
      queries: { retry: (failures, error) => failures < 2 && isTransient(error) },
      mutations: { retry: false },
    },
  });
