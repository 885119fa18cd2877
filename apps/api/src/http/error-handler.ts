import { statusOf } from '@authbench/contract';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, StoreUnavailableError } from '../errors';

// body-parser's error types, mapped to the contract's codes.
const bodyErrorCodes = {
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'request.size.invalid': 'invalid_json',
  'request.aborted': 'invalid_json',
  'stream.encoding.set': 'internal',
} as const;

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError) return new AppError('service_unavailable');
  if (typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string' && err.type in bodyErrorCodes) {
    return new AppError(bodyErrorCodes[err.type as keyof typeof bodyErrorCodes]);
  }
  // Express answers a malformed URL (bad %-escape) with a 400 URIError.
  if (err instanceof URIError) return new AppError('not_found');
  return new AppError('internal');
}

export const notFound: RequestHandler = () => {
  throw new AppError('not_found');
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const error = toAppError(err);
  if (error.code === 'internal') req.log.error({ err, reqId: req.id }, 'unexpected error');
  else if (error.code === 'service_unavailable') req.log.warn({ err, reqId: req.id }, 'service unavailable: a store is down or a queue is full');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.set(error.headers);
  res.status(error.status ?? statusOf[error.code]).json({
    error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) },
  });
};
