import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse } from 'axios';
import type { Channel, OpenChannel } from '../api/open-broadcast-channel';
import type { LockManagerLike } from '../api/transport';

export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
  withCredentials: boolean;
  bearer: string | null;
  /** The whole Authorization header (any scheme), or null. */
  authorization: string | null;
  /** The DPoP proof header, or null. */
  dpop: string | null;
  csrf: string | null;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

/** Thrown by a handler to simulate a request that never got an answer. */
export class NetworkDown extends Error {}

export const errorReply = (status: number, code: string, extra: Record<string, unknown> = {}): FakeReply => ({
  status,
  body: { error: { code, message: `fake ${code}`, ...extra } },
});

/** Where a fake holds requests: `hold()` closes it and returns what opens it again. */
export function createGate() {
  let open: Promise<void> = Promise.resolve();
  return {
    passed: () => open,
    hold: (): (() => void) => {
      let release = () => {};
      open = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

export const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An axios adapter that answers from a handler instead of the network. It settles the way the
 * XHR adapter does (raw JSON text; non-2xx rejects with an AxiosError carrying the response).
 */
export function createFakeAdapter(handler: FakeHandler): { adapter: AxiosAdapter; calls: FakeRequest[] } {
  const calls: FakeRequest[] = [];
  const adapter: AxiosAdapter = async (config) => {
    const authorization = String(config.headers.get('Authorization') ?? '');
    const csrf = config.headers.get('X-CSRF-Token');
    const dpop = config.headers.get('DPoP');
    const request: FakeRequest = {
      method: (config.method ?? 'get').toUpperCase(),
      path: new URL(config.url ?? '', config.baseURL ?? 'http://fake.test').pathname,
      body: typeof config.data === 'string' && config.data !== '' ? JSON.parse(config.data) : config.data,
      withCredentials: config.withCredentials === true,
      bearer: authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : null,
      authorization: authorization === '' ? null : authorization,
      dpop: typeof dpop === 'string' ? dpop : null,
      csrf: typeof csrf === 'string' ? csrf : null,
    };
    calls.push(request);
    let reply: FakeReply;
    try {
      reply = await handler(request);
    } catch (error) {
      if (error instanceof NetworkDown) throw new AxiosError('Network Error', AxiosError.ERR_NETWORK, config);
      throw error;
    }
    const response: AxiosResponse = {
      data: reply.body === undefined ? '' : JSON.stringify(reply.body),
      status: reply.status,
      statusText: String(reply.status),
      headers: new AxiosHeaders({ 'content-type': 'application/json', ...reply.headers }),
      config,
    };
    if (reply.status >= 200 && reply.status < 300) return response;
    throw new AxiosError(
      `Request failed with status code ${reply.status}`,
      reply.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
      config,
      null,
      response,
    );
  };
  return { adapter, calls };
}

/** A FIFO lock per name shared by several fake tabs, like navigator.locks within one origin. */
export function createFakeLocks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous.then(() => callback());
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}

/** No serialisation at all: what a browser without Web Locks would do across tabs. */
export const noLocks: LockManagerLike = { request: (_name, callback) => callback() };

/**
 * Channels between fake tabs. Delivery is synchronous, which is the friendliest case for the
 * "another tab already refreshed" check; the lock alone must be enough to prevent reuse.
 */
export function createChannelHub() {
  const subscribers = new Map<string, Set<{ tab: number; listener: (message: unknown) => void }>>();
  let nextTab = 0;
  return {
    /** One OpenChannel per tab: a tab never hears its own messages, as with BroadcastChannel. */
    tab(): OpenChannel {
      const tab = nextTab++;
      return (name) => {
        const set = subscribers.get(name) ?? new Set();
        subscribers.set(name, set);
        const mine = new Set<{ tab: number; listener: (message: unknown) => void }>();
        const channel: Channel = {
          post(message) {
            for (const entry of [...set]) if (entry.tab !== tab) entry.listener(structuredClone(message));
          },
          subscribe(listener) {
            const entry = { tab, listener };
            set.add(entry);
            mine.add(entry);
            return () => {
              set.delete(entry);
              mine.delete(entry);
            };
          },
          close() {
            for (const entry of mine) set.delete(entry);
          },
        };
        return channel;
      };
    },
  };
}
