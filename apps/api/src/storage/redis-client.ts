import { createClient, ErrorReply } from 'redis';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../http/app-error';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnection {
  client: RedisClient;
  /**
   * Runs Redis commands as one store operation: refused at once while disconnected, abandoned
   * after `commandTimeoutMs`, and any failure of the connection (not a command's own error
   * reply) becomes StoreUnavailableError, which the API answers with 503.
   */
  run<T>(work: (client: RedisClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Well under the 2 s in which a request that needs Redis must answer 503 when Redis is gone.
const commandTimeoutMs = 1000;
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
  const client = createClient({
    url,
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

  return {
    client,
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
}

/** The URL without its password, for messages. */
export function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}
