import express, { type RequestHandler } from 'express';
import { hasBody, TypeIs } from 'type-is';
import { AppError } from '../errors';

export const maxBodyBytes = 10_240;

/**
 * Bodies are JSON only (415 otherwise) and at most 10,240 bytes, counted as they arrive (413).
 * One middleware: a request with no body (every GET) passes straight through.
 */
export function jsonBody(): RequestHandler {
  const parseJson: RequestHandler = express.json({ limit: maxBodyBytes, type: 'application/json', strict: true });
  const json = new TypeIs(['application/json']);
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    if (!json.request(req)) {
      // An empty body with a stray Content-Length: 0 is still no body.
      if (req.headers['content-length'] !== '0') throw new AppError('unsupported_media_type');
      return next();
    }
    void parseJson(req, res, next);
  };
}
