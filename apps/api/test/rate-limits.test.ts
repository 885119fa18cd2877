import { authModes, ErrorBody, paths, type ErrorCode } from '@authbench/contract';
import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { storageSetup, uniqueEmail, useTestApp, type TestApp } from './support/test-app';

const expectError = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
};

/** Every 429 carries a Retry-After of whole seconds, within the limit's window. */
const expectRateLimited = (res: Response, windowSeconds: number) => {
  expectError(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
};

const statuses = (answers: Response[]) => answers.map((res) => res.status).sort((a, b) => a - b);
const count = (answers: Response[], status: number) => answers.filter((res) => res.status === status).length;

// Each test is a client of its own, as the trusted proxy reports it (TRUST_PROXY=1: the right-most
// X-Forwarded-For), so that the tests of one app never share a counter.
let clients = 0;
const newClientIp = () => {
  clients++;
  return `10.${process.pid % 250}.${Math.floor(clients / 250)}.${(clients % 250) + 1}`;
};

const limits = { LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_IP: '8', REGISTER_MAX_PER_IP: '3' };

/** Helpers over an app whose client IP comes from X-Forwarded-For. */
function behindProxy(t: TestApp) {
  const password = 'correct horse battery';
  const helpers = {
    password,
    async register(ip: string, email = uniqueEmail('limits')) {
      const client = await t.client().ready();
      return client.post(paths.register, { email, password, name: 'Limited' }).set('X-Forwarded-For', ip);
    },
    /** A user registered from an address of its own, so that it spends no test's registrations. */
    async newUser() {
      const email = uniqueEmail('limits');
      const res = await helpers.register(newClientIp(), email);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { email, password };
    },
    /** Logins sent together, each from a fresh browser (its own CSRF token where the mode has one). */
    async logins(ip: string, bodies: { email: string; password: string }[], forwardedFor = (_i: number) => ip) {
      const ready = await Promise.all(bodies.map(() => t.client().ready()));
      return Promise.all(ready.map((client, i) => client.post(paths.login, bodies[i]).set('X-Forwarded-For', forwardedFor(i))));
    },
  };
  return helpers;
}

describe.each(authModes)('login and registration limits in %s mode', (mode) => {
  const t = useTestApp(mode, { env: { TRUST_PROXY: '1', ...limits } });
  const h = behindProxy(t);
  const loginWindow = 15 * 60;

  describe('failed logins per email and client', () => {
    it('lets 20 concurrent correct logins of one user from one client all succeed', async () => {
      const user = await h.newUser();
      const answers = await h.logins(newClientIp(), Array.from({ length: 20 }, () => user));
      expect(statuses(answers)).toEqual(Array.from({ length: 20 }, () => 200));
    });

    it('answers 20 concurrent wrong guesses with exactly LOGIN_MAX_FAILURES 401s, and 429s with Retry-After for the rest', async () => {
      const user = await h.newUser();
      const ip = newClientIp();
      const answers = await h.logins(ip, Array.from({ length: 20 }, (_, i) => ({ email: user.email, password: `wrong password ${i}` })));
      expect(count(answers, 401), String(statuses(answers))).toBe(t.config.loginMaxFailures);
      expect(count(answers, 429), String(statuses(answers))).toBe(20 - t.config.loginMaxFailures);
      for (const res of answers.filter((r) => r.status === 401)) expectError(res, 401, 'invalid_credentials');
      for (const res of answers.filter((r) => r.status === 429)) expectRateLimited(res, loginWindow);
      // Then even the right password, in any case of the email, is refused.
      const [limited] = await h.logins(ip, [{ email: user.email.toUpperCase(), password: user.password }]);
      expectRateLimited(limited!, loginWindow);
    });

    it('lets correct logins through while wrong guesses for the same user arrive with them, up to the limit', async () => {
      const user = await h.newUser();
      const ip = newClientIp();
      const bodies = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? { ...user, password: `wrong password ${i}` } : user));
      const answers = await h.logins(ip, bodies);
      // Four wrong guesses: under the limit, so nothing is refused, correct or not.
      expect(answers.map((res) => res.status)).toEqual(bodies.map((body) => (body.password === user.password ? 200 : 401)));
    });

    if (storageSetup === 'embedded') {
      it('forgets failures when the 15-minute window ends', async () => {
        const user = await h.newUser();
        const ip = newClientIp();
        const wrong = Array.from({ length: t.config.loginMaxFailures }, (_, i) => ({ email: user.email, password: `wrong password ${i}` }));
        expect(statuses(await h.logins(ip, wrong))).toEqual(wrong.map(() => 401));
        expectRateLimited((await h.logins(ip, [user]))[0]!, loginWindow);
        t.clock.advance(loginWindow * 1000);
        expect((await h.logins(ip, [user]))[0]!.status).toBe(200);
      });
    }
  });

  describe('failed logins per client, across emails', () => {
    it('refuses a client beyond LOGIN_MAX_FAILURES_PER_IP failures, concurrent ones included, whatever the email', async () => {
      const ip = newClientIp();
      const spray = Array.from({ length: 20 }, () => ({ email: uniqueEmail('spray'), password: 'wrong password' }));
      const answers = await h.logins(ip, spray);
      expect(count(answers, 401), String(statuses(answers))).toBe(t.config.loginMaxFailuresPerIp);
      for (const res of answers.filter((r) => r.status !== 401)) expectRateLimited(res, loginWindow);
      // A real user behind that address is refused too; the same user from elsewhere is not.
      const user = await h.newUser();
      expectRateLimited((await h.logins(ip, [user]))[0]!, loginWindow);
      expect((await h.logins(newClientIp(), [user]))[0]!.status).toBe(200);
    });

    it('does not count correct logins against the client', async () => {
      const ip = newClientIp();
      const users = await Promise.all(Array.from({ length: t.config.loginMaxFailuresPerIp + 2 }, () => h.newUser()));
      expect(statuses(await h.logins(ip, users))).toEqual(users.map(() => 200));
      expect((await h.logins(ip, [{ email: uniqueEmail('spray'), password: 'wrong password' }]))[0]!.status).toBe(401);
    });
  });

  describe('registrations per client', () => {
    it('counts every valid registration, taken emails included, and refuses the next with Retry-After', async () => {
      const ip = newClientIp();
      const taken = (await h.newUser()).email;
      // Invalid ones are not registrations: they do not count.
      for (let i = 0; i < 5; i++) expectError(await h.register(ip, 'not an email'), 400, 'validation_failed');
      expect((await h.register(ip)).status).toBe(201);
      expectError(await h.register(ip, taken), 409, 'email_taken');
      expect((await h.register(ip)).status).toBe(201);
      expectRateLimited(await h.register(ip), 60 * 60);
      expectRateLimited(await h.register(ip, taken), 60 * 60);
      expect((await h.register(newClientIp())).status).toBe(201);
    });

    it('lets exactly REGISTER_MAX_PER_IP of concurrent registrations through', async () => {
      const ip = newClientIp();
      const answers = await Promise.all(Array.from({ length: 10 }, () => h.register(ip)));
      expect(count(answers, 201), String(statuses(answers))).toBe(t.config.registerMaxPerIp);
      for (const res of answers.filter((r) => r.status !== 201)) expectRateLimited(res, 60 * 60);
    });
  });
});

describe.each(authModes)('the client IP behind a trusted proxy in %s mode', (mode) => {
  describe.each([
    ['a hop count', '1'],
    ['the proxy’s address', 'loopback'],
  ])('TRUST_PROXY as %s', (_what, trustProxy) => {
    const t = useTestApp(mode, { env: { ...limits, TRUST_PROXY: trustProxy } });
    const h = behindProxy(t);

    it('ignores what the client writes left of the address the proxy appends', async () => {
      const user = await h.newUser();
      const ip = newClientIp();
      // Each guess claims another origin in the left-most X-Forwarded-For: the limiter sees one client.
      const spoofed = (i: number) => `192.0.2.${i + 1}, ${ip}`;
      const guesses = Array.from({ length: 8 }, (_, i) => ({ email: user.email, password: `wrong password ${i}` }));
      const answers = await h.logins(ip, guesses, spoofed);
      expect(count(answers, 401), String(statuses(answers))).toBe(t.config.loginMaxFailures);
      expect(count(answers, 429), String(statuses(answers))).toBe(guesses.length - t.config.loginMaxFailures);
      // Another client, as the proxy reports it, is counted apart, whatever it claims.
      const [elsewhere] = await h.logins(ip, [user], () => `${ip}, ${newClientIp()}`);
      expect(elsewhere!.status).toBe(200);
    });
  });
});
