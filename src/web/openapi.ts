import { z } from 'zod';
import type { RouteDefinition } from './route-registry.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(type, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable error code' },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'Problems by field' },
      },
    },
  },
};

/** Builds the OpenAPI 3.1 document from the route registry: every API route, its inputs, responses and who may call it. */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], serverUrl: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.kind !== 'api' || !route.api) continue;
    const oaPath = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ['path', route.api.params],
      ['query', route.api.query],
    ] as const) {
      if (!schema) continue;
      const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: location,
          required: location === 'path' || (json.required ?? []).includes(name),
          schema: prop,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(route.api.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { 'application/json': { schema: schemaOf(r.schema, 'output') } } }
        : { description: r.description };
    }
    if (route.policy.roles !== null) {
      responses['401'] ??= {
        description: 'No valid bearer token',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      responses['403'] ??= {
        description: 'Your role may not use this endpoint',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    if (route.api.body || route.api.query || route.api.params) {
      responses['422'] ??= {
        description: 'The input is not valid; `fields` says why',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    if (route.api.body) {
      responses['400'] ??= {
        description: 'The body is not well-formed JSON',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      responses['413'] ??= {
        description: 'The body is too large',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[oaPath] ??= {};
    paths[oaPath][route.method] = {
      summary: route.summary,
      tags: route.api.tags,
      operationId: `${route.method}${oaPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      description: `Access policy \`${route.policy.name}\`: ${route.policy.description}${route.policy.roles ? ` Roles: ${route.policy.roles.join(', ')}.` : ''}`,
      ...(route.policy.roles === null ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.api.body
        ? {
            requestBody: {
              // A body the route also takes absent (the person's own withdrawal) is optional.
              required: !route.api.body.safeParse(undefined).success,
              content: { 'application/json': { schema: schemaOf(route.api.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Blue Light Pathways API',
      version: '1',
      description:
        'Occupational health pathways for a police force and its NHS partners. Errors are `{ "error": { "code", "message", "fields"? } }`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token from `npm run cli -- create-token` or your account page.',
        },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
