import { authModes, ConfigResponse, paths, type PageDeployment } from '@authbench/contract';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './support/test-app';

// GET /api/config says how the API sees the page that asked: one judgement of sites (the Public
// Suffix List, as the start-up warnings use it) for the SPA to take, not to guess at.
describe.each(authModes)('%s mode: where the asking page lives, in GET /api/config', (mode) => {
  const t = useTestApp(mode, { env: { TRUST_PROXY: 'loopback' } });
  const deploymentFor = async (headers: Record<string, string>): Promise<PageDeployment> => {
    const res = await supertest(t.app.app).get(paths.config).set(headers);
    expect(res.status).toBe(200);
    return ConfigResponse.parse(res.body).deployment;
  };

  it('same origin: a request without Origin (a browser omits it on a same-origin GET)', async () => {
    expect(await deploymentFor({ Host: 'app.example.test' })).toEqual({
      topology: 'same-origin',
      pageOrigin: 'http://app.example.test',
      pageSite: 'http://example.test',
      apiOrigin: 'http://app.example.test',
      apiSite: 'http://example.test',
    });
  });

  it.each([
    ['http://app.example.test', 'api.example.test', 'same-site'],
    ['http://localhost:5173', 'localhost:4000', 'same-site'],
    ['http://127.0.0.1:5173', 'localhost:4000', 'cross-site'],
    ['http://app.example.co.uk', 'api.example.co.uk', 'same-site'],
    ['http://app.example.co.uk', 'api.other.co.uk', 'cross-site'],
    // github.io is a public suffix: each user's pages are a site of their own.
    ['http://a.github.io', 'b.github.io', 'cross-site'],
    ['http://a.github.io', 'a.github.io', 'same-origin'],
    ['https://app.example.test', 'api.example.test', 'cross-site'],
    ['null', 'api.example.test', 'cross-site'],
    ['not an origin', 'api.example.test', 'cross-site'],
  ])('a page on %s, the API reached as %s: %s', async (origin, host, topology) => {
    expect((await deploymentFor({ Origin: origin, Host: host })).topology).toBe(topology);
  });

  it('behind a trusted proxy, the origin the browser reached (X-Forwarded-Proto and -Host)', async () => {
    const seen = await deploymentFor({ Origin: 'https://app.example.test', Host: '127.0.0.1:4000', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'jwt.api.example.test' });
    expect(seen).toEqual({
      topology: 'same-site',
      pageOrigin: 'https://app.example.test',
      pageSite: 'https://example.test',
      apiOrigin: 'https://jwt.api.example.test',
      apiSite: 'https://example.test',
    });
  });
});
