import { endpoints, type AuthMode, type ConfigResponse, type CookieInfo, type EndpointName, type LoginResponse, type RefreshResponse, type SessionInfo, type TokenResponse, type User } from '@authbench/contract';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors';
import { credentialCookie } from '../http/cookies';
import { userAgentOf } from './session-strategy';
import { createAccessTokens, type AccessTokens } from './access-tokens';
import type { KeyBinding } from './dpop/key-binding';
import type { AuthDeps, AuthStrategy } from './strategy';
import { hashToken, randomToken } from './tokens';

/** At most this many live logins per user: the oldest end when a new one would exceed it. */
export const maxLoginsPerUser = 100;

/** A login answer without its user: what the transfer adds to it. */
type WithoutUser<T> = T extends unknown ? Omit<T, 'user'> : never;

/** What a freshly issued access token looks like before it travels. */
export interface IssuedToken extends TokenResponse {
  familyId: string;
  /** When the refresh token issued with it expires (ms): cookies carrying it live as long. */
  refreshExpiresAt: number;
}

/**
 * Where the access token travels: the only thing that differs between jwt mode (a Bearer header
 * that script adds) and jwt-cookie mode (an HttpOnly cookie the browser adds, plus CSRF tokens).
 */
export interface TokenTransfer {
  readonly mode: AuthMode;
  /** The access token the request presents, or undefined. Throws token_invalid for a malformed carrier. */
  read(req: Request): string | undefined;
  /** Hands a new login's token to the client: the body of the login answer, without the user. */
  deliverLogin(res: Response, issued: IssuedToken): WithoutUser<LoginResponse>;
  /** Hands a refreshed token to the client: the body of the refresh answer. */
  deliverRefresh(res: Response, issued: IssuedToken): RefreshResponse;
  /** The login ended: forget what the browser holds for it. */
  clear(res: Response): void;
  readonly beforeRoutes: RequestHandler[];
  readonly handlers: Partial<Record<EndpointName, RequestHandler>>;
  readonly cookies: CookieInfo[];
  readonly extraConfig?: Partial<ConfigResponse>;
  /** Sender-constrained tokens (jwt-dpop): the proof that the caller holds the login's key. */
  readonly binding?: KeyBinding;
  /** Request headers its clients send, and response headers they read, beyond the common ones (CORS). */
  readonly corsHeaders?: { allowed: string[]; exposed: string[] };
}

export type TokenTransferFactory = (deps: AuthDeps, tokens: AccessTokens) => TokenTransfer;

/**
 * Short-lived ES256 access tokens and a rotating refresh token in an HttpOnly cookie, in families
 * (one per login) with reuse detection and a revocation list: everything jwt and jwt-cookie
 * modes share. Where the access token travels is the transfer's business.
 */
export function createTokenStrategy(deps: AuthDeps, createTransfer: TokenTransferFactory): AuthStrategy {
  const { config, secrets, storage, now } = deps;
  const tokens = createAccessTokens({
    keys: secrets.signingKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.accessTokenTtlSeconds,
    now,
  });
  const transfer = createTransfer(deps, tokens);
  const accessTtlMs = config.accessTokenTtlSeconds * 1000;
  // Revocation entries outlive the tokens they refuse by this much: API hosts' clocks differ a little.
  const clockMarginMs = 60_000;

  // Strict: only the API's own pages refresh; unless the deployment is cross-site, where only None goes.
  const refreshCookie = credentialCookie(config, {
    name: config.cookieNames.refresh,
    purpose: 'the rotating refresh token',
    path: '/api/auth',
    maxAgeSeconds: config.refreshTokenTtlSeconds,
    sameSite: config.cookieSameSite === 'none' ? 'none' : 'strict',
  });
  const setRefreshToken = (res: Response, token: string, expiresAt: number) => refreshCookie.set(res, token, expiresAt - now());
  const clearCookies = (res: Response) => {
    refreshCookie.clear(res);
    transfer.clear(res);
  };

  /**
   * Ends the user's families (all of them, or those named) and refuses their access tokens.
   * The revocation list is written after the database and covers families revoked a moment ago
   * too, so a retry of a revocation that failed halfway finishes the job instead of finding
   * nothing to do. Returns the families that are now ended (those revoked by an earlier,
   * half-failed attempt included): only the user's own.
   */
  const revokeFamilies = async (userId: string, familyIds?: string[]) => {
    const at = now();
    const scope = { userId, ...(familyIds && { familyIds }) };
    await storage.refreshTokens.revoke({ ...scope, now: new Date(at) });
    const ended = await storage.refreshTokens.revocable({ ...scope, since: new Date(at - accessTtlMs - clockMarginMs) });
    await storage.revocations.revoke(ended, at + accessTtlMs + clockMarginMs);
    return ended;
  };

  const refreshExpiry = (absoluteExpiresAt: Date, at = now()) => Math.min(at + config.refreshTokenTtlSeconds * 1000, absoluteExpiresAt.getTime());

  const refresh: RequestHandler = async (req, res) => {
    const presented = refreshCookie.read(req);
    if (!presented) throw new AppError('unauthenticated');
    // The rotation's own time stamps the new access token: a revocation that follows the
    // rotation then always outlives it.
    const at = now();
    const next = randomToken();
    const result = await storage.refreshTokens.rotate({
      tokenHash: hashToken(presented),
      nextHash: hashToken(next),
      nextExpiresAt: (family) => new Date(refreshExpiry(family.absoluteExpiresAt, at)),
      now: new Date(at),
      mayUse: (jkt) => holdsKey(req, jkt),
    });
    // Whoever lacks a bound family's key spends and ends nothing: not even by a reused token.
    if (result.kind === 'refused') throw wrongKey(endpoints.refresh);
    if (result.kind !== 'rotated') {
      // A spent token presented again means two holders: whoever it is, the family dies.
      if (result.kind === 'reused') {
        req.log.warn({ reqId: req.id, familyId: result.familyId, userId: result.userId }, 'refresh token reused: family revoked');
        await revokeFamilies(result.userId, [result.familyId]);
      }
      clearCookies(res);
      throw new AppError('token_invalid');
    }
    const { family } = result;
    setRefreshToken(res, next, family.expiresAt.getTime());
    const issued = { ...tokens.issue(family.userId, family.id, at, family.jkt), familyId: family.id, refreshExpiresAt: family.expiresAt.getTime() };
    res.json(transfer.deliverRefresh(res, issued));
  };

  /** The family a logout names: by its refresh cookie, else by a genuine access token not long expired. */
  const familyToEnd = async (req: Request) => {
    const presented = refreshCookie.read(req);
    const byCookie = presented ? await storage.refreshTokens.familyOfToken(hashToken(presented)) : undefined;
    if (byCookie) return byCookie;
    try {
      const token = transfer.read(req);
      const claims = token ? tokens.verify(token, { expiredForAtMostMs: accessTtlMs }) : undefined;
      return claims && { familyId: claims.sid, userId: claims.sub, jkt: claims.cnf?.jkt ?? null };
    } catch {
      return undefined; // a forged or long-expired token names nothing; logout still succeeds
    }
  };

  /**
   * Whether the request may use a login bound to `jkt` (null: bound to nothing). A bound login
   * needs a proof by its key, which only a transfer with a binding checks; an unbound one is not
   * the binding's to use (another mode's login, on stores this process shares with it).
   */
  const { binding } = transfer;
  const holdsKey = (req: Request, jkt: string | null) => (binding ? jkt !== null && binding.provenKey(req) === jkt : jkt === null);
  const wrongKey = (endpoint: (typeof endpoints)[EndpointName]) => binding?.wrongKey(endpoint) ?? new AppError('token_invalid');

  return {
    mode: transfer.mode,
    everyResponse: binding ? [binding.everyResponse] : [],
    corsHeaders: transfer.corsHeaders ?? { allowed: [], exposed: [] },
    beforeRoutes: binding ? [binding.checkProofs, ...transfer.beforeRoutes] : transfer.beforeRoutes,
    handlers: { ...transfer.handlers, refresh, jwks: (_req, res) => void res.set('Cache-Control', 'public, max-age=300').json(tokens.jwks()) },
    publicConfig: {
      authMode: transfer.mode,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      revocationCheck: config.jwtRevocationCheck,
      ...transfer.extraConfig,
      cookies: [...transfer.cookies, refreshCookie.info],
    },

    async authenticate(req) {
      const token = transfer.read(req);
      if (!token) throw new AppError('unauthenticated');
      const claims = tokens.verify(token);
      const jkt = claims.cnf?.jkt;
      // A bound token is worth nothing without a proof by its key; an unbound one is not for a binding transfer.
      if (binding && jkt) await binding.proveToken(req, token, jkt);
      else if (binding || jkt) throw new AppError('token_invalid', binding ? 'This access token is not bound to a key.' : 'This access token is bound to a key: present it with DPoP.');
      if (config.jwtRevocationCheck && (await storage.revocations.isRevoked(claims.sid))) {
        throw new AppError('token_invalid');
      }
      return { userId: claims.sub, sessionId: claims.sid, claims };
    },

    async signIn(req, res, user: User) {
      // The binding checked the proof before routing: the new login is bound to its key.
      const jkt = binding?.provenKey(req);
      if (binding && !jkt) throw binding.wrongKey(endpoints.login);
      const at = now();
      const familyId = randomToken().slice(0, 22);
      const refreshToken = randomToken();
      const absoluteExpiresAt = new Date(at + config.refreshFamilyLifetimeSeconds * 1000);
      const tokenExpiresAt = refreshExpiry(absoluteExpiresAt, at);
      await storage.refreshTokens.createFamily({
        familyId,
        userId: user.id,
        userAgent: userAgentOf(req),
        tokenHash: hashToken(refreshToken),
        tokenExpiresAt: new Date(tokenExpiresAt),
        absoluteExpiresAt,
        now: new Date(at),
        jkt,
      });
      const excess = await storage.refreshTokens.beyondNewest(user.id, maxLoginsPerUser, new Date(at));
      if (excess.length > 0) await revokeFamilies(user.id, excess);
      setRefreshToken(res, refreshToken, tokenExpiresAt);
      const issued = { ...tokens.issue(user.id, familyId, at, jkt), familyId, refreshExpiresAt: tokenExpiresAt };
      return { user, ...transfer.deliverLogin(res, issued) };
    },

    async signOut(req, res) {
      const target = await familyToEnd(req);
      if (target && holdsKey(req, target.jkt)) await revokeFamilies(target.userId, [target.familyId]);
      // A bound login ends only by a proof of its key; another mode's login is left to its mode.
      else if (target && binding && target.jkt) throw wrongKey(endpoints.logout);
      clearCookies(res);
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
      if (!ids || ids.includes(auth.sessionId)) clearCookies(res);
      return revoked.length;
    },
  };
}
