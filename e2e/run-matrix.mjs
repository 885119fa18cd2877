// `pnpm test:matrix`: the deployment matrix. Every mode × topology (same-origin, same-site,
// cross-site without and with Partitioned cookies) × third-party cookies allowed or blocked ×
// Chromium and Firefox: one Playwright run per topology (its servers behind the edge), four
// projects each (playwright.config.ts, E2E_MATRIX=1), one test per mode (specs/matrix/). Then the
// cells' results become a Markdown table: e2e/.output/matrix/matrix.md, and the "Deployment
// matrix" section of docs/deployment.md between its markers.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findChromium, findFirefox } from './browser.mjs';

const portOffset = Number(process.env.E2E_PORT_OFFSET ?? 0);
const output = new URL(`./.output/${portOffset ? `offset-${portOffset}/` : ''}`, import.meta.url).pathname;
const folder = `${output}matrix/`;
const page = new URL('../docs/deployment.md', import.meta.url).pathname;

const chromium = findChromium({ install: true });
const firefox = findFirefox({ install: true });
if (!chromium || !firefox) {
  console.error(`matrix: needs Chromium and Firefox (found ${chromium?.path ?? 'no Chromium'}, ${firefox?.path ?? 'no Firefox'}); see e2e/browser.mjs`);
  process.exit(1);
}
const version = (path) => {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return path;
  }
};

const layouts = [
  { topology: 'same-origin', partitioned: 'off' },
  { topology: 'same-site', partitioned: 'off' },
  { topology: 'cross-site', partitioned: 'off' },
  { topology: 'cross-site', partitioned: 'on' },
];

const started = Date.now();
rmSync(folder, { recursive: true, force: true });
rmSync(`${output}data`, { recursive: true, force: true });
execFileSync('pnpm', ['--filter', '@authbench/api', 'build'], { stdio: 'inherit' });
let failed = 0;
for (const { topology, partitioned } of layouts) {
  console.log(`\nmatrix: ${topology}, COOKIE_PARTITIONED=${partitioned}`);
  const run = spawnSync('pnpm', ['exec', 'playwright', 'test', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, E2E_MATRIX: '1', E2E_TOPOLOGY: topology, E2E_PARTITIONED: partitioned, CHROMIUM_PATH: chromium.path, FIREFOX_PATH: firefox.path },
  });
  if (run.status !== 0) failed++;
}
const seconds = Math.round((Date.now() - started) / 1000);

// The table: one row per layout and mode, one column per browser setting.
const cells = readdirSync(folder, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
  .map((entry) => JSON.parse(readFileSync(`${folder}${entry.name}`, 'utf8')));
const columns = [
  ['chromium', 'allowed', 'Chromium, third-party cookies allowed'],
  ['chromium', 'blocked', 'Chromium, third-party cookies blocked (Playwright’s default)'],
  ['firefox', 'allowed', 'Firefox default (Total Cookie Protection)'],
  ['firefox', 'blocked', 'Firefox, all third-party cookies blocked'],
];
const modes = ['session', 'jwt', 'jwt-cookie', 'jwt-dpop'];
const steps = ['login', 'reload', 'refresh', 'logout', 'revocation'];
const layoutLabel = { 'same-origin': 'same-origin (`SameSite=Lax`)', 'same-site': 'same-site (`SameSite=Lax`)', 'cross-site': 'cross-site (`SameSite=None; Secure`)' };
const mark = { works: '✓', fails: '✗' };
const describe = (cell) => {
  if (!cell) return 'not run';
  const applicable = steps.filter((step) => cell.outcomes[step] !== 'n/a');
  if (applicable.every((step) => cell.outcomes[step] === 'works')) return `✓ ${applicable.join(', ')}`;
  if (cell.outcomes.login === 'fails') return '✗ login (the `csrf` cookie is dropped: no login at all)';
  return applicable.map((step) => `${step} ${mark[cell.outcomes[step]]}`).join(', ');
};
const rows = layouts.flatMap(({ topology, partitioned }) =>
  modes.map((mode) => {
    const label = `${topology === 'cross-site' ? layoutLabel[topology].replace('`)', partitioned === 'on' ? '; Partitioned`)' : '`)') : layoutLabel[topology]}`;
    const cellsHere = columns.map(([engine, setting]) =>
      describe(cells.find((cell) => cell.topology === topology && cell.partitioned === (partitioned === 'on') && cell.mode === mode && cell.engine === engine && cell.thirdPartyCookies === setting)),
    );
    return `| ${label} | ${mode} | ${cellsHere.join(' | ')} |`;
  }),
);
// What a person saw where a step failed: one example of each distinct explanation.
const seen = new Map();
for (const cell of cells) {
  for (const [step, message] of Object.entries(cell.messages)) {
    const key = `${step}: ${message.replace(/__(Host|Secure)-/g, '').replace(/\b(session|jwt-cookie|jwt-dpop|jwt)\.api\./g, '')}`;
    if (!seen.has(key)) seen.set(key, { step, message, where: `${cell.mode}, ${cell.topology}${cell.partitioned ? ' + Partitioned' : ''}, ${cell.engine} ${cell.thirdPartyCookies}` });
  }
}
const table = [
  `Command: \`pnpm test:matrix\` · ${new Date().toISOString()} · ${seconds} s · ${failed === 0 ? 'every cell as predicted' : `**${failed} topology run(s) failed**`} · ${version(chromium.path)}, ${version(firefox.path)}, Playwright ${JSON.parse(readFileSync(new URL('./node_modules/@playwright/test/package.json', import.meta.url), 'utf8')).version}`,
  '',
  `| topology (cookies) | mode | ${columns.map(([, , label]) => label).join(' | ')} |`,
  `|---|---|${columns.map(() => '---').join('|')}|`,
  ...rows,
  '',
  'What the person sees where a step fails (the app’s words, one of each):',
  '',
  ...[...seen.values()].map(({ step, message, where }) => `- ${step} (${where}): “${message.replace(/\s+/g, ' ').trim()}”`),
  '',
].join('\n');
mkdirSync(folder, { recursive: true });
writeFileSync(`${folder}matrix.md`, table);

const start = '<!-- matrix:results:start -->';
const end = '<!-- matrix:results:end -->';
const text = readFileSync(page, 'utf8');
if (text.includes(start) && text.includes(end) && failed === 0 && cells.length === layouts.length * modes.length * columns.length) {
  writeFileSync(page, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}${text.slice(text.indexOf(end))}`);
  console.log(`\nmatrix: ${cells.length} cells in ${seconds} s; docs/deployment.md updated (${folder}matrix.md)`);
} else {
  console.log(`\nmatrix: ${cells.length} cells in ${seconds} s; docs/deployment.md left as it was (${failed ? 'a run failed' : 'incomplete or no markers'}); see ${folder}matrix.md`);
}
process.exit(failed === 0 ? 0 : 1);
