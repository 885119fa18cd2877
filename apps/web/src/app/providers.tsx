import type { ConfigResponse } from '@authbench/contract';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { createContext, use, useCallback, useEffect, useEffectEvent, useMemo, useState, type ReactNode } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { createApi, fetchApiConfig, type Api, type ApiOptions } from '../api/client';
import { ApiContext } from '../api/use-api';
import { ErrorAlert } from '../components/error-alert';
import { LoadingState } from '../components/loading-state';
import { AuthSync } from '../features/auth/auth-sync';
import { createQueryClient } from './create-query-client';
import { apiUrls as envApiUrls } from './env';

/** Holds the chosen API's URL, nothing else: credentials never touch storage. */
export const apiChoiceKey = 'authbench.apiUrl';

export type ApiTarget =
  | { url: string; status: 'loading' }
  | { url: string; status: 'ready'; config: ConfigResponse }
  | { url: string; status: 'error'; error: ApiError };

export interface ApiTargets {
  targets: readonly ApiTarget[];
  current: string;
  switchTo: (url: string) => void;
  retry: () => void;
}

const ApiTargetsContext = createContext<ApiTargets | null>(null);

export function useApiTargets(): ApiTargets {
  const value = use(ApiTargetsContext);
  if (!value) throw new Error('useApiTargets() needs <Providers> above it.');
  return value;
}

/**
 * Same-origin deployments (the SPA served under each API's own origin, through a proxy): the
 * page's origin is one of the APIs, and it is the one to use; the others are other deployments.
 */
export const sameOriginApi = (urls: readonly string[]): string | undefined =>
  typeof window === 'undefined' ? undefined : urls.find((url) => new URL(url).origin === window.location.origin);

function readChoice(urls: readonly string[]): string {
  const own = sameOriginApi(urls);
  if (own) return own;
  try {
    const saved = window.localStorage.getItem(apiChoiceKey);
    if (saved && urls.includes(saved)) return saved;
  } catch {
    // storage disabled: fall back to the first API
  }
  return urls[0] ?? '';
}

function saveChoice(url: string) {
  try {
    window.localStorage.setItem(apiChoiceKey, url);
  } catch {
    // the choice then lasts until reload
  }
}

function Startup({ target, targets, onRetry, onSwitch }: {
  target: ApiTarget | undefined;
  targets: readonly ApiTarget[];
  onRetry: () => void;
  onSwitch: (url: string) => void;
}) {
  const alternatives = targets.filter((other) => other.url !== target?.url && other.status === 'ready');
  return (
    <main className="startup" id="main">
      <h1>Authbench</h1>
      {!target && <p role="alert">No API is configured: set VITE_API_URLS.</p>}
      {target?.status === 'loading' && <LoadingState label={`Connecting to ${target.url}…`} />}
      {target?.status === 'error' && (
        <ErrorAlert error={target.error} onRetry={onRetry}>
          <p>
            GET {target.url}/api/config failed. Is the API running, and does its CORS_ORIGINS include{' '}
            <code>{window.location.origin}</code>?
          </p>
        </ErrorAlert>
      )}
      {alternatives.map((other) => (
        <button key={other.url} type="button" className="button-secondary" onClick={() => onSwitch(other.url)}>
          Use {other.status === 'ready' ? `${other.config.authMode} mode at ` : ''}
          {other.url} instead
        </button>
      ))}
    </main>
  );
}

interface Connection {
  id: number;
  api: Api;
  queryClient: QueryClient;
}

let connections = 0;

/**
 * Finds the APIs' modes, builds the client for the chosen one, and gives it a query cache of its
 * own: switching APIs brings a new client, an empty cache and a remounted tree, so nothing of
 * one mode's login can leak into the other's.
 */
export function Providers({
  children,
  apiUrls = envApiUrls,
  apiOptions,
}: {
  children: ReactNode;
  apiUrls?: readonly string[];
  /** Tests fake the network here. */
  apiOptions?: ApiOptions;
}) {
  const [targets, setTargets] = useState<readonly ApiTarget[]>(() =>
    apiUrls.map((url) => ({ url, status: 'loading' }) as const),
  );
  const [current, setCurrent] = useState(() => readChoice(apiUrls));
  const [attempt, setAttempt] = useState(0);
  const [connection, setConnection] = useState<Connection | null>(null);

  useEffect(() => {
    let cancelled = false;
    const settle = (next: ApiTarget) => {
      if (!cancelled) setTargets((all) => all.map((target) => (target.url === next.url ? next : target)));
    };
    for (const url of apiUrls) {
      fetchApiConfig(url, apiOptions).then(
        (config) => settle({ url, status: 'ready', config }),
        (error: unknown) => settle({ url, status: 'error', error: toApiError(error) }),
      );
    }
    return () => {
      cancelled = true;
    };
    // Re-run on retry; a target that is already ready keeps its config object, hence its client.
  }, [apiUrls, apiOptions, attempt]);

  const target = targets.find((candidate) => candidate.url === current);
  const config = target?.status === 'ready' ? target.config : null;
  const mode = config?.authMode;

  // Keyed by URL and mode, not by the config object, so that a retry never logs anyone out.
  const currentConfig = useEffectEvent(() => config);
  useEffect(() => {
    const chosen = currentConfig();
    if (!chosen || chosen.authMode !== mode) return;
    const api = createApi({ baseUrl: current, config: chosen, ...apiOptions });
    const queryClient = createQueryClient();
    setConnection({ id: ++connections, api, queryClient });
    return () => {
      api.dispose();
      queryClient.clear();
    };
  }, [current, mode, apiOptions]);

  const switchTo = useCallback((url: string) => {
    saveChoice(url);
    setCurrent(url);
  }, []);
  const retry = useCallback(() => {
    setTargets((all) => all.map((one) => (one.status === 'error' ? { url: one.url, status: 'loading' } : one)));
    setAttempt((n) => n + 1);
  }, []);
  const targetsValue = useMemo(() => ({ targets, current, switchTo, retry }), [targets, current, switchTo, retry]);

  // Until the client for the chosen API exists (and after a switch, until the new one does).
  const live = connection && connection.api.baseUrl === current && connection.api.mode === mode ? connection : null;
  if (!live) return <Startup target={target} targets={targets} onRetry={retry} onSwitch={switchTo} />;

  return (
    <ApiTargetsContext value={targetsValue}>
      <ApiContext value={live.api}>
        <QueryClientProvider client={live.queryClient}>
          <AuthSync {...(apiOptions?.openChannel && { openChannel: apiOptions.openChannel })} />
          <div key={live.id} className="app-root">
            {children}
          </div>
        </QueryClientProvider>
      </ApiContext>
    </ApiTargetsContext>
  );
}
