// The SPA's page policy: its Content-Security-Policy, with Trusted Types, built here and only here
// for every server that serves the SPA: the production server (apps/web/server/serve.ts, `pnpm
// start:web`), `vite preview` and the Vite dev server (apps/web/page-policy-plugin.ts), and so the
// e2e suite and the deployment topologies, whose edge (apps/edge) forwards the SPA server's
// headers untouched. Self-contained (no imports), so that plain Node.js runs it as it is.
//
// The policy lets the page run only its own files: no inline script, no eval, no plugin, no
// <base>, no framing, requests to the configured APIs only, and no string reaches a DOM sink that
// makes script (Trusted Types; the app creates no policy, so none may be created). Every violation
// is reported to the first API (POST /api/csp-reports), which logs it.
//
// report-uri only, not report-to as well: a browser that knows report-to ignores report-uri, and
// both Chromium (as Playwright runs it) and Firefox ESR 153 then sent nothing to the API within
// minutes, where with report-uri alone each sends every report at once (docs/csp.md).

/**
 * An API at the page's own origin (`/api` beside the SPA, the same-origin deployment): what a
 * production build calls when VITE_API_URLS is not set. The policy allows it as 'self'.
 */
export const ownOrigin = 'own-origin';

/** Where the API takes violation reports (the contract's `paths.cspReports`). */
export const cspReportPath = '/api/csp-reports';
/** The lab's page of injection sinks, served by the SPA's server in builds that hold the lab. */
export const labSinkPagePath = '/lab-sinks.html';

/**
 * The lab's sink page, with the production policy or (the lab's control, in lab builds only)
 * without any: `policy=off` in its query.
 */
export function labSinkPageUrl(query: Record<string, string>, withPolicy: boolean): string {
  const search = new URLSearchParams(query);
  if (!withPolicy) search.set('policy', 'off');
  return `${labSinkPagePath}?${search.toString()}`;
}

export interface PagePolicyOptions {
  /** The APIs the SPA calls (VITE_API_URLS, or `ownOrigin`): connect-src lists exactly their origins; the first takes the reports. */
  apiUrls: readonly string[];
  /** A build with the evidence lab (development, VITE_LAB=1): its attacker's site. */
  lab?: { attackerUrl: string } | undefined;
  /** The Vite dev server: the nonce it stamps on the tags it injects (html.cspNonce). */
  dev?: { nonce: string } | undefined;
}

/** A source the page policy allows beyond the production policy, and why. */
export interface Allowance {
  directive: string;
  source: string;
  why: string;
}

export interface PagePolicy {
  /** The Content-Security-Policy header of the SPA's pages. */
  readonly header: string;
  /** What this policy allows beyond the production build's (none in production). */
  readonly allowances: readonly Allowance[];
  /** The headers of one response, by its request URL (path and query). */
  headersFor(requestUrl: string): Record<string, string>;
}

const originOf = (url: string): string => {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new Error(`page policy: ${JSON.stringify(url)} is not a URL`);
  }
  if (origin === 'null') throw new Error(`page policy: ${JSON.stringify(url)} has no origin to allow`);
  return origin;
};

/** The allowances of development and of the lab: each named, with the reason it exists. */
function allowancesOf({ lab, dev }: PagePolicyOptions): Allowance[] {
  const allowances: Allowance[] = [];
  if (dev) {
    const nonce = `'nonce-${dev.nonce}'`;
    allowances.push(
      {
        directive: 'script-src',
        source: nonce,
        why: 'the React refresh preamble: an inline module script that @vitejs/plugin-react adds to every page in development; Vite stamps it with the nonce (html.cspNonce), one per dev-server start',
      },
      {
        directive: 'style-src',
        source: nonce,
        why: 'Vite serves CSS in development as modules that add <style> elements; its client stamps them with the nonce from <meta property="csp-nonce">',
      },
      {
        directive: 'connect-src',
        source: "'self'",
        why: "Vite's hot reload: its WebSocket to the dev server (ws: or wss: of the page's own host and port, which 'self' covers) and the ping (a fetch of the page's origin) it sends when that connection drops",
      },
    );
  }
  if (lab) {
    const attacker = originOf(lab.attackerUrl);
    allowances.push(
      { directive: 'connect-src', source: attacker, why: "the evidence lab asks its attacker's server to replay stolen material from outside the browser (POST /replay)" },
      { directive: 'frame-src', source: attacker, why: "the evidence lab frames its attacker's page when the browser opens no second window" },
    );
  }
  return allowances;
}

/** The Content-Security-Policy header value for these options. */
export function contentSecurityPolicy(options: PagePolicyOptions): string {
  const apiOrigins = [...new Set(options.apiUrls.map((url) => (url === ownOrigin ? "'self'" : originOf(url))))];
  const extra = (directive: string) => allowancesOf(options).filter((allowance) => allowance.directive === directive).map((allowance) => allowance.source);
  const firstApi = options.apiUrls[0];
  const reportUri = firstApi && (firstApi === ownOrigin ? cspReportPath : `${firstApi.replace(/\/+$/, '')}${cspReportPath}`);
  const connect = [...new Set([...apiOrigins, ...extra('connect-src')])];
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    // 'report-sample': a report quotes the first 40 characters of what was refused.
    ['script-src', "'self'", "'report-sample'", ...extra('script-src')],
    ['style-src', "'self'", ...extra('style-src')],
    // data: for the page's empty icon (index.html: <link rel="icon" href="data:,">).
    ['img-src', "'self'", 'data:'],
    ['connect-src', ...(connect.length > 0 ? connect : ["'none'"])],
    ...(extra('frame-src').length > 0 ? [['frame-src', "'self'", ...extra('frame-src')] as [string, ...string[]]] : []),
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    ['require-trusted-types-for', "'script'"],
    // React renders without any Trusted Types policy, and so does everything else the page runs:
    // none may be created, so a script that got in cannot make one to launder its strings.
    ['trusted-types', "'none'"],
    ...(reportUri ? [['report-uri', reportUri] as [string, ...string[]]] : []),
  ];
  return directives.map((directive) => directive.join(' ')).join('; ');
}

/** The page policy of one server: the SPA's pages, and in lab builds the lab's sink page with and without it. */
export function createPagePolicy(options: PagePolicyOptions): PagePolicy {
  const header = contentSecurityPolicy(options);
  // The lab's sink page gets what a build without the lab would serve (the dev server's own allowances aside).
  const sinkPageHeader = contentSecurityPolicy({ ...options, lab: undefined });
  return {
    header,
    allowances: allowancesOf(options),
    headersFor(requestUrl) {
      const url = new URL(requestUrl, 'http://page.invalid');
      if (options.lab && url.pathname === labSinkPagePath) {
        if (url.searchParams.get('policy') === 'off') return {};
        return { 'Content-Security-Policy': sinkPageHeader };
      }
      return { 'Content-Security-Policy': header };
    },
  };
}
