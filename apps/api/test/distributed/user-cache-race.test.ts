import { authModes, MeResponse, paths } from '@authbench/contract';
import pg from 'pg';
import { createClient as createRedisClient } from 'redis';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStores } from '../support/namespaces';
import { startTestApp, type TestApp } from '../support/test-app';
import type { TestClient } from '../support/test-client';
import { startTcpProxy, type TcpProxy } from './support/own-stores';

// Two apps on one PostgreSQL and one Redis (two processes behind a load balancer), one of them
// talking to PostgreSQL through a proxy that can hold the database's replies: a write is then
// done in the database while its writer has not yet heard, so its cache update arrives after a
// later write's, deterministically. Whatever reaches Redis last, the last database write must
// be what every process serves.
describe.each(authModes)('%s mode: the user cache keeps the last database write', (mode) => {
  let b: TestApp;
  let a: TestApp;
  let proxy: TcpProxy;
  let db: pg.Client;
  let redis: ReturnType<typeof createRedisClient>;

  beforeAll(async () => {
    const stores = sharedStores();
    b = await startTestApp(mode);
    const { hostname, port } = new URL(stores.databaseUrl);
    proxy = await startTcpProxy({ host: hostname, port: Number(port || 5432) });
    a = await startTestApp(mode, { namespace: b.namespace!, env: { DATABASE_URL: proxy.url(stores.databaseUrl) } });
    db = new pg.Client({ connectionString: stores.databaseUrl, options: `-c search_path=${b.namespace}` });
    await db.connect();
    redis = createRedisClient({ url: stores.redisUrl });
    await redis.connect();
  });
  afterAll(async () => {
    proxy.releaseReplies();
    await a.close();
    await b.close();
    await proxy.destroy();
    await db.end();
    await redis.close();
  });

  const on = (app: TestApp, client: TestClient) => ({
    me: () => supertest(app.app.app).get(paths.me).set(client.headersFor('get', paths.me)),
    rename: (name: string) => supertest(app.app.app).patch(paths.me).set(client.headersFor('patch', paths.me)).send({ name }),
  });
  const nameInDatabase = async (id: string) => (await db.query<{ name: string }>('select name from users where id = $1', [id])).rows[0]?.name;
  /** Every value Redis holds under the namespace, as text. */
  const redisValues = async () => {
    const values: string[] = [];
    for await (const keys of redis.scanIterator({ MATCH: `${b.namespace}:*`, COUNT: 1000 })) {
      for (const key of keys) if ((await redis.type(key)) === 'string') values.push((await redis.get(key)) ?? '');
    }
    return values;
  };
  const waitFor = async (what: string, done: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  /** Both apps answer `name`, as the database does, and no cached value in Redis names the older one. */
  const expectEverywhere = async (id: string, client: TestClient, name: string, older: string) => {
    expect(await nameInDatabase(id)).toBe(name);
    expect((await redisValues()).filter((value) => value.includes(older))).toEqual([]);
    for (const app of [a, b]) expect(MeResponse.parse((await on(app, client).me()).body).user.name, `through ${app === a ? 'a' : 'b'}`).toBe(name);
  };

  it('a write whose cache update arrives after a later write’s does not put its older user back', async () => {
    const { client } = await b.newUser();
    const id = MeResponse.parse((await on(b, client).me()).body).user.id;
    for (const app of [a, b]) expect((await on(app, client).me()).status).toBe(200); // both remember the user
    const [older, newer] = [`Older ${id.slice(0, 8)}`, `Newer ${id.slice(0, 8)}`];

    proxy.holdReplies();
    const slowDone = on(a, client).rename(older).then((res) => res); // then() sends it
    await waitFor('a’s rename reaching the database', async () => (await nameInDatabase(id)) === older);
    const fast = await on(b, client).rename(newer);
    expect(fast.status, JSON.stringify(fast.body)).toBe(200);
    proxy.releaseReplies();
    const late = await slowDone;
    expect(late.status, JSON.stringify(late.body)).toBe(200);

    await expectEverywhere(id, client, newer, older);
  });

  it('a read whose fill arrives after a later write does not put the older user back', async () => {
    const { client } = await b.newUser();
    const id = MeResponse.parse((await on(b, client).me()).body).user.id;
    const [older, newer] = [`Before ${id.slice(0, 8)}`, `After ${id.slice(0, 8)}`];
    expect((await on(b, client).rename(older)).status).toBe(200);
    // As if the entry had expired: a's next read goes to the database.
    for (const key of await redis.keys(`${b.namespace}:*${id}*`)) if ((await redis.type(key)) === 'string') await redis.del(key);

    proxy.holdReplies();
    const before = proxy.sentBytes();
    const slowDone = on(a, client).me().then((res) => res);
    // Once the read has gone to the database (and a moment for it to run), a write is later there.
    await waitFor('a’s read reaching the database', () => Promise.resolve(proxy.sentBytes() > before));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = await on(b, client).rename(newer);
    expect(fast.status, JSON.stringify(fast.body)).toBe(200);
    proxy.releaseReplies();
    expect((await slowDone).status).toBe(200);

    await expectEverywhere(id, client, newer, older);
  });
});
