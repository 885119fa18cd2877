// What a build of the SPA is made for, from its VITE_ variables: read by the app through
// import.meta.env (env.ts) and by the SPA's servers through Vite's loaded env
// (page-policy-plugin.ts), with these same functions and defaults.

/** The lab's attacker site (apps/attacker), VITE_ATTACKER_URL: another site than the SPA's. `pnpm dev` serves it on 127.0.0.1:5174. */
export const attackerUrlOf = (raw: string | undefined): string => (raw ?? 'http://127.0.0.1:5174').replace(/\/+$/, '');
