import { describe, expect, it } from 'vitest';
import { apiTargetsOf, defaultApiTargets, describeApiTargets, ownOrigin, resolveOwnOrigin } from './api-targets';

describe('the APIs a build calls', () => {
  it('defaults to the four development APIs in development, one per mode', () => {
    const four = ['http://localhost:4000', 'http://localhost:4001', 'http://localhost:4002', 'http://localhost:4003'];
    expect(apiTargetsOf(undefined, defaultApiTargets(false))).toEqual(four);
    expect(apiTargetsOf('  ', defaultApiTargets(false))).toEqual(four);
  });

  it('defaults to the page’s own origin in a production build, never localhost', () => {
    const urls = apiTargetsOf(undefined, defaultApiTargets(true));
    expect(urls).toEqual([ownOrigin]);
    expect(resolveOwnOrigin(urls, 'https://app.example.test')).toEqual(['https://app.example.test']);
    expect(describeApiTargets(undefined, true)).toMatch(/own origin \(\/api beside the page/);
  });

  it('trims, drops trailing slashes and duplicates', () => {
    expect(apiTargetsOf(' http://a.test/ , http://a.test,http://b.test ', defaultApiTargets(true))).toEqual(['http://a.test', 'http://b.test']);
    expect(describeApiTargets('http://a.test/', true)).toBe('the SPA calls http://a.test (VITE_API_URLS)');
  });
});
