import { authModes, paths } from '@authbench/contract';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, useTestApp } from './support/test-app';

describe.each(authModes)('request logs in %s mode', (mode) => {
  const t = useTestApp(mode);

  it('write one structured line per request, with the X-Request-Id the response carries', async () => {
    const before = t.logs.length;
    const res = await t.client().get(paths.health).set('X-Request-Id', 'log-test-1');
    const lines = t.logs.slice(before).map((line) => JSON.parse(line) as { req?: { id: string; path: string }; res?: { status: number } });
    const line = lines.find((l) => l.req?.id === 'log-test-1');
    expect(res.headers['x-request-id']).toBe('log-test-1');
    expect(line).toMatchObject({ req: { id: 'log-test-1', path: paths.health }, res: { status: 200 } });
  });

  it('never hold a password, a token, a cookie value or a CSRF token', async () => {
    const secrets: string[] = [];
    const user = await t.newUser();
    secrets.push(user.password);
    const client = t.client();
    const login = await client.login({ email: user.email, password: user.password });
    for (const header of [login.headers['set-cookie'] ?? []].flat()) secrets.push(header.split(';')[0]!.split('=')[1]!);
    secrets.push(...Object.values(client.state).filter((v): v is string => typeof v === 'string'));
    await client.me();
    await client.patch(paths.me, { name: 'Logged Name' });
    await client.get(`${paths.me}?token=${client.state.accessToken ?? client.state.csrfToken}`);
    if (mode === 'jwt') {
      const refreshed = await client.refresh();
      secrets.push(refreshed.body.accessToken, client.cookie('rt')!);
    }
    await client.login({ email: user.email, password: 'a wrong password!' });
    secrets.push('a wrong password!');
    await supertest(t.app.app).post(paths.login).set('Origin', allowedOrigin).set('Content-Type', 'application/json').send(`{"password":"${user.password}",`);
    await client.logout();

    const logs = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(8);
    for (const secret of secrets.filter((s) => s.length >= 8)) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(encodeURIComponent(secret));
    }
    expect(logs).not.toMatch(/cookie|authorization|x-csrf-token/i);
  });
});
