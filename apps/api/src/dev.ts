import { createServer } from 'node:http';
import { authModes } from '@authbench/contract';
import { createApp } from './app';
import { configWarnings, loadDevConfig } from './config';
import { createLogger } from './logger';
import { exitOnStartupError } from './startup-error';
import { openStorage } from './storage';

/**
 * `pnpm dev`: one API per mode in one process (session on PORT, jwt on PORT+1, jwt-cookie on
 * PORT+2, jwt-dpop on PORT+3), sharing one storage, so an account made in one mode logs in in the
 * others (the embedded database admits a single process).
 */
async function dev() {
  const { config: base, publicOrigins } = loadDevConfig();
  const logger = createLogger(base.logLevel);
  for (const warning of configWarnings(base)) logger.warn(warning);
  const storage = await openStorage({ config: base, now: Date.now });
  const servers = await Promise.all(
    authModes.map(async (authMode, i) => {
      const port = base.port + i;
      // Each mode's own origin: its OpenAPI document names it, and DPoP proofs are checked against it.
      const config = { ...base, authMode, port, publicOrigin: publicOrigins[authMode] };
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

dev().catch(exitOnStartupError);
