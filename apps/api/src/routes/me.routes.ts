import { endpoints } from '@authbench/contract';
import type { Response } from 'express';
import { AppError } from '../errors';
import type { EndpointHandlers } from '../http/endpoint-router';
import { parse } from '../http/parse';
import { authOf } from './require-auth';
import type { Storage } from '../storage/storage';
import { toUser, type VersionedUser } from '../storage/user-store';

/** The caller, and how they are logged in (never the credential itself). */
const answer = (res: Response, found: VersionedUser | undefined) => {
  if (!found) throw new AppError('unauthenticated');
  const { user } = found;
  const { sessionId, claims } = authOf(res);
  res.json({ user: toUser(user), login: { sessionId, ...(claims && { claims }) } });
};

export function meHandlers(storage: Storage): EndpointHandlers {
  return {
    async me(_req, res) {
      answer(res, await storage.users.findById(authOf(res).userId));
    },

    async updateMe(req, res) {
      const { name } = parse(endpoints.updateMe.request, req.body);
      answer(res, await storage.users.updateName(authOf(res).userId, name));
    },
  };
}
