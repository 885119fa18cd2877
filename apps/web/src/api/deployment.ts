import type { ConfigResponse, CookieInfo, PageDeployment } from '@authbench/contract';

// Where this page and its API live relative to each other, and what that does to the API's
// cookies: the reason a login "works on my machine" and not deployed. The API judges the sites
// (with the Public Suffix List, in GET /api/config's `deployment`), so that this page and the
// API's start-up warnings never disagree; this module only words the consequences.

export type Deployment = PageDeployment;
export type Topology = PageDeployment['topology'];

const sameSiteLabel = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/** `rt: HttpOnly; Secure; SameSite=None; Partitioned`, as the API reports its cookies. */
export function describeCookie(cookie: CookieInfo): string {
  return [
    cookie.name,
    ': ',
    [cookie.httpOnly && 'HttpOnly', cookie.secure && 'Secure', `SameSite=${sameSiteLabel[cookie.sameSite]}`, cookie.partitioned && 'Partitioned']
      .filter(Boolean)
      .join('; '),
  ].join('');
}

/** The API's cookie whose name ends with `name` (prefixes aside: `__Host-sid` for sid). */
export const cookieNamed = (config: ConfigResponse, name: string): CookieInfo | undefined =>
  config.cookies.find((cookie) => cookie.name === name || cookie.name.replace(/^__(Host|Secure)-/, '') === name);

const blockers = 'Safari always; Chrome and Edge when third-party cookies are blocked; Firefox when set to block them';

/**
 * Why a browser would not send this cookie back to the API from this page, most specific cause
 * first; undefined when nothing in the layout or the flags explains it (the browser refuses
 * cookies altogether, or an extension does). `observed`: this browser did drop it (else: what
 * browsers may do).
 */
export function whyCookieDrops(deployment: Deployment, cookie: CookieInfo | undefined, observed = true): string | undefined {
  const { topology, pageSite, apiSite, apiOrigin } = deployment;
  if (cookie?.secure && apiOrigin.startsWith('http:') && !/^http:\/\/(localhost|127\.0\.0\.1)(:|$)/.test(apiOrigin)) {
    return `${cookie.name} is Secure, but the API is reached over plain HTTP (${apiOrigin}): browsers keep Secure cookies for HTTPS.`;
  }
  if (topology !== 'cross-site') return undefined;
  const where = `This page (${pageSite}) and the API (${apiSite}) are on different sites, so the API’s cookies are third-party cookies here.`;
  const fix = 'serve the SPA and the API from one site, or from one origin through a proxy';
  if (!cookie) return `${where} Browsers that block third-party cookies (${blockers}) drop them: ${fix}.`;
  const flags = describeCookie(cookie);
  if (cookie.sameSite !== 'none') {
    return `${where} ${flags} is SameSite=${sameSiteLabel[cookie.sameSite]}, which browsers never send from another site: set COOKIE_SAMESITE=none (with COOKIE_SECURE), or ${fix}.`;
  }
  if (!cookie.secure) return `${where} ${flags}: browsers refuse SameSite=None without Secure (set COOKIE_SECURE).`;
  if (!cookie.partitioned) {
    return observed
      ? `${where} This browser blocks third-party cookies (${blockers}), and ${flags} is not Partitioned: set COOKIE_PARTITIONED=on (CHIPS), or ${fix}.`
      : `${where} Browsers that block third-party cookies (${blockers}) will drop ${flags}, which is not Partitioned: set COOKIE_PARTITIONED=on (CHIPS), or ${fix}.`;
  }
  return observed
    ? `${where} ${flags} is Partitioned (CHIPS), yet this browser blocks it too (Firefox set to block all third-party cookies does): ${fix}.`
    : `${where} ${flags} is Partitioned (CHIPS), which Chrome sends even when it blocks third-party cookies; Firefox set to block all third-party cookies still drops it: ${fix}.`;
}

/** What may go wrong with the API's cookies in this layout, before anything has: undefined where nothing should. */
export function cookieRisk(deployment: Deployment, config: ConfigResponse): string | undefined {
  return config.cookies.length === 0 ? undefined : whyCookieDrops(deployment, config.cookies[0], false);
}
