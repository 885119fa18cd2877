// The only reader of import.meta.env in the SPA.

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

/** The APIs the mode switch can point at; the SPA learns each one's mode from GET /api/config. */
export const apiUrls: readonly string[] = parseApiUrls(import.meta.env.VITE_API_URLS);

/**
 * The evidence lab (/lab) and its attack code ship only in development and when the build sets
 * VITE_LAB=1 (the e2e suite does). The condition and the import live together in this module so
 * that a production build drops the lab's chunk altogether, not merely never loads it.
 */
export const loadLab: (() => Promise<typeof import('./routes/lab-route')>) | undefined =
  import.meta.env.DEV || import.meta.env.VITE_LAB === '1' ? () => import('./routes/lab-route') : undefined;

/** The lab's attacker site (apps/attacker): another site than the SPA's. `pnpm dev` serves it on 127.0.0.1:5174. */
export const labAttackerUrl: string =
  import.meta.env.DEV || import.meta.env.VITE_LAB === '1' ? (import.meta.env.VITE_ATTACKER_URL ?? 'http://127.0.0.1:5174').replace(/\/+$/, '') : '';
