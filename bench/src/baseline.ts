import { paths } from '@authbench/contract';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '@authbench/api/config';
import { AppError } from '@authbench/api/errors';
import { errorHandler, notFound } from '@authbench/api/http/error-handler';
import { createExpressBase } from '@authbench/api/http/express-base';
import { jsonBody } from '@authbench/api/http/json-body';
import { originGuard } from '@authbench/api/http/origin-guard';
import type { AuthStrategy } from '@authbench/api/auth/strategy';
import type { Storage } from '@authbench/api/storage/storage';
import { toUser } from '@authbench/api/storage/user-store';

/**
 * A row's own baseline: GET /api/me with the API's own middleware stack, in app.ts's order
 * (request log, helmet, CORS with the mode's headers, the headers the mode puts on every response
 * (jwt-dpop's nonce), origin guard, JSON body, routing, 404, error handler) and the same
 * user read from the same store, but no authentication: no session loaded, no CSRF check, no
 * token verified, no revocation check. The rest of the API's body (the `login` it describes) is
 * a fixed copy of the API's own answer, so that both serialise the same bytes. Keep it in step with apps/api/src/app.ts; the bench
 * compares its body and header names with the real route's before measuring, and stops if they
 * drift. It answers "what does authentication add to this API", not "what does the API cost":
 * that is the bare Express route's job (peers/bare-express.ts).
 */
export function createBaselineApp(
  config: Config,
  deps: { storage: Storage; logger: Logger; auth: Pick<AuthStrategy, 'corsHeaders' | 'everyResponse'> },
  answer: () => { userId: string; rest: Record<string, unknown> },
): Express {
  const { storage, auth } = deps;
  const app = createExpressBase(config, deps.logger, auth.corsHeaders);
  for (const handler of auth.everyResponse) app.use(handler);
  app.use(originGuard(config.authMode, config.corsOrigins));
  app.use(jsonBody());

  const router = express.Router();
  router.get(paths.me, async (_req, res) => {
    const { userId, rest } = answer();
    const found = await storage.users.findById(userId);
    if (!found) throw new AppError('unauthenticated');
    // What else the API answers beside the user (how the caller is logged in), copied from its answer.
    res.json({ user: toUser(found.user), ...rest });
  });
  app.use(router);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
