import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type BrowserContext, type LaunchOptions, type Page } from '@playwright/test';
import { apiChoiceKey, type Mode } from './e2e-env';
import type { MatrixOptions } from './matrix';

interface CellFixtures {
  /** A fresh browser context as this project's setting says, the mode's API chosen; closed after the test. */
  openCell: (options: { mode: Mode; baseURL: string; apiUrl: string }) => Promise<{ context: BrowserContext; page: Page }>;
}

/**
 * The matrix's own browsers: a persistent profile for Chromium with third-party cookies allowed
 * (a profile preference; no flag does it in this build), a Firefox launched with the cookie
 * behaviour pref, else Playwright's own launch.
 */
export const matrixTest = base.extend<CellFixtures, MatrixOptions>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  thirdPartyCookies: ['blocked', { option: true, scope: 'worker' }],

  openCell: async ({ playwright, engine, thirdPartyCookies, launchOptions }, use) => {
    const closers: (() => Promise<void>)[] = [];
    await use(async ({ baseURL, apiUrl }) => {
      const contextOptions = { baseURL, ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } };
      let context: BrowserContext;
      if (engine === 'chromium' && thirdPartyCookies === 'allowed') {
        const profile = mkdtempSync(join(tmpdir(), 'authbench-chromium-'));
        mkdirSync(join(profile, 'Default'));
        writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
        context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, ...contextOptions });
        closers.push(async () => {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        });
      } else {
        const options: LaunchOptions =
          engine === 'firefox'
            ? {
                ...launchOptions,
                channel: 'moz-firefox',
                firefoxUserPrefs: { ...launchOptions.firefoxUserPrefs, ...(thirdPartyCookies === 'blocked' && { 'network.cookie.cookieBehavior': 1 }) },
              }
            : launchOptions;
        const browser = await playwright[engine].launch(options);
        context = await browser.newContext(contextOptions);
        closers.push(() => browser.close());
      }
      // The SPA's mode switch choice, as the projects' storageState sets it elsewhere.
      await context.addInitScript(([key, url]) => window.localStorage.setItem(key!, url!), [apiChoiceKey, apiUrl]);
      const page = context.pages()[0] ?? (await context.newPage());
      return { context, page };
    });
    for (const close of closers) await close();
  },
});
