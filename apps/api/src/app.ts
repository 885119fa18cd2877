import type { Express } from 'express';
import type { Logger } from 'pino';
import { createAuthStrategy } from './auth';
import { prepareDummyHash } from './auth/passwords';
import type { AuthStrategy } from './auth/strategy';
import type { Config } from './config';
import { registerEndpoints } from './http/endpoint-router';
import { errorHandler, notFound } from './http/error-handler';
import { createExpressBase } from './http/express-base';
import { jsonBody } from './http/json-body';
import { originGuard } from './http/origin-guard';
import { createLogger } from './logger';
import { authHandlers } from './routes/auth.routes';
import { cspReportHandlers } from './routes/csp-report.routes';
import { requireAuth } from './routes/require-auth';
import { meHandlers } from './routes/me.routes';
import { metaHandlers } from './routes/meta.routes';
import { checkGivenSecrets, resolveSecrets, type Secrets } from './auth/secrets';
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
  if (!deps.secrets) checkGivenSecrets(config);
  // Ready before the first request, so that the first unknown email costs one verification too.
  await prepareDummyHash();
  const storage = deps.storage ?? (await openStorage({ config, now, logger, ...(deps.namespace && { namespace: deps.namespace }) }));
  const close = deps.storage ? () => Promise.resolve() : () => storage.close();
  let auth: AuthStrategy;
  try {
    const secrets = deps.secrets ?? (await resolveSecrets(config, storage.secrets, now));
    auth = createAuthStrategy({ config, secrets, storage, now, logger });
  } catch (err) {
    await close();
    throw err;
  }

  const app = createExpressBase(config, logger, auth.corsHeaders);
  for (const handler of auth.everyResponse) app.use(handler);
  app.use(originGuard(config.authMode, config.corsOrigins));
  app.use(jsonBody());
  for (const handler of auth.beforeRoutes) app.use(handler);

  registerEndpoints(app, config.authMode, requireAuth(auth), {
    ...metaHandlers(auth, storage, config),
    ...authHandlers(auth, storage, config, now),
    ...meHandlers(storage),
    ...cspReportHandlers(config),
    ...auth.handlers,
  });
  app.use(notFound);
  app.use(errorHandler);

  return { app, auth, storage, logger, close };
}
