import { z } from 'zod';

export const ErrorCode = z.enum([
  'validation_failed',
  'invalid_json',
  'unauthenticated',
  'invalid_credentials',
  'token_expired',
  'token_invalid',
  'csrf_failed',
  'forbidden_origin',
  'invalid_dpop_proof',
  'use_dpop_nonce',
  'not_found',
  'email_taken',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'service_unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

// A new code does not compile until it has a status here.
export const statusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  token_expired: 401,
  token_invalid: 401,
  csrf_failed: 403,
  forbidden_origin: 403,
  // On the endpoints that issue tokens (login, register, refresh) these are 400 (RFC 9449 §5, §8):
  // see statusAt.
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
  not_found: 404,
  email_taken: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
};

export const defaultMessageOf: Record<ErrorCode, string> = {
  validation_failed: 'The request body is not valid.',
  invalid_json: 'The request body is not valid JSON.',
  unauthenticated: 'You are not logged in.',
  invalid_credentials: 'The email or password is incorrect.',
  token_expired: 'The access token has expired.',
  token_invalid: 'The token is not valid.',
  csrf_failed: 'The CSRF token is missing or wrong.',
  forbidden_origin: 'Requests from this origin are not allowed.',
  invalid_dpop_proof: 'The DPoP proof is missing or not valid for this request.',
  use_dpop_nonce: 'The DPoP proof must carry the nonce the server gave in DPoP-Nonce.',
  not_found: 'Nothing here.',
  email_taken: 'An account with this email already exists.',
  payload_too_large: 'The request body is larger than 10,240 bytes.',
  unsupported_media_type: 'Request bodies must be application/json.',
  rate_limited: 'Too many failed attempts. Try again later.',
  service_unavailable: 'A backing service is unavailable. Try again shortly.',
  internal: 'Something went wrong on our side.',
};

/** The proof errors of jwt-dpop mode, answered with `WWW-Authenticate: DPoP error="<code>"`. */
export const proofErrorCodes = ['invalid_dpop_proof', 'use_dpop_nonce'] as const satisfies readonly ErrorCode[];
export const isProofError = (code: ErrorCode): code is (typeof proofErrorCodes)[number] => (proofErrorCodes as readonly ErrorCode[]).includes(code);

/** A code's status on an endpoint: a token endpoint answers a bad proof 400, like an OAuth token endpoint. */
export const statusAt = (code: ErrorCode, endpoint: { issuesTokens?: boolean }): number =>
  endpoint.issuesTokens && isProofError(code) ? 400 : statusOf[code];

export const ValidationIssue = z.object({ path: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.object({ issues: z.array(ValidationIssue) }).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
