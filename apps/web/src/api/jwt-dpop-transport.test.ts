import { MeResponse, paths } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { createFakeJwtDpopApi } from '../test/fake-jwt-dpop-api';
import { createChannelHub, createFakeLocks } from '../test/fake-server';
import { describeTokenRefresh, openTab, type Tab } from './token-refresh-tests';

const credentials = { email: 'ada@example.test', password: 'correct horse' };
const getMe = (tab: Tab) => tab.api.get(paths.me, MeResponse);
const dpopOf = (tab: Tab) => {
  const held = tab.api.credentials();
  if (held.mode !== 'jwt-dpop') throw new Error('not a jwt-dpop tab');
  return held;
};
const decode = (jwt: string) => jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);

describeTokenRefresh({ mode: 'jwt-dpop', createServer: createFakeJwtDpopApi });

describe('jwt-dpop transport: proofs', () => {
  it('signs a fresh proof for each request: typ, ES256, the public jwk alone, a random jti, htm, htu, iat, nonce, and ath with a token', async () => {
    const server = createFakeJwtDpopApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    await getMe(tab);
    await getMe(tab);

    const [login, first, second] = server.state.proofs;
    const key = dpopOf(tab).dpop.key!;
    expect(login!.header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: key.jwk.x, y: key.jwk.y } });
    expect(login!.jkt).toBe(key.jkt);
    expect(login!.claims).toMatchObject({ htm: 'POST', htu: `http://api.test${paths.login}`, nonce: 'nonce-1' });
    expect(login!.claims.ath).toBeUndefined();
    expect(Math.abs((login!.claims.iat as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(first!.claims).toMatchObject({ htm: 'GET', htu: `http://api.test${paths.me}` });
    expect(typeof first!.claims.ath).toBe('string');
    expect(first!.claims.jti).not.toBe(second!.claims.jti);
    // The token is sent as DPoP, never as Bearer, and is bound to the key the login proved.
    const me = server.meCalls()[0]!;
    expect(me.authorization).toMatch(/^DPoP ey/);
    expect(me.bearer).toBeNull();
    expect(decode(me.authorization!.slice(5))[1]!.cnf).toEqual({ jkt: key.jkt });
  });

  it('retries a use_dpop_nonce refusal once, with the nonce the refusal carried', async () => {
    const server = createFakeJwtDpopApi();
    const tab = openTab(server);
    // The first proof has no nonce yet: refused (400 at login), then retried with the one it got.
    await tab.api.login(credentials);
    expect(server.callsTo(paths.login).map((call) => call.dpop !== null)).toEqual([true, true]);
    // Two steps later the tab's nonce is stale: one refusal, one retry, and the new nonce kept.
    server.rotateNonce();
    server.rotateNonce();
    await getMe(tab);
    expect(server.meCalls()).toHaveLength(2);
    expect(dpopOf(tab).dpop.nonce).toBe('nonce-3');
    expect(tab.api.requests.entries().filter((entry) => entry.errorCode === 'use_dpop_nonce')).toHaveLength(2);
    // The same key signs the retry of a login: the login is bound to the key the tab keeps.
    expect(new Set(server.state.proofs.filter((proof) => proof.claims.htu === `http://api.test${paths.login}`).map((proof) => proof.jkt)).size).toBe(1);
  });

  it('retries only once: a second use_dpop_nonce is surfaced, not looped', async () => {
    const server = createFakeJwtDpopApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    const calls = server.meCalls().length;
    server.state.meReply = () => ({ status: 401, body: { error: { code: 'use_dpop_nonce', message: 'fake' } } });
    await expect(getMe(tab)).rejects.toMatchObject({ code: 'use_dpop_nonce' });
    expect(server.meCalls().length - calls).toBe(2);
  });
});

describe('jwt-dpop transport: the key', () => {
  it('makes a new non-extractable key at each login, keeps it per API origin, and drops it at logout', async () => {
    const server = createFakeJwtDpopApi();
    const tab = openTab(server);
    await tab.api.login(credentials);
    const first = dpopOf(tab).dpop.key!;
    const kept = server.keptKeys.get('http://api.test')!;
    expect(kept.jkt).toBe(first.jkt);
    expect(kept.keys.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', kept.keys.privateKey)).rejects.toThrow();
    expect(first.persistence).toEqual({ where: 'indexeddb', database: 'authbench-dpop', store: 'keys', key: 'http://api.test' });

    await tab.api.logout();
    expect(server.keptKeys.size).toBe(0);
    expect(dpopOf(tab).dpop.key).toBeNull();
    await tab.api.login(credentials);
    expect(dpopOf(tab).dpop.key!.jkt).not.toBe(first.jkt);
  });

  it('keeps the login across a reload: the restoring refresh is proven by the kept key', async () => {
    const server = createFakeJwtDpopApi();
    const before = openTab(server);
    await before.api.login(credentials);
    const jkt = dpopOf(before).dpop.key!.jkt;
    before.api.dispose();

    const reloaded = openTab(server); // a new page: nothing in memory, the same jar and IndexedDB
    expect((await getMe(reloaded)).user.id).toBe('u1');
    // A new page knows no nonce yet: its first proof is refused for that alone, and retried.
    expect(reloaded.api.requests.entries().toReversed().map((entry) => `${entry.path} ${entry.status} ${entry.errorCode ?? ''}`.trim())).toEqual([
      `${paths.refresh} 400 use_dpop_nonce`,
      `${paths.refresh} 200`,
      `${paths.me} 200`,
    ]);
    expect(server.state.proofs.map((proof) => proof.jkt)).toEqual([jkt, jkt, jkt]); // login, refresh, me
    expect(dpopOf(reloaded).dpop.key).toMatchObject({ jkt, persistence: { where: 'indexeddb' } });
  });

  it('stays quietly logged out after a reload that finds no key: no refresh is even tried', async () => {
    const server = createFakeJwtDpopApi();
    await openTab(server).api.login(credentials);
    server.keptKeys.clear(); // e.g. the site's data was cleared, the cookie not
    const reloaded = openTab(server);
    await expect(getMe(reloaded)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.state.refreshes).toBe(0);
    expect(reloaded.events).toEqual([]);
  });

  it('where IndexedDB refuses the key, logs in all the same, with the key in memory and the reason said; a reload then loses the login', async () => {
    const server = createFakeJwtDpopApi({ refuseKeys: true });
    const tab = openTab(server);
    await tab.api.login(credentials);
    await getMe(tab);
    expect(dpopOf(tab).dpop.key!.persistence).toEqual({ where: 'memory', why: expect.stringContaining('DataCloneError') as unknown });

    const reloaded = openTab(server);
    await expect(getMe(reloaded)).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(server.state.refreshes).toBe(0);
  });

  it('a tab that learns of another tab’s login signs with that login’s key, from the shared store', async () => {
    const server = createFakeJwtDpopApi();
    const hub = createChannelHub();
    const locks = createFakeLocks();
    const a = openTab(server, { openChannel: hub.tab(), locks });
    const b = openTab(server, { openChannel: hub.tab(), locks });
    await a.api.login(credentials);
    await getMe(b);
    expect(server.state.refreshes).toBe(0); // b took a's token over the channel
    expect(server.state.proofs.at(-1)!.jkt).toBe(dpopOf(a).dpop.key!.jkt);
    expect(dpopOf(b).dpop.key!.jkt).toBe(dpopOf(a).dpop.key!.jkt);
  });
});
