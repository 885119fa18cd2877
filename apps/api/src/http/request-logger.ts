import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const clientRequestId = /^[\w.-]{1,64}$/;

/**
 * One line per request, carrying an X-Request-Id that the response echoes. Only the method, the
 * path without its query and the status are logged: headers and bodies carry credentials.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const offered = req.headers['x-request-id'];
      const id = typeof offered === 'string' && clientRequestId.test(offered) ? offered : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: (err: { type?: string; message?: string; stack?: string }) => ({
        type: err.type,
        message: err.message,
        stack: err.stack,
      }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
  });
}
