import { createHash } from 'node:crypto';
import session, { type SessionData } from 'express-session';
import type { Db } from './database';
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
}

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

/** express-session's store in the SQL database (PGlite or PostgreSQL): the `sessions` table. */
export class SqlSessionStore extends session.Store implements UserSessionIndex {
  constructor(
    private readonly db: Db,
    private readonly timeouts: SessionTimeouts,
  ) {
    super();
  }

  private readonly guard = <T>(work: () => Promise<T>) => guardStore('database', work);

  override get(sid: string, callback: Callback<SessionData | null>) {
    settle(
      this.guard(async () => {
        const row = await this.db
          .selectFrom('sessions')
          .select(['data'])
          .where('sid', '=', sid)
          .where('expires_at', '>', new Date(this.timeouts.now()))
          .executeTakeFirst();
        return row ? (JSON.parse(row.data) as SessionData) : null;
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
      this.guard(async () => {
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
    return this.guard(async () => {
      if (publicIds?.length === 0) return 0;
      let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
      if (publicIds) query = query.where('public_id', 'in', publicIds);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  prune() {
    return this.guard(async () => {
      await this.db.deleteFrom('sessions').where('expires_at', '<=', new Date(this.timeouts.now())).execute();
    });
  }

  private write(sid: string, data: SessionData, how: 'upsert' | 'update') {
    const expiresAt = new Date(expiryOf(data, data.lastSeenAt ?? this.timeouts.now(), this.timeouts.idleSeconds));
    const row = { public_id: publicSessionId(sid), user_id: data.userId ?? null, data: JSON.stringify(data), expires_at: expiresAt };
    return this.guard(async () => {
      if (how === 'update') {
        await this.db.updateTable('sessions').set(row).where('sid', '=', sid).execute();
        return;
      }
      await this.db
        .insertInto('sessions')
        .values({ sid, ...row })
        .onConflict((oc) => oc.column('sid').doUpdateSet(row))
        .execute();
    });
  }
}
