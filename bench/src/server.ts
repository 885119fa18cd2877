/**
 * One bench row's server process: the API (createApp) on one port and the unauthenticated
 * baseline on another, sharing this process, its storage and its logger. The bench talks to it
 * over the IPC channel: CPU readings, the baseline's user, round-trip probes, exit.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '@authbench/api';
import { loadConfig } from '@authbench/api/config';
import { createLogger } from '@authbench/api/logger';
import { createBaselineApp } from './baseline';
import type { ChildMessage, ParentMessage, Reply, ServerSpec } from './protocol';
import { createRoundTripProbe } from './round-trips';

const send = (message: ChildMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('server.ts runs as a child of the bench (IPC channel missing)');
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

async function main() {
  const spec = JSON.parse(process.env.BENCH_SERVER_SPEC ?? '') as ServerSpec;
  const config = loadConfig(spec.env);
  // Production-like: one info line per request to stdout, which the bench sends to /dev/null.
  const logger = createLogger(config.logLevel);
  let app: App;
  try {
    app = await createApp(config, { logger, ...(spec.namespace && { namespace: spec.namespace }) });
  } catch (err) {
    await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  let baselineUserId = '';
  const api = createServer(app.app);
  const baseline = createServer(createBaselineApp(config, app.storage, logger, () => baselineUserId));
  const [apiPort, baselinePort] = await Promise.all([listen(api), listen(baseline)]);
  const probe = createRoundTripProbe(spec.storePorts);
  const origin = process.hrtime.bigint();

  const shutdown = async () => {
    await Promise.all([close(api), close(baseline)]);
    await app.close();
    process.exit(0);
  };
  // The bench is gone: never outlive it.
  process.on('disconnect', () => void shutdown());

  // The same V8 sampling profiler as `node --cpu-prof`, but started and stopped around a load run.
  let inspector: Session | undefined;
  const profile = async (message: ParentMessage): Promise<Reply> => {
    if (message.cmd === 'profile-start') {
      inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: message.intervalUs });
      await inspector.post('Profiler.start');
    } else if (message.cmd === 'profile-stop' && inspector) {
      const { profile: result } = await inspector.post('Profiler.stop');
      await writeFile(message.file, JSON.stringify(result));
      inspector.disconnect();
      inspector = undefined;
    }
    return null;
  };

  const handle = (message: ParentMessage): Reply | Promise<Reply> => {
    switch (message.cmd) {
      case 'cpu': {
        const { user, system } = process.cpuUsage();
        return { cpuUs: user + system, wallUs: Number((process.hrtime.bigint() - origin) / 1000n) };
      }
      case 'baseline-user':
        baselineUserId = message.userId;
        return null;
      case 'count-start':
        probe.start();
        return null;
      case 'count-stop':
        return probe.stop();
      case 'profile-start':
      case 'profile-stop':
        return profile(message);
      case 'exit':
        setImmediate(() => void shutdown());
        return null;
    }
  };
  process.on('message', (message: ParentMessage) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (value) => send({ type: 'reply', id: message.id, value }),
        (err: unknown) => send({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) }),
      )
      .catch(() => {});
  });
  await send({ type: 'ready', apiPort, baselinePort, pid: process.pid });
}

main().catch(async (err: unknown) => {
  await send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => {});
  process.exit(1);
});
