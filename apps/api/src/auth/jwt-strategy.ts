import type { Request } from 'express';
import { AppError } from '../errors';
import type { AuthDeps, AuthStrategy } from './strategy';
import { createTokenStrategy, type TokenTransfer } from './token-strategy';

const bearer = /^Bearer +([^\s]+) *$/i;

/** A Bearer header, or none; a header that says Bearer but holds no single token is a forgery. */
export function readBearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header || !/^bearer\b/i.test(header)) return undefined;
  const match = bearer.exec(header);
  if (!match?.[1]) throw new AppError('token_invalid');
  return match[1];
}

/** The access token travels in the body and the Authorization header: script holds it in memory. */
const bearerTransfer: TokenTransfer = {
  mode: 'jwt',
  read: readBearer,
  deliverLogin: (_res, { accessToken, tokenType, expiresIn }) => ({ accessToken, tokenType, expiresIn }),
  deliverRefresh: (_res, { accessToken, tokenType, expiresIn }) => ({ accessToken, tokenType, expiresIn }),
  clear: () => undefined,
  beforeRoutes: [],
  handlers: {},
  cookies: [],
};

/** Bearer JWTs: short-lived ES256 access tokens, and a rotating refresh token in an HttpOnly cookie. */
export const createJwtStrategy = (deps: AuthDeps): AuthStrategy => createTokenStrategy(deps, () => bearerTransfer);
