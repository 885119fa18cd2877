import type { Request, RequestHandler } from 'express';
import { AppError } from './app-error';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser on a foreign origin may not change state; where a cookie alone authenticates
 * (`mustCarryOrigin`), the request must prove it comes from an allowed page.
 */
export function originGuard(allowed: ReadonlySet<string>, mustCarryOrigin: (req: Request) => boolean): RequestHandler {
  return (req, _res, next) => {
    const origin = req.headers.origin;
    const isAllowed = origin !== undefined && allowed.has(origin);
    if (mustCarryOrigin(req) && !isAllowed) throw new AppError('forbidden_origin');
    if (origin !== undefined && !isAllowed && !safeMethods.has(req.method)) throw new AppError('forbidden_origin');
    next();
  };
}
