import { sql } from 'kysely';
import { openDatabase } from './database';
import { createMemoryProofReplayStore } from './proof-replays';
import { createMemoryRateLimitStore } from './rate-limit-store';
import { createRefreshStore } from './refresh-store';
import { createSecretStore } from './secret-store';
import { createMemoryRevocationList } from './revocation-list';
import { SessionReadCache } from './session-read-cache';
import { SqlSessionStore } from './session-store';
import type { Storage, StorageOptions } from './storage';
import { createUserStore } from './user-store';

const pruneEveryMs = 10 * 60_000;

/**
 * One process owns the SQL database (PGlite in DATA_DIR, or PostgreSQL): users, refresh-token
 * families and sessions live in it; rate-limit counters, the revocation list and the DPoP proofs seen in memory.
 */
export async function openSqlStorage({ config, now, namespace, logger }: StorageOptions): Promise<Storage> {
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, schema: namespace, logger });
  const refreshTokens = createRefreshStore(db);
  // PGlite in DATA_DIR belongs to this process alone, so its sessions may be read from memory;
  // PostgreSQL is shared with other API processes, so every read goes to it.
  const cache = config.databaseUrl ? undefined : new SessionReadCache(now);
  const sessions = new SqlSessionStore(db, { idleSeconds: config.sessionIdleSeconds, now }, cache);
  const revocations = createMemoryRevocationList(now);
  const accessTtlMs = config.accessTokenTtlSeconds * 1000;
  const recent = await refreshTokens.revokedSince(new Date(now() - accessTtlMs));
  revocations.seed(recent.map(({ familyId, revokedAt }) => [familyId, revokedAt.getTime() + accessTtlMs]));

  const prune = () => Promise.all([sessions.prune(), refreshTokens.prune(new Date(now()))]).catch(() => {});
  const pruning = setInterval(() => void prune(), pruneEveryMs).unref();

  return {
    users: createUserStore(db),
    refreshTokens,
    sessions,
    revocations,
    proofReplays: createMemoryProofReplayStore(now),
    secrets: createSecretStore(db),
    rateLimits: createMemoryRateLimitStore(now),
    checks: {
      database: async () => {
        await sql`select 1`.execute(db);
      },
    },
    async close() {
      clearInterval(pruning);
      await db.destroy();
    },
  };
}
