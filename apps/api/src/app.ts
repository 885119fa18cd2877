import type { Express } from 'express';
import type { Logger } from 'pino';
import { createAuthStrategy } from './auth';
import type { AuthStrategy } from './auth/strategy';
import type { Config } from './config';
import { errorHandler, notFound } from './http/error-handler';
import { jsonBody } from './http/json-body';
import { originGuard } from './http/origin-guard';
import { createExpressBase } from './http/express-base';
import { createLogger } from './logger';
import { authRoutes } from './routes/auth.routes';
import { meRoutes } from './routes/me.routes';
import { metaRoutes } from './routes/meta.routes';
import { resolveSecrets, type Secrets } from './secrets';
import { openStorage } from './storage';
import type { Storage } from './storage/storage';

export interface AppDeps {
  logger: Logger;
  /** Milliseconds since the epoch; tests move it to cross timeouts without sleeping. */
  now: () => number;
  storage: Storage;
  secrets: Secrets;
  /** Isolates a test's data in shared stores (a Postgres schema, a Redis key prefix). */
  namespace: string;
}

export interface App {
  app: Express;
  auth: AuthStrategy;
  storage: Storage;
  logger: Logger;
  /** Closes the storage this app opened (not storage that was handed in). */
  close: () => Promise<void>;
}

/** The API for one auth mode. Middleware is in the order a request meets it (SPEC §5). */
export async function createApp(config: Config, deps: Partial<AppDeps> = {}): Promise<App> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const now = deps.now ?? Date.now;
  const secrets = deps.secrets ?? (await resolveSecrets(config));
  const storage = deps.storage ?? (await openStorage({ config, now, logger, ...(deps.namespace && { namespace: deps.namespace }) }));
  const auth = createAuthStrategy({ config, secrets, storage, now, logger });

  const app = createExpressBase(config, logger);
  app.use(originGuard(new Set(config.corsOrigins.filter((o) => o !== '*' && o !== 'null')), (req) => auth.mustCarryOrigin(req)));
  app.use(jsonBody());
  for (const handler of auth.beforeRoutes) app.use(handler);

  app.use(metaRoutes(auth, storage));
  app.use(auth.routes);
  app.use(authRoutes(auth, storage, config, now));
  app.use(meRoutes(auth, storage));
  app.use(notFound);
  app.use(errorHandler);

  return {
    app,
    auth,
    storage,
    logger,
    close: deps.storage ? () => Promise.resolve() : () => storage.close(),
  };
}
