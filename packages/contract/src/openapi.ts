import { z } from 'zod';
import { ErrorBody } from './errors';
import { endpoints } from './endpoints';
import type { AuthMode } from './auth';

type JsonSchema = Record<string, unknown>;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
};

/** OpenAPI 3.1 for the endpoints one API process serves (its mode's, plus the shared ones). */
export function createOpenApiDocument(authMode: AuthMode): JsonSchema {
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
  const pathItems: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints.filter((e) => e.modes.includes(authMode))) {
    const operation: Record<string, unknown> = {
      summary: e.summary,
      ...(e.path.includes('{id}') && {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      }),
      ...(e.authenticated && {
        security: authMode === 'jwt' ? [{ bearer: [] }] : [{ sessionCookie: [] }],
      }),
      ...(e.request && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: schemaOf(e.request, 'input') } },
        },
      }),
      responses: {
        [String(e.status)]: e.response
          ? {
              description: 'Success',
              content: { 'application/json': { schema: schemaOf(e.response, 'output') } },
            }
          : { description: 'Success, no content' },
        default: errorResponse,
      },
    };
    (pathItems[e.path] ??= {})[e.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: `Authbench API (${authMode} mode)`, version: '0.1.0' },
    paths: pathItems,
    components: {
      schemas: { ErrorBody: schemaOf(ErrorBody, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sid' },
      },
    },
  };
}
