export const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * `concurrency` workers, each prepared once, then stepping until `seconds` have passed (a step
 * started before the end is let finish). Returns how many steps completed and in how long.
 */
export async function timedWorkers<S>(
  concurrency: number,
  seconds: number,
  prepare: (worker: number) => Promise<S>,
  step: (state: S) => Promise<S>,
): Promise<{ count: number; seconds: number }> {
  const states = await Promise.all(Array.from({ length: concurrency }, (_, i) => prepare(i)));
  const start = performance.now();
  const end = start + seconds * 1000;
  const counts = await Promise.all(
    states.map(async (initial) => {
      let state = initial;
      let count = 0;
      while (performance.now() < end) {
        state = await step(state);
        count += 1;
      }
      return count;
    }),
  );
  return { count: counts.reduce((a, b) => a + b, 0), seconds: (performance.now() - start) / 1000 };
}

/** Runs `work` with at most `limit` calls in flight at once (the others wait their turn). */
export function atMost(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * `work`, and once more after `pauseMs` if it failed: for a server's start, which a machine busy
 * with other work can push past the API's own store timeouts (1 s to connect, 1.5 s per query
 * while it migrates), and which is not what the bench measures.
 */
export async function twice<T>(work: () => Promise<T>, onRetry: (err: unknown) => void, pauseMs = 2000): Promise<T> {
  try {
    return await work();
  } catch (err) {
    onRetry(err);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return work();
  }
}
