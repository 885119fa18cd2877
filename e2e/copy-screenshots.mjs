// `pnpm --filter @authbench/e2e screenshots`: copies the last run's screenshots
// (e2e/screenshots/<mode>/<page>.png, gitignored) to docs/screenshots/<mode>-<page>.png (committed),
// for every mode; and the lab's matrix (e2e/screenshots/lab/, from lab-every-mode.spec.ts) to
// docs/screenshots/lab-matrix.png and, its table, into docs/lab.md between its markers.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

// The contract's authModes (this script runs on plain Node, which cannot import its TypeScript).
const modes = ['session', 'jwt', 'jwt-cookie', 'jwt-dpop'];
const from = new URL('./screenshots/', import.meta.url);
const to = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(to, { recursive: true });
let copied = 0;
for (const mode of modes) {
  const dir = new URL(`${mode}/`, from);
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.png'))) {
    copyFileSync(new URL(file, dir), new URL(`${mode}-${file}`, to));
    copied++;
  }
}

const lab = new URL('lab/', from);
if (existsSync(new URL('matrix.png', lab))) {
  copyFileSync(new URL('matrix.png', lab), new URL('lab-matrix.png', to));
  copied++;
}
let labTable = 'not in this run';
if (existsSync(new URL('matrix.md', lab))) {
  const page = new URL('../docs/lab.md', import.meta.url);
  const start = '<!-- lab:results:start -->';
  const end = '<!-- lab:results:end -->';
  const text = readFileSync(page, 'utf8');
  const table = readFileSync(new URL('matrix.md', lab), 'utf8').trim();
  if (text.includes(start) && text.indexOf(end) > text.indexOf(start)) {
    writeFileSync(page, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
    labTable = 'written to docs/lab.md';
  } else {
    labTable = 'not written: docs/lab.md has no markers';
  }
}

if (copied === 0) {
  console.error('No screenshots in e2e/screenshots/: run the e2e suite first.');
  process.exit(1);
}
console.log(`Copied ${copied} screenshots (${modes.join(', ')}, the lab's matrix) to docs/screenshots/; the lab's table ${labTable}.`);
