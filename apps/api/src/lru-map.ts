/**
 * A Map of at most `maxEntries` that drops the least recently used entry first (0: keeps none).
 * A Map iterates in insertion order, so re-inserting on every read and write keeps its first key
 * the least recently used.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError('maxEntries must be a whole number');
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V) {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K) {
    this.entries.delete(key);
  }

  /** Deletes every entry the predicate picks. */
  deleteWhere(picks: (value: V) => boolean) {
    for (const [key, value] of this.entries) if (picks(value)) this.entries.delete(key);
  }

  get size() {
    return this.entries.size;
  }
}
