import { defineConfig, type PlaywrightTestOptions, type PlaywrightWorkerOptions, type Project } from '@playwright/test';
import { findChromium } from './browser.mjs';
import { accessTokenTtlSeconds, apiChoiceKey, apiUrls, attackerUrl, spaUrl, type Mode } from './e2e-env';
import type { WorkerOptions } from './fixtures';

const browser = findChromium({ install: false });
const output = new URL('./.output/', import.meta.url).pathname;
const apiEntry = new URL('../apps/api/dist/main.js', import.meta.url).pathname;
// The servers listen on IPv4 loopback; the browser reaches them as localhost (see e2e-env.ts).
const loopback = (url: string) => url.replace('//localhost:', '//127.0.0.1:');

const api = (mode: Mode, extra: Record<string, string> = {}) => ({
  command: `node ${apiEntry}`,
  url: `${loopback(apiUrls[mode])}/api/health`,
  reuseExistingServer: false,
  timeout: 60_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  env: {
    NODE_ENV: 'development',
    AUTH_MODE: mode,
    PORT: new URL(apiUrls[mode]).port,
    HOST: '127.0.0.1',
    DATA_DIR: `${output}data/${mode}`,
    CORS_ORIGINS: spaUrl,
    LOG_LEVEL: 'warn',
    ...extra,
  },
});

/**
 * One spec, run once per mode: each project points the SPA at its mode's API through the
 * localStorage key the mode switch writes, so each test's context starts on the right API.
 */
const project = (mode: Mode): Project<PlaywrightTestOptions, PlaywrightWorkerOptions & WorkerOptions> => ({
  name: mode,
  testIgnore: mode === 'session' ? /specs\/jwt\// : /specs\/session\//,
  use: {
    mode,
    storageState: { cookies: [], origins: [{ origin: spaUrl, localStorage: [{ name: apiChoiceKey, value: apiUrls[mode] }] }] },
  },
});

const workers = Number(process.env.E2E_WORKERS ?? 2);

export default defineConfig<object, WorkerOptions>({
  testDir: './specs',
  outputDir: `${output}test-results`,
  fullyParallel: false,
  workers,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never', outputFolder: `${output}report` }]],
  use: {
    baseURL: spaUrl,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      ...(browser && { executablePath: browser.path }),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [project('session'), project('jwt')],
  webServer: [
    api('session'),
    api('jwt', { ACCESS_TOKEN_TTL: String(accessTokenTtlSeconds) }),
    {
      command: `pnpm --filter @authbench/web exec vite preview --outDir ${output}web --host 127.0.0.1 --port ${new URL(spaUrl).port} --strictPort`,
      url: loopback(spaUrl),
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `node ${new URL('./attacker/server.mjs', import.meta.url).pathname}`,
      url: `${attackerUrl}/health`,
      reuseExistingServer: false,
    },
  ],
});
