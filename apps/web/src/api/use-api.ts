import { createContext, use } from 'react';
import type { Api } from './client';

/** The current API client; the mode switch replaces it (and the query cache with it). */
export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = use(ApiContext);
  if (!api) throw new Error('useApi() needs an <ApiContext> provider above it.');
  return api;
}
