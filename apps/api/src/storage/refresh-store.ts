import type { Selectable } from 'kysely';
import type { Db } from './database';
import type { RefreshFamiliesTable } from './schema';
import { guardStore } from './store-errors';

export interface FamilyRecord {
  id: string;
  userId: string;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  /** When the newest refresh token of the family expires. */
  expiresAt: Date;
  /** The thumbprint of the key the family is bound to (jwt-dpop mode), else null. */
  jkt: string | null;
}

export type RotateResult =
  | { kind: 'rotated'; family: FamilyRecord }
  | { kind: 'reused'; familyId: string; userId: string }
  | { kind: 'invalid' }
  /** The caller may not spend this family's tokens (it does not hold its key): nothing changed. */
  | { kind: 'refused'; familyId: string; jkt: string | null };

const toFamily = (row: Selectable<RefreshFamiliesTable>, expiresAt: Date): FamilyRecord => ({
  id: row.id,
  userId: row.user_id,
  userAgent: row.user_agent,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  absoluteExpiresAt: row.absolute_expires_at,
  expiresAt,
  jkt: row.jkt,
});

/** Refresh-token families: opaque tokens stored only as hashes, rotated on every use. */
export function createRefreshStore(db: Db) {
  const guard = <T>(work: () => Promise<T>) => guardStore('database', work);
  return {
    createFamily: (input: {
      familyId: string;
      userId: string;
      userAgent: string | null;
      tokenHash: string;
      tokenExpiresAt: Date;
      absoluteExpiresAt: Date;
      now: Date;
      jkt?: string | undefined;
    }) =>
      guard(() =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('refresh_families')
            .values({
              id: input.familyId,
              user_id: input.userId,
              user_agent: input.userAgent,
              created_at: input.now,
              last_seen_at: input.now,
              absolute_expires_at: input.absoluteExpiresAt,
              jkt: input.jkt ?? null,
            })
            .execute();
          await trx
            .insertInto('refresh_tokens')
            .values({ token_hash: input.tokenHash, family_id: input.familyId, created_at: input.now, expires_at: input.tokenExpiresAt })
            .execute();
        }),
      ),

    /**
     * Spends a refresh token. The conditional UPDATE is the single point of truth: of concurrent
     * spends of one token, exactly one sees `rotated_at is null`; every other is a reuse. The
     * family is then claimed with a conditional UPDATE too, which waits for (and sees) a
     * concurrent revocation: a rotation and a revocation of one family are serialised, so no
     * access token is minted for a family after its revocation was decided. Before anything,
     * `mayUse` sees the family's key binding: a caller it refuses changes nothing, spent token or
     * not, so whoever lacks the family's key can neither rotate it nor get it revoked for reuse.
     */
    rotate: (input: {
      tokenHash: string;
      nextHash: string;
      nextExpiresAt: (family: FamilyRecord) => Date;
      now: Date;
      mayUse: (jkt: string | null) => boolean;
    }) =>
      guard(() =>
        db.transaction().execute(async (trx): Promise<RotateResult> => {
          const owner = await trx
            .selectFrom('refresh_tokens')
            .innerJoin('refresh_families', 'refresh_families.id', 'refresh_tokens.family_id')
            .select(['refresh_families.id', 'refresh_families.jkt'])
            .where('token_hash', '=', input.tokenHash)
            .executeTakeFirst();
          if (!owner) return { kind: 'invalid' };
          if (!input.mayUse(owner.jkt)) return { kind: 'refused', familyId: owner.id, jkt: owner.jkt };
          const spent = await trx
            .updateTable('refresh_tokens')
            .set({ rotated_at: input.now })
            .where('token_hash', '=', input.tokenHash)
            .where('rotated_at', 'is', null)
            .returning(['family_id', 'expires_at'])
            .executeTakeFirst();
          if (!spent) {
            const known = await trx
              .selectFrom('refresh_tokens')
              .innerJoin('refresh_families', 'refresh_families.id', 'refresh_tokens.family_id')
              .select(['refresh_tokens.family_id', 'refresh_families.user_id'])
              .where('token_hash', '=', input.tokenHash)
              .executeTakeFirst();
            return known ? { kind: 'reused', familyId: known.family_id, userId: known.user_id } : { kind: 'invalid' };
          }
          if (spent.expires_at <= input.now) return { kind: 'invalid' };
          const family = await trx
            .updateTable('refresh_families')
            .set({ last_seen_at: input.now })
            .where('id', '=', spent.family_id)
            .where('revoked_at', 'is', null)
            .where('absolute_expires_at', '>', input.now)
            .returningAll()
            .executeTakeFirst();
          if (!family) return { kind: 'invalid' };
          const record = toFamily(family, input.now);
          const nextExpiresAt = input.nextExpiresAt(record);
          await trx
            .insertInto('refresh_tokens')
            .values({ token_hash: input.nextHash, family_id: family.id, created_at: input.now, expires_at: nextExpiresAt })
            .execute();
          return { kind: 'rotated', family: { ...record, expiresAt: nextExpiresAt } };
        }),
      ),

    /** The family a token belongs to, spent or not (logout accepts either). */
    familyOfToken: (tokenHash: string) =>
      guard(async () => {
        const row = await db
          .selectFrom('refresh_tokens')
          .innerJoin('refresh_families', 'refresh_families.id', 'refresh_tokens.family_id')
          .select(['refresh_families.id', 'refresh_families.user_id', 'refresh_families.jkt'])
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        return row && { familyId: row.id, userId: row.user_id, jkt: row.jkt };
      }),

    listActive: (userId: string, now: Date) =>
      guard(async () => {
        const rows = await db
          .selectFrom('refresh_families')
          .innerJoin('refresh_tokens', 'refresh_tokens.family_id', 'refresh_families.id')
          .selectAll('refresh_families')
          .select((eb) => eb.fn.max('refresh_tokens.expires_at').as('token_expires_at'))
          .where('refresh_families.user_id', '=', userId)
          .where('refresh_families.revoked_at', 'is', null)
          .where('refresh_families.absolute_expires_at', '>', now)
          .where('refresh_tokens.rotated_at', 'is', null)
          .groupBy('refresh_families.id')
          .having((eb) => eb.fn.max('refresh_tokens.expires_at'), '>', now)
          .orderBy('refresh_families.created_at', 'asc')
          .execute();
        return rows.map(({ token_expires_at, ...row }) => toFamily(row, new Date(token_expires_at)));
      }),

    /**
     * The user's families (all, or those named) whose access tokens may still be live: not
     * revoked, or revoked since `since`. Only the user's own: an id of another user's is ignored.
     */
    revocable: (input: { userId: string; familyIds?: string[]; since: Date }) =>
      guard(async () => {
        if (input.familyIds?.length === 0) return [];
        let query = db
          .selectFrom('refresh_families')
          .select('id')
          .where('user_id', '=', input.userId)
          .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', input.since)]));
        if (input.familyIds) query = query.where('id', 'in', input.familyIds);
        return (await query.execute()).map((r) => r.id);
      }),

    /** Revokes families (all of the user's when `familyIds` is undefined); returns the ids it revoked. */
    revoke: (input: { userId: string; familyIds?: string[]; now: Date }) =>
      guard(async () => {
        if (input.familyIds?.length === 0) return [];
        let query = db
          .updateTable('refresh_families')
          .set({ revoked_at: input.now })
          .where('user_id', '=', input.userId)
          .where('revoked_at', 'is', null);
        if (input.familyIds) query = query.where('id', 'in', input.familyIds);
        const rows = await query.returning('id').execute();
        return rows.map((r) => r.id);
      }),

    /** The user's live families beyond the `keep` newest: a cap on what one user can accumulate. */
    beyondNewest: (userId: string, keep: number, now: Date) =>
      guard(async () => {
        const rows = await db
          .selectFrom('refresh_families')
          .select('id')
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('absolute_expires_at', '>', now)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .offset(keep)
          .limit(1000)
          .execute();
        return rows.map((r) => r.id);
      }),

    /** Families revoked since `since`: their access tokens may still be unexpired. */
    revokedSince: (since: Date) =>
      guard(async () => {
        const rows = await db
          .selectFrom('refresh_families')
          .select(['id', 'revoked_at'])
          .where('revoked_at', '>', since)
          .execute();
        return rows.map((r) => ({ familyId: r.id, revokedAt: r.revoked_at as Date }));
      }),

    prune: (now: Date) =>
      guard(async () => {
        await db.deleteFrom('refresh_families').where('absolute_expires_at', '<', now).execute();
        await db.deleteFrom('refresh_tokens').where('expires_at', '<', now).execute();
      }),
  };
}

export type RefreshStore = ReturnType<typeof createRefreshStore>;
