import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { ConfigResponse, DpopLoginResponse, DpopTokenResponse, dpopHeader, ErrorBody, paths, type ErrorCode } from '@authbench/contract';
import fc from 'fast-check';
import supertest, { type Response, type Test } from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { createDpopKey, type DpopKey } from './support/dpop';
import { allowedOrigin, startTestApp, storageSetup, uniqueEmail, useTestApp, type TestApp } from './support/test-app';
import type { TestClient } from './support/test-client';
import { createTestKey, decodeParts, keysEnv, signAccessToken } from './support/tokens';

const expectRefusal = (res: Response, status: number, code: ErrorCode) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(ErrorBody.parse(res.body).error.code).toBe(code);
  // RFC 9449 §7.1: the challenge names the error, and the algorithm a proof must use.
  expect(res.headers['www-authenticate']).toMatch(new RegExp(`^DPoP error="${code}".*algs="ES256"`));
};

const signer = createTestKey('dpop-test');
const keys = keysEnv(signer);
const password = 'correct horse battery';

/** What a proof for `method path` by `key` carries, as a well-behaved client makes it now. */
function claimsFor(t: TestApp, client: TestClient, method: string, path: string, token?: string) {
  return {
    htm: method,
    htu: `${t.config.publicOrigin}${path}`,
    iat: Math.floor(t.clock.now() / 1000),
    ...(client.state.nonce && { nonce: client.state.nonce }),
    ...(token && { accessToken: token }),
  };
}

describe('jwt-dpop mode: a login is bound to the key that proves it', () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys } });

  it('answers a login with a DPoP token whose cnf.jkt is the thumbprint of the proof’s key', async () => {
    const { email } = await t.newUser();
    const client = t.client();
    const body = DpopLoginResponse.parse((await client.login({ email, password })).body);
    expect(body).toMatchObject({ tokenType: 'DPoP', expiresIn: 300 });
    expect(decodeParts(body.accessToken).payload.cnf).toEqual({ jkt: client.dpopKey!.jkt });
    const refreshed = DpopTokenResponse.parse((await client.refresh()).body);
    expect(decodeParts(refreshed.accessToken).payload.cnf).toEqual({ jkt: client.dpopKey!.jkt });
  });

  it('puts a nonce on every response, errors and unknown paths included', async () => {
    const bare = supertest(t.app.app);
    for (const res of [await bare.get(paths.config), await bare.get(paths.me), await bare.get('/nowhere'), await bare.post(paths.login).set('Origin', 'http://evil.example')]) {
      expect(res.headers['dpop-nonce'], `${res.status}`).toMatch(/^[\w-]{43}$/);
    }
  });

  it('describes its proof rules in GET /api/config', async () => {
    const config = ConfigResponse.parse((await supertest(t.app.app).get(paths.config)).body);
    expect(config.dpop).toEqual({ nonce: true, proofWindowSeconds: 60, nonceStepSeconds: 30, origin: t.config.publicOrigin });
    expect(config.cookies.map((c) => c.name)).toEqual(['rt']);
  });

  it('lets a browser send the DPoP header and read DPoP-Nonce and WWW-Authenticate (CORS)', async () => {
    const preflight = await supertest(t.app.app).options(paths.me).set({ Origin: allowedOrigin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization, dpop' });
    expect(preflight.headers['access-control-allow-headers']).toMatch(/\bDPoP\b/);
    const res = await supertest(t.app.app).get(paths.config).set('Origin', allowedOrigin);
    expect(res.headers['access-control-expose-headers']).toMatch(/\bDPoP-Nonce\b/);
    expect(res.headers['access-control-expose-headers']).toMatch(/\bWWW-Authenticate\b/);
  });

  it('refuses a login or a registration without a proof with 400 invalid_dpop_proof, before the password is looked at', async () => {
    const { email } = await t.newUser();
    const bare = supertest(t.app.app);
    expectRefusal(await bare.post(paths.login).set('Origin', allowedOrigin).send({ email, password: 'wrong password' }), 400, 'invalid_dpop_proof');
    expectRefusal(await bare.post(paths.register).set('Origin', allowedOrigin).send({ email: uniqueEmail(), password, name: 'No Proof' }), 400, 'invalid_dpop_proof');
  });

  it('asks a proof without the nonce for it, with 400 use_dpop_nonce and a fresh DPoP-Nonce, and takes the retry', async () => {
    const { email } = await t.newUser();
    const key = createDpopKey();
    const htu = `${t.config.publicOrigin}${paths.login}`;
    const first = await supertest(t.app.app).post(paths.login).set({ Origin: allowedOrigin, DPoP: key.proof({ htm: 'POST', htu, iat: Math.floor(t.clock.now() / 1000) }) }).send({ email, password });
    expectRefusal(first, 400, 'use_dpop_nonce');
    const nonce = first.headers['dpop-nonce'] as string;
    const retry = await supertest(t.app.app).post(paths.login).set({ Origin: allowedOrigin, DPoP: key.proof({ htm: 'POST', htu, nonce, iat: Math.floor(t.clock.now() / 1000) }) }).send({ email, password });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
  });
});

describe('jwt-dpop mode: each RFC 9449 §4.3 check refuses a proof that breaks only it', () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys } });
  const stranger = createDpopKey();

  /** A logged-in client, and a request of it to GET /api/me with the proof `make` builds instead of its own. */
  const setup = async () => {
    const { client } = await t.newUser();
    const token = client.state.accessToken!;
    const me = (proof: string | string[] | undefined) => {
      const test = supertest(t.app.app).get(paths.me).set('Authorization', `DPoP ${token}`);
      // An array sends the header once per value.
      return proof === undefined ? test : test.set(dpopHeader, proof as string);
    };
    const valid = (overrides: Parameters<DpopKey['proof']>[1] = {}, claims: Partial<ReturnType<typeof claimsFor>> = {}) =>
      client.dpopKey!.proof({ ...claimsFor(t, client, 'GET', paths.me, token), ...claims }, overrides);
    return { client, token, me, valid };
  };

  it('accepts the genuine proof, and a query string on htu (RFC 9449 compares without it)', async () => {
    const { me, valid } = await setup();
    expect((await me(valid())).status).toBe(200);
    expect((await me(valid({}, { htu: `${t.config.publicOrigin}${paths.me}?q=1#f` }))).status).toBe(200);
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  type Setup = Awaited<ReturnType<typeof setup>>;
  const cases: [string, (s: Setup) => string | string[] | undefined, ErrorCode][] = [
    ['no DPoP header', () => undefined, 'invalid_dpop_proof'],
    ['two DPoP headers', ({ valid }) => [valid(), valid()], 'invalid_dpop_proof'],
    ['a header that is no JWT', () => 'not-a-jwt', 'invalid_dpop_proof'],
    ['a JWT of two parts', ({ valid }) => valid().split('.').slice(0, 2).join('.'), 'invalid_dpop_proof'],
    ['a proof of 5,000 characters', ({ valid }) => `${valid()}${'A'.repeat(5000)}`, 'invalid_dpop_proof'],
    ['a header that is not JSON', ({ valid }) => `${Buffer.from('{oops').toString('base64url')}.${valid().split('.')[1]}.${valid().split('.')[2]}`, 'invalid_dpop_proof'],
    ['typ JWT', ({ valid }) => valid({ header: { typ: 'JWT' } }), 'invalid_dpop_proof'],
    ['no typ', ({ valid }) => valid({ header: { typ: undefined } }), 'invalid_dpop_proof'],
    ['alg none, unsigned', ({ valid }) => `${valid({ header: { alg: 'none' } }).split('.').slice(0, 2).join('.')}.`, 'invalid_dpop_proof'],
    [
      'alg HS256, keyed with the public key',
      ({ client, token }) => {
        const header = b64({ typ: 'dpop+jwt', alg: 'HS256', jwk: client.dpopKey!.jwk });
        const payload = b64({ jti: randomUUID(), htm: 'GET', htu: `${t.config.publicOrigin}${paths.me}`, iat: Math.floor(t.clock.now() / 1000), nonce: client.state.nonce, ath: decodeAth(client, token) });
        return `${header}.${payload}.${createHmac('sha256', JSON.stringify(client.dpopKey!.jwk)).update(`${header}.${payload}`).digest('base64url')}`;
      },
      'invalid_dpop_proof',
    ],
    ['alg ES384', ({ valid }) => valid({ header: { alg: 'ES384' } }), 'invalid_dpop_proof'],
    ['alg RS256', ({ valid }) => valid({ header: { alg: 'RS256' } }), 'invalid_dpop_proof'],
    ['no jwk', ({ valid }) => valid({ header: { jwk: undefined } }), 'invalid_dpop_proof'],
    ['a jwk holding its private key', ({ client, valid }) => valid({ header: { jwk: { ...client.dpopKey!.jwk, d: client.dpopKey!.privateKey.export({ format: 'jwk' }).d } } }), 'invalid_dpop_proof'],
    ['a jwk of another curve', ({ valid }) => valid({ header: { jwk: p384Jwk } }), 'invalid_dpop_proof'],
    ['a jwk with no y', ({ client, valid }) => valid({ header: { jwk: { ...client.dpopKey!.jwk, y: undefined } } }), 'invalid_dpop_proof'],
    ['a jwk whose point is not on the curve', ({ client, valid }) => valid({ header: { jwk: { ...client.dpopKey!.jwk, y: client.dpopKey!.jwk.x } } }), 'invalid_dpop_proof'],
    ['a signature by another key than the jwk’s', ({ valid }) => valid({ signWith: stranger.privateKey }), 'invalid_dpop_proof'],
    ['a tampered payload', ({ valid }) => { const [h, , s] = valid().split('.'); return `${h}.${b64({ htm: 'GET' })}.${s}`; }, 'invalid_dpop_proof'],
    ['htm POST for a GET', ({ valid }) => valid({}, { htm: 'POST' }), 'invalid_dpop_proof'],
    ['htm in lower case', ({ valid }) => valid({}, { htm: 'get' }), 'invalid_dpop_proof'],
    ['htu of another path', ({ valid }) => valid({}, { htu: `${t.config.publicOrigin}${paths.sessions}` }), 'invalid_dpop_proof'],
    ['htu of another origin', ({ valid }) => valid({}, { htu: `https://api.example.test${paths.me}` }), 'invalid_dpop_proof'],
    ['htu of another port', ({ valid }) => valid({}, { htu: `${t.config.publicOrigin.replace(/:\d+$/, ':4999')}${paths.me}` }), 'invalid_dpop_proof'],
    ['htu with a trailing slash', ({ valid }) => valid({}, { htu: `${t.config.publicOrigin}${paths.me}/` }), 'invalid_dpop_proof'],
    ['no jti', ({ valid }) => valid({ payload: { jti: undefined } }), 'invalid_dpop_proof'],
    ['a jti of 300 characters', ({ valid }) => valid({ payload: { jti: 'j'.repeat(300) } }), 'invalid_dpop_proof'],
    ['iat as text', ({ valid }) => valid({ payload: { iat: String(Math.floor(t.clock.now() / 1000)) } }), 'invalid_dpop_proof'],
    ['iat 61 s ago', ({ valid }) => valid({}, { iat: Math.floor(t.clock.now() / 1000) - 61 }), 'invalid_dpop_proof'],
    ['iat 61 s ahead', ({ valid }) => valid({}, { iat: Math.floor(t.clock.now() / 1000) + 61 }), 'invalid_dpop_proof'],
    ['no ath', ({ valid }) => valid({ payload: { ath: undefined } }), 'invalid_dpop_proof'],
    ['the ath of another token', ({ valid }) => valid({ payload: { ath: 'A'.repeat(43) } }), 'invalid_dpop_proof'],
    ['a valid proof by another key than the token’s', ({ client, token }) => stranger.proof(claimsFor(t, client, 'GET', paths.me, token)), 'invalid_dpop_proof'],
    ['no nonce', ({ valid }) => valid({ payload: { nonce: undefined } }), 'use_dpop_nonce'],
    ['a nonce the API never gave', ({ valid }) => valid({}, { nonce: 'A'.repeat(43) }), 'use_dpop_nonce'],
  ];

  it.each(cases)('refuses %s with 401 and the code that decided it', async (_label, make, code) => {
    const s = await setup();
    expectRefusal(await s.me(make(s)), 401, code);
    // Nothing about the login changed: the genuine proof still works.
    expect((await s.me(s.valid())).status).toBe(200);
  });

  it('accepts iat anywhere within DPOP_PROOF_WINDOW either way, and nowhere beyond it', async () => {
    const s = await setup();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -180, max: 180 }), async (offset) => {
        const res = await s.me(s.valid({}, { iat: Math.floor(t.clock.now() / 1000) + offset }));
        expect(res.status, `iat ${offset} s from now`).toBe(Math.abs(offset) <= 60 ? 200 : 401);
      }),
      { numRuns: 60, examples: [[-60], [60], [-61], [61], [0]] },
    );
  });

  it('accepts htm, htu and ath only as the request’s own', async () => {
    const s = await setup();
    const origin = t.config.publicOrigin;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          htm: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', ' GET', ''),
          htu: fc.constantFrom(`${origin}${paths.me}`, `${origin}/api/ME`, `${origin}${paths.me}/`, `${origin}//api/me`, `${origin.replace('http:', 'https:')}${paths.me}`, 'not a url', `${origin}${paths.me}?a=b`),
          ath: fc.option(fc.oneof(fc.string({ maxLength: 50 }), fc.constant(decodeAth(s.client, s.token))), { nil: undefined }),
        }),
        async ({ htm, htu, ath }) => {
          const res = await s.me(s.valid({ payload: { ath } }, { htm, htu }));
          const own = htm === 'GET' && [`${origin}${paths.me}`, `${origin}${paths.me}?a=b`].includes(htu) && ath === decodeAth(s.client, s.token);
          expect(res.status, JSON.stringify({ htm, htu, ath })).toBe(own ? 200 : 401);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a proof used before (its jti), however it is sent again', async () => {
    const s = await setup();
    const proof = s.valid();
    expect((await s.me(proof)).status).toBe(200);
    expectRefusal(await s.me(proof), 401, 'invalid_dpop_proof');
    // Another jti, everything else the same, is a new proof.
    expect((await s.me(s.valid())).status).toBe(200);
  });
});

/** The ath a proof for this client's token carries. */
function decodeAth(client: TestClient, token: string): string {
  const proof = client.proofFor('GET', paths.me, token)!;
  return decodeParts(proof).payload.ath as string;
}
const p384Jwk = (() => {
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
})();

describe('jwt-dpop mode: a token bound to a key', () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys } });

  it('is refused as Bearer (token_invalid), and with the DPoP scheme but no proof (invalid_dpop_proof)', async () => {
    const { client } = await t.newUser();
    const token = client.state.accessToken!;
    const bare = supertest(t.app.app);
    expect(ErrorBody.parse((await bare.get(paths.me).set('Authorization', `Bearer ${token}`)).body).error.code).toBe('token_invalid');
    expectRefusal(await bare.get(paths.me).set('Authorization', `DPoP ${token}`), 401, 'invalid_dpop_proof');
    expect((await client.me()).status).toBe(200);
  });

  it('is refused by an API in another mode that shares its keys, and a token of that mode is refused here', async () => {
    const jwt = await startTestApp('jwt', { env: { JWT_PRIVATE_KEYS: keys } });
    try {
      const { client } = await t.newUser();
      const bound = client.state.accessToken!;
      const there = await supertest(jwt.app.app).get(paths.me).set('Authorization', `Bearer ${bound}`);
      expect(ErrorBody.parse(there.body).error.code).toBe('token_invalid');
      const { sub, sid } = decodeParts(bound).payload;
      const now = Math.floor(t.clock.now() / 1000);
      const unbound = signAccessToken(signer, { sub, sid, jti: 'j', iss: 'authbench', aud: 'authbench-web', iat: now, exp: now + 60 });
      const here = await supertest(t.app.app)
        .get(paths.me)
        .set({ Authorization: `DPoP ${unbound}`, DPoP: client.dpopKey!.proof(claimsFor(t, client, 'GET', paths.me, unbound)) });
      expect(ErrorBody.parse(here.body).error.code).toBe('token_invalid');
    } finally {
      await jwt.close();
    }
  });
});

describe('jwt-dpop mode: refresh and logout need the family’s key', () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys } });

  /** The owner's request, sent with the thief's key (or none) instead of the owner's. */
  const asThief = (owner: TestClient, method: 'post', path: string, key: DpopKey | undefined): Test => {
    const { DPoP: _own, Authorization: _token, ...headers } = owner.headersFor(method, path);
    const proof = key?.proof(claimsFor(t, owner, 'POST', path));
    return supertest(t.app.app)[method](path).set({ ...headers, ...(proof && { DPoP: proof }) });
  };

  it.each([
    ['another key', () => createDpopKey()],
    ['no proof', () => undefined],
  ])('refuses a refresh with %s with 400, and spends nothing: the owner refreshes with the same token after', async (_label, key) => {
    const { client } = await t.newUser();
    const rt = client.cookie('rt');
    expectRefusal(await asThief(client, 'post', paths.refresh, key()), 400, 'invalid_dpop_proof');
    expect(client.cookie('rt')).toBe(rt);
    expect((await client.refresh()).status).toBe(200);
  });

  it('refuses a stolen refresh token, spent or not, to another key without ending the family', async () => {
    const { client } = await t.newUser();
    const stolen = client.cookieHeader(paths.refresh);
    expect((await client.refresh()).status).toBe(200);
    const thief = createDpopKey();
    const replay = await supertest(t.app.app)
      .post(paths.refresh)
      .set({ Origin: allowedOrigin, Cookie: stolen, DPoP: thief.proof(claimsFor(t, client, 'POST', paths.refresh)) });
    expectRefusal(replay, 400, 'invalid_dpop_proof');
    // Reuse detection is for the key's holder: a thief without the key cannot end the owner's login.
    expect((await client.me()).status).toBe(200);
    expect((await client.refresh()).status).toBe(200);
  });

  it.each([
    ['another key', () => createDpopKey()],
    ['no proof', () => undefined],
  ])('refuses a logout with %s with 401, and ends nothing', async (_label, key) => {
    const { client } = await t.newUser();
    expectRefusal(await asThief(client, 'post', paths.logout, key()), 401, 'invalid_dpop_proof');
    expect((await client.me()).status).toBe(200);
    expect((await client.refresh()).status).toBe(200);
  });

  it.each([
    ['a Bearer token', 'Bearer eyJhbGciOiJub25lIn0.e30.'],
    ['an empty DPoP scheme', 'DPoP '],
    ['two tokens', 'DPoP a b'],
  ])('ends the login its cookie names on a logout by its key that carries %s, as a forged token names nothing', async (_label, authorization) => {
    const { client } = await t.newUser();
    const { Authorization: _token, DPoP: _proof, ...headers } = client.headersFor('post', paths.logout);
    const proof = client.dpopKey!.proof(claimsFor(t, client, 'POST', paths.logout));
    const res = await supertest(t.app.app).post(paths.logout).set({ ...headers, Authorization: authorization, DPoP: proof });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    expect((await client.refresh()).status).toBe(401);
  });

  it('ends the login on a logout by its key', async () => {
    const { client } = await t.newUser();
    const token = client.state.accessToken!;
    expect((await client.logout()).status).toBe(204);
    const stale = await supertest(t.app.app)
      .get(paths.me)
      .set({ Authorization: `DPoP ${token}`, DPoP: client.dpopKey!.proof(claimsFor(t, client, 'GET', paths.me, token)) });
    expect(ErrorBody.parse(stale.body).error.code).toBe('token_invalid');
  });
});

describe(`jwt-dpop mode: processes on the same stores (${storageSetup})`, () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys } });
  const others: { close: () => Promise<void> }[] = [];
  afterAll(() => Promise.all(others.map((other) => other.close())));

  /** Another API process on the same stores: its own connections where the stores are shared servers. */
  const another = async () => {
    if (storageSetup === 'distributed') {
      const other = await startTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys }, namespace: t.namespace!, clock: t.clock });
      others.push(other);
      return other.app.app;
    }
    // The embedded database admits one process: a second app on the same storage, as `pnpm dev` runs them.
    const other = await createApp(t.config, { storage: t.app.storage, now: t.clock.now, logger: t.app.logger });
    return other.app;
  };

  it('agree on nonces without sharing any state: each accepts the other’s', async () => {
    const elsewhere = await startTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys }, clock: t.clock });
    others.push(elsewhere);
    const nonces = await Promise.all([t.app.app, elsewhere.app.app].map(async (app) => (await supertest(app).get(paths.config)).headers['dpop-nonce'] as string));
    expect(nonces[0]).toBe(nonces[1]);
    const user = { email: uniqueEmail(), password, name: 'Nonce' };
    const client = t.client();
    await client.learnNonce();
    const res = await supertest(elsewhere.app.app)
      .post(paths.register)
      .set({ Origin: allowedOrigin, DPoP: client.dpopKey!.proof(claimsFor(t, client, 'POST', paths.register)) })
      .send(user);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('refuse a proof on one that was used on the other', async () => {
    const other = await another();
    const { client } = await t.newUser();
    const token = client.state.accessToken!;
    const proof = client.dpopKey!.proof(claimsFor(t, client, 'GET', paths.me, token));
    const me = (app: Parameters<typeof supertest>[0]) => supertest(app).get(paths.me).set({ Authorization: `DPoP ${token}`, DPoP: proof });
    expect((await me(t.app.app)).status).toBe(200);
    expectRefusal(await me(other), 401, 'invalid_dpop_proof');
  });

  it('rotate the nonce every half window: the previous one is still taken, the one before is not', async () => {
    const { client } = await t.newUser();
    const token = client.state.accessToken!;
    const old = client.state.nonce!;
    const me = () =>
      supertest(t.app.app)
        .get(paths.me)
        .set({ Authorization: `DPoP ${token}`, DPoP: client.dpopKey!.proof({ ...claimsFor(t, client, 'GET', paths.me, token), nonce: old }) });
    t.clock.advance(30_000);
    const next = await me();
    expect(next.status).toBe(200);
    expect(next.headers['dpop-nonce']).not.toBe(old);
    t.clock.advance(30_000);
    const stale = await me();
    expectRefusal(stale, 401, 'use_dpop_nonce');
    // The client that keeps the nonce of every answer carries on with one retry.
    expect((await client.me()).status).toBe(200);
  });
});

describe('jwt-dpop mode with DPOP_NONCE=off', () => {
  const t = useTestApp('jwt-dpop', { env: { JWT_PRIVATE_KEYS: keys, DPOP_NONCE: 'off', DPOP_PROOF_WINDOW: '10s' } });

  it('hands out no nonce and takes proofs without one, within its own window', async () => {
    const res = await supertest(t.app.app).get(paths.config);
    expect(res.headers['dpop-nonce']).toBeUndefined();
    expect(ConfigResponse.parse(res.body).dpop).toEqual({ nonce: false, proofWindowSeconds: 10, origin: t.config.publicOrigin });
    const { client } = await t.newUser();
    expect(client.state.nonce).toBeUndefined();
    const token = client.state.accessToken!;
    const me = (iat: number) =>
      supertest(t.app.app)
        .get(paths.me)
        .set({ Authorization: `DPoP ${token}`, DPoP: client.dpopKey!.proof({ ...claimsFor(t, client, 'GET', paths.me, token), iat }) });
    const now = Math.floor(t.clock.now() / 1000);
    expect((await me(now - 10)).status).toBe(200);
    expectRefusal(await me(now - 11), 401, 'invalid_dpop_proof');
  });
});
