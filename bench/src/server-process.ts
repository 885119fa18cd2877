import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, Command, CpuUsage, PeerSpec, ServerSpec } from './protocol';
import type { RoundTrips } from './round-trips';

const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** `taskset` where it exists: the servers on core 0, the load generator on the others. */
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;

/** One server child of the bench: an Authbench server (api + baseline) or a peer (api only). */
export interface ServerProcess {
  label: string;
  pid: number;
  api: string;
  /** Authbench servers only: the same API's middleware and user lookup, no authentication. */
  baseline: string | undefined;
  cpu(): Promise<CpuUsage>;
  setBaselineAnswer(userId: string, rest: Record<string, unknown>): Promise<void>;
  countStart(): Promise<void>;
  countStop(): Promise<RoundTrips>;
  profileStart(intervalUs: number): Promise<void>;
  profileStop(file: string): Promise<void>;
  /** What the child wrote to stdout (its request log), read through a pipe. */
  log(): { lines: number; bytes: number };
  stop(): Promise<void>;
}

export class ServerStartError extends Error {}

/** Pins every thread of a process (and so the threads it starts later) to core 0. */
function pinToCore0(pid: number) {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' });
  } catch {
    // An unpinned server still runs; its numbers are only noisier.
  }
}

interface StartOptions {
  cpuProfileDir?: string | undefined;
  startTimeoutMs?: number;
}

/** Starts an Authbench server (server.ts): the API and its baseline in one process. */
export const startServer = (spec: ServerSpec, options: StartOptions = {}) =>
  startChild(serverEntry, spec.label, { BENCH_SERVER_SPEC: JSON.stringify(spec) }, options);

/** Starts a peer server (one of peers/*.ts). */
export const startPeer = (entry: string, spec: PeerSpec, options: StartOptions = {}) =>
  startChild(entry, spec.label, { BENCH_PEER_SPEC: JSON.stringify(spec) }, options);

const countNewlines = (chunk: Buffer) => {
  let n = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) n += 1;
  return n;
};

/**
 * Starts a server file in a child process and resolves once its ports listen; where taskset
 * exists, the child is then pinned to core 0 (after its start, which may use every core). A
 * start that fails (an unsupported store, say) rejects with the child's own one-line reason.
 */
function startChild(entry: string, label: string, specEnv: Record<string, string>, options: StartOptions): Promise<ServerProcess> {
  const nodeArgs = [
    '--import',
    tsxLoader,
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${label}.cpuprofile`] : []),
    entry,
  ];
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    // stdout carries the request log into a pipe that the bench drains (and counts).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', ...specEnv },
  });
  const log = { lines: 0, bytes: 0 };
  child.stdout?.on('data', (chunk: Buffer) => {
    log.bytes += chunk.length;
    log.lines += countNewlines(chunk);
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  const request = <T>(command: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: no answer to ${command.cmd}`));
      }, 15_000);
      pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      child.send({ id, ...command });
    });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise<ServerProcess>((resolve, reject) => {
    const startTimeoutMs = options.startTimeoutMs ?? 90_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServerStartError(`${label}: did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      for (const { reject: fail } of pending.values()) fail(new Error(`${label}: server exited (${code})`));
      const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1);
      reject(new ServerStartError(`${label}: server exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`));
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new ServerStartError(message.message.split('\n')[0] ?? message.message));
      } else if (message.type === 'ready') {
        clearTimeout(timer);
        if (hasTaskset) pinToCore0(message.pid);
        const url = (port: number | undefined) => (port === undefined ? undefined : `http://127.0.0.1:${port}`);
        resolve({
          label,
          pid: message.pid,
          api: url(message.ports.api)!,
          baseline: url(message.ports.baseline),
          cpu: () => request<CpuUsage>({ cmd: 'cpu' }),
          setBaselineAnswer: async (userId, rest) => {
            await request({ cmd: 'baseline-user', userId, rest });
          },
          countStart: async () => {
            await request({ cmd: 'count-start' });
          },
          countStop: () => request<RoundTrips>({ cmd: 'count-stop' }),
          profileStart: async (intervalUs) => {
            await request({ cmd: 'profile-start', intervalUs });
          },
          profileStop: async (file) => {
            await request({ cmd: 'profile-stop', file });
          },
          log: () => ({ ...log }),
          stop: async () => {
            if (child.exitCode !== null) return;
            child.send({ id: 0, cmd: 'exit' });
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(killer);
          },
        });
      } else if (message.type === 'reply') {
        pending.get(message.id)?.resolve(message.value);
        pending.delete(message.id);
      } else {
        pending.get(message.id)?.reject(new Error(message.message));
        pending.delete(message.id);
      }
    });
  });
}
