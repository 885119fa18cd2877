import { useApi } from '../api/use-api';

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * localhost and 127.0.0.1 are different sites to a browser: opened as one while the API is the
 * other, SameSite cookies stay behind and CORS refuses the origin. A common trap in development.
 */
export function SiteMismatchNotice() {
  const api = useApi();
  const page = window.location;
  const apiHost = new URL(api.baseUrl).hostname;
  if (!loopback.has(page.hostname) || !loopback.has(apiHost) || page.hostname === apiHost) return null;
  const fixed = `${page.protocol}//${apiHost}${page.port ? `:${page.port}` : ''}${page.pathname}${page.search}`;
  return (
    <div role="alert" className="alert alert-warning">
      This page is open on <code>{page.hostname}</code> but the API is on <code>{apiHost}</code>: the browser treats
      them as different sites, so cookies will not be sent. Open <a href={fixed}>{fixed}</a> instead.
    </div>
  );
}
