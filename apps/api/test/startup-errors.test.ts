import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCacheDir, bundleApi } from './support/api-bundle';
import { createDataDir } from './support/test-app';

const apiRoot = fileURLToPath(new URL('..', import.meta.url));
const password = 'S3cret-Pa55word';

let bundle: string;
let outdir: string;
const dataDirs: string[] = [];

beforeAll(async () => {
  outdir = await mkdtemp(path.join(await apiCacheDir(), 'authbench-startup-errors-'));
  bundle = await bundleApi(outdir);
});

afterAll(async () => {
  await Promise.all([outdir, ...dataDirs].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Starts the API with `env`, expecting it to stop: its exit code and everything it printed. */
async function startFailing(env: Record<string, string>, killAfterMs = 20_000) {
  const dataDir = await createDataDir();
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: apiRoot,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('a setting its consumer would refuse or misread stops the start in one line naming it, never a stack trace', () => {
  it.each([
    ['TRUST_PROXY', { TRUST_PROXY: '0.0.0.0/0' }],
    ['TRUST_PROXY', { TRUST_PROXY: '::/0' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/0.0.0.0' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/255.0.255.0' }],
    ['TRUST_PROXY', { NODE_ENV: 'production', TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1' }],
    ['SESSION_IDLE_MINUTES', { SESSION_IDLE_MINUTES: '0.001' }],
    ['REFRESH_TOKEN_TTL', { REFRESH_TOKEN_TTL: '60d' }],
  ])('%s (%o)', async (name, env) => {
    const { code, stdout, stderr } = await startFailing(env);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^authbench: ${name}: `))]);
    expect(stdout).toBe('');
  });

  // This one gets as far as listening (storage open, secrets resolved): slow on a busy machine.
  it('a port in use: one line naming PORT', { timeout: 90_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const { code, stderr } = await startFailing({ PORT: String(port) }, 80_000);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^authbench: PORT: 127\\.0\\.0\\.1:${port} is in use`))]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('start-up errors never print a credential', () => {
  it.each([
    ['DATABASE_URL', `mysql://app:${password}@db.internal/app`],
    ['DATABASE_URL', `postgres://app:${password}@db internal:5432/app`],
    ['DATABASE_URL', `postgres://app:${password}@[::1/app`],
    ['REDIS_URL', `redis://default:${password}@127.0.0.1:6379/sessions`],
    ['REDIS_URL', `redis://:${password}@127.0.0.1:99999`],
    ['REDIS_URL', `redis://default:p@ss/${password}@127.0.0.1:6379/0`],
  ])('a malformed %s (%s): one line naming it, the password masked', async (name, value) => {
    const { code, stdout, stderr } = await startFailing({ [name]: value });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^authbench: ${name}: expected a URL .*\\(got ".*:\\*\\*\\*@.*"\\)$`))]);
    expect(stderr + stdout).not.toContain(password);
  });

  it.each([
    ['an unreachable PostgreSQL', { DATABASE_URL: `postgres://app:${password}@127.0.0.1:1/app` }],
    ['an unreachable Redis', { REDIS_URL: `redis://default:${password}@127.0.0.1:1/0` }],
  ])('%s, whose password is in the URL: the error, stack and causes, without it', { timeout: 60_000 }, async (_what, env) => {
    // It opens the embedded database and waits out the store's start timeout: slow on a busy machine.
    const { code, stdout, stderr } = await startFailing(env, 45_000);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^(authbench: )?\w*Error/);
    expect(stderr + stdout).not.toContain(password);
  });

  it.each([
    ['SESSION_SECRET', { NODE_ENV: 'production', AUTH_MODE: 'session', SESSION_SECRET: `short-${password}` }],
    ['JWT_PRIVATE_KEYS', { AUTH_MODE: 'jwt', JWT_PRIVATE_KEYS: `not-a-key-but-${password}` }],
  ])('an unusable %s: a line naming it, never its value', async (name, env) => {
    const { code, stdout, stderr } = await startFailing(env);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^authbench: ${name}: `));
    expect(stderr + stdout).not.toContain(password);
  });
});
