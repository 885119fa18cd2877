// `pnpm dev`: the two APIs (session on :4000, jwt on :4001, one shared embedded database) and
// the SPA's Vite dev server, with their output interleaved; Ctrl-C stops all three.
import { spawn } from 'node:child_process';

const children = [
  ['api', ['--filter', '@authbench/api', 'dev:once']],
  ['web', ['--filter', '@authbench/web', 'dev']],
].map(([name, args]) => {
  const child = spawn('pnpm', ['--silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
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
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// The banner waits until both APIs and the SPA answer, so the URL it prints works when it appears.
const apiPort = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const checks = [`http://${host}:${apiPort}/api/health`, `http://${host}:${apiPort + 1}/api/health`, 'http://127.0.0.1:5173/'];
const answers = (url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((res) => res.ok, () => false);

async function announceWhenUp() {
  const deadline = Date.now() + 120_000;
  while (!stopping && Date.now() < deadline) {
    if ((await Promise.all(checks.map(answers))).every(Boolean)) {
      console.log(`\n  Authbench is up: open http://localhost:5173  (APIs: session http://localhost:${apiPort}, jwt http://localhost:${apiPort + 1})\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!stopping) console.log(`\n  Authbench is not answering yet on ${checks.join(', ')}: see the lines above.\n`);
}
void announceWhenUp();
