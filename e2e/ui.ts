import type { Page } from '@playwright/test';
import type { Account } from './fixtures';

// How the specs find the SPA's landmarks: by role and accessible name, as a person (or a screen
// reader) would. Kept here so that a wording change in apps/web is one edit.

export const greeting = (page: Page, account: Pick<Account, 'name'>) =>
  page.getByRole('heading', { name: `Hello, ${account.name}` });
export const logoutButton = (page: Page) => page.getByRole('button', { name: 'Log out', exact: true });
export const loginHeading = (page: Page) => page.getByRole('heading', { name: 'Log in', exact: true });
export const sessionRows = (page: Page) => page.getByRole('main').getByRole('listitem');
export const navTo = (page: Page, name: 'Home' | 'Sessions' | 'Inspect') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
