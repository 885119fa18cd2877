// Which APIs a build of the SPA calls: read by env.ts in the app and by vite.config.ts at build
// time, so that what the build says it targets is what the bundle does. No import.meta.env here.

import { ownOrigin } from '@authbench/contract/page-policy';

/** `pnpm dev`: one API per mode on localhost. */
export const developmentApiUrls: readonly string[] = ['http://localhost:4000', 'http://localhost:4001', 'http://localhost:4002', 'http://localhost:4003'];

/** Stands for the page's own origin until the page knows it: the same-origin deployment (the page policy allows it as 'self'). */
export { ownOrigin };

/**
 * Unset VITE_API_URLS means `pnpm dev`'s APIs in development, and in a production build the page's
 * own origin: the API under `/api` beside the SPA, behind one proxy (the deployment the README
 * recommends), never a developer's localhost. env.ts writes this choice out with
 * `import.meta.env.PROD`, so that a production bundle does not even hold the development URLs.
 */
export const defaultApiTargets = (production: boolean): readonly string[] => (production ? [ownOrigin] : developmentApiUrls);

/** VITE_API_URLS ("http://a:4000/, http://b:4001": trimmed, without trailing slashes or duplicates), else `fallback`. */
export function apiTargetsOf(raw: string | undefined, fallback: readonly string[]): string[] {
  const urls = raw?.trim() ? raw.split(',').map((url) => url.trim().replace(/\/+$/, '')) : fallback;
  return [...new Set(urls.filter(Boolean))];
}

/** `ownOrigin` made concrete: the URL of this page's origin. */
export const resolveOwnOrigin = (urls: readonly string[], pageOrigin: string): string[] => [...new Set(urls.map((url) => (url === ownOrigin ? pageOrigin : url)))];

/** What a build targets, in one line for the build's log. */
export function describeApiTargets(raw: string | undefined, production: boolean): string {
  const urls = apiTargetsOf(raw, defaultApiTargets(production));
  if (raw?.trim()) return `the SPA calls ${urls.join(', ')} (VITE_API_URLS)`;
  return urls[0] === ownOrigin
    ? 'the SPA calls the API at its own origin (/api beside the page, the same-origin deployment), as VITE_API_URLS is not set; set it to call APIs elsewhere'
    : `the SPA calls pnpm dev's APIs, ${urls.join(', ')}, as VITE_API_URLS is not set`;
}
