import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { AppError } from '../errors';

export interface HashQueueLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes that may wait for a turn; one more is refused (503). */
  maxWaiting: number;
}

export interface HashQueue {
  /** Runs `task` when a turn is free, in arrival order; 503 with Retry-After when the line is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly waiting: number;
  /** New limits for what arrives from now on (tests shrink them); what is admitted keeps its turn. */
  configure(limits: Partial<HashQueueLimits>): void;
}

/**
 * Leaves a core to the event loop, which serves every other request: hashing on all of them would
 * make a flood of logins slow everybody's GET /api/me. The line holds about a second and a half
 * of work (Argon2id at OWASP's setting costs tens of milliseconds); beyond it a client is better
 * told to come back than kept waiting.
 */
export function defaultHashQueueLimits(): HashQueueLimits {
  const concurrency = Math.max(1, availableParallelism() - 1);
  return { concurrency, maxWaiting: 32 * concurrency };
}

/** A bounded line in front of an expensive, CPU-bound call (password hashing). */
export function createHashQueue(limits: HashQueueLimits = defaultHashQueueLimits()): HashQueue {
  let { concurrency, maxWaiting } = limits;
  let running = 0;
  const line: (() => void)[] = [];
  // How long a task takes, smoothed: what Retry-After promises a refused client.
  let averageMs = 50;

  // A turn is handed over with the wake-up, so that a newcomer cannot take it in between.
  const next = () => {
    while (running < concurrency && line.length > 0) {
      running++;
      line.shift()!();
    }
  };
  const retryAfterSeconds = () => Math.max(1, Math.ceil(((line.length / concurrency + 1) * averageMs) / 1000));

  return {
    get running() {
      return running;
    },
    get waiting() {
      return line.length;
    },
    configure(changes) {
      concurrency = changes.concurrency ?? concurrency;
      maxWaiting = changes.maxWaiting ?? maxWaiting;
      next();
    },
    async run(task) {
      if (running < concurrency) running++;
      else if (line.length >= maxWaiting) {
        throw new AppError('service_unavailable', 'Too many logins and registrations at once. Try again shortly.', undefined, {
          'Retry-After': String(retryAfterSeconds()),
        });
      } else await new Promise<void>((resolve) => line.push(resolve));
      const started = performance.now();
      try {
        return await task();
      } finally {
        averageMs = 0.8 * averageMs + 0.2 * (performance.now() - started);
        running--;
        next();
      }
    },
  };
}
