import { z } from 'zod';

import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { id, isoDate } from '../people/people-schemas.js';
import { POLICY_KINDS, type PolicyKind } from './policy-kinds.js';

const kindParam = z.object({ kind: z.enum(Object.keys(POLICY_KINDS) as [PolicyKind, ...PolicyKind[]]) }).strict();
const orgQuery = z.object({ organisationId: id.optional(), asOf: isoDate.optional() }).strict();
const publishBody = z
  .object({
    organisationId: id.optional(),
    effectiveFrom: isoDate,
    note: z.string().trim().max(500).nullable().optional(),
    content: z.record(z.string(), z.unknown()),
  })
  .strict();
const versionResponse = z.object({
  kind: z.string(),
  organisationId: z.string(),
  version: z.number(),
  effectiveFrom: z.string().nullable(),
  content: z.record(z.string(), z.unknown()),
});

/** Organisation policies (thresholds and periods), versioned. */
export function policyRoutes(deps: AppDependencies): RouteDefinition[] {
  const { policy } = deps.services;
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/policies/:kind',
      policy: policies.policiesRead,
      summary:
        'The policy of this kind in force for an organisation on a date (default today); version 0 is the shipped default.',
      tags: ['policies'],
      params: kindParam,
      query: orgQuery,
      responses: { 200: { description: 'The policy in force', schema: versionResponse } },
      handler: async (req, res, { params, query }) => {
        const ctx = requestContext(req);
        const organisationId = query.organisationId ?? ctx.actor.organisationId;
        await policy.versions(ctx, organisationId, params.kind);
        res.json(await policy.inForce(organisationId, params.kind, query.asOf ?? deps.clock.today()));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/policies/:kind/versions',
      policy: policies.policiesRead,
      summary: 'Every published version of a policy, newest first.',
      tags: ['policies'],
      params: kindParam,
      query: orgQuery.omit({ asOf: true }),
      responses: {
        200: {
          description: 'Versions',
          schema: z.object({ items: z.array(z.object({ version: z.number(), effectiveFrom: z.string() }).loose()) }),
        },
      },
      handler: async (req, res, { params, query }) => {
        const ctx = requestContext(req);
        res.json({ items: await policy.versions(ctx, query.organisationId ?? ctx.actor.organisationId, params.kind) });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/policies/:kind/versions',
      policy: policies.policiesWrite,
      summary: 'Publish a new version of a policy, effective from a date.',
      tags: ['policies'],
      params: kindParam,
      body: publishBody,
      responses: {
        201: { description: 'The new version', schema: z.object({ version: z.number() }).loose() },
        409: { description: 'Published concurrently' },
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        const version = await policy.publish(ctx, {
          organisationId: body.organisationId ?? ctx.actor.organisationId,
          kind: params.kind,
          content: body.content,
          effectiveFrom: body.effectiveFrom,
          note: body.note ?? null,
        });
        res.status(201).json(version);
      },
    }),
  ];
}
