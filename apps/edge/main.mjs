// `node apps/edge/main.mjs`: the HTTPS edge of one deployment topology, for `pnpm dev` and the e2e
// suite. Settings:
//   EDGE_TOPOLOGY   same-origin | same-site | cross-site
//   EDGE_PORT       the HTTPS port (8443)
//   EDGE_SPA        the SPA's server (http://127.0.0.1:5173)
//   EDGE_APIS       the session, jwt, jwt-cookie and jwt-dpop APIs, comma-separated
//                   (http://127.0.0.1:4000,http://127.0.0.1:4001,http://127.0.0.1:4002,http://127.0.0.1:4003)
//   EDGE_CERT_DIR   where the certificate made at run time is kept (apps/edge/.certs, gitignored)
import { fileURLToPath } from 'node:url';
import { ensureCertificate } from './certificate.mjs';
import { startEdge } from './edge.mjs';
import { certificateHosts, describeDeployment, isTopology, modes, topologies } from './topologies.mjs';

/** @param {string} message @returns {never} */
function fail(message) {
  console.error(`edge: ${message}`);
  process.exit(1);
}

const topology = process.env.EDGE_TOPOLOGY ?? '';
if (!isTopology(topology)) fail(`EDGE_TOPOLOGY: expected ${topologies.join(', ')} (got ${JSON.stringify(topology)})`);
const port = Number(process.env.EDGE_PORT ?? 8443);
if (!Number.isInteger(port) || port <= 0 || port > 65535) fail('EDGE_PORT: expected a port number');
const spa = process.env.EDGE_SPA ?? 'http://127.0.0.1:5173';
const apiList = (process.env.EDGE_APIS ?? 'http://127.0.0.1:4000,http://127.0.0.1:4001,http://127.0.0.1:4002,http://127.0.0.1:4003').split(',').map((url) => url.trim());
if (apiList.length !== modes.length || ![spa, ...apiList].every((url) => URL.canParse(url))) {
  fail(`EDGE_SPA and EDGE_APIS: expected URLs, one API per mode (${modes.join(', ')})`);
}
const apis = /** @type {Record<import('./topologies.mjs').Mode, string>} */ (Object.fromEntries(modes.map((mode, i) => [mode, apiList[i] ?? ''])));
const certDir = process.env.EDGE_CERT_DIR ?? fileURLToPath(new URL('./.certs/', import.meta.url));

const deployment = describeDeployment({ topology, port });
let certificate;
try {
  certificate = ensureCertificate(certDir, certificateHosts);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const edge = await startEdge({ port, routes: deployment.routes, spa, apis, certificate }).catch((/** @type {unknown} */ error) =>
  fail(`could not listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`),
);
console.log(`edge: ${topology} on https://127.0.0.1:${edge.port} for ${deployment.routes.map((route) => route.host).join(', ')}`);
console.log(`edge: certificate ${certificate.certPath} (${certificate.fresh ? 'made now' : 'reused'}), SHA-256 ${certificate.fingerprint256}`);

const stop = () => void edge.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
