import { z } from 'zod';
import { bbvView, policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import {
  accidentReportSchema,
  assessmentSchema,
  hbvSchema,
  incidentIdParam,
  incidentResponse,
  incidentSchema,
  pepSchema,
  personIdParam,
  resultSchema,
} from './bbv-schemas.js';
import { incidentJson } from './bbv-views.js';

/** Blood-borne virus exposures over the API (issue 16 §7). Dates are Europe/London days; instants carry their offset. */
export function bbvRoutes(deps: AppDependencies): RouteDefinition[] {
  const { bbv } = deps.services;
  const tags = ['bbv'];
  const notFound = { 404: { description: 'No such incident within your reach (line managers and HR never find one)' } };
  const one = { 200: { description: 'The incident as your role may see it', schema: incidentResponse }, ...notFound };
  const change = (
    path: string,
    summary: string,
    body: z.ZodType,
    work: (ctx: ReturnType<typeof requestContext>, id: string, body: never) => ReturnType<typeof bbv.get>,
    status = 200,
  ) =>
    apiRoute({
      method: 'post',
      path: `/api/v1/bbv-incidents/:id/${path}`,
      policy: policies.bbvRecord,
      summary,
      tags,
      params: incidentIdParam,
      body,
      responses: {
        [status]: { description: 'The incident, with its schedule', schema: incidentResponse },
        ...notFound,
        409: { description: 'Already recorded, or someone changed the incident meanwhile' },
      },
      handler: async (req, res, { params, body: input }) => {
        const ctx = requestContext(req);
        const record = await work(ctx, params.id, input as never);
        res.status(status).json(incidentJson(bbvView(ctx.actor), record));
      },
    });
  return [
    apiRoute({
      method: 'post',
      path: '/api/v1/bbv-incidents',
      policy: policies.bbvRecord,
      summary:
        'Record a blood-borne virus exposure (OH clinicians) and start its pathway. occurredAt is an ISO date-time with offset; the schedule counts from its UK date. With highRiskHcv the risk assessment is recorded too and the testing schedule made (followUpIndicated defaults from the guidance: a bite that did not break the skin, or spit without blood, needs none); without it the assessment is due within the hour. In a bite, otherParty names the other person: a member of staff (personId, who gets their own incident) or someone else with minimum data.',
      tags,
      body: incidentSchema,
      responses: {
        201: { description: 'The incident, its deadlines and schedule', schema: incidentResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { body }) => {
        const ctx = requestContext(req);
        const record = await bbv.recordIncident(ctx, body);
        res
          .status(201)
          .location(`/api/v1/bbv-incidents/${record.incident.id}`)
          .json(incidentJson(bbvView(ctx.actor), record));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/bbv-incidents/:id',
      policy: policies.bbvRead,
      summary:
        'An incident: OH clinicians in full with every result; OH administrators and the person the schedule without results. Line managers and HR get 404.',
      tags,
      params: incidentIdParam,
      responses: one,
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        res.json(incidentJson(bbvView(ctx.actor), await bbv.get(ctx, params.id)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/bbv-incidents',
      policy: policies.bbvRead,
      summary: 'A person’s exposures, newest first (OH; the person their own).',
      tags,
      params: personIdParam,
      responses: {
        200: { description: 'Incidents', schema: z.object({ items: z.array(incidentResponse) }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        const view = bbvView(ctx.actor);
        res.json({ items: (await bbv.forPerson(ctx, params.personId)).map((r) => incidentJson(view, r)) });
      },
    }),
    change(
      'risk-assessment',
      'Record the risk assessment (OH clinicians), when it was not recorded with the incident: the schedule is made if follow-up is indicated.',
      assessmentSchema,
      (ctx, id, body) => bbv.assess(ctx, id, body),
    ),
    change(
      'pep',
      'Record the HIV PEP decision (OH clinicians). After 72 hours PEP is not started: only too-late, declined or not-indicated.',
      pepSchema,
      (ctx, id, body) => bbv.recordPep(ctx, id, body),
    ),
    change(
      'hepatitis-b',
      'Record the hepatitis B vaccination (course or booster) and HBIG decisions with their dates (OH clinicians).',
      hbvSchema,
      (ctx, id, body) => bbv.recordHbv(ctx, id, body),
    ),
    change(
      'accident-report',
      'Record the accident report’s reference for the injury on duty (OH clinicians).',
      accidentReportSchema,
      (ctx, id, body: z.infer<typeof accidentReportSchema>) =>
        bbv.recordAccidentReport(ctx, id, body.accidentReportRef),
    ),
    change(
      'results',
      'Record a test result (OH clinicians): it counts for its timepoint and the schedule moves on. A positive or indeterminate result goes at once to the OH clinicians with an urgent specialist referral; every timepoint negative closes the pathway.',
      resultSchema,
      (ctx, id, body) => bbv.recordResult(ctx, id, body),
      201,
    ),
  ];
}
