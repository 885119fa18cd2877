/**
 * The bench's side of a server child (an Authbench server or a peer): listens on loopback ports,
 * answers the bench over the IPC channel (CPU readings, round-trip probes, V8 profiles, exit)
 * and never outlives it. The measured app itself knows nothing of this.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { ChildMessage, Command, ParentMessage, Reply, StorePorts } from './protocol';
import { createRoundTripProbe, type PgliteClass } from './round-trips';

export const sendToBench = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('this file runs as a child of the bench (IPC channel missing)');
    process.send(message, undefined, {}, () => resolve());
  });

const listen = (server: Server) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

export interface ChildOptions {
  /** The apps to serve, by name (`api`, and `baseline` for an Authbench server). */
  apps: Record<string, RequestListener>;
  storePorts: StorePorts;
  /** The embedded database's class, where the child has one: its statements are counted too. */
  pglite?: PgliteClass;
  /** Commands beyond the common ones. */
  handle?: (command: Command) => Reply | Promise<Reply> | undefined;
  /** Closes what the app opened (storage, clients), after the servers stopped listening. */
  close: () => Promise<void>;
}

export async function serveChild(options: ChildOptions): Promise<void> {
  const servers = Object.entries(options.apps).map(([name, app]) => [name, createServer(app)] as const);
  const ports = Object.fromEntries(await Promise.all(servers.map(async ([name, server]) => [name, await listen(server)] as const)));
  const probe = createRoundTripProbe(options.storePorts, options.pglite);
  const origin = process.hrtime.bigint();

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(servers.map(([, server]) => close(server)));
    await options.close().catch(() => {});
    process.exit(0);
  };
  // The bench is gone: never outlive it.
  process.on('disconnect', () => void shutdown());

  // The same V8 sampling profiler as `node --cpu-prof`, but started and stopped around a load run.
  let inspector: Session | undefined;
  const profile = async (command: Command): Promise<Reply> => {
    if (command.cmd === 'profile-start') {
      inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: command.intervalUs });
      await inspector.post('Profiler.start');
    } else if (command.cmd === 'profile-stop' && inspector) {
      const { profile: result } = await inspector.post('Profiler.stop');
      await writeFile(command.file, JSON.stringify(result));
      inspector.disconnect();
      inspector = undefined;
    }
    return null;
  };

  const handle = (command: Command): Reply | Promise<Reply> => {
    switch (command.cmd) {
      case 'cpu': {
        const { user, system } = process.cpuUsage();
        return { cpuUs: user + system, wallUs: Number((process.hrtime.bigint() - origin) / 1000n) };
      }
      case 'count-start':
        probe.start();
        return null;
      case 'count-stop':
        return probe.stop();
      case 'profile-start':
      case 'profile-stop':
        return profile(command);
      case 'exit':
        setImmediate(() => void shutdown());
        return null;
      default: {
        const answer = options.handle?.(command);
        if (answer === undefined) throw new Error(`${command.cmd}: not supported by this server`);
        return answer;
      }
    }
  };
  process.on('message', (message: ParentMessage) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (value) => sendToBench({ type: 'reply', id: message.id, value }),
        (err: unknown) => sendToBench({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) }),
      )
      .catch(() => {});
  });
  await sendToBench({ type: 'ready', ports, pid: process.pid });
}

/** Reports a start that failed, in one line the bench shows as the row's reason. */
export async function failStart(err: unknown): Promise<never> {
  if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  await sendToBench({ type: 'failed', message: err instanceof Error ? err.message : String(err) }).catch(() => {});
  process.exit(1);
}
