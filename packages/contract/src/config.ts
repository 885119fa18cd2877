import { z } from 'zod';
import { AuthMode } from './auth';

/** A cookie the API sets, with its flags: what /inspect shows, since script cannot read HttpOnly cookies. */
export const CookieInfo = z.object({
  name: z.string(),
  purpose: z.string(),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.enum(['lax', 'strict', 'none']),
  path: z.string(),
  maxAgeSeconds: z.number().int().positive(),
  /** CHIPS: kept per top-level site, so a browser that blocks third-party cookies still sends it there. */
  partitioned: z.boolean(),
});
export type CookieInfo = z.infer<typeof CookieInfo>;

const Seconds = z.number().int().positive();

/** Where a page and the API live relative to each other, as browsers decide SameSite and third-party cookies. */
export const Topology = z.enum(['same-origin', 'same-site', 'cross-site']);
export type Topology = z.infer<typeof Topology>;

/**
 * How the API sees the page that asked, so that the SPA need not judge sites itself: the page's
 * origin (the request's Origin; browsers send none with a same-origin GET, and `null` from an
 * opaque origin), the API's own origin as the request reached it, and the sites of both, by the
 * Public Suffix List and with the scheme, as browsers compare them (a.github.io and b.github.io
 * are two sites).
 */
export const PageDeployment = z.object({
  topology: Topology,
  pageOrigin: z.string(),
  pageSite: z.string(),
  apiOrigin: z.string(),
  apiSite: z.string(),
});
export type PageDeployment = z.infer<typeof PageDeployment>;

/**
 * The live configuration of one API: what the SPA needs to pick its transport, and what the
 * comparison shows instead of prose. Fields that do not apply to a mode are absent.
 */
export const ConfigResponse = z.object({
  authMode: AuthMode,
  cookies: z.array(CookieInfo),
  /** jwt modes. */
  accessTokenTtlSeconds: Seconds.optional(),
  refreshTokenTtlSeconds: Seconds.optional(),
  /** jwt modes: whether a revoked login's access tokens are refused at once (JWT_REVOCATION_CHECK). */
  revocationCheck: z.boolean().optional(),
  /** session mode. */
  sessionIdleSeconds: Seconds.optional(),
  sessionAbsoluteSeconds: Seconds.optional(),
  /** Modes whose unsafe requests carry a CSRF token: the header that carries it. */
  csrfHeader: z.string().optional(),
  /** Where the page that asked lives relative to this API, as the API sees it. */
  deployment: PageDeployment,
  /** jwt-dpop mode: how proofs are checked (DPOP_NONCE, DPOP_PROOF_WINDOW). */
  dpop: z
    .object({
      /** Proofs must carry the server's nonce (from `DPoP-Nonce`). */
      nonce: z.boolean(),
      /** How far a proof's `iat` may be from the server's clock, either way. */
      proofWindowSeconds: Seconds,
      /** How long one nonce is handed out; the current and the previous are accepted. */
      nonceStepSeconds: Seconds.optional(),
      /** What the `htu` of a proof must be, before the path: the API's public origin. */
      origin: z.string(),
    })
    .optional(),
});
export type ConfigResponse = z.infer<typeof ConfigResponse>;

export const HealthCheckStatus = z.enum(['ok', 'down']);
export const HealthOk = z.object({ status: z.literal('ok'), authMode: AuthMode });
export const HealthDegraded = z.object({
  status: z.literal('degraded'),
  authMode: AuthMode,
  checks: z.record(z.string(), HealthCheckStatus),
});
export const HealthResponse = z.union([HealthOk, HealthDegraded]);
export type HealthResponse = z.infer<typeof HealthResponse>;
