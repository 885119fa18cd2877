import type { DpopSnapshot } from '../../api/transport';
import { decodeJwt } from '../../lib/decode-jwt';

const shorten = (value: string, keep = 12) => (value.length > keep * 2 ? `${value.slice(0, keep)}…${value.slice(-6)}` : value);

/** Where the key is kept, in words: a reload keeps the login only if IndexedDB has it. */
function Persistence({ persistence }: { persistence: NonNullable<DpopSnapshot['key']>['persistence'] }) {
  if (!persistence) return <>being saved…</>;
  if (persistence.where === 'indexeddb') {
    return (
      <>
        IndexedDB <code>{persistence.database}</code> / <code>{persistence.store}</code>, under <code>{persistence.key}</code>: the record holds
        the CryptoKey handle, not the key’s bytes, so a reload (whose refresh must be proven by this key) keeps the login.
      </>
    );
  }
  return (
    <>
      this tab’s memory only: {persistence.why}. A reload, or another tab, cannot prove this login, and will ask you to log in again.
    </>
  );
}

/**
 * jwt-dpop: the key this tab proves its requests with, and whether the token in memory is bound
 * to it (its `cnf.jkt` against the key's thumbprint, both as this tab holds them).
 */
export function DpopKeyFacts({ dpop, token }: { dpop: DpopSnapshot; token: string | null }) {
  const jkt = token ? decodeJwt(token)?.claims?.cnf?.jkt : undefined;
  const { key, nonce } = dpop;
  return (
    <>
      <dt>Proof key (ES256, made at login)</dt>
      <dd className="stack">
        {key ? (
          <>
            <p>
              Thumbprint (RFC 7638) <code data-testid="dpop-thumbprint">{key.jkt}</code>
              {jkt !== undefined && (jkt === key.jkt ? ': the token’s cnf.jkt names this key.' : `: the token’s cnf.jkt names another key (${jkt}).`)}
            </p>
            <p>
              The private key was made with <code>extractable: false</code>: script on this page can sign with it, and never read it. The public
              half travels in every proof:
            </p>
            <pre>{JSON.stringify({ ...key.jwk, x: shorten(key.jwk.x), y: shorten(key.jwk.y) }, null, 2)}</pre>
            <p>
              Kept in <Persistence persistence={key.persistence} />
            </p>
          </>
        ) : (
          <em>none: logged out (a login makes one)</em>
        )}
      </dd>
      <dt>DPoP-Nonce (the API’s latest, for the next proof)</dt>
      <dd>{nonce ? <code>{shorten(nonce)}</code> : <em>none yet: the first proof goes without, and is retried with the one its refusal carries</em>}</dd>
    </>
  );
}
