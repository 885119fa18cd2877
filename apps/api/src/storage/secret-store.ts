import type { Db } from './database';
import { guardStore } from './store-errors';

export type Agreement = { agreed: true } | { agreed: false; recorded: string[] };

/**
 * What the API processes on one database must agree on: development secrets that the first
 * process generates and every other reads, and the fingerprints of the secrets each one uses.
 */
export function createSecretStore(db: Db) {
  const guard = <T>(work: () => Promise<T>) => guardStore('database', work);
  return {
    /** The value stored under `name`, or `generate()`'s, stored by whichever process comes first. */
    shared: (name: string, generate: () => string, now: Date) =>
      guard(async () => {
        await db
          .insertInto('dev_secrets')
          .values({ name, value: generate(), created_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const row = await db.selectFrom('dev_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
        return row.value;
      }),

    /**
     * Records the fingerprints of the keys a process uses for `name`. Processes agree when their
     * key sets share a key (a rotation prepends a key and later drops the old one); a process
     * whose keys share none with those recorded disagrees, and the record stays as it was.
     */
    agree: (name: string, fingerprints: string[], now: Date) =>
      guard(async (): Promise<Agreement> => {
        const mine = JSON.stringify(fingerprints);
        await db
          .insertInto('secret_fingerprints')
          .values({ name, fingerprints: mine, updated_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const row = await db.selectFrom('secret_fingerprints').select('fingerprints').where('name', '=', name).executeTakeFirstOrThrow();
        const recorded = JSON.parse(row.fingerprints) as string[];
        if (!recorded.some((fingerprint) => fingerprints.includes(fingerprint))) return { agreed: false, recorded };
        if (row.fingerprints !== mine) {
          await db.updateTable('secret_fingerprints').set({ fingerprints: mine, updated_at: now }).where('name', '=', name).execute();
        }
        return { agreed: true };
      }),
  };
}

export type SecretStore = ReturnType<typeof createSecretStore>;
