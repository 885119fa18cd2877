// Bundles the API and the workspace contract (TypeScript source) into an output directory; npm
// dependencies stay external. `node build.ts` (Node.js 24 runs TypeScript as it is) writes dist/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const apiRoot = path.dirname(fileURLToPath(import.meta.url));

/**
 * dist/main.js is a launcher: it checks the Node.js version with nothing else loaded, so that a
 * too-old Node.js prints one line instead of failing on what it cannot run, then imports the
 * server (dist/server.js). Returns the path of main.js.
 */
export async function buildApi(outdir: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(apiRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  await build({
    absWorkingDir: apiRoot,
    entryPoints: [
      { in: 'src/entry/main.ts', out: 'main' },
      { in: 'src/main.ts', out: 'server' },
    ],
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: true,
    external: Object.keys(pkg.dependencies).filter((name) => !name.startsWith('@authbench/')),
    logLevel: 'warning',
  });
  return path.join(outdir, 'main.js');
}

if (import.meta.main) await buildApi(path.join(apiRoot, 'dist'));
