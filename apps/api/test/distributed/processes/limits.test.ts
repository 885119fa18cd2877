import { authModes, ErrorBody, paths } from '@authbench/contract';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueEmail } from '../../support/test-app';
import { createClient } from '../../support/test-client';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createClusterSetup } from '../support/cluster';

const limits = { LOGIN_MAX_FAILURES: 5, LOGIN_MAX_FAILURES_PER_IP: 6, REGISTER_MAX_PER_IP: 3 };

const statuses = (answers: Response[]) => answers.map((res) => res.status).sort((a, b) => a - b);
const count = (answers: Response[], status: number) => answers.filter((res) => res.status === status).length;
const expectRateLimited = (answers: Response[]) => {
  for (const res of answers.filter((r) => r.status === 429)) {
    expect(ErrorBody.parse(res.body).error.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  }
};

// Clients as the trusted proxy in front of the processes reports them (TRUST_PROXY=1), one per
// test, so that the tests never share a counter.
let clients = 0;
const newClientIp = () => `10.77.${Math.floor(++clients / 250)}.${(clients % 250) + 1}`;

describe.each(authModes)('rate limits across two API processes in %s mode, on one Redis', (mode) => {
  let apis: ApiProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const setup = await createClusterSetup();
    cleanups.push(() => setup.cleanup());
    const env = { ...setup.env, TRUST_PROXY: '1', ...Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, String(v)])) };
    const started = await Promise.allSettled([startApiProcess({ mode, env }), startApiProcess({ mode, env })]);
    for (const result of started) if (result.status === 'fulfilled') cleanups.push(() => result.value.stop());
    apis = started.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** Requests sent together, alternating between the processes, each from a fresh browser. */
  const together = async (ip: string, path: string, bodies: object[]) => {
    const ready = await Promise.all(bodies.map((_, i) => createClient(apis[i % 2]!.url, mode).ready()));
    return Promise.all(ready.map((client, i) => client.post(path, bodies[i]).set('X-Forwarded-For', ip)));
  };
  const newUser = async () => {
    const user = { email: uniqueEmail('limits'), password: 'correct horse battery', name: 'Limited' };
    const [res] = await together(newClientIp(), paths.register, [user]);
    expect(res!.status, JSON.stringify(res!.body)).toBe(201);
    return { email: user.email, password: user.password };
  };

  it('lets 20 concurrent correct logins of one user through both processes all succeed', async () => {
    const user = await newUser();
    const answers = await together(newClientIp(), paths.login, Array.from({ length: 20 }, () => user));
    expect(statuses(answers)).toEqual(Array.from({ length: 20 }, () => 200));
  });

  it('answers 20 concurrent wrong guesses through both processes with exactly LOGIN_MAX_FAILURES 401s', async () => {
    const user = await newUser();
    const ip = newClientIp();
    const answers = await together(ip, paths.login, Array.from({ length: 20 }, (_, i) => ({ email: user.email, password: `wrong password ${i}` })));
    expect(count(answers, 401), String(statuses(answers))).toBe(limits.LOGIN_MAX_FAILURES);
    expect(count(answers, 429), String(statuses(answers))).toBe(20 - limits.LOGIN_MAX_FAILURES);
    expectRateLimited(answers);
    const after = await together(ip, paths.login, [user, user]);
    expect(statuses(after)).toEqual([429, 429]);
  });

  it('counts a client’s failures across emails and processes (LOGIN_MAX_FAILURES_PER_IP)', async () => {
    const spray = Array.from({ length: 16 }, () => ({ email: uniqueEmail('spray'), password: 'wrong password' }));
    const answers = await together(newClientIp(), paths.login, spray);
    expect(count(answers, 401), String(statuses(answers))).toBe(limits.LOGIN_MAX_FAILURES_PER_IP);
    expect(count(answers, 429), String(statuses(answers))).toBe(spray.length - limits.LOGIN_MAX_FAILURES_PER_IP);
    expectRateLimited(answers);
  });

  it('counts a client’s registrations across processes (REGISTER_MAX_PER_IP), taken emails included', async () => {
    const ip = newClientIp();
    const taken = await newUser();
    const bodies = [{ ...taken, name: 'Again' }, ...Array.from({ length: 9 }, () => ({ email: uniqueEmail('reg'), password: 'long enough pw', name: 'New' }))];
    const answers = await together(ip, paths.register, bodies);
    expect(answers.length - count(answers, 429), String(statuses(answers))).toBe(limits.REGISTER_MAX_PER_IP);
    expect(answers.every((res) => [201, 409, 429].includes(res.status))).toBe(true);
    expectRateLimited(answers);
  });
});
