import { loginResponses, refreshResponses } from '@authbench/contract';
import { createHeldTokens, type HeldToken } from './held-token';
import type { CredentialSnapshot, TransportFactory } from './transport';

const snapshotOf = (held: HeldToken | null): CredentialSnapshot => ({
  mode: 'jwt',
  accessToken: held?.value ?? null,
  receivedAt: held?.receivedAt ?? null,
  expiresIn: held?.expiresIn ?? null,
});

/**
 * Bearer JWTs: the access token in this tab's memory, sent as `Authorization: Bearer`, renewed
 * through the HttpOnly `rt` cookie (held-token.ts). Whoever reads the token can use it anywhere.
 */
export const createJwtTransport: TransportFactory = (deps) => {
  // One object per change: React's useSyncExternalStore compares snapshots by identity.
  let snapshot = snapshotOf(null);
  const held = createHeldTokens(deps, {
    scheme: 'Bearer',
    loginResponse: loginResponses.jwt,
    refreshResponse: refreshResponses.jwt,
    onChange: (token) => {
      snapshot = snapshotOf(token);
    },
  });
  return {
    mode: 'jwt',
    acceptLogin: held.acceptLogin,
    signedOut: held.signedOut,
    resync: held.resync,
    credentials: () => snapshot,
    dispose: held.dispose,
  };
};
