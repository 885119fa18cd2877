import { createServer } from 'node:http';
import { createApp } from './app';
import { configWarnings, loadConfig } from './config';
import { createLogger } from './logger';
import { openStorage } from './storage';

/**
 * `pnpm dev`: one API per mode in one process, sharing one storage, so an account made in one
 * mode logs in in the other (the embedded database admits a single process).
 */
async function dev() {
  const base = loadConfig();
  const ports = { session: base.port, jwt: base.port + 1 } as const;
  const logger = createLogger(base.logLevel);
  for (const warning of configWarnings(base)) logger.warn(warning);
  const storage = await openStorage({ config: base, now: Date.now });
  const servers = await Promise.all(
    (['session', 'jwt'] as const).map(async (authMode) => {
      const config = { ...base, authMode, port: ports[authMode] };
      const { app } = await createApp(config, { logger: logger.child({ authMode }), storage });
      return new Promise<ReturnType<typeof createServer>>((resolve) => {
        const server = createServer(app).listen(config.port, config.host, () => {
          logger.info(`${authMode} API on http://${config.host}:${config.port}`);
          resolve(server);
        });
      });
    }),
  );
  const stop = () => {
    for (const server of servers) server.close();
    void storage.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

dev().catch((err: unknown) => {
  console.error(err instanceof Error ? `authbench: ${err.message}` : err);
  process.exit(1);
});
