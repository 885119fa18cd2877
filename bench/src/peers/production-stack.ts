/**
 * What Authbench runs in front of every route, put in front of a peer, so that a peer and an
 * Authbench row differ in authentication and nothing else (the like-for-like peers). The request
 * log is Authbench's own (its pino logger, batched to stdout, and its one-line-per-request
 * middleware: the bench drains and counts it as it does the API's); helmet and CORS are set up
 * as their READMEs show, with the exact allowlist and credentials that Authbench configures.
 */
import { createLogger } from '@authbench/api/logger';
import { requestLogger } from '@authbench/api/http/request-logger';
import cors from 'cors';
import type { Express } from 'express';
import helmet from 'helmet';
import { benchOrigin } from '../client';

export function withProductionStack(app: Express): Express {
  app.use(requestLogger(app, createLogger('info')));
  app.use(helmet());
  app.use(cors({ origin: [benchOrigin], credentials: true }));
  return app;
}
