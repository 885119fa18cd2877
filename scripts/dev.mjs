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

setTimeout(() => {
  if (!stopping) console.log('\n  Authbench is up: open http://localhost:5173  (APIs: session http://localhost:4000, jwt http://localhost:4001)\n');
}, 4000);
