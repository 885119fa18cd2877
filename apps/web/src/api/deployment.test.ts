import type { CookieInfo } from '@authbench/contract';
import { describe, expect, it } from 'vitest';
import { deploymentOf, siteOf, whyCookieDrops } from './deployment';

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
  it('names sites as browsers compare them', () => {
    expect(siteOf('jwt.api.example.test')).toBe('example.test');
    expect(siteOf('localhost')).toBe('localhost');
    expect(siteOf('127.0.0.1')).toBe('127.0.0.1');
    expect(siteOf('app.example.co.uk')).toBe('example.co.uk');
  });

  it('tells the three topologies apart from the two URLs', () => {
    expect(deploymentOf('https://session.app.example.test:8443', 'https://session.app.example.test:8443').topology).toBe('same-origin');
    expect(deploymentOf('https://app.example.test:8443', 'https://jwt.api.example.test:8443').topology).toBe('same-site');
    expect(deploymentOf('https://app.example.test:8443', 'https://jwt.api.other.test:8443').topology).toBe('cross-site');
    // localhost on two ports is one site; localhost and 127.0.0.1 are two; http and https of one host are two.
    expect(deploymentOf('http://localhost:5173', 'http://localhost:4000').topology).toBe('same-site');
    expect(deploymentOf('http://127.0.0.1:5173', 'http://localhost:4000').topology).toBe('cross-site');
    expect(deploymentOf('http://app.example.test', 'https://api.example.test').topology).toBe('cross-site');
  });

  it('explains a dropped cookie by the most specific cause', () => {
    const cross = deploymentOf('https://app.example.test', 'https://api.other.test');
    expect(whyCookieDrops(cross, cookie({ sameSite: 'lax' }))).toMatch(/SameSite=Lax, which browsers never send from another site: set COOKIE_SAMESITE=none/);
    expect(whyCookieDrops(cross, cookie({ secure: false }))).toMatch(/refuse SameSite=None without Secure/);
    expect(whyCookieDrops(cross, cookie())).toMatch(/This browser blocks third-party cookies .* not Partitioned: set COOKIE_PARTITIONED=on/);
    expect(whyCookieDrops(cross, cookie({ partitioned: true }))).toMatch(/is Partitioned \(CHIPS\), yet this browser blocks it too/);
    expect(whyCookieDrops(cross, cookie(), false)).toMatch(/^This page \(example\.test\) and the API \(other\.test\) are on different sites.*Browsers that block/);
    // One site: nothing in the layout explains it.
    expect(whyCookieDrops(deploymentOf('https://app.example.test', 'https://api.example.test'), cookie())).toBeUndefined();
  });
});
