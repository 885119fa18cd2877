import { rm } from 'node:fs/promises';
import { authModes, ErrorBody, modeTraits, paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataDir, startTestApp, storageSetup } from './support/test-app';
import { createTestKey, keysEnv } from './support/tokens';

describe.each(authModes)(`a restart of the API in %s mode on the ${storageSetup} stores`, (mode) => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps logins, and keeps refusing the ones revoked before it', async () => {
    const dataDir = await createDataDir();
    dirs.push(dataDir);
    const env = { JWT_PRIVATE_KEYS: keysEnv(createTestKey()) };
    const first = await startTestApp(mode, { dataDir, env });
    const kept = await first.newUser('Kept');
    const ended = await first.newUser('Ended');
    const endedMe = ended.client.headersFor('get', paths.me);
    expect((await ended.client.logout()).status).toBe(204);
    const keptMe = kept.client.headersFor('get', paths.me);
    const keptRefresh = kept.client.headersFor('post', paths.refresh);
    await first.close();

    const second = await startTestApp(mode, { dataDir, env, clock: first.clock });
    try {
      const http = supertest(second.app.app);
      const me = await http.get(paths.me).set(keptMe);
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      expect(me.body.user.name).toBe('Kept');
      if (modeTraits[mode].refreshToken) {
        const refresh = await http.post(paths.refresh).set(keptRefresh);
        expect(refresh.status, JSON.stringify(refresh.body)).toBe(200);
      }
      // The credential captured before the logout, replayed after the restart.
      const revoked = await http.get(paths.me).set(endedMe);
      expect(revoked.status).toBe(401);
      expect(ErrorBody.parse(revoked.body).error.code).toBe(modeTraits[mode].refreshToken ? 'token_invalid' : 'unauthenticated');
    } finally {
      await second.close();
    }
  });
});
