import type { LabAccount } from './outside-client';

let account: LabAccount | null = null;

/**
 * The lab's own throwaway account, made on first use on each API: the lab never touches the
 * person's account. Kept in this tab's memory only (a password is a credential: never storage),
 * so a reload makes a new one.
 */
export function labAccount(): LabAccount {
  if (!account) {
    const id = crypto.randomUUID().replace(/-/g, '');
    account = { email: `lab-${id.slice(0, 12)}@example.test`, password: `lab ${id}`, name: `Lab ${id.slice(0, 6)}` };
  }
  return account;
}
