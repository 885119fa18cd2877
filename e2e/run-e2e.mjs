// `pnpm --filter @authbench/e2e test`: builds the API, finds the browsers (Chromium, and Firefox
// for the firefox-* projects), then runs Playwright on fresh data (playwright.config.ts builds the
// SPA, pointed at the e2e APIs, and starts the servers). E2E_TOPOLOGY=same-origin|same-site|
// cross-site runs the shared spec through the HTTPS edge in that layout instead (e2e-env.ts).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { findChromium, findFirefox } from './browser.mjs';

const run = (command, args, env = {}) => execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
// As playwright.config.ts: a run on shifted ports (E2E_PORT_OFFSET, see e2e-env.ts) has its own.
const portOffset = Number(process.env.E2E_PORT_OFFSET ?? 0);
const output = new URL(`./.output/${portOffset ? `offset-${portOffset}/` : ''}`, import.meta.url).pathname;

console.log(`e2e: Node.js ${process.version}`);
const browser = findChromium({ install: true, headlessShell: true });
if (!browser) {
  console.error('e2e: no Chromium found. Set CHROMIUM_PATH, or install one (Debian: apt-get install chromium-headless-shell; elsewhere: npx playwright install chromium).');
  process.exit(1);
}
console.log(`e2e: ${browser.how}`);
const firefox = findFirefox({ install: true });
console.log(`e2e: ${firefox ? firefox.how : 'no Firefox (FIREFOX_PATH, /usr/bin/firefox-esr): the firefox-* projects are left out'}`);

rmSync(`${output}data`, { recursive: true, force: true });
run('pnpm', ['--filter', '@authbench/api', 'build']);
try {
  run('pnpm', ['exec', 'playwright', 'test', ...process.argv.slice(2)], { CHROMIUM_PATH: browser.path, ...(firefox && { FIREFOX_PATH: firefox.path }) });
} catch {
  process.exit(1);
}
