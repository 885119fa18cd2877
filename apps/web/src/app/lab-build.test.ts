import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The lab's attack code (injected-script payloads, the replay client) must not ship in a
// production build: env.ts keeps the condition and the import together so that the bundler drops
// the lab's chunk. This builds the SPA as a deployment would (and as the e2e suite does, with
// VITE_LAB=1) and reads what came out.

const webRoot = fileURLToPath(new URL('../..', import.meta.url));
// Its package.json is exported; its bin is not, so it is found beside it.
const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
// Strings only the lab's code holds: its button, its attacker page's and its sink page's message types, its replay endpoint.
const labMarkers = ['Run in every mode', 'authbench-lab:csrf', '/replay', 'authbench-lab:sink-result'];
const outDirs: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Builds the SPA with these variables and returns its JavaScript, file by file. */
function build(labVariable: string | undefined): Map<string, string> {
  const outDir = mkdtempSync(join(tmpdir(), 'authbench-web-build-'));
  outDirs.push(outDir);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.VITE_LAB;
  if (labVariable !== undefined) env.VITE_LAB = labVariable;
  execFileSync(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: webRoot, env, stdio: 'pipe' });
  const assets = join(outDir, 'assets');
  return new Map(readdirSync(assets).filter((name) => name.endsWith('.js')).map((name) => [name, readFileSync(join(assets, name), 'utf8')]));
}

const filesHolding = (files: Map<string, string>, marker: string) => [...files].filter(([, code]) => code.includes(marker)).map(([name]) => name);

describe('the lab in a build', () => {
  it('a production build holds none of the lab’s code', { timeout: 60_000 }, () => {
    const files = build(undefined);
    expect(files.size).toBeGreaterThan(0);
    for (const marker of labMarkers) expect(filesHolding(files, marker), marker).toEqual([]);
  });

  it('VITE_LAB=1 builds it in, as a chunk of its own (so the check above looks for the right strings)', { timeout: 60_000 }, () => {
    const files = build('1');
    for (const marker of labMarkers) expect(filesHolding(files, marker), marker).not.toEqual([]);
    expect([...files.keys()].some((name) => name.startsWith('lab-route-'))).toBe(true);
  });
});
