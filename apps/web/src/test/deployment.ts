import type { PageDeployment } from '@authbench/contract';

// Deployments as an API reports them in GET /api/config (the API judges the sites; the SPA and
// its tests take its word).

export const sameOrigin: PageDeployment = {
  topology: 'same-origin',
  pageOrigin: 'http://api.test',
  pageSite: 'http://api.test',
  apiOrigin: 'http://api.test',
  apiSite: 'http://api.test',
};

export const sameSite: PageDeployment = {
  topology: 'same-site',
  pageOrigin: 'https://app.example.test',
  pageSite: 'https://example.test',
  apiOrigin: 'https://api.example.test',
  apiSite: 'https://example.test',
};

export const crossSite: PageDeployment = {
  topology: 'cross-site',
  pageOrigin: 'https://app.example.test',
  pageSite: 'https://example.test',
  apiOrigin: 'https://api.other.test',
  apiSite: 'https://other.test',
};
