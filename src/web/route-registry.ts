import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { RoutePolicy } from '../auth/access-policy.js';
import { fieldErrors, parseInput } from '../shared/validation.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * page: HTML for signed-in users (session cookie; signed-out users are sent to sign in).
 * api: JSON under /api/v1 (bearer token; signed-out callers get 401 JSON).
 * system: health checks, assets, documents anyone may fetch.
 * fhir: the partner-facing FHIR API under /fhir/R4 (a partner system's access token; errors as OperationOutcome).
 */
export type RouteKind = 'page' | 'api' | 'system' | 'fhir';

/** What a partner-facing FHIR route does, for its scope check and the CapabilityStatement built from the routes. */
export interface FhirDocs {
  /** The resource type and interaction (a CapabilityStatement interaction code, or an operation's name). */
  resourceType: string | null;
  interaction: 'read' | 'search-type' | 'update' | 'create' | 'transaction' | 'operation';
  /** The system scope a token needs (FHIR-8); none for public documents. */
  scope?: { resourceType: string; access: 'c' | 'r' | 'u' | 'd' | 's' };
  operation?: string;
}

export interface ApiDocs {
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** Express path, e.g. /api/v1/people/:id */
  path: string;
  kind: RouteKind;
  /** The access policy that decides who may use the route. Required for every route. */
  policy: RoutePolicy;
  summary: string;
  /** Routes used while signing in (password accepted, second factor pending). */
  duringSignIn?: boolean;
  handler: (req: Request, res: Response) => Promise<void> | void;
  /** Extra middleware run before the handler (rate limits, CSRF exemptions are not allowed). */
  before?: RequestHandler[];
  api?: ApiDocs;
  fhir?: FhirDocs;
}

export { fieldErrors, parseInput };

/** The parsed inputs of an API route, typed from its schemas. */
export interface ApiInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

const EMPTY = z.object({}).strict();

/**
 * Defines a JSON API route whose params, query and body are parsed with the same
 * schemas that document it in the OpenAPI document, so the two cannot drift.
 */
export function apiRoute<
  P extends z.ZodObject = typeof EMPTY,
  Q extends z.ZodObject = typeof EMPTY,
  B extends z.ZodType = z.ZodUndefined,
>(def: {
  method: HttpMethod;
  path: string;
  policy: RoutePolicy;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (req: Request, res: Response, input: ApiInput<P, Q, B>) => Promise<void> | void;
}): RouteDefinition {
  const params = (def.params ?? EMPTY) as P;
  const query = (def.query ?? EMPTY) as Q;
  const body = def.body;
  return {
    method: def.method,
    path: def.path,
    kind: 'api',
    policy: def.policy,
    summary: def.summary,
    api: {
      tags: def.tags,
      ...(def.params ? { params: def.params } : {}),
      ...(def.query ? { query: def.query } : {}),
      ...(def.body ? { body: def.body } : {}),
      responses: def.responses,
    },
    handler: async (req, res) => {
      const input = {
        params: parseInput(params, req.params),
        query: parseInput(query, req.query ?? {}),
        body: (body ? parseInput(body, req.body) : undefined) as z.infer<B>,
      };
      await def.handler(req, res, input);
    },
  };
}

/** Every route of the platform, each with its policy. The app mounts routes only from here. */
export class RouteRegistry {
  private readonly routes: RouteDefinition[] = [];

  add(...definitions: RouteDefinition[]): this {
    for (const d of definitions) {
      if (!d.policy) throw new Error(`Route ${d.method.toUpperCase()} ${d.path} has no access policy`);
      if (this.routes.some((r) => r.method === d.method && r.path === d.path)) {
        throw new Error(`Route ${d.method.toUpperCase()} ${d.path} is registered twice`);
      }
      this.routes.push(d);
    }
    return this;
  }

  list(): readonly RouteDefinition[] {
    return this.routes;
  }
}
