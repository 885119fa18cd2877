import { dpopNonceHeader, paths } from '@authbench/contract';
import { benchOrigin, meProof, type Credential } from './client';
import type { RequestPool } from './load';

// Before the first slice the rate is unknown: more than the bare route serves on one core.
const firstGuessPerSecond = 6000;
// Room above the last slice's rate; a pool that runs dry signs inline, and says so.
const headroom = 1.5;

/**
 * A fresh DPoP proof for every GET /api/me of a jwt-dpop row, signed before the slice rather
 * than during it: the load generator shares a core with the stores, and signing inline (an ES256
 * signature each, tens of µs) would compete with autocannon for it. A proof is good for the
 * API's iat window (DPOP_PROOF_WINDOW, 60 s) and its nonce for one to two nonce steps (30 to
 * 60 s): a slice lasts seconds, and the pool asks the API for its current nonce before each one.
 */
export function createProofPool(api: string, credentials: () => Credential[]) {
  let pools: Record<string, string>[][] = [];
  let perSecond = firstGuessPerSecond;
  let signed = 0;
  let signedInline = 0;
  let signingUsPerProof = 0;

  /** What the API's DPoP-Nonce is now: every response carries it. */
  const currentNonce = async () => {
    const res = await fetch(`${api}${paths.health}`, { headers: { origin: benchOrigin }, signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.headers.get(dpopNonceHeader) ?? undefined;
  };

  const sign = (credential: Credential) => {
    const headers = meProof(credential);
    if (!headers) throw new Error('a proof pool needs jwt-dpop credentials');
    return headers;
  };

  const pool: RequestPool & { stats(): { signed: number; signedInline: number; signingUsPerProof: number } } = {
    next(connection) {
      const own = pools[connection % pools.length];
      const ready = own?.pop();
      if (ready) return ready;
      signedInline += 1;
      const list = credentials();
      return sign(list[connection % list.length]!);
    },
    async freshen(seconds) {
      const list = credentials();
      // What the last slice used sets the next one's size.
      const left = pools.reduce((n, p) => n + p.length, 0);
      const made = pools.length > 0 ? signed : 0;
      if (made > 0) perSecond = Math.max(100, (made - left + signedInline) / Math.max(seconds, 0.1));
      signed = 0;
      signedInline = 0;
      const nonce = await currentNonce();
      for (const credential of list) if (credential.dpop) credential.dpop.nonce = nonce;
      const each = Math.ceil((headroom * perSecond * seconds) / list.length);
      const started = performance.now();
      pools = list.map((credential) => Array.from({ length: each }, () => sign(credential)));
      signed = each * list.length;
      signingUsPerProof = ((performance.now() - started) * 1000) / Math.max(1, signed);
    },
    /** The last fill: proofs signed ahead, those the slice still had to sign inline, and µs per signature. */
    stats: () => ({ signed, signedInline, signingUsPerProof }),
  };
  return pool;
}
