import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The API bundled as `pnpm build` bundles it, for the tests that start real processes. */
    apiBundle: string;
  }
}

const apiRoot = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Bundles src/main.ts once, with build.mjs's settings, so that each API process the tests start
 * is plain `node` (about a second to listen, against several for tsx compiling on the fly). It
 * lives under node_modules/.cache so that its bare imports resolve to the API's dependencies.
 */
export default async function setup(project: TestProject) {
  const pkg = JSON.parse(await readFile(path.join(apiRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const outdir = path.join(apiRoot, 'node_modules', '.cache', 'authbench-test-api');
  await build({
    absWorkingDir: apiRoot,
    entryPoints: ['src/main.ts'],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external: Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@authbench/')),
    logLevel: 'warning',
  });
  project.provide('apiBundle', path.join(outdir, 'main.js'));
}
