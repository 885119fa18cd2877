import { cpSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { AuthMode } from '@authbench/contract';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { openStorage } from '../../src/storage';
import type { Storage } from '../../src/storage/storage';
import { dropNamespaces, newNamespace, sharedStores } from './namespaces';
import { givenSecrets, leaksOfNamespace } from './redis-values';
import { createClient, type ClientOptions, type TestClient } from './test-client';

export const allowedOrigin = 'http://localhost:5173';
export const foreignOrigin = 'http://evil.example';

/** A clock the test moves forward, to cross timeouts without sleeping. */
export function createClock(start = Date.now()) {
  let at = start;
  return {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

/**
 * Where the test apps keep their data: `embedded` (PGlite in a data directory, the default) or
 * `distributed` (TEST_STORAGE=distributed: PostgreSQL at DATABASE_URL and Redis at REDIS_URL,
 * one namespace per app, dropped when the app closes). vitest.config.ts runs the suite once each.
 */
export const storageSetup: 'embedded' | 'distributed' = process.env.TEST_STORAGE === 'distributed' ? 'distributed' : 'embedded';

export async function createDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'authbench-test-'));
  // cpSync: a third of fs.promises.cp's time for PGlite's ~1,000 small files (~100 ms against
  // ~300 ms here), and the suite makes a directory for nearly every test.
  cpSync(inject('templateDataDir'), dir, { recursive: true });
  return dir;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (the restart tests). */
  dataDir?: string;
  /** Reuse a namespace of the distributed stores (the restart tests); kept when the app closes. */
  namespace?: string;
  clock?: ReturnType<typeof createClock>;
  /** Puts something between the app and its stores (a fault, a counter). */
  wrapStorage?: (storage: Storage) => Storage;
}

export interface TestApp {
  mode: AuthMode;
  config: Config;
  app: App;
  clock: ReturnType<typeof createClock>;
  dataDir: string;
  /** The app's schema and key prefix in the distributed stores; undefined on embedded storage. */
  namespace: string | undefined;
  /** Every log line the app wrote. */
  logs: string[];
  /** A fresh browser-like client (its own cookie jar and credentials). */
  client: (options?: ClientOptions) => TestClient;
  /** A user registered through the API, with the client that registered it. */
  newUser: (name?: string) => Promise<{ email: string; password: string; name: string; client: TestClient }>;
  close: () => Promise<void>;
}

let userCounter = 0;
export const uniqueEmail = (label = 'user') => `${label}-${process.pid}-${++userCounter}-${Date.now()}@example.test`;

export async function startTestApp(mode: AuthMode, options: TestAppOptions = {}): Promise<TestApp> {
  const stores = storageSetup === 'distributed' ? sharedStores() : undefined;
  // With PostgreSQL the directory holds only the generated development secrets; otherwise PGlite.
  const onPostgres = Boolean(options.env?.DATABASE_URL ?? stores?.databaseUrl);
  const dataDir = options.dataDir ?? (onPostgres ? await mkdtemp(path.join(tmpdir(), 'authbench-test-')) : await createDataDir());
  const namespace = stores && (options.namespace ?? (await namespaceOf(dataDir)));
  const clock = options.clock ?? createClock();
  const config = loadConfig({
    NODE_ENV: 'test',
    AUTH_MODE: mode,
    DATA_DIR: dataDir,
    CORS_ORIGINS: allowedOrigin,
    LOG_LEVEL: 'info',
    // Every suite registers and fails logins by the dozen from one address (supertest's); the
    // per-IP limits are tested where they are set (rate-limits.test.ts).
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    REGISTER_MAX_PER_IP: '100000',
    ...(stores && { DATABASE_URL: stores.databaseUrl, REDIS_URL: stores.redisUrl }),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const own = options.wrapStorage && (await openStorage({ config, now: clock.now, logger, ...(namespace && { namespace }) }));
  const app = await createApp(config, { logger, now: clock.now, ...(namespace && { namespace }), ...(own && { storage: options.wrapStorage!(own) }) });
  const testApp: TestApp = {
    mode,
    config,
    app,
    clock,
    dataDir,
    namespace,
    logs,
    client: (clientOptions = {}) => createClient(app.app, mode, { apiOrigin: config.publicOrigin, now: clock.now, ...clientOptions }),
    async newUser(name = 'Test User') {
      const client = testApp.client();
      const user = { email: uniqueEmail(), password: 'correct horse battery', name };
      const res = await client.register(user);
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { ...user, client };
    },
    async close() {
      await app.close();
      await own?.close();
      // Every test app of the distributed run: nothing it left in Redis holds a password hash, the
      // suite's password or a secret of its database (SPEC: secrets only where they are needed).
      const leaks = stores && namespace ? await leaksOfNamespace(stores, namespace, givenSecrets(config.sessionSecrets, config.jwtPrivateKeys)) : [];
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      // The namespace lives as long as the data directory (a restart test reuses both).
      if (stores && namespace && !options.namespace && !options.dataDir) await dropNamespaces(stores, [namespace]);
      if (leaks.length > 0) throw new Error(`Redis values that hold what they should not:\n${leaks.join('\n')}`);
    },
  };
  return testApp;
}

/** The namespace bound to a data directory: a restarted app reuses its data in the shared stores too. */
async function namespaceOf(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'test-namespace');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const namespace = newNamespace();
    await writeFile(file, namespace);
    return namespace;
  }
}

/** A fresh app for this describe block, closed after it. */
export function useTestApp(mode: AuthMode, options: TestAppOptions = {}): TestApp {
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(mode, options);
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as TestApp, {
    get(_target, key) {
      if (!started) throw new Error('the test app is not started yet');
      return started[key as keyof TestApp];
    },
  });
}
