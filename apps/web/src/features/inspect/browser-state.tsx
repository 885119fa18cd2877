import type { CookieInfo } from '@authbench/contract';
import { useApi } from '../../api/use-api';
import { formatCountdown, formatDateTime } from '../../lib/format-time';
import { decodeJwt } from './decode-jwt';
import { useCredentials } from './use-credentials';
import { useNow } from './use-now';

const shorten = (value: string, keep = 12) => (value.length > keep * 2 ? `${value.slice(0, keep)}…${value.slice(-6)}` : value);

/** Names only: proof that nothing secret sits in storage this page's scripts can read. */
function storageKeys(storage: () => Storage): string[] {
  try {
    const store = storage();
    return Array.from({ length: store.length }, (_, index) => store.key(index) ?? '').filter(Boolean);
  } catch {
    return []; // storage disabled
  }
}

function JsVisibleStorage() {
  const local = storageKeys(() => window.localStorage);
  const session = storageKeys(() => window.sessionStorage);
  const cookies = document.cookie
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
  const list = (items: string[]) => (items.length ? items.map((item) => <code key={item}>{item}</code>) : <em>nothing</em>);
  return (
    <dl className="facts">
      <dt>localStorage keys</dt>
      <dd className="inline-list">{list(local)}</dd>
      <dt>sessionStorage keys</dt>
      <dd className="inline-list">{list(session)}</dd>
      <dt>Cookies JavaScript can see on this page</dt>
      <dd className="inline-list">{list(cookies)}</dd>
    </dl>
  );
}

function AccessToken({ token, receivedAt }: { token: string; receivedAt: number | null }) {
  const now = useNow();
  const decoded = decodeJwt(token);
  if (!decoded) return <p>The access token in memory is not a readable JWT.</p>;
  const exp = decoded.claims?.exp;
  const secondsLeft = exp === undefined ? undefined : exp - now / 1000;
  return (
    <div className="stack">
      <p>
        <code className="wrap" title="The raw token (shortened)">{shorten(token, 24)}</code>
      </p>
      {secondsLeft !== undefined && (
        <p className={secondsLeft > 0 ? 'countdown' : 'countdown countdown-expired'} aria-live="off">
          {secondsLeft > 0
            ? `Expires in ${formatCountdown(secondsLeft)}`
            : `Expired ${formatCountdown(secondsLeft)} ago: the next request gets 401 token_expired and refreshes.`}
        </p>
      )}
      {receivedAt !== null && <p className="muted">Received {formatDateTime(receivedAt)}.</p>}
      <div className="columns">
        <div>
          <h4>Header</h4>
          <pre>{JSON.stringify(decoded.header, null, 2)}</pre>
        </div>
        <div>
          <h4>Claims</h4>
          <pre>{JSON.stringify(decoded.payload, null, 2)}</pre>
          {decoded.claims && (
            <p className="muted">
              iat {formatDateTime(decoded.claims.iat * 1000)} · exp {formatDateTime(decoded.claims.exp * 1000)}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}

const sameSiteLabel = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/** A cookie as the API reports it (GET /api/config): HttpOnly cookies are invisible to this page. */
function CookieFacts({ cookie, apiOrigin }: { cookie: CookieInfo; apiOrigin: string }) {
  const flags = [
    cookie.httpOnly && 'HttpOnly',
    cookie.secure && 'Secure',
    `SameSite=${sameSiteLabel[cookie.sameSite]}`,
    `Path=${cookie.path}`,
    `Max-Age=${cookie.maxAgeSeconds}s`,
  ].filter(Boolean);
  return (
    <>
      <dt>
        Cookie <code>{cookie.name}</code> for {apiOrigin}
      </dt>
      <dd>
        {flags.join(', ')}: {cookie.purpose}.{' '}
        {cookie.httpOnly && 'JavaScript cannot read it; the browser attaches it to matching requests by itself.'}
      </dd>
    </>
  );
}

/** What this browser holds for the current mode, as far as JavaScript can tell. */
export function BrowserState() {
  const api = useApi();
  const credentials = useCredentials();
  const apiOrigin = new URL(api.baseUrl).origin;
  const cookies = api.config.cookies.map((cookie) => <CookieFacts key={cookie.name} cookie={cookie} apiOrigin={apiOrigin} />);

  return (
    <section aria-labelledby="browser-heading" className="card stack">
      <h2 id="browser-heading">What the browser holds</h2>
      {credentials.mode === 'session' ? (
        <dl className="facts">
          {cookies}
          <dt>CSRF token (this tab’s memory)</dt>
          <dd>
            {credentials.csrfToken ? (
              <code>{shorten(credentials.csrfToken)}</code>
            ) : (
              <em>none yet: fetched from GET /api/auth/csrf before the first unsafe request</em>
            )}
          </dd>
        </dl>
      ) : (
        <dl className="facts">
          <dt>Access token (this tab’s memory only)</dt>
          <dd>
            {credentials.accessToken ? (
              <AccessToken token={credentials.accessToken} receivedAt={credentials.receivedAt} />
            ) : (
              <em>none: logged out, or not restored yet (a reload restores it through the refresh cookie)</em>
            )}
          </dd>
          {cookies}
        </dl>
      )}
      <p className="muted">Cookie flags as the API reports them in GET /api/config: HttpOnly cookies are invisible to script by design.</p>
      <h3>Readable by any script on this page</h3>
      <JsVisibleStorage />
    </section>
  );
}
