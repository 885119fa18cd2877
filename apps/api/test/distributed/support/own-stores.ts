import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on 127.0.0.1 (free when asked: bind it soon). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface OwnRedis {
  url: string;
  port: number;
  /** kill -9: the server is gone, mid-command or not. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory: what it had written is back (append-only file). */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers. */
  pause(): void;
  resume(): void;
  destroy(): Promise<void>;
}

/**
 * A redis-server of the test's own, on a free port, so that a fault test never touches the
 * shared one. It writes every command to an append-only file, so a kill loses nothing.
 */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'authbench-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGCONT');
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stopWith('SIGKILL'),
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async destroy() {
      await stopWith('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

export interface TcpProxy {
  url(databaseUrl: string): string;
  port: number;
  /** Refuses connections and cuts the open ones: the server is gone. */
  close(): Promise<void>;
  /** Accepts and forwards again. */
  open(): Promise<void>;
  /** Keeps connections open but forwards nothing either way: the server hangs. */
  stall(): void;
  unstall(): void;
  /** Forwards requests but holds the server's replies: it has done the work, and the client has not heard. */
  holdReplies(): void;
  releaseReplies(): void;
  /** Bytes forwarded to the server so far: a request has left when this grows. */
  sentBytes(): number;
  destroy(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target`, that a test can cut or stall. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const upstreams = new Set<Socket>();
  let stalled = false;
  let held = false;
  let sent = 0;
  let server: Server | undefined;
  const mayFlow = (socket: Socket) => !stalled && !(held && upstreams.has(socket));

  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (upstreams.has(to)) sent += chunk.length;
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (mayFlow(from)) from.resume();
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };
  const open = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      server = createServer((client) => {
        const upstream = new Socket();
        sockets.add(client).add(upstream);
        upstreams.add(upstream);
        for (const s of [client, upstream]) {
          s.once('close', () => {
            sockets.delete(s);
            upstreams.delete(s);
          });
        }
        pipe(client, upstream);
        pipe(upstream, client);
        // While stalled, nothing is read from either side, so nothing is forwarded (nor lost).
        for (const s of [client, upstream]) if (!mayFlow(s)) s.pause();
        upstream.connect(target.port, target.host);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const close = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise((resolve) => closing.close(resolve));
  };

  await open();
  return {
    port,
    url: (databaseUrl) => {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    close,
    open,
    stall: () => {
      stalled = true;
      for (const socket of sockets) socket.pause();
    },
    unstall: () => {
      stalled = false;
      for (const socket of sockets) if (mayFlow(socket)) socket.resume();
    },
    sentBytes: () => sent,
    holdReplies: () => {
      held = true;
      for (const socket of upstreams) socket.pause();
    },
    releaseReplies: () => {
      held = false;
      for (const socket of upstreams) if (mayFlow(socket)) socket.resume();
    },
    destroy: close,
  };
}
