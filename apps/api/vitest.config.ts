import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// The suite runs once per storage setup (SPEC §7): embedded always; distributed (PostgreSQL and
// Redis, a fresh namespace per test app) when DATABASE_URL and REDIS_URL are both set, as in CI.
// Then, alone so that their real processes and load do not disturb the timing-sensitive tests,
// the tests of several API processes, restarts, store faults and shutdown
// (test/distributed/processes/). test/distributed/ holds what needs the distributed stores.
// `vitest run --project <name>` runs one of them.
console.log(`[api tests] Node.js ${process.version}`);
// Test data in memory where the machine has a tmpfs (Linux's /dev/shm), unless TMPDIR says
// otherwise: nearly every test app starts from a copy of PGlite's migrated template (1,000 files,
// 39 MB), which cost 0.6-0.8 s of kernel time per copy on this machine's disk and 0.06 s in
// /dev/shm (the embedded project: 110 core-seconds against 166). The workers and the API
// processes the tests start inherit it.
const memoryDir = '/dev/shm';
const writable = (dir: string) => {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};
if (!process.env.TMPDIR && writable(memoryDir)) process.env.TMPDIR = memoryDir;
const missing = ['DATABASE_URL', 'REDIS_URL'].filter((name) => !process.env[name]);
const distributed = missing.length === 0;
if (!distributed) {
  console.log(
    `[api tests] distributed storage run skipped: ${missing.join(' and ')} not set (set both, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379, to also run against PostgreSQL and Redis)`,
  );
}

const shared = {
  // PGlite opens in ~0.5 s from a template copy, and Argon2id costs ~50 ms a hash.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks',
  // A worker keeps its modules from one file to the next: every file imported the API afresh
  // (express, PGlite, Kysely, node-redis...), 28% of the embedded run's CPU (217 s against 300 s
  // here, every test passing). The tests share no module state that matters: each builds its own
  // app and stores, and the two spies restore what they replace.
  isolate: false,
} as const;
// Vitest's default (cores - 1) is one file at a time on a 2-core machine, where most of a file's
// time is spent waiting (on Argon2 in libuv's pool, on the stores, on timers): two at once took
// the suite from 463 s to 346 s there, every test passing.
const maxWorkers = Math.max(2, availableParallelism() - 1);

const processTests = 'test/distributed/processes/**/*.test.ts';
// What no store decides: configuration, start-up errors, the caches' own logic, CORS headers,
// the hash queue and the OpenAPI lint. Run once, on the embedded setup; the distributed run
// repeats what a store decides.
const storeIndependent = [
  'test/config.test.ts',
  'test/openapi-lint.test.ts',
  'test/config-properties.test.ts',
  'test/startup-errors.test.ts',
  'test/verified-token-cache.test.ts',
  'test/session-read-cache.test.ts',
  'test/cors.test.ts',
  'test/hash-queue.test.ts',
];

export default defineConfig({
  test: {
    maxWorkers,
    projects: [
      {
        test: { ...shared, name: 'embedded', include: ['test/**/*.test.ts'], exclude: ['test/distributed/**'], globalSetup: ['test/support/global-setup.ts'] },
      },
      ...(distributed
        ? [
            {
              test: {
                ...shared,
                name: 'distributed',
                include: ['test/**/*.test.ts'],
                exclude: [processTests, ...storeIndependent],
                globalSetup: ['test/support/global-setup.ts', 'test/support/distributed-setup.ts'],
                env: { TEST_STORAGE: 'distributed' },
              },
            },
            {
              test: {
                ...shared,
                name: 'distributed-processes',
                include: [processTests],
                globalSetup: ['test/support/distributed-setup.ts', 'test/distributed/support/build-api.ts'],
                env: { TEST_STORAGE: 'distributed' },
                sequence: { groupOrder: 1 },
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
