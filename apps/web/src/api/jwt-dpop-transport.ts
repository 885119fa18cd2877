import { loginResponses, paths, refreshResponses } from '@authbench/contract';
import { decodeJwt } from '../lib/decode-jwt';
import type { KeptKey, KeyPersistence } from './dpop-key-store';
import { createDpopKey, type DpopKey } from './dpop-proof';
import { createProofs } from './dpop-proofs';
import { createHeldTokens, type HeldToken } from './held-token';
import { pathOf, type CredentialSnapshot, type TransportFactory } from './transport';

/** How long a login waits for IndexedDB to keep its key before it carries on with the key in memory. */
const saveTimeoutMs = 3000;

/** The thumbprint a token is bound to (`cnf.jkt`): read, not verified, to pick this tab's own key for it. */
const boundTo = (token: string): string | undefined => decodeJwt(token)?.claims?.cnf?.jkt;

/**
 * Sender-constrained tokens (RFC 9449): jwt mode's token handling (held-token.ts), with
 * `Authorization: DPoP` and a proof on every request that uses or obtains a token, signed by a
 * key pair made at login with `extractable: false`. Script can use the key but never read it, so
 * a stolen token is worth nothing elsewhere. The key is kept in IndexedDB per API origin, so that
 * a reload (whose refresh must be proven by the same key) keeps the login, and dropped at logout.
 */
export const createJwtDpopTransport: TransportFactory = (deps) => {
  const { baseUrl, config, keyStore, events, now } = deps;
  const apiOrigin = new URL(baseUrl).origin;
  // Where the browser reaches the API, as the API itself says (behind a proxy, not baseUrl's).
  const proofOrigin = config.dpop?.origin ?? apiOrigin;
  /** The key of the login this tab holds; persistence null while it is being saved. */
  let current: { key: DpopKey; persistence: KeyPersistence | null } | null = null;
  let loading: Promise<KeptKey | undefined> | null = null;
  /** Keys of login attempts in flight, by thumbprint: the answer's token says which one won. */
  const minted = new Map<string, DpopKey>();

  const snapshotOf = (token: HeldToken | null): CredentialSnapshot => ({
    mode: 'jwt-dpop',
    accessToken: token?.value ?? null,
    receivedAt: token?.receivedAt ?? null,
    expiresIn: token?.expiresIn ?? null,
    dpop: {
      key: current && { jkt: current.key.jkt, jwk: current.key.jwk, persistence: current.persistence },
      nonce: proofs.nonce(),
    },
  });
  let snapshot: CredentialSnapshot | null = null;
  const changed = () => {
    snapshot = snapshotOf(held.token());
    events.credentialsChanged();
  };

  /**
   * The key for a token bound to `jkt` (or, with no token yet, the login a reload may restore):
   * this tab's, else the one another tab's login or this page's previous load kept.
   */
  const keyFor = async (jkt: string | undefined): Promise<DpopKey | null> => {
    if (current && (jkt === undefined || current.key.jkt === jkt)) return current.key;
    loading ??= keyStore.load(apiOrigin).finally(() => (loading = null));
    const kept = await loading;
    if (!kept || (jkt !== undefined && kept.key.jkt !== jkt)) return null;
    if (current?.key.jkt !== kept.key.jkt) {
      current = kept;
      changed();
    }
    return kept.key;
  };

  // Before the held token's interceptor, so that it runs after it: the proof sees the token that goes out.
  const proofs = createProofs(deps.http, {
    origin: proofOrigin,
    now,
    onNonce: () => changed(),
    async keyFor(request, token) {
      const path = pathOf(request);
      if (path === paths.login || path === paths.register) {
        // A new login gets a new key; its retry (use_dpop_nonce) proves the same one.
        const again = request.authbench?.proofKey;
        const retried = again === undefined ? undefined : minted.get(again);
        if (retried) return retried;
        const fresh = await createDpopKey();
        minted.set(fresh.jkt, fresh);
        request.authbench = { ...request.authbench, proofKey: fresh.jkt };
        return fresh;
      }
      const bound = token ?? held.token()?.value;
      return keyFor(bound === undefined ? undefined : boundTo(bound));
    },
  });

  const held = createHeldTokens(deps, {
    scheme: 'DPoP',
    loginResponse: loginResponses['jwt-dpop'],
    refreshResponse: refreshResponses['jwt-dpop'],
    // Without the login's key no refresh can be proven: a reload then stays logged out, quietly.
    canRestore: async () => (await keyFor(undefined)) !== null,
    onChange: (token) => {
      snapshot = snapshotOf(token);
    },
  });
  snapshot = snapshotOf(null);

  // A function, so that the check reads `current` as it is after an await, not as it was before.
  const isCurrent = (key: DpopKey) => current?.key === key;
  const keep = async (key: DpopKey) => {
    current = { key, persistence: null };
    const timeout = new Promise<KeyPersistence>((resolve) =>
      setTimeout(() => resolve({ where: 'memory', why: `IndexedDB did not answer within ${saveTimeoutMs / 1000} s` }), saveTimeoutMs),
    );
    const persistence = await Promise.race([keyStore.save(apiOrigin, key), timeout]);
    if (isCurrent(key)) current = { key, persistence };
  };

  return {
    mode: 'jwt-dpop',
    async acceptLogin(data) {
      const { accessToken } = loginResponses['jwt-dpop'].parse(data);
      const jkt = boundTo(accessToken);
      const key = jkt === undefined ? undefined : minted.get(jkt);
      if (!key) throw new Error('The login’s token is not bound to the key this tab proved it with.');
      minted.clear();
      // Kept before the login is taken (and told to the other tabs), so that they find the key.
      await keep(key);
      return held.acceptLogin(data);
    },
    signedOut() {
      const ended = current;
      current = null;
      held.signedOut();
      // Dropped with the login; a newer login's key (another tab's) is left alone.
      if (ended) void keyStore.remove(apiOrigin, ended.key.jkt);
      changed();
    },
    resync() {
      // Another tab logged in with a key of its own: this tab's is the previous login's.
      if (held.token() === null) current = null;
      held.resync();
    },
    credentials: () => snapshot ?? snapshotOf(null),
    dispose() {
      held.dispose();
      proofs.dispose();
    },
  };
};
