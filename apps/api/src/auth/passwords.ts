import { hash, verify } from '@node-rs/argon2';
import { createHashQueue } from './hash-queue';

// Argon2id (the library's default) at OWASP's first recommended setting: 19 MiB, t=2, p=1.
const params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Every hash and verification of the process waits its turn here, whichever app (mode) asks:
 * the CPU is the process's, so a flood of logins or registrations queues (or gets 503) instead of
 * starving the requests that hash nothing.
 */
export const hashQueue = createHashQueue();

export const hashPassword = (password: string) => hashQueue.run(() => hash(password, params));

let dummyHash: Promise<string> | undefined;

/**
 * The hash an unknown email is verified against. createApp awaits it, so that it is ready before
 * the first request: computed on demand, the first unknown email would cost two hashes.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hash('an unknown email costs a hash too', params).catch((err: unknown) => {
    dummyHash = undefined;
    throw err;
  });
  return dummyHash;
}

/** Verifies against the stored hash, or against the dummy one: an unknown email costs the same time. */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  const target = storedHash ?? (await prepareDummyHash());
  const matches = await hashQueue.run(() => verify(target, password));
  return storedHash !== undefined && matches;
}
