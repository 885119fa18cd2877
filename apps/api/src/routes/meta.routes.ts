import { createOpenApiDocument, type ConfigResponse, type HealthResponse } from '@authbench/contract';
import type { AuthStrategy } from '../auth/strategy';
import type { Config } from '../config';
import type { EndpointHandlers } from '../http/endpoint-router';
import { pageDeploymentOf } from '../http/page-deployment';
import type { Storage } from '../storage/storage';

const checkTimeoutMs = 1500;

function withTimeout(check: () => Promise<void>): Promise<'ok' | 'down'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('down'), checkTimeoutMs);
    check().then(
      () => resolve('ok'),
      () => resolve('down'),
    ).finally(() => clearTimeout(timer));
  });
}

/** What the API says about itself: health, live configuration, its OpenAPI document. */
export function metaHandlers(auth: AuthStrategy, storage: Storage, config: Config): EndpointHandlers {
  const openapi = createOpenApiDocument(auth.mode, { publicOrigin: config.publicOrigin, cookieSecure: config.cookieSecure });
  return {
    async health(_req, res) {
      const names = Object.keys(storage.checks);
      const results = await Promise.all(names.map((name) => withTimeout(storage.checks[name]!)));
      const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const body: HealthResponse = results.every((r) => r === 'ok')
        ? { status: 'ok', authMode: auth.mode }
        : { status: 'degraded', authMode: auth.mode, checks };
      res.status(body.status === 'ok' ? 200 : 503).json(body);
    },
    config(req, res) {
      const body: ConfigResponse = { ...auth.publicConfig, deployment: pageDeploymentOf(req, config.publicOrigin) };
      res.json(body);
    },
    openapi(_req, res) {
      res.json(openapi);
    },
  };
}
