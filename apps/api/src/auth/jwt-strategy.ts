import { cookieNames, paths, type SessionInfo } from '@authbench/contract';
import { parse as parseCookies } from 'cookie';
import express, { type Request, type Response } from 'express';
import { AppError } from '../http/app-error';
import { createAccessTokens } from './access-tokens';
import type { AuthDeps, AuthStrategy } from './strategy';
import { hashToken, randomToken } from './tokens';

const bearer = /^Bearer +([^\s]+) *$/i;

/** Bearer JWTs: short-lived ES256 access tokens, and a rotating refresh token in an HttpOnly cookie. */
export function createJwtStrategy({ config, secrets, storage, now }: AuthDeps): AuthStrategy {
  const tokens = createAccessTokens({
    keys: secrets.signingKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
    now,
  });
  const refreshCookieName = cookieNames(config.cookieSecure).refresh;
  const refreshCookie = {
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite === 'none' ? 'none' : 'strict',
    path: '/api/auth',
  } as const;
  const cookieEndpoints = new Set<string>([paths.refresh, paths.logout]);

  const readRefreshToken = (req: Request): string | undefined => {
    const header = req.headers.cookie;
    return header ? parseCookies(header)[refreshCookieName] || undefined : undefined;
  };
  const setRefreshToken = (res: Response, token: string, expiresAt: number) =>
    res.cookie(refreshCookieName, token, { ...refreshCookie, maxAge: Math.max(0, expiresAt - now()) });
  const clearRefreshToken = (res: Response) => res.clearCookie(refreshCookieName, refreshCookie);

  const readBearer = (req: Request): string | undefined => {
    const header = req.headers.authorization;
    if (!header || !/^bearer\b/i.test(header)) return undefined;
    const match = bearer.exec(header);
    if (!match?.[1]) throw new AppError('token_invalid');
    return match[1];
  };

  /**
   * Ends families in the database and refuses their access tokens. `known` families (named by
   * the caller's own credential) go on the revocation list even if already revoked: a retry of a
   * logout that failed halfway must still finish the job.
   */
  const revokeFamilies = async (userId: string, familyIds?: string[], { known = false } = {}) => {
    const revoked = await storage.refreshTokens.revoke({ userId, ...(familyIds && { familyIds }), now: new Date(now()) });
    const listed = known && familyIds ? [...new Set([...familyIds, ...revoked])] : revoked;
    await storage.revocations.revoke(listed, now() + config.accessTokenTtlSeconds * 1000);
    return revoked;
  };

  const refreshExpiry = (absoluteExpiresAt: Date) =>
    Math.min(now() + config.refreshTokenTtlSeconds * 1000, absoluteExpiresAt.getTime());

  const routes = express.Router();
  routes.get(paths.jwks, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks());
  });
  routes.post(paths.refresh, async (req, res) => {
    const presented = readRefreshToken(req);
    if (!presented) throw new AppError('unauthenticated');
    const next = randomToken();
    const result = await storage.refreshTokens.rotate({
      tokenHash: hashToken(presented),
      nextHash: hashToken(next),
      nextExpiresAt: (family) => new Date(refreshExpiry(family.absoluteExpiresAt)),
      now: new Date(now()),
    });
    if (result.kind !== 'rotated') {
      // A spent token presented again means two holders: whoever it is, the family dies.
      if (result.kind === 'reused') {
        req.log.warn({ familyId: result.familyId, userId: result.userId }, 'refresh token reused: family revoked');
        await revokeFamilies(result.userId, [result.familyId], { known: true });
      }
      clearRefreshToken(res);
      throw new AppError('token_invalid');
    }
    setRefreshToken(res, next, result.family.expiresAt.getTime());
    res.json(tokens.issue(result.family.userId, result.family.id));
  });

  return {
    mode: 'jwt',
    beforeRoutes: [],
    mustCarryOrigin: (req) => req.method === 'POST' && cookieEndpoints.has(req.path),
    routes,
    publicConfig: {
      authMode: 'jwt',
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      cookies: [
        {
          name: refreshCookieName,
          purpose: 'the rotating refresh token',
          httpOnly: true,
          secure: refreshCookie.secure,
          sameSite: refreshCookie.sameSite,
          path: refreshCookie.path,
          maxAgeSeconds: config.refreshTokenTtlSeconds,
        },
      ],
    },

    async authenticate(req) {
      const token = readBearer(req);
      if (!token) throw new AppError('unauthenticated');
      const claims = tokens.verify(token);
      if (config.jwtRevocationCheck && (await storage.revocations.isRevoked(claims.sid))) {
        throw new AppError('token_invalid');
      }
      return { userId: claims.sub, sessionId: claims.sid };
    },

    async signIn(req, res, user) {
      const familyId = randomToken().slice(0, 22);
      const refreshToken = randomToken();
      const absoluteExpiresAt = new Date(now() + config.refreshFamilyLifetimeSeconds * 1000);
      const tokenExpiresAt = refreshExpiry(absoluteExpiresAt);
      await storage.refreshTokens.createFamily({
        familyId,
        userId: user.id,
        userAgent: req.get('user-agent') ?? null,
        tokenHash: hashToken(refreshToken),
        tokenExpiresAt: new Date(tokenExpiresAt),
        absoluteExpiresAt,
        now: new Date(now()),
      });
      setRefreshToken(res, refreshToken, tokenExpiresAt);
      return { user, ...tokens.issue(user.id, familyId) };
    },

    async signOut(req, res) {
      const presented = readRefreshToken(req);
      let target = presented ? await storage.refreshTokens.familyOfToken(hashToken(presented)) : undefined;
      if (!target) {
        try {
          const token = readBearer(req);
          // An expired but genuine token still names the family to end.
          const claims = token ? tokens.verify(token, { ignoreExpiration: true }) : undefined;
          target = claims && { familyId: claims.sid, userId: claims.sub };
        } catch {
          target = undefined; // a forged token names nothing; logout still succeeds
        }
      }
      if (target) await revokeFamilies(target.userId, [target.familyId], { known: true });
      clearRefreshToken(res);
    },

    async listSessions(_req, auth) {
      const families = await storage.refreshTokens.listActive(auth.userId, new Date(now()));
      return families.map(
        (family): SessionInfo => ({
          id: family.id,
          createdAt: family.createdAt.toISOString(),
          lastSeenAt: family.lastSeenAt.toISOString(),
          expiresAt: family.expiresAt.toISOString(),
          userAgent: family.userAgent,
          current: family.id === auth.sessionId,
        }),
      );
    },

    async revokeSessions(_req, res, auth, ids) {
      const revoked = await revokeFamilies(auth.userId, ids);
      if (revoked.includes(auth.sessionId)) clearRefreshToken(res);
      return revoked.length;
    },
  };
}
