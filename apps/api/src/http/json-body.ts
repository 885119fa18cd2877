import { endpointList } from '@authbench/contract';
import express, { type RequestHandler } from 'express';
import { hasBody, TypeIs } from 'type-is';
import { AppError } from '../errors';

export const maxBodyBytes = 10_240;

const jsonParser = (types: readonly string[]) => ({
  is: new TypeIs([...types]),
  parse: express.json({ limit: maxBodyBytes, type: [...types], strict: true }) as RequestHandler,
});

/**
 * Bodies are JSON only (415 otherwise) and at most 10,240 bytes, counted as they arrive (413).
 * One middleware: a request with no body (every GET) passes straight through. An endpoint of the
 * contract that lists media types of its own (violation reports: application/csp-report,
 * application/reports+json, both JSON) takes those, on its exact method and path only.
 */
export function jsonBody(): RequestHandler {
  const plain = jsonParser(['application/json']);
  const own = new Map(endpointList.filter((e) => e.requestTypes).map((e) => [`${e.method.toUpperCase()} ${e.path}`, jsonParser(e.requestTypes!)]));
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const { is: json, parse: parseJson } = own.get(`${req.method} ${req.path}`) ?? plain;
    if (!json.request(req)) {
      // An empty body with a stray Content-Length: 0 is still no body.
      if (req.headers['content-length'] !== '0') throw new AppError('unsupported_media_type');
      return next();
    }
    void parseJson(req, res, next);
  };
}
