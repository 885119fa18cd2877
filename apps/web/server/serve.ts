// `pnpm start:web` (`node server/serve.ts`): the production server of the built SPA. A small static
// server whose every response carries the page policy (packages/contract/src/page-policy.ts),
// computed from what the build was made for (dist/page-policy.json: its APIs and, in a lab build,
// its attacker's site), so that the policy cannot drift from the bundle. Any path that names no
// file and has no extension is a route of the SPA: index.html. Dependency-free; Node.js runs it
// as it is (type stripping). Settings:
//   WEB_PORT  the port (4173)
//   WEB_HOST  where it listens (127.0.0.1)
//   WEB_ROOT  the build to serve (apps/web/dist)
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPagePolicy, type PagePolicy, type PagePolicyOptions } from '@authbench/contract/page-policy';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface WebServerOptions {
  /** The build: index.html, assets/, page-policy.json. */
  root: string;
  port: number;
  host: string;
}

/** The policy a build was made for, from the file its build wrote (page-policy-plugin.ts). */
export function policyOfBuild(root: string): PagePolicy {
  const file = path.join(root, 'page-policy.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: build the SPA first (pnpm --filter @authbench/web build)`);
  return createPagePolicy(JSON.parse(readFileSync(file, 'utf8')) as PagePolicyOptions);
}

/** The file a request path names inside the build, if there is one (never outside it). */
function fileOf(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, file: string | undefined, body?: string) {
  if (file) {
    res.writeHead(status, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
}

/** The server, not yet listening. */
export function createWebServer(root: string, policy: PagePolicy = policyOfBuild(root)): Server {
  const index = path.join(root, 'index.html');
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://web.invalid');
    for (const [name, value] of Object.entries(policy.headersFor(`${url.pathname}${url.search}`))) res.setHeader(name, value);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(req, res, 405, undefined, 'Method not allowed\n');
      return;
    }
    const file = fileOf(root, url.pathname);
    if (file) {
      // Hashed names change with their content: cache them for good. Anything else, ask each time.
      res.setHeader('Cache-Control', url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      send(req, res, 200, file);
    } else if (path.posix.extname(url.pathname) === '') {
      res.setHeader('Cache-Control', 'no-cache');
      send(req, res, 200, index);
    } else {
      send(req, res, 404, undefined, 'Not found\n');
    }
  });
}

function fail(message: string): never {
  console.error(`web: ${message}`);
  process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.WEB_PORT ?? 4173);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('WEB_PORT: expected a port number');
  const host = process.env.WEB_HOST ?? '127.0.0.1';
  const root = path.resolve(process.env.WEB_ROOT ?? fileURLToPath(new URL('../dist', import.meta.url)));
  let policy: PagePolicy;
  try {
    policy = policyOfBuild(root);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const server = createWebServer(root, policy);
  server.on('error', (error) => fail(`could not listen on ${host}:${port}: ${error.message}`));
  server.listen(port, host, () => {
    console.log(`web: the built SPA (${root}) on http://${host}:${(server.address() as AddressInfo).port}, every response with its page policy:`);
    console.log(`web: Content-Security-Policy: ${policy.header}`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
