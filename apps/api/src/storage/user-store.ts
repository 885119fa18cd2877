import { randomUUID } from 'node:crypto';
import type { User } from '@authbench/contract';
import { sql, type Selectable } from 'kysely';
import { AppError } from '../errors';
import type { Db } from './database';
import type { UsersTable } from './schema';
import { guardStore } from './store-errors';

/** A user with the password hash: what a login reads, and nothing else. */
export interface UserRecord extends User {
  passwordHash: string;
}

/**
 * A user as the reads by id see it, without the hash, and the version of the row it came from:
 * every write of a user adds one, in the database, so the order of two writes is the order of
 * their versions (what a cache compares, user-cache.ts).
 */
export interface VersionedUser {
  user: User;
  version: number;
}

const toRecord = (row: Selectable<UsersTable>): UserRecord => ({ ...toUser(fromRow(row)), passwordHash: row.password_hash });

const fromRow = (row: Pick<Selectable<UsersTable>, 'id' | 'email' | 'name' | 'created_at'>): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: row.created_at.toISOString(),
});

/** The public fields of a user, and only those (never the hash a record carries). */
export const toUser = ({ id, email, name, createdAt }: User): User => ({ id, email, name, createdAt });

// The columns a read by id needs: the hash stays in the database.
const publicColumns = ['id', 'email', 'name', 'created_at', 'version'] as const;

export function createUserStore(db: Db) {
  const guard = <T>(work: () => Promise<T>) => guardStore('database', work);
  return {
    create: (input: { email: string; name: string; passwordHash: string; now: Date }) =>
      guard(async () => {
        const row = await db
          .insertInto('users')
          .values({
            id: randomUUID(),
            email: input.email,
            name: input.name,
            password_hash: input.passwordHash,
            created_at: input.now,
          })
          .onConflict((oc) => oc.column('email').doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!row) throw new AppError('email_taken');
        return toRecord(row);
      }),
    findByEmail: (email: string) =>
      guard(async () => {
        const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
        return row && toRecord(row);
      }),
    /** The user (without the hash) and its row's version. */
    findById: (id: string) =>
      guard(async (): Promise<VersionedUser | undefined> => {
        const row = await db.selectFrom('users').select(publicColumns).where('id', '=', id).executeTakeFirst();
        return row && { user: fromRow(row), version: row.version };
      }),
    /** Renames the user: the user as written, and the version of this write. */
    updateName: (id: string, name: string) =>
      guard(async (): Promise<VersionedUser | undefined> => {
        const row = await db
          .updateTable('users')
          .set({ name, version: sql<number>`version + 1` })
          .where('id', '=', id)
          .returning(publicColumns)
          .executeTakeFirst();
        return row && { user: fromRow(row), version: row.version };
      }),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
