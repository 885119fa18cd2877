/**
 * One Authbench server process of the bench: the API (createApp, as main.ts calls it) on one
 * port and its unauthenticated baseline on another, sharing this process, its storage and its
 * logger. The request log goes, at `info`, to stdout, which the bench reads through a pipe: a
 * real destination, as under a process manager or a container runtime.
 */
import { PGlite } from '@electric-sql/pglite';
import { createApp, type App } from '@authbench/api';
import { loadConfig } from '@authbench/api/config';
import { createLogger } from '@authbench/api/logger';
import { createBaselineApp } from './baseline';
import { failStart, serveChild } from './child-host';
import type { ServerSpec } from './protocol';

async function main() {
  const spec = JSON.parse(process.env.BENCH_SERVER_SPEC ?? '') as ServerSpec;
  const config = loadConfig(spec.env);
  const logger = createLogger(config.logLevel);
  let app: App;
  try {
    app = await createApp(config, { logger, ...(spec.namespace && { namespace: spec.namespace }) });
  } catch (err) {
    return failStart(err);
  }
  let baselineAnswer = { userId: '', rest: {} as Record<string, unknown> };
  await serveChild({
    apps: { api: app.app, baseline: createBaselineApp(config, { storage: app.storage, logger, auth: app.auth }, () => baselineAnswer) },
    storePorts: spec.storePorts,
    pglite: PGlite,
    handle: (command) => {
      if (command.cmd !== 'baseline-user') return undefined;
      baselineAnswer = { userId: command.userId, rest: command.rest };
      return null;
    },
    close: () => app.close(),
  });
}

main().catch(failStart);
