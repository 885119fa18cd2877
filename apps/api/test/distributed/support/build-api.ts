import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { apiCacheDir, bundleApi } from '../../support/api-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The API bundled as `pnpm build` bundles it, for the tests that start real processes. */
    apiBundle: string;
  }
}

/** Bundles the API once for the process tests. */
export default async function setup(project: TestProject) {
  project.provide('apiBundle', await bundleApi(path.join(await apiCacheDir(), 'authbench-test-api')));
}
