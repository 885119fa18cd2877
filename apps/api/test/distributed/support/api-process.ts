import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AuthMode } from '@authbench/contract';
import { inject } from 'vitest';
import { allowedOrigin } from '../../support/test-app';
import { testPublicOrigin } from '../../support/test-client';

const apiRoot = fileURLToPath(new URL('../../..', import.meta.url));

// A test that fails half-way must not leave API processes behind it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ApiProcess {
  url: string;
  port: number;
  pid: number;
  /** Every line the process wrote (pino JSON on stdout, anything else on stderr). */
  lines: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, and the exit. */
  stop(): Promise<number | string>;
}

export interface ApiProcessOptions {
  mode: AuthMode;
  env: Record<string, string>;
  /** 0 (the default) picks a free port; a restart passes the port it had. */
  port?: number;
}

/**
 * A real API process: `node` on the API's bundle (one process, so that a signal reaches the API
 * itself, as it would not through the tsx CLI), on an ephemeral port that it reports in its
 * "listening" log line.
 */
export async function startApiProcess({ mode, env, port = 0 }: ApiProcessOptions): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', inject('apiBundle')], {
    cwd: apiRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      AUTH_MODE: mode,
      HOST: '127.0.0.1',
      PORT: String(port),
      CORS_ORIGINS: allowedOrigin,
      // Every process answers for one public origin, as behind one load balancer: a DPoP proof names it.
      PUBLIC_ORIGIN: testPublicOrigin,
      LOG_LEVEL: 'info',
      // The tests register and fail logins by the dozen from 127.0.0.1; limits.test.ts sets its own.
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      REGISTER_MAX_PER_IP: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const listening = new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const port = /"port":(\d+),.*listening on/.exec(line)?.[1];
        if (port) resolve(Number(port));
      });
    }
    void exited.then((code) => {
      reject(new Error(`the API process exited (${code}) before listening:\n${lines.slice(-20).join('\n')}`));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const started = await Promise.race([
    listening,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the API process did not listen within 20 s:\n${lines.slice(-20).join('\n')}`)), 20_000);
    }),
  ])
    .catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    })
    .finally(() => clearTimeout(timer));

  const api: ApiProcess = {
    url: `http://127.0.0.1:${started}`,
    port: started,
    pid: child.pid!,
    lines,
    exited,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      api.signal('SIGTERM');
      const timeout = setTimeout(() => api.signal('SIGKILL'), 12_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timeout);
      }
    },
  };
  return api;
}

/** `promise`, or an error naming `what` after `ms`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
