import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, configWarnings, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { exitOnStartupError } from './startup-error';

// SIGTERM to exit within 10 s (a typical orchestrator's grace period): in-flight requests get
// 8 s, the stores what is left.
const drainMs = 8_000;
const exitMs = 10_000;

/** Why the server could not listen, as one line naming the variable to change; else the error as it is. */
function listenError(err: NodeJS.ErrnoException, config: Config): Error {
  const where = `${config.host}:${config.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ConfigError(`PORT: ${where} is in use by another process; choose another port (PORT=0 takes a free one)`);
    case 'EACCES':
      return new ConfigError(`PORT: ${where} needs privileges this process does not have; choose a port above 1023`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`HOST: ${config.host} is not an address of this machine`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`HOST: ${config.host} does not resolve to an address of this machine`);
    default:
      return err;
  }
}

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  for (const warning of configWarnings(config)) logger.warn(warning);
  const { app, close: closeStorage } = await createApp(config, { logger });

  let stopping = false;
  const server = createServer((req, res) => {
    // While draining, a keep-alive client is told to take its next request elsewhere.
    if (stopping) res.setHeader('Connection', 'close');
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    const refuse = (err: NodeJS.ErrnoException) => {
      reject(listenError(err, config));
    };
    server.once('error', refuse);
    server.listen(config.port, config.host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  // PORT=0 picks a free port: report the real one.
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, `authbench API (${config.authMode} mode) listening on http://${config.host}:${port}`);

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: refusing new connections, finishing requests in flight');
    const exit = (code: number) => {
      clearTimeout(force);
      clearTimeout(drained);
      clearInterval(sweep);
      process.exit(code);
    };
    const force = setTimeout(() => {
      logger.error('shutdown did not finish in time');
      process.exit(1);
    }, exitMs).unref();
    const drained = setTimeout(() => {
      logger.warn('requests still in flight at the drain deadline: closing their connections');
      server.closeAllConnections();
    }, drainMs).unref();
    // Connections go idle as their last request finishes; close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 100).unref();
    server.close(() => {
      closeStorage().then(
        () => {
          logger.info('stopped');
          exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'closing the stores failed');
          exit(1);
        },
      );
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
}

main().catch(exitOnStartupError);
