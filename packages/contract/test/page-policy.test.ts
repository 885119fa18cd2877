import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createPagePolicy, cspReportPath, labSinkPagePath, labSinkPageUrl, paths } from '../src';

const apiUrls = ['http://localhost:4000', 'http://localhost:4001/', 'https://api.example.test/base'];
const directives = (header: string) => new Map(header.split('; ').map((part) => [part.split(' ')[0]!, part.split(' ').slice(1)]));

describe('the page policy', () => {
  it('in production: own files only, no inline script or eval, requests to exactly the configured APIs, Trusted Types, reports to the first API', () => {
    expect(contentSecurityPolicy({ apiUrls })).toBe(
      [
        "default-src 'self'",
        "script-src 'self' 'report-sample'",
        "style-src 'self'",
        "img-src 'self' data:",
        'connect-src http://localhost:4000 http://localhost:4001 https://api.example.test',
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
        `report-uri http://localhost:4000${cspReportPath}`,
      ].join('; '),
    );
    expect(createPagePolicy({ apiUrls }).allowances).toEqual([]);
  });

  it('reports to the endpoint the contract lists', () => {
    expect(cspReportPath).toBe(paths.cspReports);
    expect(createPagePolicy({ apiUrls }).headersFor('/')).toEqual({ 'Content-Security-Policy': contentSecurityPolicy({ apiUrls }) });
    expect(directives(contentSecurityPolicy({ apiUrls })).get('report-uri')).toEqual([`http://localhost:4000${paths.cspReports}`]);
  });

  it('with no API, allows no request and reports nowhere', () => {
    const policy = directives(contentSecurityPolicy({ apiUrls: [] }));
    expect(policy.get('connect-src')).toEqual(["'none'"]);
    expect(policy.has('report-uri')).toBe(false);
    expect(createPagePolicy({ apiUrls: [] }).headersFor('/')).toEqual({ 'Content-Security-Policy': contentSecurityPolicy({ apiUrls: [] }) });
  });

  it('refuses an API that is not a URL with an origin', () => {
    expect(() => contentSecurityPolicy({ apiUrls: ['localhost:4000'] })).toThrow(/has no origin|not a URL/);
    expect(() => contentSecurityPolicy({ apiUrls: ['not a url'] })).toThrow(/not a URL/);
  });

  it('in development, names each allowance Vite needs, and keeps every directive of production', () => {
    const dev = createPagePolicy({ apiUrls, dev: { nonce: 'abc' }, lab: { attackerUrl: 'http://127.0.0.1:5174/' } });
    expect(dev.allowances.map(({ directive, source }) => `${directive} ${source}`)).toEqual([
      "script-src 'nonce-abc'",
      "style-src 'nonce-abc'",
      "connect-src 'self'",
      'connect-src http://127.0.0.1:5174',
      'frame-src http://127.0.0.1:5174',
    ]);
    for (const allowance of dev.allowances) expect(allowance.why.length).toBeGreaterThan(40);
    const policy = directives(dev.header);
    expect(policy.get('script-src')).toEqual(["'self'", "'report-sample'", "'nonce-abc'"]);
    expect(policy.get('connect-src')).toEqual(['http://localhost:4000', 'http://localhost:4001', 'https://api.example.test', "'self'", 'http://127.0.0.1:5174']);
    for (const [directive, sources] of directives(contentSecurityPolicy({ apiUrls }))) {
      if (directive !== 'connect-src' && directive !== 'script-src' && directive !== 'style-src') expect(policy.get(directive), directive).toEqual(sources);
    }
    expect(dev.header).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('serves the lab’s sink page with the production policy, and without any only where the lab is built in', () => {
    const lab = createPagePolicy({ apiUrls, lab: { attackerUrl: 'http://127.0.0.1:5174' } });
    const production = contentSecurityPolicy({ apiUrls });
    expect(labSinkPageUrl({ sink: 'eval', run: 'r' }, true)).toBe(`${labSinkPagePath}?sink=eval&run=r`);
    expect(lab.headersFor(labSinkPageUrl({ sink: 'eval', run: 'r' }, true))['Content-Security-Policy']).toBe(production);
    expect(lab.headersFor(labSinkPageUrl({ sink: 'eval', run: 'r' }, false))).toEqual({});
    expect(lab.headersFor('/')['Content-Security-Policy']).toContain('connect-src http://localhost:4000 http://localhost:4001 https://api.example.test http://127.0.0.1:5174');
    // A build without the lab knows no such page: every URL gets the policy.
    const withoutLab = createPagePolicy({ apiUrls });
    for (const url of [labSinkPageUrl({ sink: 'eval' }, false), `${labSinkPagePath}?policy=off`, '/?policy=off']) {
      expect(withoutLab.headersFor(url)['Content-Security-Policy'], url).toBe(production);
    }
    expect(lab.headersFor('/login?policy=off')['Content-Security-Policy']).toBe(lab.header);
  });
});
