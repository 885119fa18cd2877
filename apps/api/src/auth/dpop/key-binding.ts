import { createHash } from 'node:crypto';
import { dpopHeader, endpoints, statusAt, type Endpoint } from '@authbench/contract';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../errors';
import type { ProofReplayStore } from '../../storage/proof-replays';
import { createNonces } from './nonces';
import { createProofVerifier, ProofRefusal, type VerifiedProof } from './proof';

/** Sender-constrained tokens: how a request proves it holds the key its login is bound to. */
export interface KeyBinding {
  /** Before routing: the proof of a request that obtains or ends a login (login, register, refresh, logout). */
  readonly checkProofs: RequestHandler;
  /** Headers every response carries (the next nonce). */
  readonly everyResponse: RequestHandler;
  /** The key a login, register, refresh or logout request proved it holds, if it carried a proof. */
  provenKey(req: Request): string | undefined;
  /** A request that presents an access token bound to `jkt`: a fresh proof by that key, carrying the token's hash. */
  proveToken(req: Request, token: string, jkt: string): Promise<void>;
  /** The answer to a request whose proof is by another key than the login's, or that carried none. */
  wrongKey(endpoint: Endpoint): AppError;
}

export interface KeyBindingOptions {
  /** The origin the browser reaches the API at: a proof's htu is this plus the path. */
  publicOrigin: string;
  windowSeconds: number;
  /** Server nonces on (DPOP_NONCE): the key they are made with. */
  nonceKey?: Buffer | undefined;
  replays: ProofReplayStore;
  now: () => number;
  /** The access token of a request, for the proofs of a logout that presents one. */
  readToken: (req: Request) => string | undefined;
}

/** The endpoints whose proof is checked before routing, by exact method and path, as the router matches them. */
const proofEndpoints = [endpoints.login, endpoints.register, endpoints.refresh, endpoints.logout] as const;

const challenge = (code: string, description: string) =>
  `DPoP error="${code}", error_description="${description.replaceAll('"', "'")}", algs="ES256"`;

/**
 * RFC 9449 for this API: each proof checked as §4.3 says (proof.ts), its jti good once across
 * every process on the same stores, nonces (§8) that every process agrees on without state.
 * Refusals are 401 with `WWW-Authenticate: DPoP error=…`, and 400 where a token is issued.
 */
export function createKeyBinding(options: KeyBindingOptions): KeyBinding {
  const { publicOrigin, windowSeconds, replays, now } = options;
  const verify = createProofVerifier();
  // Half the window: a proof signed ahead of time, with any iat, is worth at most one window.
  const nonces = options.nonceKey && createNonces({ key: options.nonceKey, stepSeconds: Math.max(1, Math.floor(windowSeconds / 2)), now });
  const proven = new WeakMap<Request, VerifiedProof>();
  const byRoute = new Map(proofEndpoints.map((endpoint) => [`${endpoint.method.toUpperCase()} ${endpoint.path}`, endpoint]));

  const refusal = (code: 'invalid_dpop_proof' | 'use_dpop_nonce', message: string, endpoint?: Endpoint) =>
    new AppError(code, message, undefined, { 'WWW-Authenticate': challenge(code, message) }, endpoint ? statusAt(code, endpoint) : undefined);

  async function check(req: Request, accessToken: string | undefined, endpoint?: Endpoint): Promise<VerifiedProof> {
    let proof: VerifiedProof;
    try {
      proof = verify(req.headersDistinct[dpopHeader.toLowerCase()], {
        htm: req.method,
        htu: `${publicOrigin}${req.path}`,
        nowMs: now(),
        windowSeconds,
        accessToken,
        acceptsNonce: nonces?.accepts,
      });
    } catch (err) {
      if (err instanceof ProofRefusal) throw refusal(err.code, err.message, endpoint);
      throw err;
    }
    // Good once, on any process: kept until its iat leaves the window.
    const key = createHash('sha256').update(`${proof.jkt}:${proof.jti}`).digest('base64url');
    if (!(await replays.claim(key, (proof.iat + windowSeconds) * 1000 + 1000))) {
      throw refusal('invalid_dpop_proof', 'this proof (its jti) was used before', endpoint);
    }
    return proof;
  }

  const nonceHeader: RequestHandler = nonces
    ? (_req, res, next) => {
        res.setHeader('DPoP-Nonce', nonces.current());
        next();
      }
    : (_req, _res, next) => next();

  /** A logout's access token, if it presents one that can be read: one that cannot names nothing, as in jwt mode. */
  const logoutToken = (req: Request): string | undefined => {
    try {
      return options.readToken(req);
    } catch {
      return undefined;
    }
  };

  return {
    everyResponse: nonceHeader,
    async checkProofs(req, _res, next) {
      const endpoint = byRoute.get(`${req.method} ${req.path}`);
      // A logout that carries nothing to end needs no proof; one that carries a proof has it checked.
      if (endpoint && !(endpoint === endpoints.logout && req.headersDistinct[dpopHeader.toLowerCase()] === undefined)) {
        proven.set(req, await check(req, endpoint === endpoints.logout ? logoutToken(req) : undefined, endpoint));
      }
      next();
    },
    provenKey: (req) => proven.get(req)?.jkt,
    async proveToken(req, token, jkt) {
      const proof = await check(req, token);
      if (proof.jkt !== jkt) throw refusal('invalid_dpop_proof', 'the proof is signed by another key than the one the token is bound to');
    },
    wrongKey: (endpoint) =>
      refusal('invalid_dpop_proof', 'this login is bound to a key, and the request carries no proof by it', endpoint),
  };
}
