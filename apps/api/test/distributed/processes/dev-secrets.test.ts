import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { authModes, MeResponse, modeTraits, paths } from '@authbench/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../support/test-app';
import { createClient } from '../../support/test-client';
import { createTestKey, keysEnv } from '../../support/tokens';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup, type ClusterSetup } from '../support/cluster';

// Several development processes, started as a new user would start them: the same
// DATABASE_URL and REDIS_URL, no secrets set, each with its own DATA_DIR.
describe.each(authModes)('development processes on shared stores with no secrets set, in %s mode', (mode) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // One setup (one namespace) for every process of this mode, however many start at once: the
  // promise, not its result, is what the first caller leaves for the others.
  let setup: Promise<ClusterSetup> | undefined;
  const clusterSetup = () =>
    (setup ??= createClusterSetup().then((created) => {
      cleanups.push(() => created.cleanup());
      return created;
    }));

  const start = async (env: Record<string, string> = {}): Promise<ApiProcess> => {
    const { env: clusterEnv } = await clusterSetup();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'authbench-dev-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { SESSION_SECRET: _secret, JWT_PRIVATE_KEYS: _keys, ...shared } = clusterEnv;
    const api = await startApiProcess({ mode, env: { ...shared, NODE_ENV: 'development', DATA_DIR: dataDir, ...env } });
    cleanups.push(() => api.stop());
    return api;
  };

  it('accept each other’s logins with no configuration', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const client = createClient(a.url, mode);
    const email = uniqueEmail('dev');
    expect((await client.register({ email, password: 'correct horse battery', name: 'Dev' })).status).toBe(201);
    const onB = createClient(b.url, mode);
    const replayed = await onB.agent.get(paths.me).set(client.headersFor('get', paths.me));
    expect(replayed.status, JSON.stringify(replayed.body)).toBe(200);
    expect(MeResponse.parse(replayed.body).user.email).toBe(email);
    if (modeTraits[mode].refreshToken) {
      const refreshed = await onB.agent.post(paths.refresh).set(client.headersFor('post', paths.refresh));
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    }
  });

  it.each([
    ['SESSION_SECRET', () => 'another-secret-that-is-long-enough-for-sure'],
    ['JWT_PRIVATE_KEYS', () => keysEnv(createTestKey())],
  ])('refuse to start one whose %s shares nothing with theirs, naming the variable', async (variable, value) => {
    await start();
    const refused = start({ [variable]: value() });
    await expect(refused).rejects.toThrow(new RegExp(`exited \\(1\\)[\\s\\S]*authbench: ${variable}: shares no key`));
  });
});
