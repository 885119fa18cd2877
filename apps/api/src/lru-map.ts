import { LRUCache } from 'lru-cache';

/**
 * A map of at most `maxEntries` that drops the least recently used entry first (0: keeps none):
 * lru-cache, whose hit costs no re-insertion (a Map re-inserted on every read costs more than the
 * work a cached token or user saves), with the one operation the caches here add.
 */
export class LruMap<K extends object | string, V extends object | string> {
  private readonly entries: LRUCache<K, V> | undefined;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError('maxEntries must be a whole number');
    this.entries = maxEntries > 0 ? new LRUCache<K, V>({ max: maxEntries }) : undefined;
  }

  get(key: K): V | undefined {
    return this.entries?.get(key);
  }

  set(key: K, value: V) {
    this.entries?.set(key, value);
  }

  delete(key: K) {
    this.entries?.delete(key);
  }

  /** Deletes every entry the predicate picks. */
  deleteWhere(picks: (value: V) => boolean) {
    const { entries } = this;
    if (!entries) return;
    const picked = [...entries.entries()].filter(([, value]) => picks(value)).map(([key]) => key);
    for (const key of picked) entries.delete(key);
  }

  get size() {
    return this.entries?.size ?? 0;
  }
}
