// `pnpm dev`: the four APIs (session on :4000, jwt on :4001, jwt-cookie on :4002, jwt-dpop on
// :4003, one process, one shared embedded database), the SPA's Vite dev server and the evidence lab's attacker site (another
// site: 127.0.0.1:5174), with their output interleaved; Ctrl-C stops all.
//
// `pnpm dev --topology same-origin|same-site|cross-site` (or DEV_TOPOLOGY) serves the same over
// HTTPS through the edge (apps/edge, https on :8443, DEV_EDGE_PORT), with made-up host names and
// the cookie settings the layout needs (apps/edge/topologies.mjs); `--partitioned on|off`
// (DEV_PARTITIONED) sets COOKIE_PARTITIONED, on by default for cross-site. The banner says which
// URL to open and how to make the names resolve.
import { parseArgs } from 'node:util';
import { answers } from '../apps/edge/answers.mjs';
import { spawnInGroup, stopGroups, whenStarterGoes } from '../apps/edge/process-groups.mjs';
import { certificateHosts, describeDeployment, hostResolverRules, isTopology, modes, topologies } from '../apps/edge/topologies.mjs';

const { values: args } = parseArgs({
  options: { topology: { type: 'string' }, partitioned: { type: 'string' } },
  allowPositionals: true,
});
const topology = args.topology ?? process.env.DEV_TOPOLOGY;
if (topology !== undefined && !isTopology(topology)) {
  console.error(`dev: --topology expects ${topologies.join(', ')} (got ${JSON.stringify(topology)})`);
  process.exit(1);
}
const partitionedArg = args.partitioned ?? process.env.DEV_PARTITIONED;
if (partitionedArg !== undefined && !['on', 'off'].includes(partitionedArg)) {
  console.error('dev: --partitioned expects on or off');
  process.exit(1);
}

const attackerPort = Number(process.env.ATTACKER_PORT ?? 5174);
const apiPort = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const edgePort = Number(process.env.DEV_EDGE_PORT ?? 8443);
const deployment = topology
  ? describeDeployment({ topology, port: edgePort, ...(partitionedArg && { partitioned: partitionedArg === 'on' }) })
  : undefined;
const spaOrigins = deployment?.spaOrigins ?? ['http://localhost:5173'];
const attackerEnv = {
  ATTACKER_PORT: String(attackerPort),
  ATTACKER_ORIGINS: process.env.ATTACKER_ORIGINS ?? spaOrigins.join(','),
  ...(deployment && { ATTACKER_EDGE: `127.0.0.1:${edgePort}` }),
};
const apiUrls = deployment ? modes.map((mode) => deployment.apiUrls[mode]) : modes.map((_, i) => `http://localhost:${apiPort + i}`);

const children = [
  // In a topology, the one API process takes the layout's cookie settings (dev.ts serves every
  // mode with one configuration); the start-up linter checks them against PUBLIC_ORIGIN. Each
  // mode's API has a public origin of its own (DEV_PUBLIC_ORIGINS): DPoP proofs name it (htu).
  [
    'api',
    ['--filter', '@authbench/api', 'dev:once'],
    deployment ? { ...deployment.apiEnv, PUBLIC_ORIGIN: deployment.apiUrls.session, DEV_PUBLIC_ORIGINS: modes.map((mode) => deployment.apiUrls[mode]).join(',') } : {},
  ],
  ['web', ['--filter', '@authbench/web', 'dev'], { VITE_ATTACKER_URL: `http://127.0.0.1:${attackerPort}`, ...(deployment && { VITE_API_URLS: apiUrls.join(',') }) }],
  ['attacker', ['--filter', '@authbench/attacker', 'start'], attackerEnv],
  ...(deployment
    ? [
        [
          'edge',
          ['--filter', '@authbench/edge', 'start'],
          {
            EDGE_TOPOLOGY: deployment.topology,
            EDGE_PORT: String(edgePort),
            EDGE_SPA: 'http://127.0.0.1:5173',
            EDGE_APIS: modes.map((_, i) => `http://${host}:${apiPort + i}`).join(','),
          },
        ],
      ]
    : []),
].map(([name, pnpmArgs, env = {}]) => {
  const child = spawnInGroup('pnpm', ['--silent', ...pnpmArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout.on('data', (chunk) => process.stdout.write(prefix(chunk)));
  child.stderr.on('data', (chunk) => process.stderr.write(prefix(chunk)));
  child.on('exit', (code) => {
    console.log(`[${name}] exited with ${code}`);
    stop(code ?? 1);
  });
  return child;
});

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  stopGroups(children);
  setTimeout(() => process.exit(code), 500).unref();
}
// Ctrl-C reaches only this process (the servers have groups of their own), and so does a kill.
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));
whenStarterGoes(() => stop(0));

// The banner waits until every API and the SPA answer, so the URL it prints works when it appears.
const checks = [...modes.map((_, i) => `http://${host}:${apiPort + i}/api/health`), 'http://127.0.0.1:5173/', `http://127.0.0.1:${attackerPort}/health`, ...(deployment ? [`https://127.0.0.1:${edgePort}/`] : [])];
function announce() {
  if (!deployment) {
    const apis = modes.map((mode, i) => `${mode} http://localhost:${apiPort + i}`).join(', ');
    console.log(`\n  Authbench is up: open http://localhost:5173  (APIs: ${apis})`);
    console.log(`  Evidence lab: http://localhost:5173/lab  (its attacker's site: http://127.0.0.1:${attackerPort})\n`);
    return;
  }
  const names = [...new Set(deployment.routes.map((route) => route.host))];
  const open = deployment.topology === 'same-origin' ? modes.map((mode) => `${mode} ${deployment.spaUrls[mode]}`).join(', ') : deployment.spaUrls.session;
  console.log(`\n  Authbench is up, ${deployment.summary}`);
  console.log(`  Open: ${open}   (lab: ${deployment.spaUrls.session}/lab)`);
  console.log(`  APIs: ${modes.map((mode) => `${mode} ${deployment.apiUrls[mode]}`).join(', ')}`);
  console.log('  The names resolve to this machine only when asked to; either');
  console.log(`    add to /etc/hosts:  127.0.0.1 ${names.join(' ')}`);
  console.log(`    or start Chromium:  chromium --host-resolver-rules="${hostResolverRules}" --user-data-dir=$(mktemp -d) ${open.split(' ').at(-1)}`);
  console.log(`  The certificate (apps/edge/.certs/edge-cert.pem, made at run time for ${certificateHosts.join(', ')}) is self-signed:`);
  console.log('  accept the browser\'s warning once per host, or trust the file. curl:');
  console.log(`    curl --cacert apps/edge/.certs/edge-cert.pem --resolve ${new URL(deployment.apiUrls.session).host}:127.0.0.1 ${deployment.apiUrls.session}/api/config\n`);
}

async function announceWhenUp() {
  const deadline = Date.now() + 120_000;
  while (!stopping && Date.now() < deadline) {
    if ((await Promise.all(checks.map(answers))).every(Boolean)) return announce();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!stopping) console.log(`\n  Authbench is not answering yet on ${checks.join(', ')}: see the lines above.\n`);
}
void announceWhenUp();
