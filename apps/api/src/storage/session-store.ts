import { createHash } from 'node:crypto';
import session, { type SessionData } from 'express-session';
import type { Selectable } from 'kysely';
import type { Db } from './database';
import type { SessionsTable } from './schema';
import type { CachedSession, SessionReadCache } from './session-read-cache';
import { guardStore } from './store-errors';

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    userId?: string;
    createdAt?: number;
    lastSeenAt?: number;
    absoluteExpiresAt?: number;
    userAgent?: string | null;
  }
}

/** The id a session is known by in the API: the cookie's value must never leave the cookie. */
export const publicSessionId = (sid: string) => createHash('sha256').update(sid).digest('base64url').slice(0, 22);

export interface StoredSession {
  publicId: string;
  data: SessionData;
}

export interface SessionTimeouts {
  idleSeconds: number;
  now: () => number;
}

/** What the API needs of a session store beyond express-session's: a user's sessions. */
export interface UserSessionIndex {
  listByUser(userId: string): Promise<StoredSession[]>;
  destroyByUser(userId: string, publicIds?: string[]): Promise<number>;
  /** Ends the user's sessions beyond the newest `maxSessionsPerUser`: what one user can accumulate is capped. */
  limitPerUser(userId: string): Promise<void>;
}

/** At most this many live sessions per user: the ones closest to expiry end first. */
export const maxSessionsPerUser = 100;

export type SessionStore = session.Store & UserSessionIndex;

// Touching is deferred while the last write is this fresh: an idle timeout may then end up
// to this much early, and a burst of requests costs one write, not one each.
export const touchIntervalMs = (idleSeconds: number) => Math.min(60_000, (idleSeconds * 1000) / 10);

export const expiryOf = (data: SessionData, lastSeenAt: number, idleSeconds: number) =>
  Math.min(lastSeenAt + idleSeconds * 1000, data.absoluteExpiresAt ?? Number.POSITIVE_INFINITY);

type Callback<T = void> = (err?: unknown, value?: T) => void;
const settle = <T>(promise: Promise<T>, callback?: Callback<T>) => {
  promise.then(
    (value) => callback?.(undefined, value),
    (err: unknown) => callback?.(err),
  );
};

type SessionRow = Pick<Selectable<SessionsTable>, 'data' | 'expires_at' | 'user_id' | 'public_id'>;
const cacheEntryOf = (row: SessionRow): CachedSession => ({
  json: row.data,
  expiresAt: row.expires_at.getTime(),
  userId: row.user_id,
  publicId: row.public_id,
});

/**
 * express-session's store in the SQL database (PGlite or PostgreSQL): the `sessions` table.
 * With a read cache (only where this process alone writes the database), a request's session
 * comes from memory; every change still goes to the table first.
 */
export class SqlSessionStore extends session.Store implements UserSessionIndex {
  constructor(
    private readonly db: Db,
    private readonly timeouts: SessionTimeouts,
    private readonly cache?: SessionReadCache,
  ) {
    super();
  }

  private readonly guard = <T>(work: () => Promise<T>) => guardStore('database', work);

  private change<T>(forget: Parameters<SessionReadCache['change']>[0], work: (startedAt: number) => Promise<T>) {
    return this.guard(() => (this.cache ? this.cache.change(forget, work) : work(0)));
  }

  override get(sid: string, callback: Callback<SessionData | null>) {
    const cached = this.cache?.get(sid);
    if (cached !== undefined) {
      // Parsed afresh each time: express-session mutates what a store hands it.
      callback(undefined, JSON.parse(cached) as SessionData);
      return;
    }
    settle(
      this.guard(async () => {
        const startedAt = this.cache?.readStarted() ?? 0;
        const row = await this.db
          .selectFrom('sessions')
          .select(['data', 'expires_at', 'user_id', 'public_id'])
          .where('sid', '=', sid)
          .where('expires_at', '>', new Date(this.timeouts.now()))
          .executeTakeFirst();
        if (!row) return null;
        this.cache?.fill(sid, cacheEntryOf(row), startedAt);
        return JSON.parse(row.data) as SessionData;
      }),
      callback,
    );
  }

  override set(sid: string, data: SessionData, callback?: Callback) {
    settle(this.write(sid, { ...data, lastSeenAt: this.timeouts.now() }, 'upsert'), callback);
  }

  override touch(sid: string, data: SessionData, callback?: Callback) {
    const now = this.timeouts.now();
    if (now - (data.lastSeenAt ?? 0) < touchIntervalMs(this.timeouts.idleSeconds)) {
      callback?.();
      return;
    }
    // Update only: a touch must never bring back a session that was destroyed meanwhile.
    settle(this.write(sid, { ...data, lastSeenAt: now }, 'update'), callback);
  }

  override destroy(sid: string, callback?: Callback) {
    settle(
      this.change(sid, async () => {
        await this.db.deleteFrom('sessions').where('sid', '=', sid).execute();
      }),
      callback,
    );
  }

  listByUser(userId: string) {
    return this.guard(async () => {
      const rows = await this.db
        .selectFrom('sessions')
        .select(['public_id', 'data'])
        .where('user_id', '=', userId)
        .where('expires_at', '>', new Date(this.timeouts.now()))
        .execute();
      return rows.map((row) => ({ publicId: row.public_id, data: JSON.parse(row.data) as SessionData }));
    });
  }

  destroyByUser(userId: string, publicIds?: string[]) {
    if (publicIds?.length === 0) return Promise.resolve(0);
    const picks = (entry: CachedSession) => entry.userId === userId && (!publicIds || publicIds.includes(entry.publicId));
    return this.change(picks, async () => {
      let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
      if (publicIds) query = query.where('public_id', 'in', publicIds);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  limitPerUser(userId: string) {
    return this.change(
      (entry) => entry.userId === userId,
      async () => {
        const newest = this.db
          .selectFrom('sessions')
          .select('sid')
          .where('user_id', '=', userId)
          .orderBy('expires_at', 'desc')
          .orderBy('sid')
          .limit(maxSessionsPerUser);
        await this.db.deleteFrom('sessions').where('user_id', '=', userId).where('sid', 'not in', newest).execute();
      },
    );
  }

  prune() {
    // Expired rows only, which the read cache never answers with: nothing there to forget.
    return this.guard(async () => {
      await this.db.deleteFrom('sessions').where('expires_at', '<=', new Date(this.timeouts.now())).execute();
    });
  }

  private write(sid: string, data: SessionData, how: 'upsert' | 'update') {
    const expiresAt = new Date(expiryOf(data, data.lastSeenAt ?? this.timeouts.now(), this.timeouts.idleSeconds));
    const row = { public_id: publicSessionId(sid), user_id: data.userId ?? null, data: JSON.stringify(data), expires_at: expiresAt };
    return this.change(sid, async (startedAt) => {
      let written: bigint;
      if (how === 'update') {
        ({ numUpdatedRows: written } = await this.db.updateTable('sessions').set(row).where('sid', '=', sid).executeTakeFirst());
      } else {
        ({ numInsertedOrUpdatedRows: written = 0n } = await this.db
          .insertInto('sessions')
          .values({ sid, ...row })
          .onConflict((oc) => oc.column('sid').doUpdateSet(row))
          .executeTakeFirst());
      }
      // An update that found no row (the session was destroyed meanwhile) must not revive it here.
      if (written > 0n) this.cache?.fill(sid, cacheEntryOf(row), startedAt);
    });
  }
}
