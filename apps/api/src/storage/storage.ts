import type { Logger } from 'pino';
import type { Config } from '../config';
import type { ProofReplayStore } from './proof-replays';
import type { RateLimitStore } from './rate-limit-store';
import type { RefreshStore } from './refresh-store';
import type { RevocationList } from './revocation-list';
import type { SecretStore } from './secret-store';
import type { SessionStore } from './session-store';
import type { UserStore } from './user-store';

/** Everything the API keeps, whatever keeps it: one interface per concern. */
export interface Storage {
  users: UserStore;
  refreshTokens: RefreshStore;
  sessions: SessionStore;
  revocations: RevocationList;
  /** jwt-dpop mode: the proofs already used, shared by every app on this storage. */
  proofReplays: ProofReplayStore;
  /** Development secrets and the fingerprints the processes on these stores agree on. */
  secrets: SecretStore;
  /** Login failures, logins in flight and registrations, per client: shared by every app on this storage. */
  rateLimits: RateLimitStore;
  /** Named health checks: each resolves when its store answers. */
  checks: Record<string, () => Promise<void>>;
  close: () => Promise<void>;
}

export interface StorageOptions {
  config: Config;
  now: () => number;
  /** Isolates a test's data: a Postgres schema and a Redis key prefix. Defaults to STORE_NAMESPACE. */
  namespace?: string;
  /** Where the stores report losing and regaining their connections. */
  logger?: Logger;
}
