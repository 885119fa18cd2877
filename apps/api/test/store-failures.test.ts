import { rm } from 'node:fs/promises';
import { authModes, ErrorBody, HealthResponse, paths } from '@authbench/contract';
import { pino } from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { StoreUnavailableError } from '../src/errors';
import { openStorage } from '../src/storage';
import type { Storage } from '../src/storage/storage';
import { createDataDir } from './support/test-app';
import { createClient } from './support/test-client';

/** A storage whose user lookups fail as a dead store or a bug would make them fail. */
function breakable(storage: Storage) {
  const failure: { next?: Error } = {};
  const fail = <T>(work: () => Promise<T>) => (failure.next ? Promise.reject(failure.next) : work());
  const broken: Storage = {
    ...storage,
    users: { ...storage.users, findById: (id) => fail(() => storage.users.findById(id)), findByEmail: (e) => fail(() => storage.users.findByEmail(e)) },
    checks: { ...storage.checks, database: () => fail(() => storage.checks.database!()) },
  };
  return { storage: broken, failure };
}

describe.each(authModes)('a failing store in %s mode', (mode) => {
  let app: App;
  let storage: Storage;
  let dataDir: string;
  let failure: { next?: Error };
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = await createDataDir();
    const config = loadConfig({ NODE_ENV: 'test', AUTH_MODE: mode, DATA_DIR: dataDir });
    storage = await openStorage({ config, now: Date.now });
    const wrapped = breakable(storage);
    failure = wrapped.failure;
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(line) });
    app = await createApp(config, { storage: wrapped.storage, logger });
  });
  afterAll(async () => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const loginAnyone = async () => {
    const client = await createClient(app.app, mode).ready();
    return client.post(paths.login, { email: 'someone@example.test', password: 'long enough pw' });
  };

  // The fault is injected at the store interface (PGlite in a directory cannot be taken down and
  // brought back from outside); real outages of PostgreSQL and Redis, killed, hung and restarted,
  // are in distributed/processes/faults.test.ts.
  it('answers 503 service_unavailable while a store reports itself unavailable, and recovers when it answers again', async () => {
    failure.next = new StoreUnavailableError('database');
    const res = await loginAnyone();
    expect(res.status).toBe(503);
    expect(ErrorBody.parse(res.body).error.code).toBe('service_unavailable');
    const health = await supertest(app.app).get(paths.health);
    expect(health.status).toBe(503);
    expect(HealthResponse.parse(health.body)).toEqual({ status: 'degraded', authMode: mode, checks: { database: 'down' } });
    delete failure.next;
    expect((await loginAnyone()).status).toBe(401);
    expect((await supertest(app.app).get(paths.health)).status).toBe(200);
  });

  it('answers an unexpected error with 500 internal, no stack in the body, and the error in the log', async () => {
    failure.next = new Error('boom: something nobody expected');
    const res = await loginAnyone();
    delete failure.next;
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/boom|\.ts:\d+/);
    expect(logs.join('\n')).toMatch(/boom: something nobody expected/);
  });
});
