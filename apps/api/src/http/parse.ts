import type { z } from 'zod';
import { AppError } from '../errors';

/** Validates a request body against a contract schema: the parsed value, or 400 validation_failed. */
export function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new AppError('validation_failed', undefined, { issues });
}
