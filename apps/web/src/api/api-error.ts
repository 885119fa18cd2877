import { ErrorBody, defaultMessageOf, type ErrorCode, type ValidationIssue } from '@authbench/contract';
import { isAxiosError } from 'axios';

/**
 * Failures that never produced a contract error body get a client-side code, so UI code can
 * still switch on `error.code` alone: no response at all, a response that breaks the contract, or
 * a cookie the API set that the browser did not send back (the message says which, and why).
 */
export type ClientErrorCode = 'network_error' | 'invalid_response' | 'cookie_dropped';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

export interface ApiErrorInit {
  code: ApiErrorCode;
  /** HTTP status, or 0 when no response arrived. */
  status: number;
  message: string;
  issues?: readonly ValidationIssue[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  /** Field-level problems of a `validation_failed` answer (`details.issues`). */
  readonly issues: readonly ValidationIssue[];
  /** From `Retry-After` on `rate_limited`, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.issues = init.issues ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** The contract error body of an axios failure, if it has one. */
export function errorBodyOf(error: unknown): ErrorBody | undefined {
  if (!isAxiosError(error) || !error.response) return undefined;
  const parsed = ErrorBody.safeParse(error.response.data);
  return parsed.success ? parsed.data : undefined;
}

/** The contract code of an axios failure: what interceptors branch on. */
export const errorCodeOf = (error: unknown): ErrorCode | undefined => errorBodyOf(error)?.error.code;

function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Normalises anything a request can throw into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (isAxiosError(error)) {
    const response = error.response;
    if (!response) {
      return new ApiError({
        code: 'network_error',
        status: 0,
        message: 'The API could not be reached. Check that it is running and allows this origin.',
        cause: error,
      });
    }
    const body = errorBodyOf(error);
    const retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
    if (body) {
      const { code, message, details } = body.error;
      return new ApiError({
        code,
        status: response.status,
        message: message || defaultMessageOf[code],
        ...(details && { issues: details.issues }),
        ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
        cause: error,
      });
    }
    return new ApiError({
      code: 'invalid_response',
      status: response.status,
      message: `The API answered HTTP ${response.status} without a contract error body.`,
      cause: error,
    });
  }
  return new ApiError({
    code: 'invalid_response',
    status: 0,
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}
