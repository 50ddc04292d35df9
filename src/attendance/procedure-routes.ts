import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { idParamSchema } from '../people/people-schemas.js';

import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { attendanceQuerySchema, personIdParamSchema } from './attendance-schemas.js';
import type { ProcedureStepView } from './procedure-service.js';
import {
  appealSchema,
  disabilityDecisionSchema,
  postponementSchema,
  procedureStepSchema,
  stageOutcomeSchema,
  triggerDecisionSchema,
} from './procedure-schemas.js';

const stepResponse = z
  .object({
    id: z.string(),
    step: z.enum(['informal-action', 'stage-1', 'stage-2', 'stage-3']),
    stage: z.number().nullable(),
    meetingDate: z.string().nullable(),
    outcome: z.string().nullable(),
    outcomeDate: z.string().nullable(),
    reviewEndDate: z.string().nullable(),
    appealDeadline: z.string().nullable().describe('ATT-24'),
    appealDecisionDue: z.string().nullable(),
    warning: z
      .object({
        kind: z.enum(['none', 'withdrawn', 'warning']),
        issuedOn: z.string().optional(),
        expiresOn: z.string().optional(),
        live: z.boolean().optional(),
      })
      .describe('ATT-25'),
    policyVersion: z.number(),
  })
  .loose();

const caseResponse = z.object({
  asOf: z.string(),
  steps: z.array(stepResponse),
  triggerDecisions: z.array(
    z
      .object({
        id: z.string(),
        asOf: z.string(),
        decision: z.string(),
        triggerCodes: z.array(z.string()),
        rationale: z.string(),
      })
      .loose(),
  ),
  disabilityDecisions: z.array(
    z
      .object({
        id: z.string(),
        effectiveFrom: z.string(),
        discount: z.boolean(),
        rationale: z.string().nullable().describe('null for line managers (CONF-1)'),
      })
      .loose(),
  ),
  disabilityDiscountedNow: z.boolean(),
  policyVersion: z.number(),
});

const json = (step: ProcedureStepView) => step;

/** The attendance procedure and case decisions over the API (ATT-7, ATT-18, ATT-20 … ATT-25). */
export function procedureRoutes(deps: AppDependencies): RouteDefinition[] {
  const { attendanceProcedure } = deps.services;
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/attendance-procedure',
      policy: policies.attendanceRead,
      summary:
        'A person’s attendance case as of a date (default today): procedure steps with warnings and appeal dates, trigger decisions, disability decisions.',
      tags: ['attendance'],
      params: personIdParamSchema,
      query: attendanceQuerySchema,
      responses: {
        200: { description: 'The case', schema: caseResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, query }) => {
        const c = await attendanceProcedure.caseOf(
          requestContext(req),
          params.personId,
          query.asOf ?? deps.clock.today(),
        );
        res.json({
          asOf: c.asOf,
          steps: c.steps,
          triggerDecisions: c.triggerDecisions,
          disabilityDecisions: c.disabilityDecisions.map(({ decidedByUserId: _d, createdAt, ...d }) => ({
            ...d,
            decidedAt: createdAt.toISOString(),
          })),
          disabilityDiscountedNow: c.disabilityDiscountedNow,
          policyVersion: c.policyVersion,
        });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/attendance-procedure',
      policy: policies.attendanceProcedure,
      summary:
        'Record informal action or invite to a formal stage meeting (ATT-20 … ATT-23): informal action first, the OH report requested first, stages in order (or the reason for starting later, §19.1); a meeting date that breaks the notice period is refused with the earliest allowed date.',
      tags: ['attendance'],
      params: personIdParamSchema,
      body: procedureStepSchema,
      responses: {
        201: { description: 'The recorded step', schema: stepResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        const step = await attendanceProcedure.recordStep(requestContext(req), params.personId, body);
        res.status(201).location(`/api/v1/people/${params.personId}/attendance-procedure`).json(json(step));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/attendance-procedure/:id/outcome',
      policy: policies.attendanceProcedure,
      summary:
        'Record the outcome of a stage meeting (ATT-21 … ATT-24): the outcomes the stage allows, the review period within its bounds; the appeal deadline follows from the outcome date.',
      tags: ['attendance'],
      params: idParamSchema,
      body: stageOutcomeSchema,
      responses: {
        200: { description: 'The step', schema: stepResponse },
        404: { description: 'No such step within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(json(await attendanceProcedure.recordOutcome(requestContext(req), params.id, body)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/attendance-procedure/:id/postponement',
      policy: policies.attendanceProcedure,
      summary:
        'Postpone a stage meeting for the representative: the new date must fall within 5 working days of the original (ATT-24).',
      tags: ['attendance'],
      params: idParamSchema,
      body: postponementSchema,
      responses: {
        200: { description: 'The step', schema: stepResponse },
        404: { description: 'No such step within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(json(await attendanceProcedure.postpone(requestContext(req), params.id, body)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/attendance-procedure/:id/appeal',
      policy: policies.attendanceProcedure,
      summary:
        'Record the appeal against a stage outcome: lodged by the appeal deadline, heard, decided (ATT-24). An upheld appeal withdraws the warning.',
      tags: ['attendance'],
      params: idParamSchema,
      body: appealSchema,
      responses: {
        200: { description: 'The step', schema: stepResponse },
        404: { description: 'No such step within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(json(await attendanceProcedure.recordAppeal(requestContext(req), params.id, body)));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/trigger-decisions',
      policy: policies.attendanceProcedure,
      summary:
        'Record what was decided about review triggers; a decision not to act needs its rationale (ATT-18). Completes the trigger review task.',
      tags: ['attendance'],
      params: personIdParamSchema,
      body: triggerDecisionSchema,
      responses: {
        201: { description: 'Recorded', schema: z.object({ id: z.string() }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res
          .status(201)
          .json(await attendanceProcedure.recordTriggerDecision(requestContext(req), params.personId, body));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/disability-discount',
      policy: policies.attendanceCaseDecision,
      summary:
        'Decide from when disability-related absence is discounted from triggers, or counts because all reasonable adjustments have been made (ATT-7).',
      tags: ['attendance'],
      params: personIdParamSchema,
      body: disabilityDecisionSchema,
      responses: {
        201: { description: 'Recorded', schema: z.object({ id: z.string() }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res
          .status(201)
          .json(await attendanceProcedure.recordDisabilityDecision(requestContext(req), params.personId, body));
      },
    }),
  ];
}
