/** Session families whose access tokens must be refused until those tokens have expired. */
export interface RevocationList {
  revoke(familyIds: string[], untilMs: number): Promise<void>;
  isRevoked(familyId: string): Promise<boolean>;
}

/**
 * One process's list, in memory: enough where one process serves the database. It is seeded
 * from the database's revoked families at start, so a restart forgets nothing.
 */
export function createMemoryRevocationList(now: () => number): RevocationList & { seed(entries: Iterable<[string, number]>): void } {
  const revokedUntil = new Map<string, number>();
  const sweep = () => {
    const t = now();
    for (const [id, until] of revokedUntil) if (until <= t) revokedUntil.delete(id);
  };
  return {
    seed(entries) {
      for (const [id, until] of entries) revokedUntil.set(id, until);
    },
    revoke(familyIds, untilMs) {
      if (revokedUntil.size > 10_000) sweep();
      for (const id of familyIds) revokedUntil.set(id, untilMs);
      return Promise.resolve();
    },
    isRevoked(familyId) {
      const until = revokedUntil.get(familyId);
      return Promise.resolve(until !== undefined && until > now());
    },
  };
}
