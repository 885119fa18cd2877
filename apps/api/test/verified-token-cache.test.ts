import jwt from 'jsonwebtoken';
import { describe, expect, it, vi } from 'vitest';
import { createAccessTokens } from '../src/auth/access-tokens';
import { parseSigningKeys } from '../src/auth/signing-keys';
import { createVerifiedTokenCache } from '../src/auth/verified-token-cache';
import { AppError } from '../src/errors';
import { createClock } from './support/test-app';
import { createTestKey, decodeParts, keysEnv, signAccessToken, tamperedToken } from './support/tokens';

const claims = (exp: number, extra: Record<string, unknown> = {}) => ({ sub: 'u', sid: 's', exp, ...extra });

describe('the verified-token cache', () => {
  it('answers a token until the second its exp names, and not from then on', () => {
    const clock = createClock(1_000_000_000);
    const cache = createVerifiedTokenCache<{ exp: number }>({ now: clock.now });
    const exp = Math.floor(clock.now() / 1000) + 60;
    cache.set('token', claims(exp));
    expect(cache.get('token')).toEqual(claims(exp));
    clock.advance(59_999);
    expect(cache.get('token')).toBeDefined();
    clock.advance(1);
    expect(cache.get('token')).toBeUndefined();
    // An expired entry is dropped, so it cannot come back if the clock were set back.
    expect(cache.size).toBe(0);
  });

  it('never answers a token whose nbf is still ahead', () => {
    const clock = createClock(1_000_000_000);
    const cache = createVerifiedTokenCache<{ exp: number; nbf?: number }>({ now: clock.now });
    const now = Math.floor(clock.now() / 1000);
    cache.set('early', claims(now + 60, { nbf: now + 10 }));
    expect(cache.get('early')).toBeUndefined();
    clock.advance(10_000);
    expect(cache.get('early')).toBeDefined();
  });

  it('keys by the whole token: no other string matches an entry', () => {
    const clock = createClock();
    const cache = createVerifiedTokenCache<{ exp: number }>({ now: clock.now });
    cache.set('a.b.c', claims(Math.floor(clock.now() / 1000) + 60));
    expect(cache.get('a.b.c')).toBeDefined();
    for (const other of ['a.b.', 'a.b.C', 'a.b.c ', ' a.b.c', 'a.b.cd', 'A.b.c']) expect(cache.get(other)).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the least recently used first', () => {
    const clock = createClock();
    const exp = Math.floor(clock.now() / 1000) + 60;
    const cache = createVerifiedTokenCache<{ exp: number }>({ maxEntries: 3, now: clock.now });
    for (const token of ['t1', 't2', 't3']) cache.set(token, claims(exp));
    expect(cache.get('t1')).toBeDefined(); // t1 is now the most recently used; t2 the least
    cache.set('t4', claims(exp));
    expect(cache.size).toBe(3);
    expect(cache.get('t2')).toBeUndefined();
    for (const token of ['t1', 't3', 't4']) expect(cache.get(token)).toBeDefined();
    for (let i = 0; i < 1000; i++) cache.set(`many-${i}`, claims(exp));
    expect(cache.size).toBe(3);
  });

  it('remembers nothing with maxEntries 0', () => {
    const clock = createClock();
    const cache = createVerifiedTokenCache<{ exp: number }>({ maxEntries: 0, now: clock.now });
    cache.set('t', claims(Math.floor(clock.now() / 1000) + 60));
    expect(cache.get('t')).toBeUndefined();
  });
});

describe('access-token verification with the cache', () => {
  const key = createTestKey();
  const stranger = createTestKey(key.jwk.kid); // our kid, another key
  const [signingKey] = parseSigningKeys(keysEnv(key));
  const setup = () => {
    const clock = createClock(1_700_000_000_000);
    const tokens = createAccessTokens({ keys: [signingKey!], issuer: 'authbench', audience: 'authbench-web', ttlSeconds: 300, now: clock.now });
    return { clock, tokens };
  };
  const expectCode = (verify: () => unknown, code: string) => {
    let thrown: unknown;
    try {
      verify();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe(code);
  };

  it('verifies a token once: later calls do not reach the signature check', () => {
    const { tokens } = setup();
    const { accessToken } = tokens.issue('user-1', 'family-1');
    const spy = vi.spyOn(jwt, 'verify');
    try {
      const first = tokens.verify(accessToken);
      const again = tokens.verify(accessToken);
      expect(again).toEqual(first);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('still expires a cached token on time, with token_expired', () => {
    const { clock, tokens } = setup();
    const { accessToken } = tokens.issue('user-1', 'family-1');
    expect(tokens.verify(accessToken).sub).toBe('user-1');
    clock.advance(299_999);
    expect(tokens.verify(accessToken).sub).toBe('user-1');
    clock.advance(1);
    expectCode(() => tokens.verify(accessToken), 'token_expired');
  });

  it('never caches a forged token, and a genuine one cached does not vouch for its forgeries', () => {
    const { clock, tokens } = setup();
    const { accessToken } = tokens.issue('user-1', 'family-1');
    const { payload } = decodeParts(accessToken);
    tokens.verify(accessToken);
    const now = Math.floor(clock.now() / 1000);
    const forgeries = [
      tamperedToken(accessToken, { ...payload, sub: 'someone-else' }),
      signAccessToken(stranger, payload),
      signAccessToken(key, { ...payload, iss: 'someone' }),
      `${accessToken.slice(0, -2)}${accessToken.endsWith('AA') ? 'AB' : 'AA'}`,
      `${accessToken}.`,
    ];
    for (const forged of forgeries) {
      // Twice: a forgery refused once must be refused again, not remembered.
      expectCode(() => tokens.verify(forged), 'token_invalid');
      expectCode(() => tokens.verify(forged), 'token_invalid');
    }
    // A token with a good signature but bad claims is not remembered either.
    const noSid = signAccessToken(key, { sub: 'u', jti: 'j', iss: 'authbench', aud: 'authbench-web', iat: now, exp: now + 60 });
    expectCode(() => tokens.verify(noSid), 'token_invalid');
    expectCode(() => tokens.verify(noSid), 'token_invalid');
    expect(tokens.verify(accessToken).sub).toBe('user-1');
  });

  it('does not let an expired token in through the expired-for-at-most path, nor one expired longer ago', () => {
    const { clock, tokens } = setup();
    const { accessToken } = tokens.issue('user-1', 'family-1');
    clock.advance(301_000);
    expect(tokens.verify(accessToken, { expiredForAtMostMs: 60_000 }).sid).toBe('family-1');
    expectCode(() => tokens.verify(accessToken), 'token_expired');
    clock.advance(60_000);
    expectCode(() => tokens.verify(accessToken, { expiredForAtMostMs: 60_000 }), 'token_expired');
  });

  it('works with the cache off', () => {
    const clock = createClock();
    const tokens = createAccessTokens({ keys: [signingKey!], issuer: 'authbench', audience: 'authbench-web', ttlSeconds: 300, now: clock.now, cacheSize: 0 });
    const { accessToken } = tokens.issue('user-1', 'family-1');
    expect(tokens.verify(accessToken).sub).toBe('user-1');
    expect(tokens.verify(accessToken).sub).toBe('user-1');
    const { payload } = decodeParts(accessToken);
    expectCode(() => tokens.verify(signAccessToken(stranger, payload)), 'token_invalid');
  });
});
