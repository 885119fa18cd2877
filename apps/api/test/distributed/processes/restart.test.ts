import { authModes, loginResponses, MeResponse, modeTraits, paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../support/test-app';
import { createClient, type TestClient } from '../../support/test-client';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup, type ClusterSetup } from '../support/cluster';
import { contractProblem, transportFailure } from '../support/contract-answer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(authModes)('kill -9 of an API process under load in %s mode', (mode) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('loses no login, and answers every request it answers with a well-formed contract response', async () => {
    const setup: ClusterSetup = await createClusterSetup();
    cleanups.push(() => setup.cleanup());
    let api: ApiProcess = await startApiProcess({ mode, env: setup.env });
    cleanups.push(() => api.stop());

    const users: { email: string; password: string; client: TestClient }[] = [];
    for (let i = 0; i < 6; i++) {
      const client = createClient(api.url, mode);
      const user = { email: uniqueEmail('restart'), password: 'correct horse battery', name: `Restart ${i}` };
      expect((await client.register(user)).status).toBe(201);
      users.push({ ...user, client });
    }
    // Each request with the login's credentials as the browser sends them: in jwt-dpop mode with a proof of its own.
    const credentialsOf = (i: number) => users[i % users.length]!.client.headersFor('get', paths.me);

    const seen = { answers: 0, okAfterRestart: 0, transport: new Map<string, number>(), problems: [] as string[] };
    let restarted = false;
    let running = true;
    const record = (problem: string | undefined, ok: boolean) => {
      seen.answers++;
      if (problem) seen.problems.push(problem);
      if (ok && restarted) seen.okAfterRestart++;
    };
    // Connection refused while the process is down is fine; back off a little so as not to spin.
    const failed = async (err: unknown) => {
      const kind = transportFailure(err);
      if (!kind) throw err;
      seen.transport.set(kind, (seen.transport.get(kind) ?? 0) + 1);
      await sleep(20);
    };

    // Bounded load: four readers and one login at a time, each waiting for its answer.
    const reader = async (n: number) => {
      for (let i = n; running; i++) {
        try {
          const res = await fetch(`http://127.0.0.1:${api.port}${paths.me}`, { headers: credentialsOf(i) });
          const answer = { status: res.status, contentType: res.headers.get('content-type') ?? undefined, body: await res.text() };
          record(contractProblem(answer, MeResponse), res.status === 200);
        } catch (err) {
          await failed(err);
        }
        await sleep(5);
      }
    };
    const loginClient = createClient(`http://127.0.0.1:${api.port}`, mode);
    const loginer = async () => {
      while (running) {
        try {
          const res = await loginClient.login({ email: users[0]!.email, password: users[0]!.password });
          const answer = { status: res.status, contentType: res.headers['content-type'], body: res.text };
          record(contractProblem(answer, loginResponses[mode]), res.status === 200);
          // A login whose answer was lost leaves this client with a spent CSRF token.
          if (res.status === 403) loginClient.state.csrfToken = undefined;
        } catch (err) {
          loginClient.state.csrfToken = undefined;
          await failed(err);
        }
        await sleep(20);
      }
    };
    const load = Promise.all([reader(0), reader(1), reader(2), reader(3), loginer()]);

    // Under load for a while (in answers, not milliseconds: a busy machine is slower), then killed.
    const until = async (done: () => boolean) => {
      for (const start = Date.now(); !done() && Date.now() - start < 15_000; ) await sleep(20);
    };
    await until(() => seen.answers >= 40);
    api.signal('SIGKILL');
    expect(await api.exited).toBe('SIGKILL');
    api = await startApiProcess({ mode, env: setup.env, port: api.port });
    restarted = true;
    await until(() => seen.okAfterRestart >= 40);
    running = false;
    await load;

    expect(seen.problems).toEqual([]);
    expect(seen.okAfterRestart).toBeGreaterThanOrEqual(40);
    // Every login made before the kill still works, by the same credentials.
    const http = supertest(api.url);
    for (const [i, { client }] of users.entries()) {
      const me = await http.get(paths.me).set(credentialsOf(i));
      expect(me.status, JSON.stringify(me.body)).toBe(200);
      if (modeTraits[mode].refreshToken) {
        const refresh = await http.post(paths.refresh).set(client.headersFor('post', paths.refresh));
        expect(refresh.status, JSON.stringify(refresh.body)).toBe(200);
      }
    }
    console.log(
      `[restart ${mode}] ${seen.answers} answers (${seen.okAfterRestart} successes after the restart), transport failures: ${JSON.stringify(Object.fromEntries(seen.transport))}`,
    );
  });
});
