import { endpoints } from '@authbench/contract';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { AuthStrategy } from '../auth/strategy';
import type { Config } from '../config';
import { AppError } from '../errors';
import type { EndpointHandlers } from '../http/endpoint-router';
import { loginLimiter } from '../http/login-limiter';
import { parse } from '../http/parse';
import { limitRegistrations } from '../http/register-limiter';
import { authOf } from './require-auth';
import type { Storage } from '../storage/storage';
import { toUser } from '../storage/user-store';

/** Registering, logging in and out, and the user's sessions: the same in every mode. */
export function authHandlers(auth: AuthStrategy, storage: Storage, config: Config, now: () => number): EndpointHandlers {
  return {
    async register(req, res) {
      const { email, password, name } = parse(endpoints.register.request, req.body);
      await limitRegistrations(req, config, storage.rateLimits);
      const passwordHash = await hashPassword(password);
      const user = await storage.users.create({ email, name, passwordHash, now: new Date(now()) });
      res.status(201).json(await auth.signIn(req, res, toUser(user)));
    },

    login: loginLimiter(config, storage.rateLimits, async (req, res) => {
      const { email, password } = parse(endpoints.login.request, req.body);
      const user = await storage.users.findByEmail(email);
      if (!(await verifyPassword(user?.passwordHash, password)) || !user) throw new AppError('invalid_credentials');
      res.json(await auth.signIn(req, res, toUser(user)));
    }),

    async logout(req, res) {
      await auth.signOut(req, res);
      res.status(204).end();
    },

    async logoutAll(req, res) {
      await auth.revokeSessions(req, res, authOf(res));
      res.status(204).end();
    },

    async sessions(req, res) {
      res.json({ sessions: await auth.listSessions(req, authOf(res)) });
    },

    async revokeSession(req, res) {
      const { id } = parse(endpoints.revokeSession.params, req.params);
      if ((await auth.revokeSessions(req, res, authOf(res), [id])) === 0) throw new AppError('not_found', 'No such session of yours.');
      res.status(204).end();
    },
  };
}
