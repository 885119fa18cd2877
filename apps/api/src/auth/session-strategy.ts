import { csrfHeader, type SessionInfo } from '@authbench/contract';
import type { Request } from 'express';
import session from 'express-session';
import type { Config } from '../config';
import { AppError } from '../errors';
import { credentialCookie } from '../http/cookies';
import { expiryOf, publicSessionId } from '../storage/session-store';
import { createCsrfProtection } from './csrf';
import { deriveKeys } from './derive-keys';
import type { AuthDeps, AuthStrategy } from './strategy';
import { randomToken } from './tokens';

const promisify = (run: (done: (err?: Error) => void) => void) =>
  new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

// A user-agent header can be any length up to the server's header limit: keep what identifies it.
export const maxStoredUserAgent = 512;
export const userAgentOf = (req: Request) => req.get('user-agent')?.slice(0, maxStoredUserAgent) ?? null;

/** The `sid` cookie. */
const sessionCookie = (config: Config) =>
  credentialCookie(config, {
    name: config.cookieNames.session,
    purpose: 'names the server-side session',
    path: '/',
    maxAgeSeconds: config.sessionAbsoluteSeconds,
  });

/** express-session's options in session mode (the benchmark prices the library with these exact ones). */
export function sessionOptions(config: Config, sessionSecrets: string[], store: session.Store): session.SessionOptions {
  const cookie = sessionCookie(config);
  return {
    name: cookie.name,
    secret: sessionSecrets,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    genid: randomToken,
    // The store enforces the idle and absolute timeouts; the cookie need only outlive them.
    cookie: { ...cookie.options, maxAge: config.sessionAbsoluteSeconds * 1000 },
  };
}

/** Cookie sessions: `sid` names a server-side session; unsafe requests prove intent with a CSRF token. */
export function createSessionStrategy({ config, secrets, storage, now }: AuthDeps): AuthStrategy {
  const cookie = sessionCookie(config);
  const loadSession = session(sessionOptions(config, secrets.sessionSecrets, storage.sessions));

  const csrf = createCsrfProtection({
    keys: deriveKeys('csrf', secrets.sessionSecrets),
    config,
    loginOf: (req) => (req.session.userId ? req.sessionID : undefined),
  });

  const endSession = async (req: Request) => {
    await promisify((done) => req.session.destroy(done));
  };

  return {
    mode: 'session',
    everyResponse: [],
    corsHeaders: { allowed: [], exposed: [] },
    beforeRoutes: [loadSession, csrf.check],
    handlers: { csrf: csrf.issue },
    publicConfig: {
      authMode: 'session',
      sessionIdleSeconds: config.sessionIdleSeconds,
      sessionAbsoluteSeconds: config.sessionAbsoluteSeconds,
      csrfHeader,
      cookies: [cookie.info, csrf.cookieInfo],
    },

    authenticate(req) {
      const userId = req.session.userId;
      if (!userId) return Promise.reject(new AppError('unauthenticated'));
      return Promise.resolve({ userId, sessionId: publicSessionId(req.sessionID) });
    },

    async signIn(req, res, user) {
      // A new id at login: a session id planted before login is worth nothing after it.
      await promisify((done) => req.session.regenerate(done));
      const at = now();
      Object.assign(req.session, {
        userId: user.id,
        createdAt: at,
        lastSeenAt: at,
        absoluteExpiresAt: at + config.sessionAbsoluteSeconds * 1000,
        userAgent: userAgentOf(req),
      });
      await promisify((done) => req.session.save(done));
      await storage.sessions.limitPerUser(user.id);
      csrf.clearAnonymous(res);
      return { user, csrfToken: csrf.forLogin(req.sessionID) };
    },

    async signOut(req, res) {
      await endSession(req);
      cookie.clear(res);
    },

    async listSessions(_req, auth) {
      const stored = await storage.sessions.listByUser(auth.userId);
      return stored
        .map(({ publicId, data }): SessionInfo => {
          const lastSeenAt = publicId === auth.sessionId ? now() : (data.lastSeenAt ?? data.createdAt ?? now());
          return {
            id: publicId,
            createdAt: new Date(data.createdAt ?? lastSeenAt).toISOString(),
            lastSeenAt: new Date(lastSeenAt).toISOString(),
            expiresAt: new Date(expiryOf(data, lastSeenAt, config.sessionIdleSeconds)).toISOString(),
            userAgent: data.userAgent ?? null,
            current: publicId === auth.sessionId,
          };
        })
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    async revokeSessions(req, res, auth, ids) {
      const ended = await storage.sessions.destroyByUser(auth.userId, ids);
      if (!ids || ids.includes(auth.sessionId)) {
        // Tell express-session too, or it would write the session back at the end of the request.
        await endSession(req);
        cookie.clear(res);
      }
      return ended;
    },
  };
}
