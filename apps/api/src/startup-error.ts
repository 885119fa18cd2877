import { inspect } from 'node:util';
import { ConfigError, secretValues } from './config';
import { redact } from './redact';

/**
 * Prints why a process could not start, and exits 1. A bad setting is one line naming the
 * variable, not a stack trace. Anything else keeps its stack and causes, but every line goes
 * through one redaction: a driver's error, or a URL error's `input`, may quote DATABASE_URL or
 * REDIS_URL with its password.
 */
export function exitOnStartupError(err: unknown): never {
  const text = err instanceof ConfigError ? `authbench: ${err.message}` : inspect(err, { depth: 6 });
  console.error(redact(text, secretValues()));
  process.exit(1);
}
