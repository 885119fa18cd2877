/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { pagePolicyPlugin } from './page-policy-plugin.ts';
import { describeApiTargets } from './src/app/api-targets.ts';

// Bound to 127.0.0.1 (IPv4 loopback, like the API's default HOST). Open it as
// http://localhost:5173 all the same when the APIs are http://localhost:400x: a browser treats
// localhost and 127.0.0.1 as different sites, and the SameSite cookies would stay behind.
if (process.env.VITEST) console.log(`[web tests] Node.js ${process.version}`);

/** Says, as a build starts, which APIs the bundle will call (VITE_API_URLS, or its default). */
const announceApiTargets = (): Plugin => ({
  name: 'authbench:api-targets',
  configResolved(config) {
    if (config.command !== 'build') return;
    const raw = (config.env as Record<string, string | undefined>).VITE_API_URLS;
    config.logger.info(`authbench: ${describeApiTargets(raw, config.isProduction)}`);
  },
});

export default defineConfig({
  // The page policy (Content-Security-Policy, Trusted Types) on every page the dev server and
  // `vite preview` serve: page-policy-plugin.ts.
  plugins: [react(), pagePolicyPlugin(), announceApiTargets()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // A worker keeps its modules from one file to the next: half the suite's CPU (14 core-seconds
    // against 29 here), every test passing, also with the files shuffled.
    isolate: false,
  },
});
