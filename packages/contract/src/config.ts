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
});
export type CookieInfo = z.infer<typeof CookieInfo>;

export const ConfigResponse = z.object({
  authMode: AuthMode,
  accessTokenTtlSeconds: z.number().int().positive().optional(),
  cookies: z.array(CookieInfo),
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
