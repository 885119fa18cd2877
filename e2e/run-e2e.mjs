// `pnpm --filter @authbench/e2e test`: builds the API and the SPA (pointed at the e2e APIs),
// finds a browser, then runs Playwright on fresh data.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { findChromium } from './browser.mjs';

const run = (command, args, env = {}) => execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
const output = new URL('./.output/', import.meta.url).pathname;

const browser = findChromium({ install: true });
if (!browser) {
  console.error('e2e: no Chromium found. Set CHROMIUM_PATH, or install one (Debian: apt-get install chromium; elsewhere: npx playwright install chromium).');
  process.exit(1);
}
console.log(`e2e: ${browser.how}`);

rmSync(`${output}data`, { recursive: true, force: true });
run('pnpm', ['--filter', '@authbench/api', 'build']);
run('pnpm', ['--filter', '@authbench/web', 'exec', 'vite', 'build', '--outDir', `${output}web`, '--emptyOutDir', '--logLevel', 'warn'], {
  VITE_API_URLS: 'http://localhost:4100,http://localhost:4101',
});
try {
  run('pnpm', ['exec', 'playwright', 'test', ...process.argv.slice(2)], { CHROMIUM_PATH: browser.path });
} catch {
  process.exit(1);
}
