import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { idParamSchema, workingPatternSchema } from '../people/people-schemas.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { RequestContext } from '../shared/request-context.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import {
  attendanceQuerySchema,
  CERTIFICATION,
  deleteAbsenceSchema,
  NOT_SICKNESS_KINDS,
  personIdParamSchema,
  REASON_CATEGORIES,
  recordAbsenceSchema,
  sickPayExtensionSchema,
  updateAbsenceSchema,
  workingPatternBodySchema,
} from './attendance-schemas.js';
import { returnToWorkSchema } from './return-to-work.js';

const spellResponse = z.object({
  id: z.string(),
  personId: z.string(),
  organisationId: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  reasonCategory: z.enum(REASON_CATEGORIES),
  reasonText: z.string().nullable().optional().describe('OH only'),
  dutyRelated: z.boolean(),
  injuryOnDuty: z.boolean(),
  accidentReportDueAt: z.string().nullable(),
  pregnancyRelated: z.boolean(),
  disabilityRelated: z.boolean(),
  countsAsSickness: z.boolean(),
  notSicknessKind: z.enum(NOT_SICKNESS_KINDS).nullable(),
  certification: z.enum(CERTIFICATION),
  certificateFrom: z.string().nullable(),
  certificateTo: z.string().nullable(),
  expectedReturnDate: z.string().nullable(),
  handoverNotes: z.string().nullable().describe('ATT-1: urgent work to hand over'),
  noDirectContact: z.boolean().describe('ATT-11: contact through the nominated liaison'),
  nominatedLiaison: z.string().nullable(),
  bbvIncidentId: z
    .string()
    .nullable()
    .optional()
    .describe('Issue 16 §5: the exposure this absence follows (OH and the person only)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const sickPayResponse = z.object({
  entitlement: z.object({ fullPayDays: z.number(), halfPayDays: z.number() }),
  usedBefore: z.number(),
  extension: z.object({ fullPayDays: z.number(), halfPayDays: z.number() }),
  fullPayUntil: z.string().nullable(),
  halfPayUntil: z.string().nullable(),
  band: z.enum(['full', 'half', 'none']),
  excluded: z.boolean(),
});

const summaryResponse = z.object({
  asOf: z.string(),
  windowStart: z.string(),
  spells: z.number(),
  days: z.number(),
  bradfordScore: z.number(),
  projected: z.boolean(),
  triggers: z.array(
    z.object({ code: z.enum(['bradford', 'spells', 'continuous']), value: z.number(), threshold: z.number() }),
  ),
  milestones: z.array(
    z.object({
      code: z.string(),
      sequence: z.number(),
      dueDate: z.string(),
      status: z.enum(['open', 'overdue']),
      absenceId: z.string(),
    }),
  ),
  policyVersion: z.number(),
  lastDecision: z
    .object({ asOf: z.string(), decision: z.string(), triggerCodes: z.array(z.string()), rationale: z.string() })
    .nullable(),
  sickPay: sickPayResponse
    .extend({ absenceId: z.string() })
    .nullable()
    .optional()
    .describe('ATT-29: for the person, HR and OH; absent for line managers'),
});

/** The attendance API (issue 3 §10). */
export function attendanceRoutes(deps: AppDependencies): RouteDefinition[] {
  const { absences, returnToWork, sickPay, bbv } = deps.services;
  /**
   * Issue 16 §5: an absence links only to an exposure of the same person that the caller reaches (OH;
   * nobody else finds one, so a manager or HR cannot link one, and learns nothing of it from the refusal).
   */
  const checkExposure = async (ctx: RequestContext, personId: string, incidentId: string | null | undefined) => {
    if (!incidentId) return;
    const found = await bbv.get(ctx, incidentId).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    if (found?.incident.personId !== personId)
      throw new ValidationError({ bbvIncidentId: 'attendance.refusals.exposureLink' });
  };
  return [
    apiRoute({
      method: 'post',
      path: '/api/v1/people/:personId/absences',
      policy: policies.attendanceRecord,
      summary:
        'Record a spell of absence (ATT-1). Overlapping spells, end before start and unknown categories are refused with the field named.',
      tags: ['attendance'],
      params: personIdParamSchema,
      body: recordAbsenceSchema,
      responses: {
        201: { description: 'The spell', schema: spellResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        await checkExposure(ctx, params.personId, body.bbvIncidentId);
        const spell = await absences.recordAbsence(ctx, params.personId, body);
        res.status(201).location(`/api/v1/absences/${spell.id}`).json(absences.viewFor(ctx, spell));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/absences',
      policy: policies.attendanceRead,
      summary: 'A person’s spells of absence, newest first.',
      tags: ['attendance'],
      params: personIdParamSchema,
      responses: {
        200: { description: 'Spells', schema: z.object({ items: z.array(spellResponse) }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        res.json({
          items: (await absences.listAbsences(ctx, params.personId)).map((s) => absences.viewFor(ctx, s)),
        });
      },
    }),
    apiRoute({
      method: 'patch',
      path: '/api/v1/absences/:id',
      policy: policies.attendanceRecord,
      summary: 'Change a spell, e.g. set its end date when the person returns.',
      tags: ['attendance'],
      params: idParamSchema,
      body: updateAbsenceSchema,
      responses: {
        200: { description: 'The spell', schema: spellResponse },
        404: { description: 'No such absence within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        if (body.bbvIncidentId)
          await checkExposure(ctx, (await absences.getAbsence(ctx, params.id)).personId, body.bbvIncidentId);
        res.json(absences.viewFor(ctx, await absences.updateAbsence(ctx, params.id, body)));
      },
    }),
    apiRoute({
      method: 'delete',
      path: '/api/v1/absences/:id',
      policy: policies.attendanceDelete,
      summary: 'Remove a spell recorded in error, with a reason (kept and audited).',
      tags: ['attendance'],
      params: idParamSchema,
      body: deleteAbsenceSchema,
      responses: { 204: { description: 'Removed' }, 404: { description: 'No such absence within your reach' } },
      handler: async (req, res, { params, body }) => {
        await absences.deleteAbsence(requestContext(req), params.id, body.reason);
        res.status(204).end();
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/absences/:id/return-to-work',
      policy: policies.attendanceRecord,
      summary: 'Record the return-to-work interview for an absence that has ended (ATT-13, ATT-14).',
      tags: ['attendance'],
      params: idParamSchema,
      body: returnToWorkSchema,
      responses: {
        201: { description: 'Recorded', schema: z.object({ id: z.string() }) },
        404: { description: 'No such absence within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.status(201).json(await returnToWork.recordReturnToWork(requestContext(req), params.id, body));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/absences/:id/sick-pay-extensions',
      policy: policies.attendanceCaseDecision,
      summary:
        'Extend full or half sick pay for an absence at the force’s discretion (ATT-29); returns the sick pay position.',
      tags: ['attendance'],
      params: idParamSchema,
      body: sickPayExtensionSchema,
      responses: {
        201: { description: 'The sick pay position after the extension', schema: sickPayResponse },
        404: { description: 'No such absence within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        res.status(201).json(await sickPay.extendSickPay(requestContext(req), params.id, body));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:personId/attendance',
      policy: policies.attendanceRead,
      summary:
        'Bradford score, triggers and milestones as of a date (default today), with the policy version used (ATT-15 … ATT-19).',
      tags: ['attendance'],
      params: personIdParamSchema,
      query: attendanceQuerySchema,
      responses: {
        200: { description: 'The summary', schema: summaryResponse },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, query }) => {
        res.json(await absences.summary(requestContext(req), params.personId, query.asOf));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/api/v1/people/:personId/working-pattern',
      policy: policies.peopleWrite,
      summary: 'Set a person’s working pattern: weekly days, or a rota cycle (ATT-16).',
      tags: ['attendance'],
      params: personIdParamSchema,
      body: workingPatternBodySchema,
      responses: {
        200: { description: 'The pattern now in force', schema: z.object({ workingPattern: workingPatternSchema }) },
        404: { description: 'No such person within your reach' },
      },
      handler: async (req, res, { params, body }) => {
        const person = await absences.setWorkingPattern(requestContext(req), params.personId, body);
        res.json({ workingPattern: person.workingPattern });
      },
    }),
  ];
}
