// The edge: one HTTPS port that answers for every host name of a deployment (topologies.mjs) and
// forwards each request over plain HTTP to the SPA's server or a mode's API on this machine, as a
// TLS-terminating proxy or load balancer would in production: X-Forwarded-Proto/-For/-Host set,
// the Host rewritten to the upstream's (so that Vite's host check passes), WebSockets (Vite's
// hot reload) tunnelled. Dependency-free; development and tests only.
import { request as httpRequest, Agent } from 'node:http';
import { createServer } from 'node:https';
import { connect } from 'node:net';

/** @typedef {import('./topologies.mjs').Route} Route */
/** @typedef {import('./topologies.mjs').Mode} Mode */

/**
 * @typedef {object} EdgeOptions
 * @property {number} port
 * @property {string} [host]                 where it listens (127.0.0.1)
 * @property {readonly Route[]} routes
 * @property {string} spa                    the SPA's server, e.g. http://127.0.0.1:5173
 * @property {Record<Mode, string>} apis     each mode's API, e.g. http://127.0.0.1:4000
 * @property {{ cert: string, key: string }} certificate
 * @property {(line: string) => void} [log]  one line per failed forward
 */

/** Paths that belong to the API on a host that serves both (same-origin). */
const isApiPath = (/** @type {string} */ path) => path === '/api' || path.startsWith('/api/') || path.startsWith('/.well-known/');

const hop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * The end-to-end headers: hop-by-hop ones belong to one connection, never forwarded.
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {import('node:http').OutgoingHttpHeaders}
 */
function endToEnd(headers) {
  /** @type {import('node:http').OutgoingHttpHeaders} */
  const out = {};
  for (const [name, value] of Object.entries(headers)) if (!hop.has(name) && value !== undefined) out[name] = value;
  return out;
}

/**
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @param {URL} upstream
 * @param {string | undefined} clientIp
 */
function forwardedHeaders(headers, upstream, clientIp) {
  const out = endToEnd(headers);
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = [prior, clientIp].filter(Boolean).join(', ');
  out['x-forwarded-proto'] = 'https';
  out['x-forwarded-host'] = headers.host ?? '';
  out.host = upstream.host;
  return out;
}

/**
 * @param {EdgeOptions} options
 * @returns {Promise<{ close(): Promise<void>, port: number }>}
 */
export async function startEdge({ port, host = '127.0.0.1', routes, spa, apis, certificate, log = (line) => console.error(line) }) {
  const byHost = new Map(routes.map((route) => [route.host.toLowerCase(), route]));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  /** @param {string | undefined} hostHeader @param {string} path @returns {URL | string} */
  const upstreamOf = (hostHeader, path) => {
    const name = (hostHeader ?? '').toLowerCase().replace(/:\d+$/, '');
    const route = byHost.get(name);
    if (!route) return `no route for host ${JSON.stringify(name)}; this edge serves ${[...byHost.keys()].join(', ')}`;
    if (route.api && (!route.spa || isApiPath(path))) return new URL(apis[route.api]);
    return new URL(spa);
  };

  const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    const upstream = upstreamOf(req.headers.host, (req.url ?? '/').split('?')[0] ?? '/');
    if (typeof upstream === 'string') {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${upstream}\n`);
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: forwardedHeaders(req.headers, upstream, req.socket.remoteAddress), agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      log(`edge: ${req.method ?? 'GET'} ${req.headers.host ?? ''}${req.url ?? ''} → ${upstream.origin}: ${error.message}`);
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`edge: ${upstream.origin} did not answer (${error.message})\n`);
      else res.destroy();
    });
    req.pipe(forward);
  });

  // WebSockets (Vite's hot reload): the handshake forwarded as is, then bytes both ways.
  server.on('upgrade', (/** @type {import('node:http').IncomingMessage} */ req, /** @type {import('node:stream').Duplex} */ socket, /** @type {Buffer} */ head) => {
    const upstream = upstreamOf(req.headers.host, (req.url ?? '/').split('?')[0] ?? '/');
    if (typeof upstream === 'string') {
      socket.end('HTTP/1.1 421 Misdirected Request\r\n\r\n');
      return;
    }
    const headers = { ...forwardedHeaders(req.headers, upstream, req.socket.remoteAddress), connection: 'Upgrade', upgrade: req.headers.upgrade ?? 'websocket' };
    const target = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((each) => `${name}: ${each}`) : [`${name}: ${String(value)}`]));
      target.write(`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) target.write(head);
      socket.pipe(target).pipe(socket);
    });
    const drop = () => {
      socket.destroy();
      target.destroy();
    };
    target.on('error', drop);
    socket.on('error', drop);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
