import { dpopHeader, dpopNonceHeader } from '@authbench/contract';
import type { Request } from 'express';
import { AppError } from '../errors';
import { createKeyBinding } from './dpop/key-binding';
import { deriveFromSigningKeys } from './signing-keys';
import type { AuthDeps, AuthStrategy } from './strategy';
import { createTokenStrategy, type TokenTransfer } from './token-strategy';

const dpopScheme = /^DPoP +([^\s]+) *$/i;

/** `Authorization: DPoP <token>`, or none; a header that says DPoP but holds no single token is a forgery. */
function readDpop(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  // A bound token sent as Bearer would be usable by whoever holds it: never accepted here.
  if (/^bearer\b/i.test(header)) throw new AppError('token_invalid', 'Tokens here are bound to a key: present them as Authorization: DPoP, with a proof.');
  if (!/^dpop\b/i.test(header)) return undefined;
  const match = dpopScheme.exec(header);
  if (!match?.[1]) throw new AppError('token_invalid');
  return match[1];
}

/**
 * As jwt mode's Bearer transfer (the token in the body, held by script in memory), but every
 * token is bound to the key pair the browser made (RFC 9449): each request that uses or obtains
 * a token carries a proof signed by that key, which script can use but cannot export.
 */
function dpopTransfer({ config, secrets, storage, now }: AuthDeps): TokenTransfer {
  const binding = createKeyBinding({
    publicOrigin: config.publicOrigin,
    windowSeconds: config.dpopProofWindowSeconds,
    // From the signing key's scalar: every process with the same key makes the same nonces.
    nonceKey: config.dpopNonce ? deriveFromSigningKeys('dpop-nonce', secrets.signingKeys.slice(0, 1))[0] : undefined,
    replays: storage.proofReplays,
    now,
    readToken: readDpop,
  });
  return {
    mode: 'jwt-dpop',
    read: readDpop,
    deliverLogin: (_res, { accessToken, expiresIn }) => ({ accessToken, tokenType: 'DPoP', expiresIn }),
    deliverRefresh: (_res, { accessToken, expiresIn }) => ({ accessToken, tokenType: 'DPoP', expiresIn }),
    clear: () => undefined,
    beforeRoutes: [],
    handlers: {},
    cookies: [],
    binding,
    corsHeaders: { allowed: [dpopHeader], exposed: [dpopNonceHeader, 'WWW-Authenticate'] },
    extraConfig: {
      dpop: {
        nonce: config.dpopNonce,
        proofWindowSeconds: config.dpopProofWindowSeconds,
        ...(config.dpopNonce && { nonceStepSeconds: Math.max(1, Math.floor(config.dpopProofWindowSeconds / 2)) }),
        origin: config.publicOrigin,
      },
    },
  };
}

/** Sender-constrained JWTs: jwt mode's tokens and refresh families, bound to a key the browser cannot export. */
export const createJwtDpopStrategy = (deps: AuthDeps): AuthStrategy => createTokenStrategy(deps, dpopTransfer);
