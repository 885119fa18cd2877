// `pnpm dev` as a person runs it: it comes up, and when it is stopped (Ctrl-C in its terminal,
// or a kill from an IDE or a process manager) nothing it started keeps running, so the next
// `pnpm dev` finds its ports free. Run by `pnpm test` (node --test scripts/dev.test.mjs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

console.log(`[pnpm dev tests] Node.js ${process.version}`);
const root = path.resolve(import.meta.dirname, '..');
// The four APIs, the SPA and the attacker's site (scripts/dev.mjs).
const ports = [4000, 4001, 4002, 4003, 5173, 5174];
const dataDir = mkdtempSync(path.join(tmpdir(), 'authbench-dev-test-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const listening = (port) =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
const busyPorts = async () => (await Promise.all(ports.map(async (port) => ((await listening(port)) ? [port] : [])))).flat();

/** `pnpm dev` in a terminal of its own: its own process group, as a shell gives a job. */
async function startDev() {
  const busy = await busyPorts();
  assert.deepEqual(busy, [], `ports ${busy.join(', ')} are in use: stop your own pnpm dev before running this test`);
  const dev = spawn(process.execPath, ['scripts/dev.mjs'], { cwd: root, detached: true, env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => (output += chunk);
  dev.stdout.on('data', collect);
  dev.stderr.on('data', collect);
  let timer;
  const up = await new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), 120_000);
    dev.stdout.on('data', () => output.includes('Authbench is up') && resolve(true));
    dev.once('exit', () => resolve(false));
  }).finally(() => clearTimeout(timer));
  assert.ok(up, `pnpm dev did not come up:\n${output}`);
  return { dev, output: () => output };
}

async function portsFreeWithin(ms) {
  const deadline = Date.now() + ms;
  let busy = await busyPorts();
  while (busy.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    busy = await busyPorts();
  }
  return busy;
}

for (const [how, stop] of [
  ['Ctrl-C (SIGINT to its process group)', (dev) => process.kill(-dev.pid, 'SIGINT')],
  ['a kill (SIGTERM to it alone)', (dev) => dev.kill('SIGTERM')],
]) {
  test(`pnpm dev stops everything it started on ${how}`, { timeout: 180_000 }, async () => {
    const { dev, output } = await startDev();
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    stop(dev);
    await exited;
    const busy = await portsFreeWithin(10_000);
    assert.deepEqual(busy, [], `still listening 10 s after pnpm dev exited: ${busy.join(', ')}\n${output()}`);
  });
}
