import { authModes, ConfigResponse, csrfHeader, dpopHeader, modeTraits, paths } from '@authbench/contract';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { allowedOrigin, uniqueEmail, useTestApp } from './support/test-app';
import { createDpopKey } from './support/dpop';
import { parseSetCookie } from './support/test-client';

// A cross-site deployment: Secure, SameSite=None and Partitioned (CHIPS) on every cookie.
describe.each(authModes)('cookies of a cross-site deployment in %s mode', (mode) => {
  const t = useTestApp(mode, { env: { COOKIE_SECURE: 'on', TRUST_PROXY: '1', COOKIE_SAMESITE: 'none', COOKIE_PARTITIONED: 'on' } });
  const https = (req: supertest.Test, cookie?: string) => req.set('X-Forwarded-Proto', 'https').set('Origin', allowedOrigin).set(cookie ? { Cookie: cookie } : {});

  it('sets every cookie Secure, SameSite=None and Partitioned, keeping SPEC’s names and prefixes, and reports it', async () => {
    const csrf = await https(supertest(t.app.app).get(paths.csrf));
    const setCookies = [csrf];
    const csrfCookie = parseSetCookie(csrf, '__Host-csrf');
    // jwt-dpop mode: a proof for the login the registration makes, with the nonce the API gave.
    const nonce = csrf.headers['dpop-nonce'];
    const htu = `${t.config.publicOrigin}${paths.register}`;
    const proof = modeTraits[mode].proof ? { [dpopHeader]: createDpopKey().proof({ htm: 'POST', htu, iat: Math.floor(t.clock.now() / 1000), ...(nonce && { nonce }) }) } : {};
    const register = await https(supertest(t.app.app).post(paths.register), csrfCookie && `__Host-csrf=${csrfCookie.value}`)
      .set(csrf.body.csrfToken ? { [csrfHeader]: String(csrf.body.csrfToken) } : {})
      .set(proof)
      .send({ email: uniqueEmail(), password: 'correct horse battery', name: 'Cross' });
    expect(register.status, JSON.stringify(register.body)).toBe(201);
    setCookies.push(register);
    const names = setCookies.flatMap((res) => [res.headers['set-cookie'] ?? []].flat().map((line) => line.split('=')[0]!));
    const { cookies } = ConfigResponse.parse((await supertest(t.app.app).get(paths.config)).body);
    for (const name of cookies.map((c) => c.name)) {
      // Every cookie the mode declares is one it sets, with the declared attributes.
      if (!names.includes(name)) continue;
      const set = parseSetCookie(setCookies.find((res) => parseSetCookie(res, name))!, name)!;
      expect(set.attributes, name).toMatchObject({ secure: true, httponly: true, samesite: 'None', partitioned: true });
      expect(name).toMatch(/^__(Host|Secure)-/);
    }
    expect(names.length).toBeGreaterThan(0);
    expect(cookies.every((c) => c.partitioned && c.secure && c.sameSite === 'none')).toBe(true);
  });
});
