import { authModes, ErrorBody, MeResponse, modeTraits, paths, SessionsResponse, type ErrorCode } from '@authbench/contract';
import supertest, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../support/test-app';
import { createClient } from '../../support/test-client';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup, type ClusterSetup } from '../support/cluster';
import { startHttpSwitch, type HttpSwitch } from '../support/http-switch';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

describe.each(authModes)('two API processes in %s mode on one PostgreSQL and one Redis', (mode) => {
  let setup: ClusterSetup;
  let a: ApiProcess;
  let b: ApiProcess;
  let lb: HttpSwitch;
  // A revoked login whose client still presents its credential, and one whose cookies the API cleared.
  const refused = modeTraits[mode].refreshToken ? 'token_invalid' : 'unauthenticated';
  const cleared = modeTraits[mode].tokenInScript ? 'token_invalid' : 'unauthenticated';
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    setup = await createClusterSetup();
    cleanups.push(() => setup.cleanup());
    // Started together: both migrate the same new namespace at once.
    const started = await Promise.allSettled([startApiProcess({ mode, env: setup.env }), startApiProcess({ mode, env: setup.env })]);
    for (const result of started) if (result.status === 'fulfilled') cleanups.push(() => result.value.stop());
    [a, b] = started.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [ApiProcess, ApiProcess];
    lb = await startHttpSwitch(a.port);
    cleanups.push(() => lb.close());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const through = (api: ApiProcess) => lb.use(api.port);
  const newUser = async () => {
    const client = createClient(lb.url, mode);
    const user = { email: uniqueEmail('cluster'), password: 'correct horse battery', name: 'Cluster User' };
    const res = await client.register(user);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { ...user, client };
  };

  it('logs in through one process and goes on through the other', async () => {
    through(a);
    const { client, email } = await newUser();
    through(b);
    const me = await client.me();
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(MeResponse.parse(me.body).user.email).toBe(email);
    expect((await client.patch(paths.me, { name: 'Renamed on B' })).status).toBe(200);
    through(a);
    expect(MeResponse.parse((await client.me()).body).user.name).toBe('Renamed on B');
    const { sessions } = SessionsResponse.parse((await client.get(paths.sessions)).body);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
  });

  it('logs out through one process, and the other refuses the login at once', async () => {
    through(a);
    const { client } = await newUser();
    expect((await client.me()).status).toBe(200);
    const captured = client.headersFor('get', paths.me);
    through(b);
    expect((await client.logout()).status).toBe(204);
    through(a);
    expectError(await client.agent.get(paths.me).set(captured), 401, refused);
  });

  it('sees a profile change and a logout made through the other process at once, its own caches warm', async () => {
    through(a);
    const { client } = await newUser();
    for (let i = 0; i < 3; i++) expect((await client.me()).status).toBe(200); // a remembers the user and the login
    for (let round = 0; round < 5; round++) {
      through(b);
      expect((await client.patch(paths.me, { name: `Renamed ${round}` })).status).toBe(200);
      through(a);
      expect(MeResponse.parse((await client.me()).body).user.name).toBe(`Renamed ${round}`);
    }
    const captured = client.headersFor('get', paths.me);
    through(b);
    expect((await client.logout()).status).toBe(204);
    through(a);
    expectError(await client.agent.get(paths.me).set(captured), 401, refused);
  });

  it('revokes one session through one process, and logs out everywhere through the other', async () => {
    through(a);
    const user = await newUser();
    const laptop = createClient(lb.url, mode);
    const phone = createClient(lb.url, mode);
    expect((await laptop.login(user)).status).toBe(200);
    through(b);
    expect((await phone.login(user)).status).toBe(200);
    const listed = SessionsResponse.parse((await phone.get(paths.sessions)).body).sessions;
    expect(listed).toHaveLength(3);
    const laptopId = SessionsResponse.parse((await laptop.get(paths.sessions)).body).sessions.find((s) => s.current)!.id;
    expect((await phone.delete(paths.session(laptopId))).status).toBe(204);
    through(a);
    expectError(await laptop.me(), 401, refused);
    expect((await user.client.me()).status).toBe(200);
    expect((await user.client.post(paths.logoutAll)).status).toBe(204);
    through(b);
    expectError(await phone.me(), 401, refused);
    expectError(await user.client.me(), 401, cleared);
  });

  it('counts failed logins across both processes', async () => {
    through(a);
    const user = await newUser();
    const client = await createClient(lb.url, mode).ready();
    const max = 5; // LOGIN_MAX_FAILURES's default
    for (let i = 0; i < max; i++) {
      through(i % 2 === 0 ? a : b);
      expectError(await client.post(paths.login, { email: user.email, password: `wrong password ${i}` }), 401, 'invalid_credentials');
    }
    for (const api of [a, b]) {
      through(api);
      const limited = await client.post(paths.login, { email: user.email, password: user.password });
      expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  // Session mode has no refresh tokens: these tests do not apply there, rather than skip.
  if (modeTraits[mode].refreshToken) describe('refresh tokens', () => {
    /** A refresh sent straight to one process, with exactly the headers the client had when `headers` were taken. */
    const refreshWith = (api: ApiProcess, headers: Record<string, string>) => supertest(api.url).post(paths.refresh).set(headers);

    it('revokes the family when a token rotated through one process is replayed through the other', async () => {
      through(a);
      const { client } = await newUser();
      const stolen = client.headersFor('post', paths.refresh);
      const rotated = await client.refresh();
      expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
      expectError(await refreshWith(b, stolen), 401, 'token_invalid');
      // The whole family is dead: the legitimate holder's newer token, and its access token.
      through(a);
      expectError(await client.refresh(), 401, 'token_invalid');
      through(b);
      expectError(await client.me(), 401, cleared);
    });

    it('lets exactly one of concurrent refreshes with one token, sent to both processes, succeed', async () => {
      through(a);
      for (let round = 0; round < 5; round++) {
        const { client } = await newUser();
        // One refresh token, each request with its own proof where the mode asks for one.
        const answers = await Promise.all([a, b, a, b].map((api) => refreshWith(api, client.headersFor('post', paths.refresh))));
        const statuses = answers.map((res) => res.status);
        expect(statuses.filter((s) => s === 200).length, String(statuses)).toBe(1);
        for (const res of answers.filter((r) => r.status !== 200)) expectError(res, 401, 'token_invalid');
      }
    });
  });
});
