// `pnpm test`: every workspace package's test script, two at a time (TEST_CONCURRENCY), the
// longest first: e2e, then the API's, then the rest, then `pnpm test:dev`. pnpm -r would start e2e
// last (it sorts packages by their dependencies) and leave its end to run alone, when the API's
// suite, which ends sooner, could have run beside it. Every suite runs to its end; every failure
// is reported, and the exit code is 1 if any failed. Each line is prefixed with its package, as
// pnpm -r does.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const first = ['@authbench/e2e', '@authbench/api'];
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY ?? 2));
const root = new URL('..', import.meta.url).pathname;

/** The workspace's packages that have a test script, the longest suites first. */
function suites() {
  const listed = JSON.parse(execFileSync('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { cwd: root, encoding: 'utf8' }));
  const withTests = listed
    .filter((pkg) => pkg.path !== root.replace(/\/$/, '') && JSON.parse(readFileSync(path.join(pkg.path, 'package.json'), 'utf8')).scripts?.test)
    .map((pkg) => ({ name: pkg.name, label: path.relative(root, pkg.path) }));
  const rank = (name) => (first.includes(name) ? first.indexOf(name) : first.length);
  return withTests.sort((a, b) => rank(a.name) - rank(b.name));
}

/** Runs a command, its output line by line behind `label`; resolves with its exit code and time. */
function run(label, command, args) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) console.log(`${label}: ${line}`);
      });
      stream.on('end', () => rest && console.log(`${label}: ${rest}`));
    }
    child.on('error', (err) => {
      console.log(`${label}: ${err.message}`);
      resolve({ label, code: 1, seconds: 0 });
    });
    child.on('close', (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0), seconds: Math.round((Date.now() - started) / 1000) }));
  });
}

const queue = suites();
const results = [];
await Promise.all(
  Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.push(await run(`${next.label} test`, 'pnpm', ['--filter', next.name, 'test']));
  }),
);
// pnpm dev's own test, alone: it takes the dev ports.
results.push(await run('test:dev', 'pnpm', ['test:dev']));

console.log('\ntests:');
for (const { label, code, seconds } of results) console.log(`  ${code === 0 ? 'passed' : `FAILED (exit ${code})`}  ${label}  ${seconds} s`);
process.exitCode = results.some((result) => result.code !== 0) ? 1 : 0;
