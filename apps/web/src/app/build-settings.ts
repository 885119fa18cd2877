// What a build of the SPA is made for, from its VITE_ variables: read by the app through
// import.meta.env (env.ts) and by the SPA's servers through Vite's loaded env
// (page-policy-plugin.ts), with these same functions and defaults.

// pnpm dev: session, jwt, jwt-cookie and jwt-dpop mode, one API each.
const defaultApiUrls = 'http://localhost:4000,http://localhost:4001,http://localhost:4002,http://localhost:4003';

/** "http://a:4000/, http://b:4001" -> ["http://a:4000", "http://b:4001"], without duplicates. */
export function parseApiUrls(raw: string | undefined): string[] {
  const urls = (raw?.trim() ? raw : defaultApiUrls)
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  return [...new Set(urls)];
}

/** The lab's attacker site (apps/attacker), VITE_ATTACKER_URL: another site than the SPA's. `pnpm dev` serves it on 127.0.0.1:5174. */
export const attackerUrlOf = (raw: string | undefined): string => (raw ?? 'http://127.0.0.1:5174').replace(/\/+$/, '');
