import { randomUUID } from 'node:crypto';
import { test as base, expect, type Page } from '@playwright/test';
import { checkApiMode, createApiClient, type ApiClient, type ApiClientOptions } from './api-client';
import { apiDirectUrls, apiUrls, spaUrls, type Mode } from './e2e-env';

export interface Account {
  email: string;
  password: string;
  name: string;
}

/** Unique in every worker and every run: the e2e databases are shared by all tests of a run. */
export const newAccount = (label = 'user'): Account => {
  const unique = randomUUID().slice(0, 8);
  return {
    email: `${label}-${unique}@example.test`,
    password: 'correct horse battery',
    name: `${label[0]!.toUpperCase()}${label.slice(1)} ${unique}`,
  };
};

/** Set per project in playwright.config.ts. */
export interface WorkerOptions {
  /** The project's mode; every worker first checks it against the API's own /api/health. */
  mode: Mode;
}

interface WorkerFixtures {
  /** The mode's API as the browser calls it (through the edge in a topology). */
  apiUrl: string;
}

interface TestFixtures {
  /** A fresh account, registered through the API (not the UI) and ready to log in. */
  account: Account;
  /** Registers one more fresh account; `name` for a display name that need not be unique. */
  registerAccount: (label?: string, name?: string) => Promise<Account>;
  /** A client outside the browser (another device, the attacker); disposed after the test. */
  openApi: (options?: Partial<Omit<ApiClientOptions, 'mode' | 'apiUrl'>>) => Promise<ApiClient>;
  /** Logs in through the UI, as a person would, and waits until the app shows the login. */
  login: (page: Page, account: Account) => Promise<void>;
}

export const test = base.extend<TestFixtures, WorkerOptions & WorkerFixtures>({
  mode: ['session', { option: true, scope: 'worker' }],
  apiUrl: [
    async ({ mode, playwright }, use) => {
      await checkApiMode(playwright, apiDirectUrls[mode], mode);
      await use(apiUrls[mode]);
    },
    { scope: 'worker', auto: true },
  ],

  openApi: async ({ mode, playwright }, use) => {
    const clients: ApiClient[] = [];
    await use(async (options = {}) => {
      // Straight to the API process, as the edge forwards (a topology's host names resolve only in the browser).
      const client = await createApiClient(playwright, { mode, apiUrl: apiDirectUrls[mode], origin: spaUrls[mode], ...options });
      clients.push(client);
      return client;
    });
    await Promise.all(clients.map((client) => client.dispose()));
  },

  registerAccount: async ({ openApi }, use) => {
    await use(async (label = 'user', name?: string) => {
      const account = { ...newAccount(label), ...(name && { name }) };
      // A client of its own, logged out again: the account starts with no session at all, and
      // the browser knows nothing of it.
      const client = await openApi();
      await client.register(account);
      await client.logout();
      return account;
    });
  },

  account: async ({ registerAccount }, use) => {
    await use(await registerAccount());
  },

  login: async ({}, use) => {
    await use(async (page, account) => {
      if (new URL(page.url(), 'http://x').pathname !== '/login') await page.goto('/login');
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password', { exact: true }).fill(account.password);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Log out', exact: true })).toBeVisible();
    });
  },
});

export { expect };
