import { defaultMessageOf, type ErrorCode, type ValidationIssue } from '@authbench/contract';

// The ground floor, beside config: every floor above throws these (a store its 503, a route its
// 4xx), and http/error-handler turns them into the contract's envelope.

/** The one error type routes throw; the error handler turns it into the contract's envelope. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = defaultMessageOf[code],
    readonly details?: { issues: ValidationIssue[] },
    readonly headers: Record<string, string> = {},
    /** Where the contract gives the code another status on this endpoint (statusAt). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A backing store (database, Redis) failed or timed out: 503, never a stack trace. */
export class StoreUnavailableError extends Error {
  constructor(
    readonly store: string,
    cause?: unknown,
  ) {
    super(`${store} is unavailable`, { cause });
    this.name = 'StoreUnavailableError';
  }
}
