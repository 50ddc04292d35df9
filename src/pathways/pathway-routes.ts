import { z } from 'zod';
import { incidentSchema } from '../bbv/bbv-schemas.js';
import { parseInput } from '../shared/validation.js';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { pathwayJson } from './pathway-views.js';
import type { PathwayReferral } from './pathway-types.js';
import {
  adviceSchema,
  closeSchema,
  completeStepSchema,
  definitionParam,
  definitionQuery,
  enrolSchema,
  eventResponse,
  pathwayIdParam,
  pathwayReferralResponse,
  shareReferralSchema,
  pathwayResponse,
  pauseSchema,
  personIdParam,
  reassignStepSchema,
  resumeSchema,
  skipStepSchema,
  stepParam,
  transferSchema,
} from './pathway-schemas.js';

const notFound = { description: 'No such pathway (or step) within your reach' };
const conflict = {
  description: 'Not possible in the pathway’s current state (the code says why: pathway-paused, step-not-open …)',
};

/** The pathways API (issue 4 §8). */
export function pathwayRoutes(deps: AppDependencies): RouteDefinition[] {
  const { pathways } = deps.services;
  const tags = ['pathways'];
  const stepChange = (
    path: string,
    summary: string,
    body: z.ZodType,
    run: (
      ctx: ReturnType<typeof requestContext>,
      id: string,
      stepId: string,
      body: never,
    ) => ReturnType<typeof pathways.skipStep>,
    policy = policies.pathwaysManage,
  ) =>
    apiRoute({
      method: 'post',
      path,
      policy,
      summary,
      tags,
      params: stepParam,
      body,
      responses: { 200: { description: 'The pathway', schema: pathwayResponse }, 404: notFound, 409: conflict },
      handler: async (req, res, { params, body: input }) => {
        const ctx = requestContext(req);
        res.json(pathwayJson(ctx.actor, await run(ctx, params.id, params.stepId, input as never)));
      },
    });
  const pathwayChange = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    run: (ctx: ReturnType<typeof requestContext>, id: string, body: z.infer<B>) => ReturnType<typeof pathways.pause>,
  ) =>
    apiRoute({
      method: 'post',
      path,
      policy: policies.pathwaysManage,
      summary,
      tags,
      params: pathwayIdParam,
      body,
      responses: { 200: { description: 'The pathway', schema: pathwayResponse }, 404: notFound, 409: conflict },
      handler: async (req, res, { params, body: input }) => {
        const ctx = requestContext(req);
        res.json(pathwayJson(ctx.actor, await run(ctx, params.id, input)));
      },
    });

  return [
    apiRoute({
      method: 'post',
      path: '/api/v1/pathways',
      policy: policies.pathwaysEnrol,
      summary:
        'Put a person on a pathway. Steps are calculated from the definition: each has a due window (dueFrom, dueBy) once the step or date it counts from is known. A blood-borne virus exposure (definition bbv) starts with its incident, as POST /api/v1/bbv-incidents does: facts carry the incident’s fields (occurredAt, exposureType, sourceKnown, highRiskHcv …); the answer links to the incident.',
      tags,
      body: enrolSchema,
      responses: {
        201: { description: 'The pathway and its steps', schema: pathwayResponse },
        404: { description: 'No such person' },
        409: { description: 'Already on that pathway (already-on-pathway)' },
        422: { description: 'Bad input, or a pathway not available yet' },
      },
      handler: async (req, res, { body }) => {
        const ctx = requestContext(req);
        if (body.definition === 'bbv') {
          // An exposure starts with its incident (issue 16 §7): the facts are the incident's fields.
          const { occurredAt, ...facts } = body.facts ?? {};
          const incident = parseInput(incidentSchema, {
            personId: body.personId,
            occurredAt: typeof occurredAt === 'string' ? occurredAt : body.startedAt.toISOString(),
            ...facts,
          });
          const record = await deps.services.bbv.recordIncident(ctx, incident);
          const loaded = await pathways.get(ctx, record.incident.pathwayId);
          res
            .status(201)
            .location(`/api/v1/pathways/${loaded.pathway.id}`)
            .set('Link', `</api/v1/bbv-incidents/${record.incident.id}>; rel="related"`)
            .json(pathwayJson(ctx.actor, loaded));
          return;
        }
        const loaded = await pathways.enrol(ctx, { ...body, source: 'clinician' });
        res.status(201).location(`/api/v1/pathways/${loaded.pathway.id}`).json(pathwayJson(ctx.actor, loaded));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/pathways/:id',
      policy: policies.pathwaysRead,
      summary:
        'A pathway as your role may see it: OH in full; the person their own steps in plain English; line managers and HR only that OH support is in place and the functional advice (CONF-1).',
      tags,
      params: pathwayIdParam,
      responses: { 200: { description: 'The pathway', schema: pathwayResponse }, 404: notFound },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        res.json(pathwayJson(ctx.actor, await pathways.get(ctx, params.id)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/pathways/:id/history',
      policy: policies.pathwaysHistory,
      summary: 'Every transition of a pathway: who, when and why.',
      tags,
      params: pathwayIdParam,
      responses: {
        200: { description: 'History, oldest first', schema: z.object({ items: z.array(eventResponse) }) },
        404: notFound,
      },
      handler: async (req, res, { params }) => {
        const items = await pathways.history(requestContext(req), params.id);
        res.json({ items: items.map((e) => ({ ...e, at: e.at.toISOString() })) });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/pathways',
      policy: policies.pathwaysRead,
      summary: 'A person’s pathways, newest first, as your role may see them.',
      tags,
      params: personIdParam,
      responses: {
        200: { description: 'Pathways', schema: z.object({ items: z.array(pathwayResponse) }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        res.json({ items: (await pathways.forPerson(ctx, params.personId)).map((l) => pathwayJson(ctx.actor, l)) });
      },
    }),
    stepChange(
      '/api/v1/pathways/:id/steps/:stepId/complete',
      'Complete a step (by its id or code) with its form’s answers, keyed by question link id, or for a plain task a note. Answers become facts later steps branch on.',
      completeStepSchema,
      (ctx, id, stepId, body: z.infer<typeof completeStepSchema>) =>
        pathways.completeStep(ctx, id, stepId, { answers: stripNulls(body.answers), note: body.note ?? null }),
      policies.pathwaysWork,
    ),
    stepChange(
      '/api/v1/pathways/:id/steps/:stepId/skip',
      'Skip an open step, with the reason. Steps timed from it count from now.',
      skipStepSchema,
      (ctx, id, stepId, body: z.infer<typeof skipStepSchema>) => pathways.skipStep(ctx, id, stepId, body.reason),
    ),
    stepChange(
      '/api/v1/pathways/:id/steps/:stepId/reassign',
      'Move a step to an OH clinician (userId) or a queue (role), with the reason.',
      reassignStepSchema,
      (ctx, id, stepId, body: z.infer<typeof reassignStepSchema>) =>
        pathways.reassignStep(
          ctx,
          id,
          stepId,
          body.userId ? { userId: body.userId } : { role: body.role! },
          body.reason,
        ),
    ),
    pathwayChange(
      '/api/v1/pathways/:id/pause',
      'Pause a pathway: nothing falls due while it is paused.',
      pauseSchema,
      (ctx, id, body) => pathways.pause(ctx, id, body.reason),
    ),
    pathwayChange(
      '/api/v1/pathways/:id/resume',
      'Resume a paused pathway: the remaining due dates move on by the length of the pause.',
      resumeSchema,
      (ctx, id, body) => pathways.resume(ctx, id, body.reason ?? null),
    ),
    pathwayChange(
      '/api/v1/pathways/:id/close',
      'Close a pathway with an outcome; steps not done are cancelled.',
      closeSchema,
      (ctx, id, body) => pathways.close(ctx, id, body.outcome, body.note ?? null),
    ),
    pathwayChange(
      '/api/v1/pathways/:id/advice',
      'Record the functional advice line managers and HR see: fit, adjusted duties or unfit, and for how long (CONF-1).',
      adviceSchema,
      (ctx, id, body) =>
        pathways.recordAdvice(ctx, id, {
          fitness: body.fitness,
          expectedDuration: body.expectedDuration ?? null,
          adjustments: body.adjustments ?? null,
        }),
    ),
    apiRoute({
      method: 'post',
      path: '/api/v1/pathways/:id/transfer',
      policy: policies.pathwaysManage,
      summary:
        'Transfer the pathway to an NHS service: a handover referral (awaiting consent to share) carrying the history the service needs; the pathway closes as transferred.',
      tags,
      params: pathwayIdParam,
      body: transferSchema,
      responses: {
        200: {
          description: 'The pathway and the referral request',
          schema: z.object({
            pathway: pathwayResponse,
            referral: z.object({ id: z.string(), serviceType: z.string(), status: z.string() }),
          }),
        },
        404: notFound,
        409: conflict,
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        const { loaded, referral } = await pathways.transfer(ctx, params.id, body);
        res.json({
          pathway: pathwayJson(ctx.actor, loaded),
          referral: { id: referral.id, serviceType: referral.serviceType, status: referral.status },
        });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/pathway-definitions',
      policy: policies.pathwayDefinitionsRead,
      summary: 'Every published version of every pathway definition.',
      tags,
      responses: {
        200: {
          description: 'Versions',
          schema: z.object({
            items: z.array(
              z.object({ code: z.string(), version: z.number(), title: z.string(), publishedAt: z.string() }),
            ),
          }),
        },
      },
      handler: async (_req, res) => {
        res.json({
          items: (await pathways.definitions()).map((d) => ({
            code: d.code,
            version: d.version,
            title: d.title,
            publishedAt: d.publishedAt.toISOString(),
          })),
        });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/pathway-definitions/:code',
      policy: policies.pathwayDefinitionsRead,
      summary:
        'A pathway definition as a FHIR R4 PlanDefinition (the latest version, or ?version=), for partners (FHIR-7).',
      tags,
      params: definitionParam,
      query: definitionQuery,
      responses: { 200: { description: 'PlanDefinition' }, 404: { description: 'No such definition or version' } },
      handler: async (_req, res, { params, query }) => {
        res
          .type('application/fhir+json')
          .send(JSON.stringify(await pathways.exportDefinition(params.code, query.version)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/pathway-definitions',
      policy: policies.pathwayDefinitionsPublish,
      summary:
        'Publish the next version of a pathway definition (a FHIR R4 PlanDefinition). Checked in full; running pathways keep their version.',
      tags,
      body: z.record(z.string(), z.unknown()),
      responses: {
        201: { description: 'Published', schema: z.object({ code: z.string(), version: z.number() }) },
        422: { description: 'The definition has problems (each under the element at fault)' },
      },
      handler: async (req, res, { body }) => {
        const record = await pathways.publish(requestContext(req), body);
        res.status(201).json({ code: record.code, version: record.version });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/pathways/:id/referrals',
      policy: policies.pathwayReferralsRead,
      summary:
        'The referrals a pathway made to services: awaiting consent, shared (with whom, what, under which consent), sent or cancelled.',
      tags,
      params: pathwayIdParam,
      responses: {
        200: { description: 'Referrals', schema: z.object({ items: z.array(pathwayReferralResponse) }) },
        404: { description: 'No such pathway' },
      },
      handler: async (req, res, { params }) => {
        res.json({
          items: (await deps.services.pathwayReferrals.forPathway(requestContext(req), params.id)).map(
            pathwayReferralJson,
          ),
        });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/pathway-referrals/:id/share',
      policy: policies.pathwayReferralsShare,
      summary:
        'Share a referral to an NHS service with a partner, under the person’s consent (§5c). The gate decides; a refusal is a 409 whose code is the gate’s reason (for example recipient-not-named).',
      tags,
      params: z.object({ id: z.uuid() }).strict(),
      body: shareReferralSchema,
      responses: {
        200: { description: 'The shared referral, queued for the FHIR exchange', schema: pathwayReferralResponse },
        404: { description: 'No such referral' },
        409: { description: 'Refused by the gate, or already shared' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(pathwayReferralJson(await deps.services.pathwayReferrals.share(requestContext(req), params.id, body)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/pathway-referrals/:id/cancel',
      policy: policies.pathwayReferralsShare,
      summary:
        'Cancel a referral: not yet sent, it never goes; already sent, the partner is told (BaRS update with the ServiceRequest revoked, or a REST update to revoked).',
      tags,
      params: z.object({ id: z.uuid() }).strict(),
      body: z.object({ reason: z.string().trim().min(1, 'Say why').max(2000) }).strict(),
      responses: {
        200: { description: 'The cancelled referral', schema: pathwayReferralResponse },
        404: { description: 'No such referral' },
        409: { description: 'Already cancelled' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(
          pathwayReferralJson(await deps.services.pathwayReferrals.cancel(requestContext(req), params.id, body.reason)),
        );
      },
    }),
  ];
}

function pathwayReferralJson(r: PathwayReferral) {
  return {
    id: r.id,
    pathwayId: r.pathwayId,
    serviceType: r.serviceType,
    kind: r.kind,
    priority: r.priority,
    status: r.status,
    partnerOrganisationId: r.partnerOrganisationId,
    dataCategories: r.dataCategories,
    consentId: r.consentId,
    createdAt: r.createdAt.toISOString(),
  };
}

function stripNulls(
  answers: Record<string, string | number | boolean | null> | undefined,
): Record<string, unknown> | undefined {
  if (!answers) return undefined;
  return Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== null));
}
