import { createHash } from 'node:crypto';
import { ErrorBody, paths } from '@authbench/contract';
import type { APIResponse } from '@playwright/test';
import { expect, test } from '../../fixtures';
import { claimsOf, collectAccessTokens, jwtLike, recordApiCalls, scriptReadableState } from '../../helpers';
import { tokenRefreshTests } from '../../token-refresh-tests';
import { greeting, loginHeading, navTo, sessionRows } from '../../ui';

// jwt-dpop mode only: the token in memory is bound to a key the browser keeps and script cannot
// export (RFC 9449); each request carries a fresh proof by it (the API runs with ACCESS_TOKEN_TTL=3s).

const decode = (jwt: string) => jwt.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
/** RFC 7638: the thumbprint of the public key a proof carries. */
const thumbprintOf = (proof: string) => {
  const { crv, kty, x, y } = decode(proof)[0]!.jwk as Record<string, string>;
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
};
const codeOf = async (response: APIResponse) => ErrorBody.parse(await response.json()).error.code;

test('the key is a non-extractable CryptoKey in IndexedDB, the token lives in memory only, and the token names the key', async ({ page, apiUrl, account, login }) => {
  const issued = collectAccessTokens(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  const token = await issued.newest();

  const readable = await scriptReadableState(page);
  expect(JSON.stringify(readable)).not.toMatch(jwtLike);
  expect(readable.cookie).toBe('');
  expect(Object.keys(readable.localStorage)).toEqual(['authbench.apiUrl']);
  // One record, for this API's origin: a key pair whose private half script can use and never read.
  expect(readable.indexedDb.map((record) => record.where)).toEqual([`authbench-dpop/keys[${JSON.stringify(new URL(apiUrl).origin)}]`]);
  const keys = readable.indexedDb[0]!.keys;
  expect(keys.find((key) => key.type === 'private')).toMatchObject({ algorithm: 'ECDSA', extractable: false, usages: ['sign'], exported: expect.stringMatching(/^refused: /) as unknown });
  expect(keys.find((key) => key.type === 'public')).toMatchObject({ extractable: true });

  // /inspect shows the key's thumbprint, which the token's cnf.jkt names.
  await navTo(page, 'Inspect');
  const thumbprint = page.getByTestId('dpop-thumbprint');
  await expect(thumbprint).toHaveText(claimsOf(token).cnf!.jkt);
  await expect(page.getByText('the token’s cnf.jkt names this key')).toBeVisible();
});

test('every call that uses or obtains a token carries a fresh proof by the same key; the token goes as DPoP, never Bearer', async ({ page, apiUrl, account, login }) => {
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  await navTo(page, 'Home');
  await page.getByLabel('Display name').fill(`${account.name} II`);
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  const calls = (await traffic.settled()).filter((call) => call.status !== undefined && call.status < 400);
  const proven = calls.filter((call) => call.path !== paths.config);
  expect(proven.map((call) => `${call.method} ${call.path}`)).toEqual(expect.arrayContaining([`POST ${paths.login}`, `GET ${paths.sessions}`, `PATCH ${paths.me}`]));
  const keys = new Set(proven.map((call) => thumbprintOf(call.headers.dpop!)));
  expect(keys.size, 'one key for the whole login').toBe(1);
  const jtis = proven.map((call) => decode(call.headers.dpop!)[1]!.jti);
  expect(new Set(jtis).size, 'a fresh proof each time').toBe(jtis.length);
  for (const call of proven) {
    const claims = decode(call.headers.dpop!)[1]!;
    expect(claims).toMatchObject({ htm: call.method, htu: `${apiUrl}${call.path}` });
    // Obtaining a token (a login, and a refresh when the 3 s token expires meanwhile) takes none.
    if (call.path === paths.login || call.path === paths.refresh) {
      expect(call.headers.authorization, `${call.method} ${call.path}`).toBeUndefined();
      expect(claims.ath).toBeUndefined();
      continue;
    }
    expect(call.headers.authorization, `${call.method} ${call.path}`).toMatch(/^DPoP eyJ/);
    expect(claims.ath, 'the hash of the token it goes with').toBe(createHash('sha256').update(call.headers.authorization!.slice(5)).digest('base64url'));
  }
});

test('a reload keeps the login: the refresh that restores it is proven by the key kept in IndexedDB', async ({ page, apiUrl, account, login }) => {
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  const loginCall = (await traffic.settled()).find((call) => call.path === paths.login && call.status === 200)!;
  traffic.reset();
  await page.reload();
  await expect(greeting(page, account)).toBeVisible();
  const refreshes = (await traffic.settled()).filter((call) => call.path === paths.refresh);
  // A new page knows no nonce: its first proof may be refused for that alone, and is retried once.
  expect(refreshes.map((call) => `${call.status} ${call.errorCode ?? ''}`.trim())).toEqual(expect.arrayContaining(['200']));
  expect(refreshes.filter((call) => call.status !== 200).map((call) => call.errorCode)).toEqual(refreshes.length > 1 ? ['use_dpop_nonce'] : []);
  expect(thumbprintOf(refreshes.at(-1)!.headers.dpop!)).toBe(thumbprintOf(loginCall.headers.dpop!));
});

test('a stolen token replayed from outside is refused: without a proof, as Bearer, with the thief’s own key, and with the page’s own proof', async ({ page, apiUrl, account, login, openApi }) => {
  const traffic = recordApiCalls(page, apiUrl);
  await login(page, account);
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  const me = (await traffic.settled()).findLast((call) => call.path === paths.sessions && call.status === 200)!;
  const token = me.headers.authorization!.slice('DPoP '.length);

  const thief = await openApi();
  const replay = (headers: Record<string, string>) => thief.request.get(paths.sessions, { headers });
  expect(await codeOf(await replay({ Authorization: `DPoP ${token}` }))).toBe('invalid_dpop_proof');
  expect(await codeOf(await replay({ Authorization: `Bearer ${token}` }))).toBe('token_invalid');
  // Its own key, with the API's current nonce (every answer carries one).
  await thief.me();
  const own = await replay({ Authorization: `DPoP ${token}`, DPoP: await thief.proof('GET', paths.sessions, token) });
  expect(await codeOf(own)).toBe('invalid_dpop_proof');
  expect((await own.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining('another key') as unknown } });
  const copied = await replay({ Authorization: `DPoP ${token}`, DPoP: me.headers.dpop! });
  expect(await codeOf(copied)).toBe('invalid_dpop_proof');
  expect((await copied.json()) as unknown).toMatchObject({ error: { message: expect.stringContaining('used before') as unknown } });

  // The owner carries on.
  await page.reload();
  await expect(sessionRows(page).filter({ hasText: 'This device' })).toHaveCount(1);
});

test('where IndexedDB cannot keep a CryptoKey, the login lasts the tab’s life, and the app says why a reload loses it', async ({ page, account, login }) => {
  // As in some private windows: IndexedDB refuses to clone a CryptoKey.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (JSON.stringify(value, (_k, v: unknown) => (v instanceof CryptoKey ? '__key__' : v)).includes('__key__')) {
        throw new DOMException('The object could not be cloned.', 'DataCloneError');
      }
      return put.call(this, value, key);
    };
  });
  await login(page, account);
  const notice = page.locator('[data-cause="key-in-memory"]');
  await expect(notice).toContainText('DataCloneError');
  await expect(notice).toContainText('a reload, or another tab, cannot prove it');
  await navTo(page, 'Sessions');
  await expect(sessionRows(page)).toHaveCount(1);
  await page.reload();
  await expect(loginHeading(page)).toBeVisible();
});

// Refreshing on expiry, in one tab and across tabs (Web Locks): shared with jwt and jwt-cookie mode.
tokenRefreshTests();
