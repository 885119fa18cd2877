const rows: { topic: string; session: string; jwt: string }[] = [
  {
    topic: 'Where the credential lives',
    session: 'An HttpOnly sid cookie; the session itself lives on the server.',
    jwt: 'A short-lived access token in this tab’s memory; a refresh token in an HttpOnly cookie scoped to /api/auth.',
  },
  {
    topic: 'A stolen credential lets an attacker…',
    session: '…act as the user until logout, revocation or the idle (30 min) / absolute (12 h) timeout.',
    jwt: '…use the access token until it expires (5 min) or its session is revoked; a stolen refresh token works until the real client refreshes, when reuse detection revokes the whole family.',
  },
  {
    topic: 'Revocation, and how fast',
    session: 'Delete the session: the very next request fails.',
    jwt: 'Revoke the family: refreshes stop at once; access tokens stop at once with the revocation check on, else within their TTL.',
  },
  {
    topic: 'CSRF exposure',
    session: 'The browser attaches the cookie by itself, so unsafe requests need SameSite=Lax plus an X-CSRF-Token header.',
    jwt: 'API calls carry the token only when script adds it: no CSRF there. The cookie endpoints (refresh, logout) rely on SameSite=Strict and the Origin check.',
  },
  {
    topic: 'XSS exposure',
    session: 'Script cannot read the cookie, but can send requests as the user while the page is open.',
    jwt: 'Script cannot read the refresh cookie, but can read the access token in memory and use it elsewhere until it expires.',
  },
  {
    topic: 'Cost per request',
    session: 'A session-store lookup (database or Redis); a small cookie.',
    jwt: 'A signature check (CPU) plus a revocation lookup when the check is on; a larger Authorization header.',
  },
  {
    topic: 'Scaling out',
    session: 'Every API process needs the shared session store.',
    jwt: 'Any process verifies with the public keys; the store is needed for refresh and revocation.',
  },
  {
    topic: 'Reloads and tabs',
    session: 'Nothing to restore: the cookie is already there.',
    jwt: 'Memory is empty after a reload: one refresh restores it. Tabs share the refresh cookie, so refreshes queue on a Web Lock.',
  },
];

/** A fixed, one-minute read: the trade-offs behind the live panels above. */
export function ModeComparison() {
  return (
    <section aria-labelledby="comparison-heading" className="card stack">
      <h2 id="comparison-heading">The two modes side by side</h2>
      <div className="table-scroll">
        <table className="comparison">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Topic</span>
              </th>
              <th scope="col">Cookie session</th>
              <th scope="col">Bearer JWT</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.topic}>
                <th scope="row">{row.topic}</th>
                <td>{row.session}</td>
                <td>{row.jwt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
