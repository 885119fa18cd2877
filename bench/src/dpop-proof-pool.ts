import { dpopNonceHeader, paths } from '@authbench/contract';
import { benchOrigin, meProof, type Credential } from './client';
import type { RequestPool } from './load';

/**
 * Gives these clients the API's current DPoP-Nonce (every response carries it), as the SPA takes
 * it from each answer: a nonce is accepted for one to two steps of 30 s, and the load's answers
 * are not read.
 */
export async function takeCurrentNonce(api: string, credentials: Credential[]): Promise<void> {
  const res = await fetch(`${api}${paths.health}`, { headers: { origin: benchOrigin }, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  const nonce = res.headers.get(dpopNonceHeader) ?? undefined;
  for (const credential of credentials) if (credential.dpop) credential.dpop.nonce = nonce;
}

// Before the first slice the rate is unknown: more than the bare route serves on one core.
const firstGuessPerSecond = 6000;
// The API's nonce step is half of DPOP_PROOF_WINDOW (60 s by default), less a margin.
const maxSliceSeconds = 25;
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
      // A nonce handed out now is accepted for at least one step (30 s): no slice may outlast it.
      if (seconds > maxSliceSeconds) throw new Error(`a jwt-dpop slice of ${seconds} s would outlive its proofs' nonce (${maxSliceSeconds} s at most): raise BENCH_SLICES`);
      const list = credentials();
      // What the last slice used sets the next one's size.
      const left = pools.reduce((n, p) => n + p.length, 0);
      const made = pools.length > 0 ? signed : 0;
      if (made > 0) perSecond = Math.max(100, (made - left + signedInline) / Math.max(seconds, 0.1));
      signed = 0;
      signedInline = 0;
      await takeCurrentNonce(api, list);
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
