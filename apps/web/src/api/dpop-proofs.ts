import { dpopHeader, dpopNonceHeader, paths } from '@authbench/contract';
import { AxiosHeaders, isAxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { errorCodeOf } from './api-error';
import { signProof, type DpopKey } from './dpop-proof';
import { pathOf } from './transport';

/** The requests that obtain or end a login: each proves the key, with or without a token (RFC 9449 §5). */
const proofPaths = new Set<string>([paths.login, paths.register, paths.refresh, paths.logout]);

export interface ProofOptions {
  /** What the API takes as a proof's htu before the path: its public origin (GET /api/config). */
  origin: string;
  /** The key to prove this request with (the token's, or a login's new one); null: none to prove with. */
  keyFor: (config: InternalAxiosRequestConfig, token: string | undefined) => Promise<DpopKey | null>;
  now: () => number;
  /** Each new nonce the API hands out. */
  onNonce: (nonce: string) => void;
}

export interface Proofs {
  nonce(): string | null;
  dispose(): void;
}

const nonceIn = (response: AxiosResponse | undefined): string | undefined => {
  // AxiosHeaders from the XHR adapter (case-insensitive), a plain object from others.
  const headers = response?.headers as Record<string, unknown> | undefined;
  const value = headers instanceof AxiosHeaders ? headers.get(dpopNonceHeader) : headers?.[dpopNonceHeader.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * A fresh proof on every request that uses or obtains a token, signed as it leaves (so after the
 * Authorization header is set: register this before the interceptor that sets it, since axios
 * runs request interceptors last-in first-out). The nonce of every answer is kept for the next
 * proof; a `use_dpop_nonce` refusal is retried once with the nonce it carried (§8).
 */
export function createProofs(http: AxiosInstance, { origin, keyFor, now, onNonce }: ProofOptions): Proofs {
  let nonce: string | null = null;
  const keep = (response: AxiosResponse | undefined) => {
    const fresh = nonceIn(response);
    if (fresh === undefined || fresh === nonce) return;
    nonce = fresh;
    onNonce(fresh);
  };

  const request = http.interceptors.request.use(async (config) => {
    // A retried request still carries its first proof: a proof is good once, never resent.
    config.headers.delete(dpopHeader);
    const path = pathOf(config);
    const authorization = String(config.headers.get('Authorization') ?? '');
    const token = authorization.startsWith('DPoP ') ? authorization.slice('DPoP '.length) : undefined;
    if (token === undefined && !proofPaths.has(path)) return config;
    const key = await keyFor(config, token);
    if (!key) return config; // nothing to prove with: the API answers for itself
    const proof = await signProof(key, { htm: (config.method ?? 'get').toUpperCase(), htu: `${origin}${path}`, nonce: nonce ?? undefined, accessToken: token }, now);
    config.headers.set(dpopHeader, proof);
    return config;
  });

  const response = http.interceptors.response.use(
    (answer) => {
      keep(answer);
      return answer;
    },
    async (error: unknown) => {
      if (!isAxiosError(error) || !error.config) throw error;
      keep(error.response);
      const config = error.config;
      const flags = config.authbench ?? {};
      if (errorCodeOf(error) !== 'use_dpop_nonce' || flags.retriedAfterNonce) throw error;
      config.authbench = { ...flags, retriedAfterNonce: true };
      return http.request(config);
    },
  );

  return {
    nonce: () => nonce,
    dispose() {
      http.interceptors.request.eject(request);
      http.interceptors.response.eject(response);
    },
  };
}
