import { createClient, ErrorReply } from 'redis';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../errors';
import { redactUrl } from '../redact';

const createResp3Client = (options: Parameters<typeof createClient>[0]) => createClient({ ...options, RESP: 3 });
export type RedisClient = ReturnType<typeof createResp3Client>;
const cachingView = (client: RedisClient) => client.withCommandOptions({ cache: true });
type CachingClient = ReturnType<typeof cachingView>;

/** Keys this process read and Redis has not yet said changed (sessions, revocations, users). */
const clientSideCacheEntries = 50_000;

export interface RedisConnection {
  client: RedisClient;
  /**
   * Runs Redis commands as one store operation: refused at once while disconnected, abandoned
   * after `commandTimeoutMs`, and any failure of the connection (not a command's own error
   * reply) becomes StoreUnavailableError, which the API answers with 503.
   */
  run<T>(work: (client: RedisClient) => Promise<T>): Promise<T>;
  /** As `run`, for the hot reads whose replies the client-side cache keeps (tracking is opt-in). */
  read<T>(work: (client: CachingClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Well under the 2 s in which a request that needs Redis must answer 503 when Redis is gone.
const commandTimeoutMs = 1000;
// A hung server (stopped, or cut off without a reset) delivers no invalidations, yet the client-side
// cache would go on answering from memory: a PING this often bounds how long that can last
// (heartbeat + command timeout, 1.5 s), after which the cache is emptied and requests get 503.
const heartbeatMs = 500;
const connectTimeoutMs = 1000;
const startTimeoutMs = 5000;

// Error replies that mean "not now" rather than "wrong command".
const transientReply = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;

const unavailable = (cause: unknown) => new StoreUnavailableError('redis', cause);

/**
 * A node-redis client that never queues commands while disconnected (they would hang the
 * request, then run late), reconnects on its own at most a second apart, and reports a lost
 * connection once rather than on every attempt.
 */
export async function connectRedis(url: string, logger?: Logger): Promise<RedisConnection> {
  const client = createResp3Client({
    url,
    // RESP3 client-side caching (CLIENT TRACKING): a key read once is answered from memory until
    // Redis pushes its invalidation, which it does to every client that read the key as soon as
    // any client changes it. node-redis empties the cache when the connection drops. Opt-in: only
    // the reads made through `read` (sessions, revocations, users) are tracked and kept, so Redis
    // tracks no key this process reads once (session lists, counters).
    clientSideCache: { ttl: 0, maxEntries: clientSideCacheEntries, evictPolicy: 'LRU', trackingMode: 'optin' },
    disableOfflineQueue: true,
    // A stalled server leaves commands waiting for a reply; bound what they can pile up.
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  });

  let state: 'starting' | 'up' | 'down' = 'starting';
  client.on('error', (err: unknown) => {
    // Without a listener, node-redis's 'error' event would crash the process.
    if (state !== 'up') return;
    state = 'down';
    logger?.warn({ err }, 'redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (state === 'down') logger?.info('redis connection restored');
    state = 'up';
  });

  let startTimer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_resolve, reject) => {
        startTimer = setTimeout(() => {
          reject(new Error(`REDIS_URL: no answer from ${redactUrl(url)} within ${startTimeoutMs / 1000} s`));
        }, startTimeoutMs);
      }),
    ]);
  } catch (err) {
    if (client.isOpen) client.destroy();
    throw err;
  } finally {
    clearTimeout(startTimer);
  }

  // After a timeout the server is presumed hung until it answers a PING. Meanwhile nothing more is
  // sent: a request fails at once instead of waiting its own timeout, and no write is left queued
  // on the socket to run, unasked, when the server wakes up (express-session, for one, destroys a
  // session it failed to load).
  let hung = false;
  const presumeHung = () => {
    if (hung) return;
    hung = true;
    // Invalidations cannot arrive while it does not answer: nothing remembered may be used.
    client.clientSideCache?.clear();
    logger?.warn(`redis did not answer within ${commandTimeoutMs} ms; refusing requests until it answers a PING`);
    client.ping().then(
      () => {
        hung = false;
        logger?.info('redis answers again');
      },
      () => {
        // The connection was lost: reconnecting (isReady) takes over from here.
        hung = false;
      },
    );
  };

  let heartbeatTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const heartbeat = () => {
    if (closed) return;
    heartbeatTimer = setTimeout(() => {
      if (!client.isReady || hung) return heartbeat();
      const deadline = setTimeout(presumeHung, commandTimeoutMs).unref();
      // A rejection is a lost connection: node-redis empties the cache and reconnects.
      client
        .ping()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(deadline);
          heartbeat();
        });
    }, heartbeatMs).unref();
  };
  heartbeat();

  const caching = cachingView(client);
  const connection: RedisConnection = {
    client,
    read: (work) => connection.run(() => work(caching)),
    async run(work) {
      if (!client.isReady) throw unavailable(new Error('redis is not connected'));
      if (hung) throw unavailable(new Error('redis is not answering'));
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          work(client),
          new Promise<never>((_resolve, reject) => {
            timer = setTimeout(() => {
              presumeHung();
              reject(unavailable(new Error(`redis did not answer within ${commandTimeoutMs} ms`)));
            }, commandTimeoutMs);
          }),
        ]);
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        if (err instanceof ErrorReply && !transientReply.test(err.message)) throw err;
        // Everything else node-redis throws is about the connection (closed, offline, timeout).
        throw unavailable(err);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      clearTimeout(heartbeatTimer);
      if (!client.isOpen) return;
      if (!client.isReady) {
        client.destroy();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      // close() waits for replies to commands in flight; a stalled server must not hold us.
      await Promise.race([client.close(), new Promise((resolve) => (timer = setTimeout(resolve, commandTimeoutMs)))]);
      clearTimeout(timer);
    },
  };
  return connection;
}
