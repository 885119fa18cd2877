import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** Store calls counted while a probe is on, by store. */
export interface RoundTrips {
  /** Statements sent into the embedded database (PGlite runs in-process: a call, not a network trip). */
  pglite: number;
  /** Request/response turns on connections to PostgreSQL. */
  postgres: number;
  /** Request/response turns on connections to Redis. */
  redis: number;
}

type Write = typeof net.Socket.prototype.write;
type Query = PGlite['query'];
type Exec = PGlite['exec'];
/** The embedded database's class, passed in by the processes that have one (peers do not load it). */
export type PgliteClass = { prototype: { query: Query; exec: Exec } };

/**
 * Counts store round trips in this process, only while on (the patches come off again, so the
 * timed runs pay nothing for them). A network round trip is a turn on a store connection: the
 * first write after the last reply. That counts one per query however many chunks a driver
 * writes for it, and the requests are sent one at a time while counting, so turns do not merge.
 */
export function createRoundTripProbe(ports: { redis?: number | undefined; postgres?: number | undefined }, pglite?: PgliteClass) {
  const counts: RoundTrips = { pglite: 0, postgres: 0, redis: 0 };
  const awaitingReply = new WeakMap<net.Socket, boolean>();
  const original = { write: net.Socket.prototype.write, query: pglite?.prototype.query, exec: pglite?.prototype.exec };

  const storeOf = (socket: net.Socket): 'redis' | 'postgres' | undefined => {
    if (ports.redis !== undefined && socket.remotePort === ports.redis) return 'redis';
    if (ports.postgres !== undefined && socket.remotePort === ports.postgres) return 'postgres';
    return undefined;
  };

  const write = function (this: net.Socket, ...args: Parameters<Write>) {
    const store = storeOf(this);
    if (store) {
      if (!awaitingReply.has(this)) {
        this.on('data', () => awaitingReply.set(this, false));
      }
      if (awaitingReply.get(this) !== true) counts[store] += 1;
      awaitingReply.set(this, true);
    }
    return original.write.apply(this, args);
  } as Write;
  const query = function (this: PGlite, ...args: Parameters<Query>) {
    counts.pglite += 1;
    return original.query!.apply(this, args);
  } as Query;
  const exec = function (this: PGlite, ...args: Parameters<Exec>) {
    counts.pglite += 1;
    return original.exec!.apply(this, args);
  } as Exec;

  return {
    start() {
      counts.pglite = counts.postgres = counts.redis = 0;
      net.Socket.prototype.write = write;
      if (pglite) {
        pglite.prototype.query = query;
        pglite.prototype.exec = exec;
      }
    },
    stop(): RoundTrips {
      net.Socket.prototype.write = original.write;
      if (pglite) {
        pglite.prototype.query = original.query!;
        pglite.prototype.exec = original.exec!;
      }
      return { ...counts };
    },
  };
}
