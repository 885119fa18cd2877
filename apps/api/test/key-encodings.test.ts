import { generateKeyPairSync } from 'node:crypto';
import { paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app';
import { tokenModes } from './support/access-token';
import { encodeKey, keyEncodings } from './support/key-encodings';
import { expectOneLogin } from './support/one-login';
import { useTestApp } from './support/test-app';

// One P-256 key, written in every encoding JWT_PRIVATE_KEYS accepts, one app per encoding on the
// same stores (as processes behind one load balancer would be): one key must be one identity.
describe.each(tokenModes)('%s mode: one signing key in every encoding', (mode) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const [first, ...others] = keyEncodings;
  const t = useTestApp(mode, { env: { JWT_PRIVATE_KEYS: encodeKey(privateKey, first!) } });
  const apps = new Map<string, App>();
  beforeAll(async () => {
    apps.set(first!, t.app);
    for (const encoding of others) {
      // Started on the first app's stores: the start-up agreement runs against its record.
      const config = { ...t.config, jwtPrivateKeys: encodeKey(privateKey, encoding) };
      apps.set(encoding, await createApp(config, { storage: t.app.storage, logger: t.app.logger, now: t.clock.now }));
    }
  });
  afterAll(async () => {
    for (const encoding of others) await apps.get(encoding)?.close();
  });

  it('publishes one JWKS, one kid, whatever the encoding', async () => {
    const published = await Promise.all(keyEncodings.map(async (encoding) => (await supertest(apps.get(encoding)!.app).get(paths.jwks)).body as unknown));
    for (const jwks of published) expect(jwks).toEqual(published[0]);
  });

  // Each encoding's app accepts the logins of the next one's, around the ring: every encoding both
  // issues and accepts.
  it.each(keyEncodings.map((encoding, i) => [encoding, keyEncodings[(i + 1) % keyEncodings.length]!]))(
    'a login through the app given %s is one login to the app given %s',
    async (from, to) => {
      await expectOneLogin(mode, apps.get(from)!.app, apps.get(to)!.app);
    },
  );
});
