import cors from 'cors';
import express, { type Express, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { requestLogger } from './request-logger';

/**
 * helmet's headers, decided once: with this configuration (no CSP nonces) they are the same for
 * every response, so helmet runs once at start on a stand-in response and each request only gets
 * the result, without walking helmet's thirteen middleware again.
 */
function staticHeaders(middleware: ReturnType<typeof helmet>): RequestHandler {
  const headers = new Map<string, string | number | readonly string[]>();
  const standIn = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.set(name, value),
    // X-Powered-By, which the app never sets (x-powered-by is disabled).
    removeHeader: () => undefined,
    getHeader: (name: string) => headers.get(name),
  };
  middleware({} as never, standIn as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused its configuration');
  });
  const entries = [...headers];
  return (_req, res, next) => {
    for (const [name, value] of entries) res.setHeader(name, value);
    next();
  };
}

/** res.json without Express's per-response Content-Type parsing: the body is always UTF-8 JSON here. */
function leanJson(this: Response, body: unknown): Response {
  const text = JSON.stringify(body);
  if (!this.hasHeader('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
  this.setHeader('Content-Length', Buffer.byteLength(text));
  this.end(this.req.method === 'HEAD' ? undefined : text);
  return this;
}

/**
 * An Express app with what every request meets first, whatever the mode: the request log and
 * `X-Request-Id`, helmet's headers and CORS on the exact allowlist. The API builds on it, and so
 * does the benchmark's unauthenticated baseline, so that both pay for the same stack.
 */
export function createExpressBase(
  config: Config,
  logger: Logger,
  modeHeaders: { allowed: readonly string[]; exposed: readonly string[] } = { allowed: [], exposed: [] },
): Express {
  const app = express();
  // Exact paths only (SPEC §4): a variant in case or trailing slash is another path, so no rule
  // tied to a path can be sidestepped. Set before the first route: the router reads them once.
  app.enable('strict routing');
  app.enable('case sensitive routing');
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // Answers about the caller are never served from a cache: an ETag would only cost a hash each.
  app.set('etag', false);
  app.response.json = leanJson;

  app.use(requestLogger(app, logger));
  app.use(staticHeaders(helmet()));
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
      credentials: true,
      allowedHeaders: ['Content-Type', 'Authorization', 'X-CSRF-Token', 'X-Request-Id', ...modeHeaders.allowed],
      exposedHeaders: ['X-Request-Id', 'Retry-After', ...modeHeaders.exposed],
      maxAge: 600,
    }),
  );
  return app;
}
