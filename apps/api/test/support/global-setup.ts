import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/storage/database';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDataDir: string;
  }
}

/** Creates and migrates one PGlite database; each test app starts from a copy of it (initdb is slow). */
export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), 'authbench-template-'));
  const db = await openDatabase({ dataDir: root });
  await db.destroy();
  project.provide('templateDataDir', root);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
