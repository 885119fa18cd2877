import { authModes, modeTraits } from '@authbench/contract';
import { defineConfig, type PlaywrightTestOptions, type PlaywrightWorkerOptions, type Project } from '@playwright/test';
import { findChromium, findFirefox } from './browser.mjs';
import {
  accessTokenTtlSeconds,
  apiChoiceKey,
  apiDirectUrls,
  apiUrls,
  attackerUrl,
  deployment,
  dpopProofWindowSeconds,
  portOffset,
  readyUrl,
  resolverRules,
  spaServerUrl,
  spaUrls,
  topology,
  type Mode,
} from './e2e-env';
import type { WorkerOptions } from './fixtures';
import { cookieSettings, engines, type MatrixOptions } from './matrix';

// As run-e2e.mjs and run-matrix.mjs pick it (they pass CHROMIUM_PATH): the headless shell but for the matrix.
const chromium = findChromium({ install: false, headlessShell: process.env.E2E_MATRIX !== '1' });
const firefox = findFirefox({ install: false });
// A run on shifted ports keeps its data, build and results apart too (run-e2e.mjs agrees).
const output = new URL(`./.output/${portOffset ? `offset-${portOffset}/` : ''}`, import.meta.url).pathname;
const apiEntry = new URL('../apps/api/dist/main.js', import.meta.url).pathname;
const spaOrigins = [...new Set(Object.values(spaUrls))];

interface Server {
  name: string;
  command: string;
  env?: Record<string, string>;
  /** Answers once the server is up (self-signed HTTPS is accepted). */
  url: string;
}

/**
 * One API process per mode, each on data of its own; the modes with a refresh token expire fast,
 * and jwt-dpop's proofs too.
 * In a topology, behind the edge, with the cookie attributes and CORS origins it implies.
 */
const api = (mode: Mode): Server => ({
  name: `api ${mode}`,
  command: `node ${apiEntry}`,
  url: `${apiDirectUrls[mode]}/api/health`,
  env: {
    NODE_ENV: 'development',
    AUTH_MODE: mode,
    PORT: new URL(apiDirectUrls[mode]).port,
    HOST: '127.0.0.1',
    DATA_DIR: `${output}data/${topology}/${mode}`,
    CORS_ORIGINS: spaOrigins.join(','),
    LOG_LEVEL: 'warn',
    // Every test registers its accounts from 127.0.0.1: one client, as far as the per-IP limits go.
    REGISTER_MAX_PER_IP: '10000',
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    // The lab's sink page has the browser report every sink it refuses, to the first API.
    CSP_REPORTS_PER_MINUTE: '10000',
    ...(modeTraits[mode].refreshToken && { ACCESS_TOKEN_TTL: `${accessTokenTtlSeconds}s` }),
    ...(modeTraits[mode].proof && { DPOP_PROOF_WINDOW: `${dpopProofWindowSeconds}s` }),
    ...(deployment && { ...deployment.apiEnv, PUBLIC_ORIGIN: deployment.apiUrls[mode] }),
  },
});

const vite = 'pnpm --filter @authbench/web exec vite';
const spaBuild = `${output}web/${topology}`;
const servers: Server[] = [
  ...authModes.map(api),
  {
    // Built here rather than in run-e2e.mjs, so that the SPA's list of APIs is the one above; served
    // by the production server (`pnpm start:web`), with the page policy that build was made for.
    name: 'spa',
    command: [
      `${vite} build --outDir ${spaBuild} --emptyOutDir --logLevel warn`,
      `node ${new URL('../apps/web/server/serve.ts', import.meta.url).pathname}`,
    ].join(' && '),
    // VITE_LAB: the evidence lab (/lab) and its attacks, which a production build leaves out.
    env: {
      VITE_API_URLS: authModes.map((mode) => apiUrls[mode]).join(','),
      VITE_LAB: '1',
      VITE_ATTACKER_URL: attackerUrl,
      WEB_ROOT: spaBuild,
      WEB_HOST: '127.0.0.1',
      WEB_PORT: new URL(spaServerUrl).port,
    },
    url: spaServerUrl,
  },
  {
    name: 'attacker',
    // The lab's attacker site (apps/attacker), which serves the attack specs' pages too.
    command: `node ${new URL('../apps/attacker/server.mjs', import.meta.url).pathname}`,
    env: {
      ATTACKER_PORT: new URL(attackerUrl).port,
      ATTACKER_ORIGINS: spaOrigins.join(','),
      // Its server replays to the topology's made-up names through the edge.
      ...(deployment && { ATTACKER_EDGE: `127.0.0.1:${deployment.port}` }),
    },
    url: `${attackerUrl}/health`,
  },
  ...(deployment
    ? [
        {
          name: 'edge',
          // TLS with a certificate made at run time (never committed), routing by host name.
          command: `node ${new URL('../apps/edge/main.mjs', import.meta.url).pathname}`,
          env: {
            EDGE_TOPOLOGY: deployment.topology,
            EDGE_PORT: String(deployment.port),
            EDGE_SPA: spaServerUrl,
            EDGE_APIS: authModes.map((mode) => apiDirectUrls[mode]).join(','),
            EDGE_CERT_DIR: `${output}certs`,
          },
          url: `https://127.0.0.1:${deployment.port}/`,
        },
      ]
    : []),
];

const chromiumLaunch = {
  ...(chromium && { executablePath: chromium.path }),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    ...(deployment ? [`--host-resolver-rules=${resolverRules}`] : []),
  ],
};
const firefoxLaunch = {
  ...(firefox && { executablePath: firefox.path }),
  // The made-up host names, resolved to this machine (Chromium's --host-resolver-rules).
  firefoxUserPrefs: deployment ? { 'network.dns.forceResolve': '127.0.0.1' } : {},
};

type ProjectOptions = PlaywrightTestOptions & PlaywrightWorkerOptions & WorkerOptions & MatrixOptions;
/** Points each test's context at its mode's API, through the localStorage key the mode switch writes. */
const pointedAt = (mode: Mode): Partial<ProjectOptions> => ({
  mode,
  baseURL: spaUrls[mode],
  storageState: { cookies: [], origins: [{ origin: spaUrls[mode], localStorage: [{ name: apiChoiceKey, value: apiUrls[mode] }] }] },
});

/** The specs whose every step holds in any layout and browser: the shared spec and the page policy's. */
const anyLayout = /specs\/(auth|page-policy)\.spec\.ts$/;

/**
 * One spec, run once per mode: each project points the SPA at its mode's API. A Chromium project
 * runs specs/ and its own specs/<mode>/, never another mode's folder; in a topology (HTTPS through
 * the edge, made-up host names) only the specs that hold in any layout: the attack, lab and
 * mode-only specs assume the localhost layout, whose attacker is another site.
 */
const chromiumProject = (mode: Mode): Project<ProjectOptions, ProjectOptions> => ({
  name: mode,
  testIgnore: [
    new RegExp(`specs/(${authModes.filter((other) => other !== mode).join('|')})/`),
    /specs\/matrix\//,
    // "Run in every mode" drives every API from one page: the first mode's project runs it once.
    ...(mode === authModes[0] ? [] : [/specs\/lab-every-mode\.spec\.ts$/]),
  ],
  ...(deployment && { testMatch: anyLayout }),
  use: { ...pointedAt(mode), browserName: 'chromium', launchOptions: chromiumLaunch },
});

/**
 * The shared spec and the page policy's in Firefox, in every mode (Debian's firefox-esr over WebDriver BiDi). Where the
 * login rests on a key the browser keeps (jwt-dpop: WebCrypto, IndexedDB, which differ by
 * engine), the mode's own specs too, on the localhost layout.
 */
const firefoxProject = (mode: Mode): Project<ProjectOptions, ProjectOptions> => ({
  name: `firefox-${mode}`,
  testMatch: modeTraits[mode].proof && !deployment ? new RegExp(`specs/(auth\\.spec\\.ts|page-policy\\.spec\\.ts|${mode}/[^/]+\\.spec\\.ts)$`) : anyLayout,
  use: { ...pointedAt(mode), browserName: 'firefox', channel: 'moz-firefox', launchOptions: firefoxLaunch },
});

/**
 * E2E_MATRIX=1 (run-matrix.mjs): specs/matrix/ once per browser and third-party cookie setting, in
 * the topology of this run; each test is one mode, and launches its browser as the setting says.
 */
const matrixProjects = engines.flatMap((engine) =>
  cookieSettings.map(
    (thirdPartyCookies): Project<ProjectOptions, ProjectOptions> => ({
      name: `matrix-${engine}-${thirdPartyCookies}`,
      testMatch: /specs\/matrix\/.*\.spec\.ts$/,
      use: { engine, thirdPartyCookies, launchOptions: engine === 'chromium' ? chromiumLaunch : firefoxLaunch },
    }),
  ),
);

const matrix = process.env.E2E_MATRIX === '1';
if (!firefox && !matrix) console.warn('e2e: no Firefox found (FIREFOX_PATH, /usr/bin/firefox-esr): the firefox-* projects are left out');
const projects = matrix ? matrixProjects : [...authModes.map(chromiumProject), ...(firefox ? authModes.map(firefoxProject) : [])];

const workers = Number(process.env.E2E_WORKERS ?? 2);

export default defineConfig<MatrixOptions, WorkerOptions>({
  testDir: './specs',
  outputDir: `${output}test-results/${topology}`,
  fullyParallel: false,
  workers,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  // Generous: the 2-core machine is shared (unit tests, benchmarks), and Argon2id logins are
  // CPU-bound; a hang still fails, in a minute.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never', outputFolder: `${output}report` }]],
  use: {
    viewport: { width: 1280, height: 800 },
    // A trace costs a third of the suite's CPU on a 2-core machine, and CI keeps no files: there
    // the list reporter's error and the error context are what is read. Locally, kept on failure.
    trace: process.env.CI ? 'off' : 'retain-on-failure',
    // The edge's certificate is self-signed, made at run time.
    ignoreHTTPSErrors: deployment !== undefined,
  },
  projects,
  // All at once, by start-servers.mjs: Playwright would start them one after another.
  webServer: {
    command: `node ${new URL('./start-servers.mjs', import.meta.url).pathname}`,
    env: { E2E_SERVERS: JSON.stringify(servers), E2E_READY_PORT: new URL(readyUrl).port, E2E_RUNNER_PID: String(process.pid) },
    url: readyUrl,
    reuseExistingServer: false,
    timeout: 150_000,
    // SIGTERM, so that start-servers.mjs stops the process groups it started (SIGKILL, the
    // default, would leave them holding their ports).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
