import { z } from 'zod';
import { cookieNames, csrfHeader, type AuthMode } from './auth';
import { HealthDegraded } from './config';
import { endpoints, endpointsOf, errorsOf, modeTraits, responseOf, type Endpoint } from './endpoints';
import { ErrorBody, statusOf, type ErrorCode } from './errors';

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
  for (const code of errorsOf(endpoint, mode)) byStatus.set(statusOf[code], [...(byStatus.get(statusOf[code]) ?? []), code]);
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
  return parameters;
}

/**
 * OpenAPI 3.1 for the endpoints one API process serves in this mode, generated from the
 * contract's endpoint list (the same list the API's routes are registered from).
 */
export function createOpenApiDocument(authMode: AuthMode, { cookieSecure = false }: { cookieSecure?: boolean } = {}): JsonSchema {
  const names = cookieNames(cookieSecure);
  const security = modeTraits[authMode].security;
  const pathItems: Record<string, Record<string, unknown>> = {};
  for (const e of endpointsOf(authMode)) {
    const response = responseOf(e, authMode);
    const parameters = parametersOf(e, authMode);
    const operation: Record<string, unknown> = {
      summary: e.summary,
      ...(parameters.length > 0 && { parameters }),
      ...(e.authenticated && { security: [{ [security]: [] }] }),
      ...(e.request && { requestBody: { required: true, content: bodyContent(e.request, e.requestTypes) } }),
      responses: {
        [String(e.status)]: response ? { description: 'Success', content: json(schemaOf(response, 'output')) } : { description: 'Success, no content' },
        ...errorResponses(e, authMode),
      },
    };
    (pathItems[e.path] ??= {})[e.method] = operation;
  }
  const schemes = {
    sessionCookie: { type: 'apiKey', in: 'cookie', name: names.session },
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    accessCookie: { type: 'apiKey', in: 'cookie', name: names.access },
  };
  return {
    openapi: '3.1.0',
    info: { title: `Authbench API (${authMode} mode)`, version: '0.2.0' },
    paths: pathItems,
    components: {
      schemas: { ErrorBody: schemaOf(ErrorBody, 'output') },
      securitySchemes: { [security]: schemes[security] },
    },
  };
}

