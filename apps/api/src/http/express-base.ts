import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { requestLogger } from './request-logger';

/**
 * An Express app with what every request meets first, whatever the mode: the request log and
 * `X-Request-Id`, helmet's headers and CORS on the exact allowlist. The API builds on it, and so
 * does the benchmark's unauthenticated baseline, so that both pay for the same stack.
 */
export function createExpressBase(config: Config, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use(requestLogger(logger));
  app.use(helmet());
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  return app;
}
