import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApi } from '../../build';

const apiRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The API's node_modules/.cache, made if missing: a fresh clone has none until some tool writes one. */
export async function apiCacheDir(): Promise<string> {
  const dir = path.join(apiRoot, 'node_modules', '.cache');
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Bundles the API into `outdir` as `pnpm build` does, so that an API process a test starts is
 * plain `node` (about a second to listen, against several for tsx compiling on the fly) and its
 * output is the API's alone. `outdir` must be under apiCacheDir(), so that the bundle's bare
 * imports resolve to the API's dependencies. Returns the path of its main.js.
 */
export const bundleApi = (outdir: string): Promise<string> => buildApi(outdir);
