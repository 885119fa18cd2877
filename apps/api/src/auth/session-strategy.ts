import { cookieNames, csrfHeader, paths, type SessionInfo } from '@authbench/contract';
import express, { type Request, type RequestHandler } from 'express';
import session from 'express-session';
import { AppError } from '../http/app-error';
import { expiryOf, publicSessionId } from '../storage/session-store';
import type { AuthDeps, AuthStrategy } from './strategy';
import { randomToken, safeEqual } from './tokens';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const promisify = (run: (done: (err?: Error) => void) => void) =>
  new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

/** Cookie sessions: `sid` names a server-side session; unsafe requests prove intent with a CSRF token. */
export function createSessionStrategy({ config, secrets, storage, now }: AuthDeps): AuthStrategy {
  const cookieName = cookieNames(config.cookieSecure).session;
  const cookie = { httpOnly: true, sameSite: config.cookieSameSite, secure: config.cookieSecure, path: '/' } as const;

  const loadSession = session({
    name: cookieName,
    secret: secrets.sessionSecrets,
    store: storage.sessions,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    genid: randomToken,
    // The store enforces the idle and absolute timeouts; the cookie need only outlive them.
    cookie: { ...cookie, maxAge: config.sessionAbsoluteSeconds * 1000 },
  });

  const checkCsrf: RequestHandler = (req, _res, next) => {
    if (safeMethods.has(req.method)) return next();
    const sent = req.get(csrfHeader);
    const expected = req.session.csrfToken;
    if (!sent || !expected || !safeEqual(sent, expected)) throw new AppError('csrf_failed');
    next();
  };

  const endSession = async (req: Request) => {
    await promisify((done) => req.session.destroy(done));
  };

  const routes = express.Router();
  routes.get(paths.csrf, (req, res) => {
    req.session.csrfToken ??= randomToken();
    res.json({ csrfToken: req.session.csrfToken });
  });

  return {
    mode: 'session',
    beforeRoutes: [loadSession, checkCsrf],
    mustCarryOrigin: () => false,
    routes,
    publicConfig: {
      authMode: 'session',
      cookies: [
        {
          name: cookieName,
          purpose: 'names the server-side session',
          httpOnly: true,
          secure: cookie.secure,
          sameSite: cookie.sameSite,
          path: cookie.path,
          maxAgeSeconds: config.sessionAbsoluteSeconds,
        },
      ],
    },

    authenticate(req) {
      const userId = req.session.userId;
      if (!userId) return Promise.reject(new AppError('unauthenticated'));
      return Promise.resolve({ userId, sessionId: publicSessionId(req.sessionID) });
    },

    async signIn(req, _res, user) {
      // A new id at login: a session id planted before login is worth nothing after it.
      await promisify((done) => req.session.regenerate(done));
      const at = now();
      Object.assign(req.session, {
        userId: user.id,
        createdAt: at,
        lastSeenAt: at,
        absoluteExpiresAt: at + config.sessionAbsoluteSeconds * 1000,
        userAgent: req.get('user-agent') ?? null,
        csrfToken: randomToken(),
      });
      await promisify((done) => req.session.save(done));
      return { user, csrfToken: req.session.csrfToken! };
    },

    async signOut(req, res) {
      await endSession(req);
      res.clearCookie(cookieName, cookie);
    },

    async listSessions(req, auth) {
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
        res.clearCookie(cookieName, cookie);
      }
      return ended;
    },
  };
}
