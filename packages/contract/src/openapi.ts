import { z } from 'zod';
import { cookieNames, csrfHeader, dpopHeader, type AuthMode } from './auth';
import { HealthDegraded } from './config';
import { endpoints, errorsOf, modeTraits, responseOf, type Endpoint, type EndpointName, type ModeTraits } from './endpoints';
import { ErrorBody, statusAt, type ErrorCode } from './errors';

type JsonSchema = Record<string, unknown>;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

const json = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** A request body in each media type the endpoint takes (plain JSON unless it lists others). */
const bodyContent = (request: z.ZodType, types: readonly string[] = ['application/json']) => {
  const schema = schemaOf(request, 'input');
  return Object.fromEntries(types.map((type) => [type, { schema }]));
};

/** One response per error status, naming the codes it carries (`error.code` is one of them). */
function errorResponses(endpoint: Endpoint, mode: AuthMode): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(endpoint, mode)) {
    const status = statusAt(code, endpoint);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, codes] of byStatus) {
    const schema = {
      allOf: [
        { $ref: '#/components/schemas/ErrorBody' },
        { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
      ],
    };
    responses[String(status)] = { description: codes.join(', '), content: json(schema) };
  }
  // The health check answers its own body when a store is down.
  if (endpoint === endpoints.health) {
    responses['503'] = { description: 'a store is down', content: json(schemaOf(HealthDegraded, 'output')) };
  }
  return responses;
}

function parametersOf(endpoint: Endpoint, mode: AuthMode): unknown[] {
  const parameters: unknown[] = [];
  for (const [name, schema] of Object.entries(endpoint.params?.shape ?? {})) {
    parameters.push({ name, in: 'path', required: true, schema: schemaOf(schema as z.ZodType, 'input') });
  }
  if (endpoint.method !== 'get' && modeTraits[mode].csrf && !endpoint.withoutCsrfToken) {
    parameters.push({ name: csrfHeader, in: 'header', required: true, description: 'From GET /api/auth/csrf or the login response', schema: { type: 'string' } });
  }
  // The public endpoints that obtain or end a bound login carry a proof too (authenticated ones: the dpop scheme).
  if (modeTraits[mode].proof && !endpoint.authenticated && (endpoint.issuesTokens || endpoint.cookieBearing)) {
    const required = endpoint.issuesTokens === true;
    const description = `A DPoP proof (RFC 9449 §4.2) by the client's key${required ? '' : ', when the request carries a login to end'}`;
    parameters.push({ name: dpopHeader, in: 'header', required, description, schema: { type: 'string' } });
  }
  return parameters;
}

type CookieNames = ReturnType<typeof cookieNames>;

/**
 * The OpenAPI security schemes of each credential a mode carries (its traits' `security`), all
 * required together: a credential that needs a second header (a proof) is a second scheme of
 * the same row. A new credential does not compile until it has its row here.
 */
const securitySchemesOf = {
  sessionCookie: (names) => ({ sessionCookie: { type: 'apiKey', in: 'cookie', name: names.session } }),
  bearer: () => ({ bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }),
  accessCookie: (names) => ({ accessCookie: { type: 'apiKey', in: 'cookie', name: names.access } }),
  // OpenAPI has no DPoP type: `Authorization: DPoP <token>`, and the proof in its own header.
  dpop: () => ({
    dpop: { type: 'http', scheme: 'dpop', description: 'Authorization: DPoP <access token>, a token bound to the client’s key (RFC 9449)' },
    dpopProof: { type: 'apiKey', in: 'header', name: dpopHeader, description: 'A DPoP proof by that key, with the hash of the token (ath)' },
  }),
} satisfies Record<ModeTraits['security'], (names: CookieNames) => Record<string, JsonSchema>>;

export interface OpenApiOptions {
  /** Where browsers reach the API (PUBLIC_ORIGIN): the document's one server. */
  publicOrigin: string;
  /** Secure cookies carry the `__Host-` and `__Secure-` prefixes in their names. */
  cookieSecure?: boolean;
}

/**
 * OpenAPI 3.1 for the endpoints one API process serves in this mode, generated from the
 * contract's endpoint list (the same list the API's routes are registered from). Each operation
 * is named after its endpoint (`operationId`), and says what it needs: the mode's credential,
 * or nothing (`security: []`) where it is public.
 */
export function createOpenApiDocument(authMode: AuthMode, { publicOrigin, cookieSecure = false }: OpenApiOptions): JsonSchema {
  const schemes = securitySchemesOf[modeTraits[authMode].security](cookieNames(cookieSecure));
  const credential = Object.fromEntries(Object.keys(schemes).map((name) => [name, []]));
  const pathItems: Record<string, Record<string, unknown>> = {};
  for (const [name, e] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
    if (!e.modes.includes(authMode)) continue;
    const response = responseOf(e, authMode);
    const parameters = parametersOf(e, authMode);
    const operation: Record<string, unknown> = {
      operationId: name,
      summary: e.summary,
      security: e.authenticated ? [credential] : [],
      ...(parameters.length > 0 && { parameters }),
      ...(e.request && { requestBody: { required: true, content: bodyContent(e.request, e.requestTypes) } }),
      responses: {
        [String(e.status)]: response ? { description: 'Success', content: json(schemaOf(response, 'output')) } : { description: 'Success, no content' },
        ...errorResponses(e, authMode),
      },
    };
    (pathItems[e.path] ??= {})[e.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: `Authbench API (${authMode} mode)`, version: '0.2.0' },
    servers: [{ url: publicOrigin, description: 'This API, where browsers reach it (PUBLIC_ORIGIN)' }],
    paths: pathItems,
    components: {
      schemas: { ErrorBody: schemaOf(ErrorBody, 'output') },
      securitySchemes: schemes,
    },
  };
}
