// Finds the browsers for Playwright, and says which: a Chromium (CHROMIUM_PATH, then Debian's
// chromium-headless-shell where the caller runs headless, then Debian's /usr/bin/chromium, then
// Playwright's own download) and a Firefox (FIREFOX_PATH, then Debian's firefox-esr, driven over
// WebDriver BiDi: Playwright's `moz-firefox` channel). Installs none by itself unless asked
// (E2E_INSTALL_BROWSER=1).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/**
 * `headlessShell`: prefer Debian's chromium-headless-shell, the old headless mode that Playwright
 * itself runs headless by default. The full browser in the new headless mode costs about twice the
 * CPU per test on a 2-core machine (e2e's jwt project: 2.3 min against 1.2 min). The deployment
 * matrix needs the full browser: it sets third-party cookies through a profile preference.
 */
export function findChromium({ install = process.env.E2E_INSTALL_BROWSER === '1', headlessShell = false } = {}) {
  const candidates = [
    ['CHROMIUM_PATH', process.env.CHROMIUM_PATH],
    ...(headlessShell ? [["Debian's chromium-headless-shell", '/usr/bin/chromium-headless-shell']] : []),
    ["Debian's chromium", '/usr/bin/chromium'],
    ['chromium-browser', '/usr/bin/chromium-browser'],
    ["Playwright's Chromium", safe(() => chromium.executablePath())],
  ];
  for (const [label, path] of candidates) {
    if (path && existsSync(path)) return { path, how: `using ${label} at ${path}` };
  }
  if (install) {
    try {
      execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
      const path = chromium.executablePath();
      if (existsSync(path)) return { path, how: `installed Playwright's Chromium at ${path}` };
    } catch {
      // no download possible here: fall through to the system package
    }
    if (process.getuid?.() === 0) {
      try {
        const [pkg, path] = headlessShell ? ['chromium-headless-shell', '/usr/bin/chromium-headless-shell'] : ['chromium', '/usr/bin/chromium'];
        execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'inherit' });
        if (existsSync(path)) return { path, how: `installed Debian's ${pkg} with apt-get` };
      } catch {
        // reported below
      }
    }
  }
  return undefined;
}

function safe(get) {
  try {
    return get();
  } catch {
    return undefined;
  }
}

/**
 * Debian's Firefox ESR (or FIREFOX_PATH), which Playwright drives over WebDriver BiDi with
 * `channel: 'moz-firefox'`; Playwright's own patched Firefox is a download this machine cannot make.
 */
export function findFirefox({ install = process.env.E2E_INSTALL_BROWSER === '1' } = {}) {
  const candidates = [
    ['FIREFOX_PATH', process.env.FIREFOX_PATH],
    ["Debian's firefox-esr", '/usr/bin/firefox-esr'],
    ['firefox', '/usr/bin/firefox'],
  ];
  for (const [label, path] of candidates) {
    if (path && existsSync(path)) return { path, how: `using ${label} at ${path}` };
  }
  if (install && process.getuid?.() === 0) {
    try {
      execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr'], { stdio: 'inherit' });
      if (existsSync('/usr/bin/firefox-esr')) return { path: '/usr/bin/firefox-esr', how: "installed Debian's firefox-esr with apt-get" };
    } catch {
      // reported by the caller
    }
  }
  return undefined;
}
