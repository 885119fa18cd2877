import { LruMap } from '../lru-map';

/** Enough for every live access token of a busy process: ~10,000 × (token + claims) ≈ 10 MB at most. */
export const defaultVerifiedTokenCacheSize = 10_000;

interface TimedClaims {
  exp: number;
  nbf?: number | undefined;
}

export interface VerifiedTokenCache<T extends TimedClaims> {
  /** The claims of a token verified before, while `nbf <= now < exp` still holds; else undefined. */
  get(token: string): T | undefined;
  /** Only ever for a token whose signature, algorithm, issuer, audience and claims were verified. */
  set(token: string, claims: T): void;
  readonly size: number;
}

/**
 * The claims of access tokens already verified, keyed by the whole token (header, payload and
 * signature), so that only the very same bytes are trusted again, and never past their `exp`:
 * expiry is checked against the injected clock on every hit, exactly as jsonwebtoken checks it
 * (`now < exp` in whole seconds, no tolerance). Bounded: the least recently used entry goes first.
 * A cached token saves the ECDSA verification (~80 µs); it skips no other check, and revocation
 * is checked per request by the caller, not cached here.
 */
export function createVerifiedTokenCache<T extends TimedClaims>({
  maxEntries = defaultVerifiedTokenCacheSize,
  now,
}: {
  maxEntries?: number;
  now: () => number;
}): VerifiedTokenCache<T> {
  const entries = new LruMap<string, T>(maxEntries);

  return {
    get(token) {
      const claims = entries.get(token);
      if (claims === undefined) return undefined;
      const seconds = Math.floor(now() / 1000);
      if (seconds >= claims.exp) {
        entries.delete(token);
        return undefined;
      }
      // Not yet valid (only a clock that went back can get here): let the full check answer.
      if (claims.nbf !== undefined && claims.nbf > seconds) return undefined;
      return claims;
    },
    set(token, claims) {
      entries.set(token, claims);
    },
    get size() {
      return entries.size;
    },
  };
}
