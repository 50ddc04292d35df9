import type { Request } from 'express';
import { z } from 'zod';
import { policies, roleMayUse } from '../auth/access-policy.js';
import type { AppDependencies } from '../app.js';
import { isoDate } from '../people/people-schemas.js';
import { toIsoDate } from '../shared/dates.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { CERTIFICATION, REASON_CATEGORIES, recordAbsenceSchema } from './attendance-schemas.js';

const personParam = z.object({ id: z.uuid() });
const returnFormSchema = z.object({ endDate: isoDate, _csrf: z.string().optional() });

/** Form fields arrive as strings; shape them for the API schema. */
function absenceFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof body[k] === 'string' && (body[k] as string).trim() !== '' ? (body[k] as string).trim() : undefined);
  const out: Record<string, unknown> = {
    startDate: text('startDate') ?? '',
    endDate: text('endDate') ?? null,
    reasonCategory: text('reasonCategory') ?? '',
    certification: text('certification') ?? 'none',
    dutyRelated: body.dutyRelated === 'yes',
    injuryOnDuty: body.injuryOnDuty === 'yes',
    pregnancyRelated: body.pregnancyRelated === 'yes',
    disabilityRelated: body.disabilityRelated === 'yes',
  };
  const optional = { reasonText: text('reasonText'), expectedReturnDate: text('expectedReturnDate') };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out;
}

/** Attendance pages: a person's attendance, recording an absence, recording a return. */
export function attendancePages(deps: AppDependencies): RouteDefinition[] {
  const { attendance, people } = deps.services;

  const summaryLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const person = people.viewFor(ctx, await people.getPerson(ctx, personId, 'attendance-management'));
    const asOf = toIsoDate(deps.clock.now());
    const [summary, spells] = await Promise.all([attendance.summary(ctx, personId, asOf), attendance.listAbsences(ctx, personId)]);
    return {
      person,
      summary,
      spells: spells.map((s) => ({ ...attendance.viewFor(ctx, s), reasonName: req.t(`reasons.${s.reasonCategory}`), open: s.endDate === null })),
      milestones: summary.milestones.map((m) => ({ ...m, name: req.t(`milestones.${m.code}`), overdue: m.status === 'overdue' })),
      triggers: summary.triggers.map((tr) => ({ ...tr, name: req.t(`triggers.${tr.code}`, { value: tr.value, threshold: tr.threshold }) })),
      canRecord: roleMayUse(policies.attendanceRecord, ctx.actor.role),
      isSelf: ctx.actor.personId === personId,
    };
  };

  const formLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    return {
      person: people.viewFor(ctx, await people.getPerson(ctx, personId, 'attendance-management')),
      reasons: REASON_CATEGORIES.map((r) => ({ value: r, text: req.t(`reasons.${r}`) })),
      certifications: CERTIFICATION.map((c) => ({ value: c, text: req.t(`attendance.certification.${c}`) })),
      ohMayWriteReason: ['oh-clinician', 'oh-administrator'].includes(ctx.actor.role),
    };
  };

  return [
    {
      method: 'get',
      path: '/people/:id/attendance',
      kind: 'page',
      policy: policies.attendanceRead,
      summary: 'A person’s attendance: Bradford score, triggers, milestones of a current absence, and spells (English and Welsh).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(personParam, req.params);
        renderPage(req, res, 'attendance/summary', await summaryLocals(req, id));
      },
    },
    {
      method: 'get',
      path: '/people/:id/absences/new',
      kind: 'page',
      policy: policies.attendanceRecord,
      summary: 'The form for recording an absence.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(personParam, req.params);
        renderPage(req, res, 'attendance/record', { ...(await formLocals(req, id)), values: { startDate: toIsoDate(deps.clock.now()), certification: 'none' } });
      },
    },
    {
      method: 'post',
      path: '/people/:id/absences/new',
      kind: 'page',
      policy: policies.attendanceRecord,
      summary: 'Records an absence.',
      handler: async (req, res) => {
        const { id } = parseInput(personParam, req.params);
        const values = req.body as Record<string, unknown>;
        await submitForm(req, res, { view: 'attendance/record', schema: recordAbsenceSchema, input: absenceFromForm(values), values, locals: () => formLocals(req, id) }, async (data) => {
          await attendance.recordAbsence(requestContext(req), id, data);
          res.redirect(303, `/people/${id}/attendance`);
        });
      },
    },
    {
      method: 'post',
      path: '/absences/:id/return',
      kind: 'page',
      policy: policies.attendanceRecord,
      summary: 'Records the return to work: the last day of absence.',
      handler: async (req, res) => {
        const { id } = parseInput(personParam, req.params);
        const { endDate } = parseInput(returnFormSchema, req.body);
        const spell = await attendance.updateAbsence(requestContext(req), id, { endDate });
        res.redirect(303, `/people/${spell.personId}/attendance`);
      },
    },
  ];
}
