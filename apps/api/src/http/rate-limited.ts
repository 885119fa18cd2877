import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppError } from '../errors';

/**
 * The client that a limit counts: its IP (the socket's, or per TRUST_PROXY), and an IPv6 client
 * by its /56, since whoever holds one address usually holds the whole block.
 */
export const clientOf = (req: Request) => ipKeyGenerator(req.ip ?? '');

/** 429 rate_limited, with the Retry-After that every 429 carries: whole seconds, at least 1. */
export const rateLimited = (retryAfterMs: number) =>
  new AppError('rate_limited', undefined, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
