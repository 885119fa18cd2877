import { LruMap } from '../lru-map';

/** Enough for every live session of a busy embedded process: ~10,000 × ~300 bytes. */
export const defaultSessionCacheSize = 10_000;

export interface CachedSession {
  json: string;
  expiresAt: number;
  userId: string | null;
  publicId: string;
}

/**
 * The sessions a process has read or written, in front of a SQL database that this process alone
 * writes to (PGlite in DATA_DIR): a request then reads its session from memory instead of the
 * database. Only sound when no other process can change the table, so never used on PostgreSQL.
 *
 * Staleness is ruled out by a generation counter: every change to the table moves it on when it
 * starts and when it ends, and a fill (after a read or a write) lands only if no change started or
 * ended since that read or write began. A dropped fill costs one database read later, never a
 * stale answer. Entries expire at the row's `expires_at`, as the SQL query's condition does.
 */
export class SessionReadCache {
  private readonly entries: LruMap<string, CachedSession>;
  private generation = 0;

  constructor(
    private readonly now: () => number,
    maxEntries = defaultSessionCacheSize,
  ) {
    this.entries = new LruMap(maxEntries);
  }

  /** The stored JSON of a live session, or undefined when the database must answer. */
  get(sid: string): string | undefined {
    const entry = this.entries.get(sid);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(sid);
      return undefined;
    }
    return entry.json;
  }

  /** Marks the start of a read whose answer may fill the cache. */
  readStarted(): number {
    return this.generation;
  }

  /**
   * Runs a change to the sessions table, first forgetting the session it names (or those the
   * predicate picks). Fills that overlap it are dropped; `work` gets the generation its own
   * fill must present.
   */
  async change<T>(forget: string | ((entry: CachedSession) => boolean), work: (startedAt: number) => Promise<T>): Promise<T> {
    this.generation += 1;
    if (typeof forget === 'string') this.entries.delete(forget);
    else this.entries.deleteWhere(forget);
    try {
      return await work(this.generation);
    } finally {
      this.generation += 1;
    }
  }

  /** Remembers a row as read or written, unless a change overlapped the operation that saw it. */
  fill(sid: string, entry: CachedSession, startedAt: number) {
    if (startedAt === this.generation) this.entries.set(sid, entry);
  }

  get size() {
    return this.entries.size;
  }
}
