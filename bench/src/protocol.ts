import type { RoundTrips } from './round-trips';

/** What the bench tells a server child to start. */
export interface ServerSpec {
  label: string;
  /** The API's environment (loadConfig's input): mode, stores, secrets. */
  env: Record<string, string>;
  /** createApp's deps.namespace: a Postgres schema and Redis key prefix of the bench's own. */
  namespace?: string;
  storePorts: { redis?: number; postgres?: number };
}

export type Command =
  | { cmd: 'cpu' }
  | { cmd: 'baseline-user'; userId: string }
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
  | { type: 'ready'; apiPort: number; baselinePort: number; pid: number }
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; value: Reply }
  | { type: 'error'; id: number; message: string };

export type ParentMessage = { id: number } & Command;
