import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authModes, paths } from '@authbench/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './support/test-app';

// The CLI is one bundle with no programmatic entry point (its @redocly/openapi-core is inside
// the bundle, at its own version), so the test runs it as CI or a person would.
const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin/cli.js');
const config = fileURLToPath(new URL('../../../redocly.yaml', import.meta.url));

// Preloaded into the CLI: any connection it opens (telemetry, an update check) ends the run with
// this line, so a pass also proves that the lint needs no network.
const offline = `import net from 'node:net';
net.Socket.prototype.connect = function () { process.stderr.write('redocly tried to open a network connection\\n'); process.exit(97); };`;

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}
interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Problem[];
}

function redoclyLint(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['--import', `data:text/javascript,${encodeURIComponent(offline)}`, cli, 'lint', file, '--config', config, '--format=json', '--lint-config=error'];
  // process.execPath: the Node.js the suite runs on (the project's 24), which the CLI's engines need.
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const describeProblem = (p: Problem) => `${p.severity} ${p.ruleId} at ${p.location.map((l) => l.pointer).join(', ')}: ${p.message}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'authbench-openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(authModes)('the OpenAPI document of %s mode', (mode) => {
  const t = useTestApp(mode);

  it('passes redocly lint with the recommended rules: no errors, no warnings', async () => {
    const res = await t.client().get(paths.openapi);
    expect(res.status).toBe(200);
    const file = path.join(dir, `${mode}.json`);
    await writeFile(file, JSON.stringify(res.body, null, 2));
    const run = await redoclyLint(file);
    let report: LintReport;
    try {
      report = JSON.parse(run.stdout) as LintReport;
    } catch {
      throw new Error(`redocly lint exited ${run.code} without a report:\n${run.stderr}${run.stdout}`);
    }
    expect(report.problems.map(describeProblem)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.code, run.stderr).toBe(0);
  });
});
