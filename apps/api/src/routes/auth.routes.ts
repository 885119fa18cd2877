import { LoginRequest, paths, RegisterRequest } from '@authbench/contract';
import express from 'express';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { AuthStrategy } from '../auth/strategy';
import type { Config } from '../config';
import { AppError } from '../http/app-error';
import { loginLimiter } from '../http/login-limiter';
import { parse } from '../http/parse';
import { authOf, requireAuth } from '../http/require-auth';
import type { Storage } from '../storage/storage';
import { toUser } from '../storage/user-store';

export function authRoutes(auth: AuthStrategy, storage: Storage, config: Config, now: () => number) {
  const router = express.Router();
  const authenticated = requireAuth(auth);

  router.post(paths.register, async (req, res) => {
    const { email, password, name } = parse(RegisterRequest, req.body);
    const passwordHash = await hashPassword(password);
    const user = await storage.users.create({ email, name, passwordHash, now: new Date(now()) });
    res.status(201).json(await auth.signIn(req, res, toUser(user)));
  });

  router.post(paths.login, loginLimiter(config, storage.createRateLimitStore('login')), async (req, res) => {
    const { email, password } = parse(LoginRequest, req.body);
    const user = await storage.users.findByEmail(email);
    if (!(await verifyPassword(user?.passwordHash, password)) || !user) throw new AppError('invalid_credentials');
    res.json(await auth.signIn(req, res, toUser(user)));
  });

  router.post(paths.logout, async (req, res) => {
    await auth.signOut(req, res);
    res.status(204).end();
  });

  router.post(paths.logoutAll, authenticated, async (req, res) => {
    await auth.revokeSessions(req, res, authOf(res));
    res.status(204).end();
  });

  router.get(paths.sessions, authenticated, async (req, res) => {
    res.json({ sessions: await auth.listSessions(req, authOf(res)) });
  });

  router.delete(`${paths.sessions}/:id`, authenticated, async (req, res) => {
    const id = String(req.params.id);
    if (!id || (await auth.revokeSessions(req, res, authOf(res), [id])) === 0) throw new AppError('not_found', 'No such session of yours.');
    res.status(204).end();
  });

  return router;
}
