import { endpointsOf, modeTraits, type AuthMode } from '@authbench/contract';
import type { RequestHandler } from 'express';
import { AppError } from '../errors';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser on a foreign origin may not change state; where the refresh cookie alone
 * authenticates (the contract's cookie-bearing endpoints, in the modes with one), the request
 * must prove it comes from an allowed page. Runs before routing (SPEC §5), so it matches paths
 * exactly, as the strict, case-sensitive router does: no variant of a path reaches its route.
 */
export function originGuard(mode: AuthMode, allowed: readonly string[]): RequestHandler {
  const mustCarryOrigin = new Set(
    modeTraits[mode].refreshToken
      ? endpointsOf(mode)
          .filter((e) => e.cookieBearing)
          .map((e) => `${e.method.toUpperCase()} ${e.path}`)
      : [],
  );
  const allowedSet = new Set(allowed);
  return (req, _res, next) => {
    const origin = req.headers.origin;
    const isAllowed = origin !== undefined && allowedSet.has(origin);
    if (!isAllowed && mustCarryOrigin.has(`${req.method} ${req.path}`)) throw new AppError('forbidden_origin');
    if (origin !== undefined && !isAllowed && !safeMethods.has(req.method)) throw new AppError('forbidden_origin');
    next();
  };
}
