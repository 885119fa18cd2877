import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { RefreshStore } from './refresh-store';
import type { RevocationList } from './revocation-list';
import type { SessionStore } from './session-store';
import type { UserStore } from './user-store';

/** Everything the API keeps, whatever keeps it: one interface per concern. */
export interface Storage {
  users: UserStore;
  refreshTokens: RefreshStore;
  sessions: SessionStore;
  revocations: RevocationList;
  /** A fresh counter store per limiter (express-rate-limit wants one store per instance). */
  createRateLimitStore(prefix: string): RateLimitStore;
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
