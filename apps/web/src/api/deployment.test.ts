import type { CookieInfo } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { crossSite, sameSite } from '../test/deployment';
import { whyCookieDrops } from './deployment';

const cookie = (over: Partial<CookieInfo> = {}): CookieInfo => ({
  name: '__Secure-rt',
  purpose: 'the refresh token',
  httpOnly: true,
  secure: true,
  sameSite: 'none',
  path: '/api/auth',
  maxAgeSeconds: 60,
  partitioned: false,
  ...over,
});

describe('deployment', () => {
  it('explains a dropped cookie by the most specific cause', () => {
    expect(whyCookieDrops(crossSite, cookie({ sameSite: 'lax' }))).toMatch(/SameSite=Lax, which browsers never send from another site: set COOKIE_SAMESITE=none/);
    expect(whyCookieDrops(crossSite, cookie({ secure: false }))).toMatch(/refuse SameSite=None without Secure/);
    expect(whyCookieDrops(crossSite, cookie())).toMatch(/This browser blocks third-party cookies .* not Partitioned: set COOKIE_PARTITIONED=on/);
    expect(whyCookieDrops(crossSite, cookie({ partitioned: true }))).toMatch(/is Partitioned \(CHIPS\), yet this browser blocks it too/);
    expect(whyCookieDrops(crossSite, cookie(), false)).toMatch(/^This page \(https:\/\/example\.test\) and the API \(https:\/\/other\.test\) are on different sites.*Browsers that block/);
    // One site: nothing in the layout explains it.
    expect(whyCookieDrops(sameSite, cookie())).toBeUndefined();
  });
});
