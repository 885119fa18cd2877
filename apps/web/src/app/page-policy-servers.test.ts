import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy, labSinkPageUrl } from '@authbench/contract/page-policy';
import { createServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentApiUrls } from './api-targets';

// Every server of the SPA gives its pages the policy that packages/contract/src/page-policy.ts
// builds: the production server (server/serve.ts, run as `pnpm start:web` runs it, by plain
// Node.js), `vite preview`, and the dev server with its named allowances. Builds as a deployment
// makes them, and as the e2e suite does (VITE_LAB=1).

const webRoot = fileURLToPath(new URL('../..', import.meta.url));
const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
const apiUrls = ['http://localhost:7600', 'http://localhost:7601'];
const attackerUrl = 'http://127.0.0.1:7674';
const production = contentSecurityPolicy({ apiUrls });
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function build(lab: boolean): string {
  const outDir = mkdtempSync(join(tmpdir(), 'authbench-web-policy-'));
  dirs.push(outDir);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', VITE_API_URLS: apiUrls.join(','), VITE_ATTACKER_URL: attackerUrl };
  delete env.VITE_LAB;
  if (lab) env.VITE_LAB = '1';
  execFileSync(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: webRoot, env, stdio: 'pipe' });
  return outDir;
}

/** `node server/serve.ts` on a free port, as `pnpm start:web` starts it; resolves with its URL. */
function startWebServer(root: string): Promise<string> {
  const child = spawn(process.execPath, ['server/serve.ts'], { cwd: webRoot, env: { ...process.env, WEB_ROOT: root, WEB_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) resolve(url);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server/serve.ts exited (${code}): ${output}`)));
  });
}

const headersOf = async (url: string) => {
  const response = await fetch(url);
  await response.arrayBuffer();
  return { status: response.status, csp: response.headers.get('content-security-policy') };
};
const freePort = () => 20_000 + Math.floor(Math.random() * 20_000);

describe('a production build (no lab)', () => {
  let root = '';
  let url = '';
  beforeAll(async () => {
    root = build(false);
    url = await startWebServer(root);
  }, 60_000);

  it('records what it was built for, and holds no sink page', () => {
    expect(JSON.parse(readFileSync(join(root, 'page-policy.json'), 'utf8'))).toEqual({ apiUrls });
    expect(existsSync(join(root, 'lab-sinks.html'))).toBe(false);
  });

  it('is served by server/serve.ts with the production policy on every response, routes and assets and misses alike', async () => {
    const asset = readFileSync(join(root, 'index.html'), 'utf8').match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    for (const path of ['/', '/login', '/sessions', '/lab', asset!, '/assets/missing.js', labSinkPageUrl({ sink: 'eval' }, false)]) {
      const answer = await headersOf(url + path);
      expect(answer.csp, path).toBe(production);
    }
    expect((await headersOf(`${url}/sessions`)).status).toBe(200);
    expect((await headersOf(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('a lab build (VITE_LAB=1, as the e2e suite makes)', () => {
  let root = '';
  const servers: Record<string, string> = {};
  let closePreview: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    root = build(true);
    servers['server/serve.ts'] = await startWebServer(root);
    const server = await preview({ root: webRoot, logLevel: 'silent', build: { outDir: root }, preview: { host: '127.0.0.1', port: freePort(), strictPort: false } });
    closePreview = () => server.close();
    servers['vite preview'] = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  }, 60_000);
  afterAll(() => closePreview?.());

  it.each(['server/serve.ts', 'vite preview'])('%s: the lab’s own allowances on its pages, the production policy on the sink page, no policy on its control', async (name) => {
    const url = servers[name]!;
    expect((await headersOf(`${url}/lab`)).csp).toBe(contentSecurityPolicy({ apiUrls, lab: { attackerUrl } }));
    const sinkPage = await headersOf(url + labSinkPageUrl({ sink: 'eval', run: 'x' }, true));
    expect([sinkPage.status, sinkPage.csp]).toEqual([200, production]);
    const control = await headersOf(url + labSinkPageUrl({ sink: 'eval', run: 'x' }, false));
    expect([control.status, control.csp]).toEqual([200, null]);
  });
});

describe('the dev server', () => {
  let url = '';
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const server = await createServer({ root: webRoot, logLevel: 'silent', server: { host: '127.0.0.1', port: freePort(), strictPort: false } });
    await server.listen();
    close = () => server.close();
    url = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  }, 60_000);
  afterAll(() => close?.());

  it('allows the inline scripts Vite injects by a nonce they carry, and nothing inline without it', async () => {
    const response = await fetch(`${url}/login`);
    const html = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([\w-]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain(`script-src 'self' 'report-sample' 'nonce-${nonce}'`);
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(csp).toContain(`connect-src ${developmentApiUrls.join(' ')} 'self' http://127.0.0.1:5174`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    // The React refresh preamble is inline; every script tag carries the nonce.
    expect(html).toContain('injectIntoGlobalHook(window)');
    expect(scripts.length).toBeGreaterThan(1);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).toContain(`<meta property="csp-nonce" nonce="${nonce}">`);
  });

  it('serves the lab’s sink page with the production policy (and Vite’s allowances), and its control without any', async () => {
    const page = await headersOf(url + labSinkPageUrl({ sink: 'eval', run: 'x' }, true));
    expect(page.csp).toContain("base-uri 'none'");
    expect(page.csp).not.toContain('127.0.0.1:5174');
    expect((await headersOf(url + labSinkPageUrl({ sink: 'eval', run: 'x' }, false))).csp).toBeNull();
  });
});
