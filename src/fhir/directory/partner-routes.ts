import { z } from 'zod';
import type { AppDependencies } from '../../web/app-dependencies.js';
import { policies } from '../../auth/access-policy.js';
import { requestContext } from '../../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../../web/route-registry.js';
import {
  checkResponse,
  partnerIdParam,
  partnerInput,
  partnerServiceJson,
  partnerServiceResponse,
  partnerServiceSchema,
} from './partner-schemas.js';

/** The partner directory over the API (issue 6 §1). */
export function partnerRoutes(deps: AppDependencies): RouteDefinition[] {
  const { partners, people } = deps.services;
  const tags = ['partners'];
  const organisationOf = async (id: string) => people.findOrganisation(id);
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/partner-services',
      policy: policies.partnersRead,
      summary:
        'The partner directory: each NHS partner service, where and how it is reached, the pathways it serves and its last connectivity check. No secrets.',
      tags,
      responses: {
        200: { description: 'Partner services', schema: z.object({ items: z.array(partnerServiceResponse) }) },
      },
      handler: async (_req, res) => {
        res.json({ items: (await partners.list()).map((x) => partnerServiceJson(x.service, x.organisation)) });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/partner-services',
      policy: policies.partnersManage,
      summary: 'Add a partner service to the directory.',
      tags,
      body: partnerServiceSchema,
      responses: {
        201: { description: 'The partner service', schema: partnerServiceResponse },
        422: { description: 'Not valid' },
      },
      handler: async (req, res, { body }) => {
        const made = await partners.create(requestContext(req), partnerInput(body));
        res.status(201).json(partnerServiceJson(made, await organisationOf(made.organisationId)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/partner-services/:id',
      policy: policies.partnersRead,
      summary: 'One partner service (no secrets).',
      tags,
      params: partnerIdParam,
      responses: {
        200: { description: 'The partner service', schema: partnerServiceResponse },
        404: { description: 'No such partner service' },
      },
      handler: async (_req, res, { params }) => {
        const found = await partners.get(params.id);
        res.json(partnerServiceJson(found, await organisationOf(found.organisationId)));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/api/v1/partner-services/:id',
      policy: policies.partnersManage,
      summary: 'Change a partner service; a secret left out keeps the one stored.',
      tags,
      params: partnerIdParam,
      body: partnerServiceSchema,
      responses: {
        200: { description: 'The partner service', schema: partnerServiceResponse },
        404: { description: 'No such partner service' },
        422: { description: 'Not valid' },
      },
      handler: async (req, res, { params, body }) => {
        const changed = await partners.update(requestContext(req), params.id, partnerInput(body));
        res.json(partnerServiceJson(changed, await organisationOf(changed.organisationId)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/partner-services/:id/check',
      policy: policies.partnersManage,
      summary:
        'The connectivity check: authenticate and read the partner’s CapabilityStatement (GET [base]/metadata). The outcome is kept.',
      tags,
      params: partnerIdParam,
      responses: {
        200: { description: 'The outcome (ok or not, with what happened)', schema: checkResponse },
        404: { description: 'No such partner service' },
      },
      handler: async (req, res, { params }) => {
        const check = await partners.check(requestContext(req), params.id);
        res.json({ ok: check.ok, at: check.at.toISOString(), message: check.message });
      },
    }),
  ];
}
