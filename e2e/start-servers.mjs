// Starts the e2e servers at once rather than one after another (Playwright's webServer entries
// start in turn, and each API's embedded database takes seconds to create): playwright.config.ts
// passes them in E2E_SERVERS as [{ name, command, env, url }]. Once every url answers, this
// process listens on E2E_READY_PORT, which is what Playwright waits for; when Playwright stops it,
// the servers stop with it.
import { createServer } from 'node:http';
import { answers } from '@authbench/edge/answers';
import { spawnInGroup, stopGroups, whenStarterGoes } from '@authbench/edge/process-groups';

const servers = JSON.parse(process.env.E2E_SERVERS ?? '[]');
const readyPort = Number(process.env.E2E_READY_PORT);
const startedAt = Date.now();
const timeoutMs = 120_000;

const children = servers.map(({ name, command, env }) => {
  const child = spawnInGroup(command, [], { shell: true, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (chunk) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) process.stderr.write(`[${name}] ${line}\n`);
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`e2e: ${name} exited (${signal ?? code}) before the run ended`);
    stop(1);
  });
  return child;
});

let stopping = false;
function stop(code) {
  stopping = true;
  stopGroups(children);
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
// Should Playwright go away without a word (killed), the servers go too.
whenStarterGoes(() => stop(0), Number(process.env.E2E_RUNNER_PID) || undefined);

const pending = new Set(servers);
while (pending.size > 0) {
  if (Date.now() - startedAt > timeoutMs) {
    console.error(`e2e: not up after ${timeoutMs / 1000} s: ${[...pending].map((server) => server.name).join(', ')}`);
    stop(1);
  }
  for (const server of [...pending]) if (await answers(server.url)) pending.delete(server);
  if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log(`e2e: ${servers.map((server) => server.name).join(', ')} up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
createServer((_req, res) => res.end('ready')).listen(readyPort, '127.0.0.1');
