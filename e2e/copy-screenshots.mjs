// `pnpm --filter @authbench/e2e screenshots`: copies the last run's screenshots
// (e2e/screenshots/<mode>/<page>.png, gitignored) to docs/screenshots/<mode>-<page>.png (committed),
// for every mode.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';

// The contract's authModes (this script runs on plain Node, which cannot import its TypeScript).
const modes = ['session', 'jwt', 'jwt-cookie'];
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
if (copied === 0) {
  console.error('No screenshots in e2e/screenshots/: run the e2e suite first.');
  process.exit(1);
}
console.log(`Copied ${copied} screenshots (${modes.join(', ')}) to docs/screenshots/.`);
