// The only reader of import.meta.env in the SPA.
import { apiTargetsOf, developmentApiUrls, ownOrigin, resolveOwnOrigin } from './api-targets';
import { attackerUrlOf } from './build-settings';

/**
 * The APIs the mode switch can point at; the SPA learns each one's mode from GET /api/config.
 * Unset, a production build calls its own origin (api-targets.ts), and says so as it builds.
 */
export const apiUrls: readonly string[] = resolveOwnOrigin(
  // Written out (not defaultApiTargets) so that a production bundle drops the development URLs.
  apiTargetsOf(import.meta.env.VITE_API_URLS, import.meta.env.PROD ? [ownOrigin] : developmentApiUrls),
  typeof window === 'undefined' ? '' : window.location.origin,
);

/**
 * The evidence lab (/lab) and its attack code ship only in development and when the build sets
 * VITE_LAB=1 (the e2e suite does). The condition and the import live together in this module so
 * that a production build drops the lab's chunk altogether, not merely never loads it.
 */
export const loadLab: (() => Promise<typeof import('./routes/lab-route')>) | undefined =
  import.meta.env.DEV || import.meta.env.VITE_LAB === '1' ? () => import('./routes/lab-route') : undefined;

/** The lab's attacker site (apps/attacker): another site than the SPA's. `pnpm dev` serves it on 127.0.0.1:5174. */
export const labAttackerUrl: string = import.meta.env.DEV || import.meta.env.VITE_LAB === '1' ? attackerUrlOf(import.meta.env.VITE_ATTACKER_URL) : '';
