import { authModes, ErrorBody, paths } from '@authbench/contract';
import type { Response } from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createHashQueue, defaultHashQueueLimits } from '../src/auth/hash-queue';
import { hashQueue } from '../src/auth/passwords';
import { AppError } from '../src/errors';
import { uniqueEmail, useTestApp } from './support/test-app';

/** A task the test finishes by hand. */
function deferred() {
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { task: () => done, finish, fail };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the hash queue', () => {
  it('leaves a core to the event loop, and runs at least one hash', () => {
    const { concurrency, maxWaiting } = defaultHashQueueLimits();
    expect(concurrency).toBeGreaterThanOrEqual(1);
    expect(maxWaiting).toBeGreaterThanOrEqual(concurrency);
  });

  it('runs at most `concurrency` tasks at once, the others in arrival order', async () => {
    const queue = createHashQueue({ concurrency: 2, maxWaiting: 10 });
    const tasks = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = tasks.map((d, i) =>
      queue.run(() => {
        started.push(i);
        return d.task();
      }),
    );
    await flush();
    expect([started, queue.running, queue.waiting]).toEqual([[0, 1], 2, 3]);
    tasks[1]!.finish();
    await flush();
    expect([started, queue.running, queue.waiting]).toEqual([[0, 1, 2], 2, 2]);
    // A failed task frees its turn too.
    tasks[0]!.fail(new Error('boom'));
    await expect(runs[0]).rejects.toThrow('boom');
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const d of tasks) d.finish();
    await Promise.all(runs.slice(1));
    expect([queue.running, queue.waiting]).toEqual([0, 0]);
  });

  it('refuses a task when the line is full: 503 service_unavailable with Retry-After', async () => {
    const queue = createHashQueue({ concurrency: 1, maxWaiting: 2 });
    const blocker = deferred();
    const admitted = [queue.run(blocker.task), queue.run(() => Promise.resolve()), queue.run(() => Promise.resolve())];
    const refused = await queue.run(() => Promise.resolve()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('service_unavailable');
    expect(Number((refused as AppError).headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    blocker.finish();
    await Promise.all(admitted);
    await expect(queue.run(() => Promise.resolve('again'))).resolves.toBe('again');
  });
});

describe.each(authModes)('password hashing under a flood in %s mode', (mode) => {
  const t = useTestApp(mode);
  const original = defaultHashQueueLimits();
  afterEach(() => {
    hashQueue.configure(original);
  });

  const flood = async (count: number, send: (i: number) => Promise<Response>) => Promise.all(Array.from({ length: count }, (_, i) => send(i)));

  it('answers GET /api/me for a logged-in user while a flood of logins waits for the hasher', async () => {
    const { client: user } = await t.newUser();
    hashQueue.configure({ concurrency: 1, maxWaiting: 100 });
    const clients = await Promise.all(Array.from({ length: 30 }, () => t.client().ready()));
    const logins = flood(30, (i) => clients[i]!.post(paths.login, { email: uniqueEmail('flood'), password: 'wrong password' }));
    while (hashQueue.waiting < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    const me = await user.me();
    // Answered while the flood was still waiting its turn: /api/me never queued behind it.
    const stillWaiting = hashQueue.waiting;
    expect(me.status).toBe(200);
    expect(stillWaiting).toBeGreaterThan(0);
    expect(new Set((await logins).map((res) => res.status))).toEqual(new Set([401]));
  });

  it('refuses logins and registrations beyond the line with 503 and Retry-After, and counts no failure for them', async () => {
    hashQueue.configure({ concurrency: 1, maxWaiting: 2 });
    const email = uniqueEmail('flood');
    const clients = await Promise.all(Array.from({ length: 24 }, () => t.client().ready()));
    const answers = await flood(24, (i) =>
      i % 2 === 0
        ? clients[i]!.post(paths.login, { email: `${i}-${email}`, password: 'wrong password' })
        : clients[i]!.post(paths.register, { email: `${i}-${email}`, password: 'long enough pw', name: 'Flood' }),
    );
    const refused = answers.filter((res) => res.status === 503);
    expect(refused.length, String(answers.map((res) => res.status))).toBeGreaterThan(0);
    for (const res of refused) {
      expect(ErrorBody.parse(res.body).error.code).toBe('service_unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(answers.every((res) => [201, 401, 503].includes(res.status))).toBe(true);
    hashQueue.configure(original);
    // A login refused for the queue was not a failure: all LOGIN_MAX_FAILURES guesses remain.
    const refusedLogin = answers.findIndex((res, i) => i % 2 === 0 && res.status === 503);
    expect(refusedLogin).toBeGreaterThanOrEqual(0);
    const client = await t.client().ready();
    for (let i = 0; i < t.config.loginMaxFailures; i++) {
      expect((await client.post(paths.login, { email: `${refusedLogin}-${email}`, password: 'wrong password' })).status).toBe(401);
    }
  });
});
