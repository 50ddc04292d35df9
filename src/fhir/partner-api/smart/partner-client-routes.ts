import { z } from 'zod';
import type { AppDependencies } from '../../../web/app-dependencies.js';
import { policies } from '../../../auth/access-policy.js';
import { requestContext } from '../../../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../../../web/route-registry.js';
import { partnerClientJson, partnerClientResponse, partnerClientSchema } from './partner-client-schemas.js';

const idParam = z.object({ id: z.uuid() }).strict();

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
