import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { personIdParam } from './pathway-schemas.js';
import {
  managementReferralSchema,
  referralIdParam,
  referralJson,
  referralResponse,
  selfReferralSchema,
  triageSchema,
} from './referral-schemas.js';

/** Referrals into OH over the API (issue 4 §6). */
export function referralRoutes(deps: AppDependencies): RouteDefinition[] {
  const { referrals } = deps.services;
  const tags = ['referrals'];
  const created = { 201: { description: 'The referral, waiting for OH triage', schema: referralResponse } };
  return [
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/oh-referrals',
      policy: policies.referralsManagement,
      summary:
        'A management referral to OH for someone in your team (line managers) or organisation (HR). They must have been told; they are emailed and can read a copy (seed 003 §14.1).',
      tags,
      params: personIdParam,
      body: managementReferralSchema,
      responses: { ...created, 404: { description: 'No such person within your reach' } },
      handler: async (req, res, { params, body }) => {
        const referral = await referrals.referByManagement(requestContext(req), params.personId, {
          ...body,
          adjustmentsTried: body.adjustmentsTried ?? null,
        });
        res.status(201).json(referralJson(req.actor!, referral));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/me/oh-referrals',
      policy: policies.selfService,
      summary: 'Refer yourself to OH. What you write is seen by OH only.',
      tags,
      body: selfReferralSchema,
      responses: created,
      handler: async (req, res, { body }) => {
        const referral = await referrals.referSelf(requestContext(req), {
          ...body,
          venuePreference: body.venuePreference ?? null,
          contactPreference: body.contactPreference ?? null,
        });
        res.status(201).json(referralJson(req.actor!, referral));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/oh-referrals',
      policy: policies.referralsTriage,
      summary: 'Referrals waiting for OH triage, oldest first.',
      tags,
      responses: { 200: { description: 'Referrals', schema: z.object({ items: z.array(referralResponse) }) } },
      handler: async (req, res) => {
        res.json({
          items: (await referrals.awaitingTriage(requestContext(req))).map((r) => referralJson(req.actor!, r)),
        });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/oh-referrals/:id',
      policy: policies.pathwaysRead,
      summary: 'A referral: for OH, the person it is about (their copy), and whoever made a management referral.',
      tags,
      params: referralIdParam,
      responses: {
        200: { description: 'The referral', schema: referralResponse },
        404: { description: 'No such referral within your reach' },
      },
      handler: async (req, res, { params }) => {
        res.json(referralJson(req.actor!, await referrals.get(requestContext(req), params.id)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/oh-referrals/:id/triage',
      policy: policies.referralsTriage,
      summary: 'Triage a referral: start a pathway from it, or decline it with a note.',
      tags,
      params: referralIdParam,
      body: triageSchema,
      responses: {
        200: { description: 'The triaged referral', schema: referralResponse },
        404: { description: 'No such referral' },
        409: { description: 'Already triaged, or the person is already on that pathway' },
      },
      handler: async (req, res, { params, body }) => {
        const decision = body.accept
          ? { accept: true as const, definition: body.definition, facts: body.facts, note: body.note ?? null }
          : { accept: false as const, note: body.note };
        res.json(referralJson(req.actor!, await referrals.triage(requestContext(req), params.id, decision)));
      },
    }),
  ];
}
