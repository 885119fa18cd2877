import { generateKeyPairSync } from 'node:crypto';
import { paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenModes } from '../../support/access-token';
import { encodeKey, keyEncodings } from '../../support/key-encodings';
import { expectOneLogin } from '../../support/one-login';
import { createTestKey, keysEnv } from '../../support/tokens';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup, type ClusterSetup } from '../support/cluster';

// Real API processes on one PostgreSQL and one Redis, each given the same P-256 key in another
// encoding: one key must be one identity to all of them, and a process whose keys are not theirs
// must refuse to start with one line naming the variable.
describe.each(tokenModes)('%s mode: processes given one key in every encoding', (mode) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const processes = new Map<string, ApiProcess>();
  const cleanups: (() => Promise<unknown>)[] = [];
  let setup: ClusterSetup;

  beforeAll(async () => {
    setup = await createClusterSetup();
    cleanups.push(() => setup.cleanup());
    // One after the other: seven processes starting at once on a busy 2-core machine miss the
    // start-up deadline, and each must pass the agreement against those already started anyway.
    for (const encoding of keyEncodings) {
      const api = await startApiProcess({ mode, env: { ...setup.env, JWT_PRIVATE_KEYS: encodeKey(privateKey, encoding) } });
      processes.set(encoding, api);
      cleanups.push(() => api.stop());
    }
  }, 180_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('publish one JWKS', async () => {
    const published = await Promise.all([...processes.values()].map(async (api) => (await supertest(api.url).get(paths.jwks)).body as unknown));
    for (const jwks of published) expect(jwks).toEqual(published[0]);
  });

  it.each(keyEncodings.map((encoding, i) => [encoding, keyEncodings[(i + 1) % keyEncodings.length]!]))(
    'a login through the process given %s is one login to the process given %s',
    async (from, to) => {
      await expectOneLogin(mode, processes.get(from)!.url, processes.get(to)!.url);
    },
  );

  it('refuses to start a process whose key is another, with one line naming JWT_PRIVATE_KEYS', async () => {
    const refused = startApiProcess({ mode, env: { ...setup.env, JWT_PRIVATE_KEYS: keysEnv(createTestKey()) } });
    await expect(refused).rejects.toThrow(/exited \(1\)[\s\S]*\nauthbench: JWT_PRIVATE_KEYS: shares no key with the API processes already on these stores[^\n]*$/);
  });
});
