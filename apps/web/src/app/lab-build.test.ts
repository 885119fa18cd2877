import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// What a production build ships, built as a deployment would build it (and as the e2e suite does,
// with VITE_LAB=1), read from what came out: the lab's attack code (injected-script payloads, the
// replay client) must not ship (env.ts keeps the condition and the import together so that the
// bundler drops the lab's chunk), and the APIs it calls are VITE_API_URLS or its own origin, never
// a developer's localhost, which the build names as it starts.

const webRoot = fileURLToPath(new URL('../..', import.meta.url));
// Its package.json is exported; its bin is not, so it is found beside it.
const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
// Strings only the lab's code holds: its button, its attacker page's and its sink page's message types, its replay endpoint.
const labMarkers = ['Run in every mode', 'authbench-lab:csrf', '/replay', 'authbench-lab:sink-result'];
const outDirs: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

const builds = new Map<string, { files: Map<string, string>; log: string }>();

/** Builds the SPA with these variables (once per set) and returns its JavaScript, file by file, and what the build printed. */
function build(variables: { VITE_LAB?: string; VITE_API_URLS?: string }): { files: Map<string, string>; log: string } {
  const key = JSON.stringify(variables);
  const built = builds.get(key);
  if (built) return built;
  const outDir = mkdtempSync(join(tmpdir(), 'authbench-web-build-'));
  outDirs.push(outDir);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.VITE_LAB;
  delete env.VITE_API_URLS;
  Object.assign(env, variables);
  const log = execFileSync(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: webRoot, env, stdio: 'pipe' }).toString('utf8');
  const assets = join(outDir, 'assets');
  const files = new Map(readdirSync(assets).filter((name) => name.endsWith('.js')).map((name) => [name, readFileSync(join(assets, name), 'utf8')]));
  builds.set(key, { files, log });
  return { files, log };
}

const filesHolding = (files: Map<string, string>, marker: string) => [...files].filter(([, code]) => code.includes(marker)).map(([name]) => name);

describe('the lab in a build', () => {
  it('a production build holds none of the lab’s code', { timeout: 60_000 }, () => {
    const { files } = build({});
    expect(files.size).toBeGreaterThan(0);
    for (const marker of labMarkers) expect(filesHolding(files, marker), marker).toEqual([]);
  });

  it('VITE_LAB=1 builds it in, as a chunk of its own (so the check above looks for the right strings)', { timeout: 60_000 }, () => {
    const { files } = build({ VITE_LAB: '1', VITE_API_URLS: 'https://api.example.test' });
    for (const marker of labMarkers) expect(filesHolding(files, marker), marker).not.toEqual([]);
    expect([...files.keys()].some((name) => name.startsWith('lab-route-'))).toBe(true);
  });
});

describe('the APIs a production build calls', () => {
  it('without VITE_API_URLS, its own origin, which the build says; no localhost in the bundle', { timeout: 60_000 }, () => {
    const { files, log } = build({});
    expect(log).toMatch(/authbench: the SPA calls the API at its own origin \(\/api beside the page/);
    expect(filesHolding(files, 'localhost:400')).toEqual([]);
  });

  it('with VITE_API_URLS, those, which the build says', { timeout: 60_000 }, () => {
    const { files, log } = build({ VITE_LAB: '1', VITE_API_URLS: 'https://api.example.test' });
    expect(log).toMatch(/authbench: the SPA calls https:\/\/api\.example\.test \(VITE_API_URLS\)/);
    expect(filesHolding(files, 'https://api.example.test')).not.toEqual([]);
    expect(filesHolding(files, 'localhost:400')).toEqual([]);
  });
});
