import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derSignature } from '../src/auth/dpop/der-signature';

describe('derSignature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signatures = Array.from({ length: 2000 }, (_, i) => {
    const message = Buffer.from(`proof ${i}`);
    return { message, rs: sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }) };
  });

  it('verifies every ES256 signature as the raw form does, a top bit set or a leading zero byte included', () => {
    // About half of r and s have the top bit set (a zero byte is then added), and 1 in 128 starts with a zero byte (then dropped).
    expect(signatures.some(({ rs }) => (rs[0]! & 0x80) !== 0)).toBe(true);
    expect(signatures.some(({ rs }) => rs[0] === 0 || rs[32] === 0)).toBe(true);
    for (const { message, rs } of signatures) {
      expect(verify('sha256', message, publicKey, derSignature(rs))).toBe(verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, rs));
    }
  });

  it('refuses what the raw form refuses: another message, a changed byte', () => {
    const { message, rs } = signatures[0]!;
    const changed = Buffer.from(rs);
    changed[40]! ^= 1;
    expect(verify('sha256', Buffer.from('another'), publicKey, derSignature(rs))).toBe(false);
    expect(verify('sha256', message, publicKey, derSignature(changed))).toBe(false);
  });
});
