import { randomUUID } from 'node:crypto';
import type { User } from '@authbench/contract';
import type { Selectable } from 'kysely';
import { AppError } from '../errors';
import type { Db } from './database';
import type { UsersTable } from './schema';
import { guardStore } from './store-errors';

export interface UserRecord extends User {
  passwordHash: string;
}

const toRecord = (row: Selectable<UsersTable>): UserRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  passwordHash: row.password_hash,
});

export const toUser = ({ passwordHash: _hidden, ...user }: UserRecord): User => user;

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
    findById: (id: string) =>
      guard(async () => {
        const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return row && toRecord(row);
      }),
    updateName: (id: string, name: string) =>
      guard(async () => {
        const row = await db.updateTable('users').set({ name }).where('id', '=', id).returningAll().executeTakeFirst();
        return row && toRecord(row);
      }),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
