import type { ConfigResponse, CookieInfo } from '@authbench/contract';

// Where this page and its API live relative to each other, and what that does to the API's
// cookies: the reason a login "works on my machine" and not deployed. Computed from the page's
// own origin, the API's URL and the API's GET /api/config, never assumed.

export type Topology = 'same-origin' | 'same-site' | 'cross-site';

export interface Deployment {
  topology: Topology;
  pageOrigin: string;
  apiOrigin: string;
  /** The registrable domains ("sites") browsers compare for SameSite and third-party cookies. */
  pageSite: string;
  apiSite: string;
}

const isIp = (host: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');

/**
 * The site of a host name: its last two labels (an IP address or a one-label name such as
 * localhost is its own site). Browsers use the Public Suffix List, whose multi-label suffixes
 * (co.uk, github.io) make `a.co.uk` and `b.co.uk` two sites; shipping that list would triple the
 * app's code, so such hosts are named by their last three labels when the second-to-last is two
 * letters (co.uk, ac.jp), the usual case.
 */
export function siteOf(hostname: string): string {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (isIp(host)) return host;
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const keep = labels.at(-2)!.length <= 2 && labels.at(-1)!.length === 2 ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export function deploymentOf(pageOrigin: string, apiUrl: string): Deployment {
  const page = new URL(pageOrigin);
  const api = new URL(apiUrl);
  const pageSite = siteOf(page.hostname);
  const apiSite = siteOf(api.hostname);
  // Schemeful same-site: http and https of one domain are two sites to current browsers.
  const topology: Topology =
    page.origin === api.origin ? 'same-origin' : pageSite === apiSite && page.protocol === api.protocol ? 'same-site' : 'cross-site';
  return { topology, pageOrigin: page.origin, apiOrigin: api.origin, pageSite, apiSite };
}

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
