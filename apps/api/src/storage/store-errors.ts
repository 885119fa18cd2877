import { StoreUnavailableError } from '../errors';

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);
const connectionMessages = /connection terminated|connection timeout|timeout exceeded|query read timeout|not queryable|client was closed|pool .*ended|socket closed|the client is closed/i;

/** A connection failure (not a query's own error) means the store is down: 503, not 500. */
export function isConnectionFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err ? String(err.code) : '';
  if (networkCodes.has(code)) return true;
  // SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart).
  if (/^(08|57P)/.test(code) || code === '53300') return true;
  if (err instanceof AggregateError) return err.errors.some(isConnectionFailure);
  return err instanceof Error && connectionMessages.test(err.message);
}

export async function guardStore<T>(store: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isConnectionFailure(err)) throw new StoreUnavailableError(store, err);
    throw err;
  }
}
