import { paths, UpdateMeRequest } from '@authbench/contract';
import express from 'express';
import type { AuthStrategy } from '../auth/strategy';
import { AppError } from '../http/app-error';
import { parse } from '../http/parse';
import { authOf, requireAuth } from '../http/require-auth';
import type { Storage } from '../storage/storage';
import { toUser } from '../storage/user-store';

export function meRoutes(auth: AuthStrategy, storage: Storage) {
  const router = express.Router();
  const authenticated = requireAuth(auth);

  router.get(paths.me, authenticated, async (_req, res) => {
    const user = await storage.users.findById(authOf(res).userId);
    if (!user) throw new AppError('unauthenticated');
    res.json({ user: toUser(user) });
  });

  router.patch(paths.me, authenticated, async (req, res) => {
    const { name } = parse(UpdateMeRequest, req.body);
    const user = await storage.users.updateName(authOf(res).userId, name);
    if (!user) throw new AppError('unauthenticated');
    res.json({ user: toUser(user) });
  });

  return router;
}
