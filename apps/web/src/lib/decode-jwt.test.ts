import { describe, expect, it } from 'vitest';
import { decodeJwt } from './decode-jwt';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeJwt', () => {
  it('reads the header and the contract claims without verifying anything', () => {
    const claims = { sub: 'u1', sid: 'f1', jti: 'j1', iss: 'authbench', aud: 'authbench-web', iat: 1, exp: 301, name: 'Zoë' };
    const decoded = decodeJwt(`${encode({ alg: 'ES256', kid: 'k1', typ: 'JWT' })}.${encode(claims)}.sig`);
    expect(decoded?.header).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    expect(decoded?.payload).toMatchObject({ name: 'Zoë' });
    expect(decoded?.claims).toMatchObject({ sub: 'u1', exp: 301 });
  });

  it('returns null for something that is not a JWT', () => {
    expect(decodeJwt('opaque-token')).toBeNull();
    expect(decodeJwt('not.base64!.x')).toBeNull();
  });
});
