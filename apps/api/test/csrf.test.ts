import { authModes, csrfHeader, ErrorBody, modeTraits, paths } from '@authbench/contract';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedOrigin, startTestApp, uniqueEmail, useTestApp, type TestApp } from './support/test-app';
import { parseSetCookie } from './support/test-client';
import { createTestKey, keysEnv } from './support/tokens';

const csrfModes = authModes.filter((mode) => modeTraits[mode].csrf);
const secrets = { SESSION_SECRET: 'a-session-secret-of-at-least-32-characters', JWT_PRIVATE_KEYS: keysEnv(createTestKey()) };

describe.each(csrfModes)('CSRF tokens before login in %s mode', (mode) => {
  const t = useTestApp(mode, { env: secrets });
  const others: TestApp[] = [];
  afterAll(() => Promise.all(others.map((app) => app.close())));

  it('hands an anonymous visitor a token signed over an HttpOnly cookie, and sets no session cookie', async () => {
    const res = await supertest(t.app.app).get(paths.csrf).set('Origin', allowedOrigin);
    expect(res.status).toBe(200);
    const csrf = parseSetCookie(res, 'csrf');
    expect(csrf?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(String(res.headers['set-cookie'])).not.toMatch(/\b(sid|at|rt)=/);
    // The same cookie gets the same token back, and sets nothing new.
    const again = await supertest(t.app.app).get(paths.csrf).set('Cookie', `csrf=${csrf!.value}`);
    expect(again.body).toEqual(res.body);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('keeps no server state for it: another process on other stores, with the same secrets, accepts the token', async () => {
    const other = await startTestApp(mode, { env: secrets });
    others.push(other);
    const res = await supertest(t.app.app).get(paths.csrf);
    const cookie = `csrf=${parseSetCookie(res, 'csrf')!.value}`;
    const login = await supertest(other.app.app)
      .post(paths.login)
      .set({ Origin: allowedOrigin, Cookie: cookie, [csrfHeader]: String(res.body.csrfToken) })
      .send({ email: uniqueEmail('nobody'), password: 'long enough password' });
    // Past the CSRF check: the stranger's credentials are what is refused.
    expect(ErrorBody.parse(login.body).error.code).toBe('invalid_credentials');
  });

  it('refuses a token without its cookie, or with another browser’s cookie', async () => {
    const mine = await supertest(t.app.app).get(paths.csrf);
    const theirs = await supertest(t.app.app).get(paths.csrf);
    const body = { email: uniqueEmail('nobody'), password: 'long enough password' };
    const send = (cookie?: string) =>
      supertest(t.app.app)
        .post(paths.login)
        .set({ Origin: allowedOrigin, [csrfHeader]: String(mine.body.csrfToken), ...(cookie && { Cookie: cookie }) })
        .send(body);
    expect(ErrorBody.parse((await send()).body).error.code).toBe('csrf_failed');
    expect(ErrorBody.parse((await send(`csrf=${parseSetCookie(theirs, 'csrf')!.value}`)).body).error.code).toBe('csrf_failed');
  });
});
