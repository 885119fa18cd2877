import type { AxiosAdapter, AxiosResponse } from 'axios';
import { isAxiosError } from 'axios';
import { csrfHeader } from '@authbench/contract';
import { pathOf } from './transport';

export interface RequestLogEntry {
  id: number;
  startedAt: number;
  durationMs: number;
  method: string;
  path: string;
  /** null: no response (network failure, CORS refusal). */
  status: number | null;
  /** The browser attaches its cookies for the API (sid, at, rt, csrf) only to these. */
  withCredentials: boolean;
  bearer: boolean;
  csrfHeader: boolean;
  retry: boolean;
  errorCode: string | null;
}

export interface RequestLog {
  // Arrow-typed: React calls these detached (useSyncExternalStore), so they must not need `this`.
  entries: () => readonly RequestLogEntry[];
  subscribe: (listener: () => void) => () => void;
  /** Wraps the real adapter, so what is logged is exactly what went on the wire. */
  wrap(adapter: AxiosAdapter): AxiosAdapter;
}

// At the adapter, before axios transforms the response, the body may still be JSON text.
const errorCodeIn = (raw: unknown): string | null => {
  let data = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (typeof data !== 'object' || data === null || !('error' in data)) return null;
  const error = data.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : null;
};

/** A small ring buffer: /inspect shows recent traffic without the memory growing. */
export function createRequestLog(capacity = 40, now: () => number = Date.now): RequestLog {
  let entries: readonly RequestLogEntry[] = [];
  let nextId = 1;
  const listeners = new Set<() => void>();

  const add = (entry: RequestLogEntry) => {
    entries = [entry, ...entries].slice(0, capacity); // a new array: useSyncExternalStore snapshots
    for (const listener of listeners) listener();
  };

  return {
    entries: () => entries,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    wrap: (adapter) => async (config) => {
      const startedAt = now();
      const flags = config.authbench ?? {};
      const base = {
        id: nextId++,
        startedAt,
        method: (config.method ?? 'get').toUpperCase(),
        path: pathOf(config),
        withCredentials: config.withCredentials === true,
        bearer: /^Bearer /.test(String(config.headers.get('Authorization') ?? '')),
        csrfHeader: config.headers.has(csrfHeader),
        retry: flags.retriedAfterRefresh === true || flags.retriedAfterCsrf === true,
      };
      const finish = (response: AxiosResponse | undefined) =>
        add({
          ...base,
          durationMs: now() - startedAt,
          status: response?.status ?? null,
          errorCode: response ? errorCodeIn(response.data) : null,
        });
      try {
        const response = await adapter(config);
        finish(response);
        return response;
      } catch (error) {
        finish(isAxiosError(error) ? error.response : undefined);
        throw error;
      }
    },
  };
}
