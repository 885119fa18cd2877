import type { RequestHandler, Response } from 'express';
import type { AuthContext, AuthStrategy } from '../auth/strategy';

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
