import { hash, verify } from '@node-rs/argon2';

// Argon2id (the library's default) at OWASP's first recommended setting: 19 MiB, t=2, p=1.
const params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, params);

let dummyHash: Promise<string> | undefined;

/** Verifies against the stored hash, or against a dummy one: an unknown email costs the same time. */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  const target = storedHash ?? (await (dummyHash ??= hashPassword('an unknown email costs a hash too')));
  const matches = await verify(target, password);
  return storedHash !== undefined && matches;
}
