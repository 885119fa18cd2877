import type { TestProject } from 'vitest/node';
import { sharedStores, sweepNamespaces } from './namespaces';

/**
 * The distributed run's global setup: PostgreSQL and Redis must answer (one clear failure, not a
 * hundred timeouts); namespaces left behind by runs that died are swept; and when the run ends,
 * every namespace it made is dropped (test apps drop theirs on close, restart tests keep them).
 */
export default async function setup(project: TestProject) {
  const stores = sharedStores();
  try {
    await sweepNamespaces(stores);
  } catch (err) {
    throw new Error(`the distributed test run cannot reach DATABASE_URL or REDIS_URL: ${(err as Error).message}`, { cause: err });
  }
  // Per project: one project's teardown must not drop another's namespaces while it runs.
  const run = `${process.pid}_${project.name.replace(/[^a-z0-9]/g, '').slice(0, 12)}`;
  project.provide('namespaceRun', run);
  return async () => {
    await sweepNamespaces(stores, run);
  };
}
