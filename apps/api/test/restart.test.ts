import { rm } from 'node:fs/promises';
import { authModes, ErrorBody, paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedOrigin, createDataDir, startTestApp } from './support/test-app';
import { createTestKey, keysEnv } from './support/tokens';

describe.each(authModes)('a restart of the API in %s mode on the embedded store', (mode) => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps logins, and keeps refusing the ones revoked before it', async () => {
    const dataDir = await createDataDir();
    dirs.push(dataDir);
    const env = { JWT_PRIVATE_KEYS: keysEnv(createTestKey('restart')) };
    const first = await startTestApp(mode, { dataDir, env });
    const kept = await first.newUser('Kept');
    const ended = await first.newUser('Ended');
    const endedToken = ended.client.state.accessToken;
    expect((await ended.client.logout()).status).toBe(204);
    const keptCookies = kept.client.cookieHeader(mode === 'session' ? paths.me : paths.refresh);
    const keptState = { ...kept.client.state };
    await first.close();

    const second = await startTestApp(mode, { dataDir, env, clock: first.clock });
    try {
      const http = supertest(second.app.app);
      if (mode === 'session') {
        const me = await http.get(paths.me).set('Cookie', keptCookies);
        expect(me.status, JSON.stringify(me.body)).toBe(200);
        expect(me.body.user.name).toBe('Kept');
      } else {
        const me = await http.get(paths.me).set('Authorization', `Bearer ${keptState.accessToken}`);
        expect(me.status).toBe(200);
        const refresh = await http.post(paths.refresh).set('Origin', allowedOrigin).set('Cookie', keptCookies);
        expect(refresh.status, JSON.stringify(refresh.body)).toBe(200);
        const revoked = await http.get(paths.me).set('Authorization', `Bearer ${endedToken}`);
        expect(revoked.status).toBe(401);
        expect(ErrorBody.parse(revoked.body).error.code).toBe('token_invalid');
      }
    } finally {
      await second.close();
    }
  });
});
