import type { AxiosAdapter, AxiosResponse } from 'axios';
import { isAxiosError } from 'axios';
import { csrfHeader, dpopHeader } from '@authbench/contract';
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
  /** The Authorization header's scheme (`Bearer`, `DPoP`), never its token; null without one. */
  authScheme: string | null;
  /** The DPoP proof it carried (jwt-dpop): a public, single-use JWT, shown decoded in /inspect. */
  proof: string | null;
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
      const proof = config.headers.get(dpopHeader);
      const base = {
        id: nextId++,
        startedAt,
        method: (config.method ?? 'get').toUpperCase(),
        path: pathOf(config),
        withCredentials: config.withCredentials === true,
        authScheme: /^(\S+) \S/.exec(String(config.headers.get('Authorization') ?? ''))?.[1] ?? null,
        proof: typeof proof === 'string' ? proof : null,
        csrfHeader: config.headers.has(csrfHeader),
        retry: flags.retriedAfterRefresh === true || flags.retriedAfterCsrf === true || flags.retriedAfterNonce === true,
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
