import { createOpenApiDocument, paths, type HealthResponse } from '@authbench/contract';
import express from 'express';
import type { AuthStrategy } from '../auth/strategy';
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

export function metaRoutes(auth: AuthStrategy, storage: Storage) {
  const router = express.Router();
  const openapi = createOpenApiDocument(auth.mode);

  router.get(paths.health, async (_req, res) => {
    const names = Object.keys(storage.checks);
    const results = await Promise.all(names.map((name) => withTimeout(storage.checks[name]!)));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
    const body: HealthResponse = results.every((r) => r === 'ok')
      ? { status: 'ok', authMode: auth.mode }
      : { status: 'degraded', authMode: auth.mode, checks };
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });
  router.get(paths.config, (_req, res) => {
    res.json(auth.publicConfig);
  });
  router.get(paths.openapi, (_req, res) => {
    res.json(openapi);
  });
  return router;
}
