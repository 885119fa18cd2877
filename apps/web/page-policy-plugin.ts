import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPagePolicy, type PagePolicy, type PagePolicyOptions } from '@authbench/contract/page-policy';
import { loadEnv, type Connect, type Plugin } from 'vite';
import { apiTargetsOf, defaultApiTargets } from './src/app/api-targets.ts';
import { attackerUrlOf } from './src/app/build-settings.ts';

/**
 * What a build's servers need to give its pages their policy, written beside the build: the APIs
 * the bundle calls and, in a lab build, its attacker's site. Read by `vite preview` and by the
 * production server (server/serve.ts), so that the policy a build is served with is computed from
 * the very variables it was built with.
 */
export const pagePolicyFile = 'page-policy.json';

/** The page policy (packages/contract/src/page-policy.ts) on every response of a Vite server. */
const withPolicy =
  (policy: PagePolicy): Connect.NextHandleFunction =>
  (req, res, next) => {
    for (const [name, value] of Object.entries(policy.headersFor(req.originalUrl ?? req.url ?? '/'))) res.setHeader(name, value);
    next();
  };

/**
 * The SPA's page policy in Vite: the dev server's (the production policy plus the allowances
 * Vite's client needs, each named in page-policy.ts), `vite preview`'s (the build's own, from
 * page-policy.json) and, in a lab build (VITE_LAB=1), the lab's sink page as a second entry.
 */
export function pagePolicyPlugin(): Plugin {
  // One per dev-server start: Vite stamps a fixed value (html.cspNonce) on the tags it injects.
  const nonce = randomBytes(18).toString('base64url');
  let options: PagePolicyOptions | undefined;
  let root = process.cwd();
  return {
    name: 'authbench:page-policy',
    config(config, { command, mode, isPreview }) {
      root = path.resolve(config.root ?? process.cwd());
      const env = loadEnv(mode, config.envDir === false ? root : path.resolve(root, config.envDir ?? '.'), 'VITE_');
      const dev = command === 'serve' && !isPreview;
      const lab = dev || env.VITE_LAB === '1';
      options = {
        // As env.ts decides for the bundle: a production build without VITE_API_URLS calls its own origin.
        apiUrls: apiTargetsOf(env.VITE_API_URLS, defaultApiTargets(command === 'build' && mode === 'production')),
        ...(lab && { lab: { attackerUrl: attackerUrlOf(env.VITE_ATTACKER_URL) } }),
        ...(dev && { dev: { nonce } }),
      };
      if (dev) return { html: { cspNonce: nonce } };
      // The lab's page of injection sinks: built only where the lab is.
      if (command === 'build' && lab) {
        return { build: { rolldownOptions: { input: { index: path.join(root, 'index.html'), 'lab-sinks': path.join(root, 'lab-sinks.html') } } } };
      }
      return undefined;
    },
    configureServer(server) {
      const policy = createPagePolicy(options!);
      server.middlewares.use(withPolicy(policy));
      const allowances = policy.allowances.map((allowance) => `${allowance.directive} ${allowance.source.replace(nonce, '…')}`);
      server.config.logger.info(`  page policy: the production one, plus (development, the lab) ${allowances.join(', ')}: docs/csp.md says why`);
    },
    configurePreviewServer(server) {
      const file = path.resolve(root, server.config.build.outDir, pagePolicyFile);
      if (!existsSync(file)) throw new Error(`vite preview: ${file} is missing: build the SPA first (vite build)`);
      server.middlewares.use(withPolicy(createPagePolicy(JSON.parse(readFileSync(file, 'utf8')) as PagePolicyOptions)));
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: pagePolicyFile, source: `${JSON.stringify({ apiUrls: options!.apiUrls, lab: options!.lab }, null, 2)}\n` });
    },
  };
}
