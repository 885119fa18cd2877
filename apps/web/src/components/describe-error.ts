import { ErrorCode, defaultMessageOf } from '@authbench/contract';
import { isApiError, type ApiErrorCode } from '../api/api-error';
import { formatDuration } from '../lib/format-time';

const messages: Partial<Record<ApiErrorCode, string>> = {
  invalid_credentials: 'The email or password is incorrect.',
  email_taken: 'An account with this email already exists. Log in instead, or use another email.',
  validation_failed: 'Some fields need attention.',
  unauthenticated: 'Your session has ended. Log in again.',
  token_expired: 'Your session has ended. Log in again.',
  token_invalid: 'Your session has ended. Log in again.',
  csrf_failed: 'The request was refused as a possible forgery (CSRF). Reload the page and try again.',
  forbidden_origin: 'This API does not accept requests from this page’s origin. Add it to CORS_ORIGINS.',
  not_found: 'That no longer exists.',
  network_error: 'The API could not be reached. Check that it is running and allows this origin.',
  invalid_response: 'The API answered in an unexpected shape. Are the SPA and the API the same version?',
};

/** The one place an error code becomes words; UI never matches on statuses or server text. */
export function describeError(error: unknown): string {
  if (!isApiError(error)) return 'Something went wrong. Try again.';
  // Computed by the API layer from this page's layout and the API's cookie flags: which cookie, and why.
  if (error.code === 'cookie_dropped') return error.message;
  if (error.code === 'rate_limited') {
    return error.retryAfterSeconds === undefined
      ? 'Too many failed attempts. Try again later.'
      : `Too many failed attempts. Try again in ${formatDuration(error.retryAfterSeconds)}.`;
  }
  // Contract codes fall back to the contract's wording; client codes all have an entry above.
  const parsed = ErrorCode.safeParse(error.code);
  return messages[error.code] ?? (parsed.success ? defaultMessageOf[parsed.data] : error.message);
}
