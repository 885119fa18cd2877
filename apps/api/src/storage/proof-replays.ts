/**
 * The jti of every DPoP proof accepted (RFC 9449 §11.1): a proof is good once, on whichever
 * process it reaches. `claim` records a key until `untilMs` and answers whether it was new.
 */
export interface ProofReplayStore {
  claim(key: string, untilMs: number): Promise<boolean>;
}

/**
 * One process's record, in memory: enough where one process serves the stores. Entries sit in
 * buckets by the second they expire and go with their bucket, so no sweep walks live entries and
 * nothing is dropped before its time (which would let a proof be replayed).
 */
export function createMemoryProofReplayStore(now: () => number): ProofReplayStore {
  const expiresAt = new Map<string, number>();
  const buckets = new Map<number, string[]>();
  let swept = Math.floor(now() / 1000);
  const sweep = (second: number) => {
    for (; swept < second; swept += 1) {
      for (const key of buckets.get(swept) ?? []) if ((expiresAt.get(key) ?? Infinity) <= second * 1000) expiresAt.delete(key);
      buckets.delete(swept);
    }
  };
  return {
    claim(key, untilMs) {
      const at = now();
      sweep(Math.floor(at / 1000));
      const known = expiresAt.get(key);
      if (known !== undefined && known > at) return Promise.resolve(false);
      expiresAt.set(key, untilMs);
      const second = Math.ceil(untilMs / 1000);
      const bucket = buckets.get(second);
      if (bucket) bucket.push(key);
      else buckets.set(second, [key]);
      return Promise.resolve(true);
    },
  };
}
