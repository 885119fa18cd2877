import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, Command, CpuUsage, ServerSpec } from './protocol';
import type { RoundTrips } from './round-trips';

const serverEntry = fileURLToPath(new URL('./server.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** `taskset` where it exists: the server on core 0, the load generator on the others. */
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;

export interface ServerProcess {
  label: string;
  pid: number;
  api: string;
  baseline: string;
  cpu(): Promise<CpuUsage>;
  setBaselineUser(userId: string): Promise<void>;
  countStart(): Promise<void>;
  countStop(): Promise<RoundTrips>;
  profileStart(intervalUs: number): Promise<void>;
  profileStop(file: string): Promise<void>;
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

/**
 * Starts server.ts in a child process and resolves once both its ports listen; where taskset
 * exists, the server is then pinned to core 0 (after its start, which may use every core). A
 * start that fails (an unsupported store, say) rejects with the child's own one-line reason.
 */
export function startServer(spec: ServerSpec, options: { cpuProfileDir?: string | undefined; startTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const nodeArgs = [
    '--import',
    tsxLoader,
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${spec.label}.cpuprofile`] : []),
    serverEntry,
  ];
  const child: ChildProcess = spawn(process.execPath, nodeArgs, {
    // stdout carries the request log: production-like, and thrown away.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_SERVER_SPEC: JSON.stringify(spec) },
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
        reject(new Error(`${spec.label}: no answer to ${command.cmd}`));
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
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServerStartError(`${spec.label}: did not start within ${(options.startTimeoutMs ?? 60_000) / 1000} s`));
    }, options.startTimeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      for (const { reject: fail } of pending.values()) fail(new Error(`${spec.label}: server exited (${code})`));
      const lastLine = stderr.trim().split('\n').filter(Boolean).at(-1);
      reject(new ServerStartError(`${spec.label}: server exited with code ${code}${lastLine ? `: ${lastLine}` : ''}`));
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new ServerStartError(message.message.split('\n')[0] ?? message.message));
      } else if (message.type === 'ready') {
        clearTimeout(timer);
        if (hasTaskset) pinToCore0(message.pid);
        resolve({
          label: spec.label,
          pid: message.pid,
          api: `http://127.0.0.1:${message.apiPort}`,
          baseline: `http://127.0.0.1:${message.baselinePort}`,
          cpu: () => request<CpuUsage>({ cmd: 'cpu' }),
          setBaselineUser: async (userId) => {
            await request({ cmd: 'baseline-user', userId });
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
