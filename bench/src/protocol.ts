import type { RoundTrips } from './round-trips';

/** Store ports whose connections the round-trip probe counts. */
export interface StorePorts {
  redis?: number;
  postgres?: number;
}

/** What the bench tells an Authbench server child (server.ts) to start. */
export interface ServerSpec {
  label: string;
  /** The API's environment (loadConfig's input): mode, stores, secrets. */
  env: Record<string, string>;
  /** createApp's deps.namespace: a Postgres schema and Redis key prefix of the bench's own. */
  namespace?: string;
  storePorts: StorePorts;
}

/** The one user a peer server knows, in the contract's shape, so that every row answers the same body. */
export interface PeerUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

/** What the bench tells a peer server child (peers/*.ts) to start. */
export interface PeerSpec {
  label: string;
  user: PeerUser;
  /** Peers that keep sessions in Redis. */
  redisUrl?: string;
  /** Behind Authbench's production stack (the like-for-like peers). */
  stack?: boolean;
  /** Their Redis key prefix starts with it, so the bench's clean-up removes their keys too. */
  namespace: string;
  storePorts: StorePorts;
}

export type Command =
  | { cmd: 'cpu' }
  /** The user the baseline reads, and what else the API's GET /api/me answers beside it (fixed). */
  | { cmd: 'baseline-user'; userId: string; rest: Record<string, unknown> }
  | { cmd: 'count-start' }
  | { cmd: 'count-stop' }
  | { cmd: 'profile-start'; intervalUs: number }
  | { cmd: 'profile-stop'; file: string }
  | { cmd: 'exit' };

export interface CpuUsage {
  /** Microseconds of CPU (user + system) this process has used, all threads. */
  cpuUs: number;
  /** Microseconds of wall time since an arbitrary origin. */
  wallUs: number;
}

export type Reply = CpuUsage | RoundTrips | null;

export type ChildMessage =
  /** `ports`: `api` always; `baseline` for an Authbench server. */
  | { type: 'ready'; ports: Record<string, number>; pid: number }
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; value: Reply }
  | { type: 'error'; id: number; message: string };

export type ParentMessage = { id: number } & Command;
