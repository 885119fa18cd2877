import { cookieNames, type AccessTokenClaims, type CookieInfo } from '@authbench/contract';
import { useEffect, useState } from 'react';
import type { CredentialSnapshot } from '../../api/transport';
import { useApi } from '../../api/use-api';
import { ErrorAlert } from '../../components/error-alert';
import { LoadingState } from '../../components/loading-state';
import { formatCountdown, formatDateTime } from '../../lib/format-time';
import { decodeJwt } from '../../lib/decode-jwt';
import { DpopKeyFacts } from './dpop-key-facts';
import { useCredentials } from './use-credentials';
import { useNow } from './use-now';
import { useReportedLogin } from './use-reported-login';

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

/** IndexedDB's database names (not their contents), where the browser lists them. */
function useIndexedDbNames(): string[] | null {
  const [names, setNames] = useState<string[] | null>(null);
  const credentials = useCredentials(); // a login or logout may add or drop a database
  useEffect(() => {
    let live = true;
    if (typeof indexedDB === 'undefined' || !('databases' in indexedDB)) return;
    indexedDB.databases().then(
      (databases) => live && setNames(databases.map((db) => db.name ?? '').filter(Boolean)),
      () => live && setNames(null),
    );
    return () => {
      live = false;
    };
  }, [credentials]);
  return names;
}

function JsVisibleStorage() {
  const databases = useIndexedDbNames();
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
      <dt>IndexedDB databases</dt>
      <dd className="inline-list">{databases === null ? <em>not listed by this browser</em> : list(databases)}</dd>
    </dl>
  );
}

/** How long the access token has left; past expiry, what the next request will do about it. */
function Expiry({ exp }: { exp: number }) {
  const now = useNow();
  const secondsLeft = exp - now / 1000;
  return (
    <p className={secondsLeft > 0 ? 'countdown' : 'countdown countdown-expired'} aria-live="off">
      {secondsLeft > 0
        ? `Expires in ${formatCountdown(secondsLeft)}`
        : `Expired ${formatCountdown(secondsLeft)} ago: the next request gets 401 token_expired and refreshes.`}
    </p>
  );
}

function ClaimTimes({ claims }: { claims: AccessTokenClaims }) {
  return (
    <p className="muted">
      iat {formatDateTime(claims.iat * 1000)} · exp {formatDateTime(claims.exp * 1000)}
    </p>
  );
}

/** jwt mode: the token is in this tab's memory, so any script here can read (and decode) it. */
function AccessToken({ token, receivedAt }: { token: string; receivedAt: number | null }) {
  const decoded = decodeJwt(token);
  if (!decoded) return <p>The access token in memory is not a readable JWT.</p>;
  return (
    <div className="stack">
      <p>
        <code className="wrap" title="The raw token (shortened)">{shorten(token, 24)}</code>
      </p>
      {decoded.claims && <Expiry exp={decoded.claims.exp} />}
      {receivedAt !== null && <p className="muted">Received {formatDateTime(receivedAt)}.</p>}
      <div className="columns">
        <div>
          <h4>Header</h4>
          <pre>{JSON.stringify(decoded.header, null, 2)}</pre>
        </div>
        <div>
          <h4>Claims</h4>
          <pre>{JSON.stringify(decoded.payload, null, 2)}</pre>
          {decoded.claims && <ClaimTimes claims={decoded.claims} />}
        </div>
      </div>
    </div>
  );
}

/** jwt-cookie mode: script cannot read the cookie, so the claims are the API's word for them. */
function ReportedAccessToken({ renewedAt }: { renewedAt: number | null }) {
  const login = useReportedLogin(renewedAt);
  if (login.isPending) return <LoadingState label="Asking the API for the token’s claims…" />;
  if (login.isError) return <ErrorAlert error={login.error} onRetry={() => void login.refetch()} />;
  const claims = login.data?.claims;
  if (!claims) return <em>none: logged out</em>;
  return (
    <div className="stack">
      <Expiry exp={claims.exp} />
      {renewedAt !== null && <p className="muted">Last renewed {formatDateTime(renewedAt)}, as far as this tab knows.</p>}
      <h4>Claims, as GET /api/me reports them</h4>
      <pre>{JSON.stringify(claims, null, 2)}</pre>
      <ClaimTimes claims={claims} />
    </div>
  );
}

function CsrfToken({ token }: { token: string | null }) {
  return (
    <>
      <dt>CSRF token (this tab’s memory)</dt>
      <dd>
        {token ? (
          <code>{shorten(token)}</code>
        ) : (
          <em>none yet: fetched from GET /api/auth/csrf before the first unsafe request</em>
        )}
      </dd>
    </>
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

/** The credential this tab holds, which differs by mode, beside the cookies the API reports. */
function HeldCredentials({ credentials, cookies }: { credentials: CredentialSnapshot; cookies: CookieInfo[] }) {
  const api = useApi();
  const apiOrigin = new URL(api.baseUrl).origin;
  const cookieFacts = cookies.map((cookie) => <CookieFacts key={cookie.name} cookie={cookie} apiOrigin={apiOrigin} />);
  switch (credentials.mode) {
    case 'session':
      return (
        <dl className="facts">
          {cookieFacts}
          <CsrfToken token={credentials.csrfToken} />
        </dl>
      );
    case 'jwt':
      return (
        <dl className="facts">
          <dt>Access token (this tab’s memory only)</dt>
          <dd>
            {credentials.accessToken ? (
              <AccessToken token={credentials.accessToken} receivedAt={credentials.receivedAt} />
            ) : (
              <em>none: logged out, or not restored yet (a reload restores it through the refresh cookie)</em>
            )}
          </dd>
          {cookieFacts}
        </dl>
      );
    case 'jwt-dpop':
      return (
        <dl className="facts">
          <dt>Access token (this tab’s memory only, bound to the key below)</dt>
          <dd>
            {credentials.accessToken ? (
              <AccessToken token={credentials.accessToken} receivedAt={credentials.receivedAt} />
            ) : (
              <em>none: logged out, or not restored yet (a reload restores it through the refresh cookie and a proof by the key)</em>
            )}
          </dd>
          <DpopKeyFacts dpop={credentials.dpop} token={credentials.accessToken} />
          {cookieFacts}
        </dl>
      );
    case 'jwt-cookie': {
      const accessCookie = cookies.find((cookie) => cookie.name === cookieNames(cookie.secure).access);
      return (
        <dl className="facts">
          <dt>Access token (in a cookie script cannot read)</dt>
          <dd className="stack">
            <p>
              The browser keeps it in the HttpOnly <code>{accessCookie?.name ?? cookieNames(false).access}</code> cookie
              and attaches it by itself: this tab holds no token at all, only the CSRF token below.
            </p>
            <ReportedAccessToken renewedAt={credentials.receivedAt} />
          </dd>
          {cookieFacts}
          <CsrfToken token={credentials.csrfToken} />
        </dl>
      );
    }
  }
}

/** What this browser holds for the current mode, as far as JavaScript can tell. */
export function BrowserState() {
  const api = useApi();
  const credentials = useCredentials();

  return (
    <section aria-labelledby="browser-heading" className="card stack">
      <h2 id="browser-heading">What the browser holds</h2>
      <HeldCredentials credentials={credentials} cookies={api.config.cookies} />
      <p className="muted">Cookie flags as the API reports them in GET /api/config: HttpOnly cookies are invisible to script by design.</p>
      <h3>Readable by any script on this page</h3>
      <JsVisibleStorage />
    </section>
  );
}
