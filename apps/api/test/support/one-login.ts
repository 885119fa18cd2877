import { CsrfResponse, MeResponse, modeTraits, paths } from '@authbench/contract';
import type { Express } from 'express';
import supertest from 'supertest';
import { expect } from 'vitest';
import { accessTokenCarrier, type TokenMode } from './access-token';
import { allowedOrigin, uniqueEmail } from './test-app';
import { createClient, parseSetCookie } from './test-client';

/**
 * What "the same key" must mean to two API processes (or apps) on the same stores: a login made
 * through `a` is one login to `b` (its access token, its CSRF token and its refresh token all work
 * there, and `b` hands out the same CSRF token for it), and the access token `b` issues at a
 * refresh works on `a`.
 */
export async function expectOneLogin(mode: TokenMode, a: Express | string, b: Express | string): Promise<void> {
  const client = createClient(a, mode);
  const registered = await client.register({ email: uniqueEmail('one-key'), password: 'correct horse battery', name: 'One Key' });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const onB = supertest(b);

  const me = await onB.get(paths.me).set(client.headersFor('get', paths.me));
  expect(me.status, `GET /api/me on the other: ${JSON.stringify(me.body)}`).toBe(200);
  if (modeTraits[mode].csrf) {
    const csrf = await onB.get(paths.csrf).set(client.headersFor('get', paths.csrf));
    expect(CsrfResponse.parse(csrf.body).csrfToken, 'the other hands out the login’s own CSRF token').toBe(client.state.csrfToken);
  }
  const renamed = await onB.patch(paths.me).set(client.headersFor('patch', paths.me)).send({ name: 'Renamed elsewhere' });
  expect(renamed.status, `PATCH /api/me on the other: ${JSON.stringify(renamed.body)}`).toBe(200);

  const refreshed = await onB.post(paths.refresh).set(client.headersFor('post', paths.refresh));
  expect(refreshed.status, `POST /api/auth/refresh on the other: ${JSON.stringify(refreshed.body)}`).toBe(200);
  const issuedByB = mode === 'jwt-cookie' ? parseSetCookie(refreshed, 'at')?.value : (refreshed.body as { accessToken?: string }).accessToken;
  expect(issuedByB).toBeTruthy();
  const back = await accessTokenCarrier[mode].present(supertest(a).get(paths.me).set('Origin', allowedOrigin), issuedByB!, client);
  expect(back.status, `the other's token on the first: ${JSON.stringify(back.body)}`).toBe(200);
  expect(MeResponse.parse(back.body).user.name).toBe('Renamed elsewhere');
}
