import type { PageDeployment } from '@authbench/contract';
import type { Request } from 'express';
import { siteOf } from '../config';

/** `text` if it is an origin a URL would give back (scheme, host, port), else undefined. */
function exactOrigin(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === text && origin !== 'null' ? origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the page behind a request lives relative to this API: the one judgement of sites in the
 * project (the Public Suffix List, through tldts, in siteOf), reported to the SPA in GET /api/config
 * so that its cookie messages agree with the API's start-up warnings. The API's origin is the one
 * the request reached (its scheme and Host, or the X-Forwarded- ones from a trusted proxy); a
 * request without Origin came from a page of that origin (browsers omit it only on same-origin GET
 * and HEAD) or from no page at all; an Origin that is not an origin (`null`: a sandboxed frame, a
 * file) belongs to no site.
 */
export function pageDeploymentOf(req: Request, fallbackOrigin: string): PageDeployment {
  const apiOrigin = exactOrigin(`${req.protocol}://${req.host}`) ?? fallbackOrigin;
  const sent = req.get('origin');
  const pageOrigin = sent === undefined ? apiOrigin : (exactOrigin(sent) ?? 'null');
  const apiSite = siteOf(apiOrigin);
  const pageSite = pageOrigin === 'null' ? 'null' : siteOf(pageOrigin);
  const topology = pageOrigin === apiOrigin ? 'same-origin' : pageSite === apiSite && pageSite !== 'null' ? 'same-site' : 'cross-site';
  return { topology, pageOrigin, pageSite, apiOrigin, apiSite };
}
