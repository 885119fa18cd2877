import { ErrorBody, paths } from '@authbench/contract';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../src/errors';
import type { Storage } from '../src/storage/storage';
import { accessTokenCarrier, tokenModes } from './support/access-token';
import { useTestApp } from './support/test-app';

/** Stores whose next revocation write, in the revocation list or in the database, fails as a dead store would. */
function faulty(storage: Storage) {
  const faults = { list: 0, database: 0 };
  const failing = <A extends unknown[], T>(kind: keyof typeof faults, work: (...args: A) => Promise<T>) =>
    (...args: A): Promise<T> => {
      if (faults[kind] > 0) {
        faults[kind] -= 1;
        return Promise.reject(new StoreUnavailableError(kind));
      }
      return work(...args);
    };
  const wrapped: Storage = {
    ...storage,
    revocations: { ...storage.revocations, revoke: failing('list', (ids, until) => storage.revocations.revoke(ids, until)) },
    refreshTokens: { ...storage.refreshTokens, revoke: failing('database', (input) => storage.refreshTokens.revoke(input)) },
  };
  return { wrapped, faults };
}

describe.each(tokenModes)('revocation that fails halfway, in %s mode', (mode) => {
  let faults: { list: number; database: number } = { list: 0, database: 0 };
  const t = useTestApp(mode, {
    wrapStorage: (storage) => {
      const made = faulty(storage);
      faults = made.faults;
      return made.wrapped;
    },
  });
  const carrier = accessTokenCarrier[mode];

  it.each([
    ['the revocation list', 'list'],
    ['the database', 'database'],
  ] as const)('answers 503 when %s fails during log-out-everywhere, and the retry refuses every device’s token', async (_label, kind) => {
    const user = await t.newUser();
    const phone = t.client();
    await phone.login({ email: user.email, password: user.password });
    const phoneToken = carrier.of(phone)!;
    faults[kind] = 1;
    const failed = await user.client.post(paths.logoutAll);
    expect(failed.status).toBe(503);
    expect(ErrorBody.parse(failed.body).error.code).toBe('service_unavailable');
    expect((await user.client.post(paths.logoutAll)).status).toBe(204);
    const replay = await carrier.present(supertest(t.app.app).get(paths.me), phoneToken);
    expect(replay.status).toBe(401);
    expect(ErrorBody.parse(replay.body).error.code).toBe('token_invalid');
    expect(ErrorBody.parse((await phone.refresh()).body).error.code).toBe('token_invalid');
  });

  it('refuses a device’s token once a retried revoke-by-id succeeds', async () => {
    const user = await t.newUser();
    const phone = t.client();
    await phone.login({ email: user.email, password: user.password });
    const phoneToken = carrier.of(phone)!;
    const { sessions } = (await user.client.get(paths.sessions)).body as { sessions: { id: string; current: boolean }[] };
    const phoneSession = sessions.find((s) => !s.current)!;
    faults.database = 1;
    expect((await user.client.delete(paths.session(phoneSession.id))).status).toBe(503);
    expect((await user.client.delete(paths.session(phoneSession.id))).status).toBe(204);
    expect((await carrier.present(supertest(t.app.app).get(paths.me), phoneToken)).status).toBe(401);
    expect((await user.client.me()).status).toBe(200);
  });
});
