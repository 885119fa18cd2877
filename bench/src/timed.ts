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
