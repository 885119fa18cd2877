import type { RequestHandler, Response } from 'express';
import type { AuthContext, AuthStrategy } from '../auth/strategy';

// The glue that joins the routes to the mode's strategy lives above both: http/endpoint-router
// only runs the handler it is given before the endpoints the contract marks as authenticated.

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      auth?: AuthContext;
    }
  }
}

export const requireAuth =
  (auth: AuthStrategy): RequestHandler =>
  async (req, res, next) => {
    res.locals.auth = await auth.authenticate(req, res);
    next();
  };

/** The login of a request that passed requireAuth. */
export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth;
  if (!auth) throw new Error('authOf() used on a route without requireAuth');
  return auth;
}
