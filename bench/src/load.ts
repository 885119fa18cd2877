import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { ServerProcess } from './server-process';

export interface LoadOptions {
  url: string;
  server: ServerProcess;
  durationSeconds: number;
  connections: number;
  /** The server runs alone on core 0 (taskset): what else ran there can be read. */
  pinned: boolean;
  /** Headers of every request of connection `i` (each connection is one client, one login). */
  headersOf: (connection: number) => Record<string, string>;
  /** Headers that change on every request of connection `i` (a token never seen before, a DPoP proof), on top of the connection's. */
  perRequest?: (connection: number) => Record<string, string>;
}

/** Per-request headers for a load run, made before each slice of it. */
export interface RequestPool {
  /** The headers of connection `connection`'s next request. */
  next(connection: number): Record<string, string>;
  /** Before each slice of `seconds`: made fresh where they have aged or run low. */
  freshen(seconds: number): void | Promise<void>;
}

/** One autocannon run, unreduced, so that several slices of a measurement can be added up. */
export interface Slice {
  /** 2xx responses, and each one's latency in ms (autocannon's own histogram rounds to 1 ms). */
  latencies: Float64Array;
  seconds: number;
  /** Every response, 2xx or not: the CPU below served them all. */
  completed: number;
  cpuUs: number;
  wallUs: number;
  core0?: { busyUs: number; totalUs: number };
  /** Lines and bytes the server wrote to its request log meanwhile. */
  log: { lines: number; bytes: number };
  non2xx: number;
  errors: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  /** Share of one core the server used. */
  serverCpu: number;
  /**
   * Share of the server's core (core 0, where pinned) that other processes took meanwhile: the
   * machine is shared, and what they take shows up as fewer requests/s. Undefined without /proc.
   */
  otherCpu?: number;
  /** Request-log lines and bytes per response (1 line each where the log is on). */
  logLinesPerReq: number;
  logBytesPerReq: number;
  non2xx: number;
  errors: number;
}

/** Busy and total time of core 0 so far, in microseconds (Linux /proc/stat; undefined elsewhere). */
function readCore0(): { busyUs: number; totalUs: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('cpu0 '));
    if (!line) return undefined;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    const tick = 1e6 / 100; // USER_HZ is 100 on Linux
    const busy = user + nice + system + irq + softirq + steal;
    return { busyUs: busy * tick, totalUs: (busy + idle + iowait) * tick };
  } catch {
    return undefined;
  }
}

/** Drives one URL with autocannon (a library call) and reads the server's CPU around the run. */
export async function drive(options: LoadOptions): Promise<Slice> {
  let latencies = new Float64Array(1 << 15);
  let ok = 0;
  let connection = 0;
  const before = await options.server.cpu();
  const logBefore = options.server.log();
  const coreBefore = options.pinned ? readCore0() : undefined;
  // autocannon's instance is both the run's promise and its event emitter; its types show only the first.
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    timeout: 10,
    setupClient(client) {
      const i = connection++;
      const perRequest = options.perRequest;
      if (!perRequest) return void client.setHeaders(options.headersOf(i));
      // A request list of the client's own, so that each request knows its connection.
      const headers = options.headersOf(i);
      client.setRequests([
        {
          headers,
          setupRequest: (request) => {
            request.headers = { ...request.headers, ...perRequest(i) };
            return request;
          },
        },
      ]);
    },
  }) as Promise<autocannon.Result> & EventEmitter;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode >= 300) return;
    if (ok === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ok++] = responseTime;
  });
  const result = await instance;
  const after = await options.server.cpu();
  const coreAfter = options.pinned ? readCore0() : undefined;
  const logAfter = options.server.log();
  return {
    latencies: latencies.subarray(0, ok),
    seconds: result.duration,
    completed: result['2xx'] + result.non2xx,
    cpuUs: after.cpuUs - before.cpuUs,
    wallUs: after.wallUs - before.wallUs,
    ...(coreBefore && coreAfter && { core0: { busyUs: coreAfter.busyUs - coreBefore.busyUs, totalUs: coreAfter.totalUs - coreBefore.totalUs } }),
    log: { lines: logAfter.lines - logBefore.lines, bytes: logAfter.bytes - logBefore.bytes },
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const sum = (slices: Slice[], pick: (s: Slice) => number) => slices.reduce((total, s) => total + pick(s), 0);

/** Adds up the slices of one measurement. */
export function combine(slices: Slice[]): LoadResult {
  const requests = sum(slices, (s) => s.latencies.length);
  const all = new Float64Array(requests);
  let at = 0;
  for (const s of slices) {
    all.set(s.latencies, at);
    at += s.latencies.length;
  }
  all.sort();
  const completed = sum(slices, (s) => s.completed);
  const cpuUs = sum(slices, (s) => s.cpuUs);
  const cores = slices.map((s) => s.core0).filter((c) => c !== undefined);
  const busy = cores.reduce((t, c) => t + c.busyUs, 0);
  const total = cores.reduce((t, c) => t + c.totalUs, 0);
  return {
    requests,
    rps: requests / sum(slices, (s) => s.seconds),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    cpuUsPerReq: completed > 0 ? cpuUs / completed : 0,
    serverCpu: cpuUs / sum(slices, (s) => s.wallUs),
    ...(cores.length === slices.length && total > 0 && { otherCpu: Math.max(0, (busy - cpuUs) / total) }),
    logLinesPerReq: completed > 0 ? sum(slices, (s) => s.log.lines) / completed : 0,
    logBytesPerReq: completed > 0 ? sum(slices, (s) => s.log.bytes) / completed : 0,
    non2xx: sum(slices, (s) => s.non2xx),
    errors: sum(slices, (s) => s.errors),
  };
}
