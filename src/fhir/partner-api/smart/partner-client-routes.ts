import { z } from 'zod';
import type { AppDependencies } from '../../../web/app-dependencies.js';
import { policies } from '../../../auth/access-policy.js';
import { requestContext } from '../../../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../../../web/route-registry.js';
import type { PartnerClient } from './partner-auth-service.js';
import { parseScope } from './smart-scopes.js';

/** A public key as a JWK: RSA (n, e) or EC (crv, x, y), never with a private part (FHIR-8: RS384 or ES384). */
const publicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC']),
    kid: z.string().max(200).optional(),
    alg: z.enum(['RS384', 'ES384']).optional(),
  })
  .refine((k) => !('d' in k), 'Give only the public key: this key has its private part (d) in it')
  .refine(
    (k) =>
      k.kty === 'RSA'
        ? typeof k.n === 'string' && typeof k.e === 'string'
        : typeof k.crv === 'string' && typeof k.x === 'string' && typeof k.y === 'string',
    'An RSA key needs n and e; an EC key needs crv, x and y',
  );

export const partnerClientSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string().trim().min(1, 'Enter a name').max(200),
    clientId: z
      .string()
      .trim()
      .min(1, 'Enter the client_id')
      .max(200)
      .describe('The client_id the partner puts in iss and sub of its client assertions'),
    jwks: z
      .object({ keys: z.array(publicJwk).min(1, 'Give at least one public key').max(10) })
      .describe('The partner’s public keys (a JWKS); assertions must be signed by one of them'),
    scopes: z
      .array(z.string().refine((s) => parseScope(s) !== null, 'A system scope such as system/Task.rus'))
      .min(1, 'Give at least one scope')
      .max(30)
      .describe(
        'What the client may be granted, e.g. system/ServiceRequest.rs system/Task.rus system/MessageHeader.c system/DiagnosticReport.c',
      ),
    enabled: z.boolean().default(true),
  })
  .strict();

export const partnerClientResponse = z.object({
  id: z.string(),
  organisationId: z.string(),
  name: z.string(),
  clientId: z.string(),
  keyIds: z.array(z.string().nullable()),
  scopes: z.array(z.string()),
  enabled: z.boolean(),
});

const idParam = z.object({ id: z.uuid() }).strict();

/** A partner client as the API gives it: its keys named, not repeated. */
export function partnerClientJson(c: PartnerClient): z.infer<typeof partnerClientResponse> {
  return {
    id: c.id,
    organisationId: c.organisationId,
    name: c.name,
    clientId: c.clientId,
    keyIds: c.jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : null)),
    scopes: c.scopes,
    enabled: c.enabled,
  };
}

/** The NHS partner systems allowed to call the partner-facing FHIR API (issue 6 §4, FHIR-8). */
export function partnerClientRoutes(deps: AppDependencies): RouteDefinition[] {
  const { partnerAuth } = deps.services;
  const tags = ['partners'];
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/partner-clients',
      policy: policies.partnerClientsRead,
      summary: 'The NHS partner systems registered to call the partner-facing FHIR API, with their scopes.',
      tags,
      responses: {
        200: { description: 'Partner clients', schema: z.object({ items: z.array(partnerClientResponse) }) },
      },
      handler: async (_req, res) => {
        res.json({ items: (await partnerAuth.list()).map(partnerClientJson) });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/partner-clients',
      policy: policies.partnerClientsManage,
      summary: 'Register a partner system: its client_id, public keys (JWKS) and the scopes it may be granted.',
      tags,
      body: partnerClientSchema,
      responses: {
        201: { description: 'The partner client', schema: partnerClientResponse },
        409: { description: 'The client_id is taken' },
        422: { description: 'Not valid' },
      },
      handler: async (req, res, { body }) => {
        res.status(201).json(partnerClientJson(await partnerAuth.create(requestContext(req), body as never)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/partner-clients/:id',
      policy: policies.partnerClientsRead,
      summary: 'One partner client.',
      tags,
      params: idParam,
      responses: {
        200: { description: 'The partner client', schema: partnerClientResponse },
        404: { description: 'No such partner client' },
      },
      handler: async (_req, res, { params }) => {
        res.json(partnerClientJson(await partnerAuth.get(params.id)));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/api/v1/partner-clients/:id',
      policy: policies.partnerClientsManage,
      summary: 'Change a partner client (its keys, scopes, or disable it: its tokens stop working at once).',
      tags,
      params: idParam,
      body: partnerClientSchema,
      responses: {
        200: { description: 'The partner client', schema: partnerClientResponse },
        404: { description: 'No such partner client' },
        409: { description: 'The client_id is taken' },
        422: { description: 'Not valid' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(partnerClientJson(await partnerAuth.update(requestContext(req), params.id, body as never)));
      },
    }),
  ];
}
