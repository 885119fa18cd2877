import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const apiRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The API's node_modules/.cache, made if missing: a fresh clone has none until some tool writes one. */
export async function apiCacheDir(): Promise<string> {
  const dir = path.join(apiRoot, 'node_modules', '.cache');
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Bundles src/main.ts into `outdir`, with build.mjs's settings, so that an API process a test
 * starts is plain `node` (about a second to listen, against several for tsx compiling on the fly)
 * and its output is the API's alone. `outdir` must be under apiCacheDir(), so that the
 * bundle's bare imports resolve to the API's dependencies. Returns the bundle's path.
 */
export async function bundleApi(outdir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(apiRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
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
  return path.join(outdir, 'main.js');
}
