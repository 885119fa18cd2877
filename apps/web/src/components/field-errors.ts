import type { z } from 'zod';
import { isApiError } from '../api/api-error';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** First message per field from a client-side parse (the same contract schema the API uses). */
export function fieldErrorsOfZod<F extends string>(error: z.ZodError, fields: readonly F[]): FieldErrors<F> {
  const result: FieldErrors<F> = {};
  for (const issue of error.issues) {
    const field = fields.find((name) => name === issue.path[0]);
    if (field && !result[field]) result[field] = issue.message;
  }
  return result;
}

/** The server's `details.issues[]` of a validation_failed answer, by field. */
export function fieldErrorsOfApi<F extends string>(error: unknown, fields: readonly F[]): FieldErrors<F> {
  const result: FieldErrors<F> = {};
  if (!isApiError(error) || error.code !== 'validation_failed') return result;
  for (const issue of error.issues) {
    const field = fields.find((name) => name === issue.path.split('.')[0]);
    if (field && !result[field]) result[field] = issue.message;
  }
  return result;
}

/** Server issues that match no field on the form; they still have to be shown somewhere. */
export function otherIssues(error: unknown, fields: readonly string[]): string[] {
  if (!isApiError(error) || error.code !== 'validation_failed') return [];
  return error.issues
    .filter((issue) => !fields.includes(issue.path.split('.')[0] ?? ''))
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
}
