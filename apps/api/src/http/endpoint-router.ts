import { endpoints, type AuthMode, type Endpoint, type EndpointName } from '@authbench/contract';
import type { Express, RequestHandler } from 'express';
import { AppError } from '../errors';

export type EndpointHandlers = Partial<Record<EndpointName, RequestHandler | RequestHandler[]>>;

/** `/api/auth/sessions/{id}` (OpenAPI) → `/api/auth/sessions/:id` (Express). */
const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** Path parameters that the contract refuses cannot name anything of the caller's: 404, before any store sees them. */
const validParams =
  (endpoint: Endpoint): RequestHandler =>
  (req, _res, next) => {
    if (!endpoint.params?.safeParse(req.params).success) throw new AppError('not_found');
    next();
  };

/**
 * Registers the routes of one mode on the app, from the contract's endpoint list, so the routes
 * the API answers and the OpenAPI document it serves cannot drift apart: a missing handler, or one
 * for an endpoint the mode does not have, stops the start. The app routes strictly and
 * case-sensitively (createExpressBase): `/api/auth/refresh/` or `/api/auth/REFRESH` is another
 * path, and a 404 (SPEC §4). `authenticated` runs before the handlers of the endpoints the contract
 * marks as authenticated: this floor knows that a login is needed, not how a mode proves one.
 */
export function registerEndpoints(router: Express, mode: AuthMode, authenticated: RequestHandler, handlers: EndpointHandlers): void {
  if (!router.enabled('strict routing') || !router.enabled('case sensitive routing')) {
    throw new Error('the app must route strictly and case-sensitively');
  }
  for (const name of Object.keys(handlers) as EndpointName[]) {
    if (!endpoints[name].modes.includes(mode)) throw new Error(`a handler for ${name}, which ${mode} mode does not have`);
  }
  for (const [name, endpoint] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
    if (!endpoint.modes.includes(mode)) continue;
    const handler = handlers[name];
    if (!handler) throw new Error(`no handler for ${name} in ${mode} mode`);
    router[endpoint.method](
      expressPath(endpoint.path),
      ...(endpoint.params ? [validParams(endpoint)] : []),
      ...(endpoint.authenticated ? [authenticated] : []),
      ...[handler].flat(),
    );
  }
}
