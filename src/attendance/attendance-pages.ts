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
import { RECURRENCE, returnToWorkSchema, STRATEGIES, WORKPLACE_FACTORS } from './return-to-work.js';

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
    noDirectContact: body.noDirectContact === 'yes',
  };
  const optional = { reasonText: text('reasonText'), expectedReturnDate: text('expectedReturnDate'), handoverNotes: text('handoverNotes'), nominatedLiaison: text('nominatedLiaison') };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out;
}

/** The interview form: yes/no radios and checkboxes arrive as strings. */
function interviewFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof body[k] === 'string' && (body[k] as string).trim() !== '' ? (body[k] as string).trim() : null);
  const yes = (k: string) => (body[k] === 'yes' ? true : body[k] === 'no' ? false : undefined);
  return {
    interviewDate: text('interviewDate') ?? '',
    fitForFullDuties: yes('fitForFullDuties'),
    adjustments: text('adjustments'),
    recurrenceLikelihood: text('recurrenceLikelihood') ?? undefined,
    attendanceExpectationsDiscussed: yes('attendanceExpectationsDiscussed'),
    certificationComplete: yes('certificationComplete'),
    workplaceFactors: body.workplaceFactors === undefined ? [] : [body.workplaceFactors].flat(),
    workplaceNotes: text('workplaceNotes'),
    disabilityRelated: yes('disabilityRelated'),
    pregnancyRelated: yes('pregnancyRelated'),
    notifiedFirstDayOfSickness: yes('notifiedFirstDayOfSickness'),
    notifiedFirstDayOfFitness: yes('notifiedFirstDayOfFitness'),
    flexibleWorkingDiscussed: yes('flexibleWorkingDiscussed'),
    strategy: text('strategy') ?? 'none',
    strategyReviewDate: text('strategyReviewDate'),
    strategyEndDate: text('strategyEndDate'),
    notes: text('notes'),
  };
}

/** Attendance pages: a person's attendance, recording an absence, recording a return. */
export function attendancePages(deps: AppDependencies): RouteDefinition[] {
  const { attendance, people } = deps.services;

  const summaryLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const { person, summary, spells, interviewed, discounted } = await attendance.attendanceOf(ctx, personId, toIsoDate(deps.clock.now()));
    return {
      person: people.viewFor(ctx, person),
      summary,
      spells: spells.map((s) => ({
        ...attendance.viewFor(ctx, s),
        reasonName: req.t(`reasons.${s.reasonCategory}`),
        open: s.endDate === null,
        needsInterview: s.endDate !== null && s.countsAsSickness && !interviewed.has(s.id),
        discounted: discounted.has(s.id),
      })),
      milestones: summary.milestones.map((m) => ({ ...m, name: req.t(`milestones.${m.code}`), overdue: m.status === 'overdue' })),
      triggers: summary.triggers.map((tr) => ({ ...tr, name: req.t(`triggers.${tr.code}`, { value: tr.value, threshold: tr.threshold }) })),
      canRecord: roleMayUse(policies.attendanceRecord, ctx.actor.role),
      canDecideTriggers: roleMayUse(policies.attendanceProcedure, ctx.actor.role) && ctx.actor.personId !== personId,
      canExtendSickPay: roleMayUse(policies.attendanceCaseDecision, ctx.actor.role) && ctx.actor.personId !== personId,
      sickPay: summary.sickPay ? { ...summary.sickPay, bandName: req.t(`sickPay.${summary.sickPay.band}`) } : null,
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

  const rtwSpell = async (req: Request, absenceId: string) => {
    const ctx = requestContext(req);
    const spell = (await attendance.getAbsence(ctx, absenceId));
    return { spell };
  };
  const rtwLocals = async (req: Request, absenceId: string) => {
    const { spell } = await rtwSpell(req, absenceId);
    const ctx = requestContext(req);
    return {
      spell: { ...spell, reasonName: req.t(`reasons.${spell.reasonCategory}`) },
      person: people.viewFor(ctx, await people.getPerson(ctx, spell.personId, 'attendance-management')),
      factors: WORKPLACE_FACTORS.map((f) => ({ value: f, text: req.t(`rtw.factors.${f}`) })),
      recurrence: RECURRENCE.map((r) => ({ value: r, text: req.t(`rtw.recurrence.${r}`) })),
      strategies: STRATEGIES.map((s) => ({ value: s, text: req.t(`rtw.strategies.${s}`) })),
      yesNoItems: [{ value: 'yes', text: req.t('rtw.yes') }, { value: 'no', text: req.t('rtw.no') }],
      yesNo: ['fitForFullDuties', 'attendanceExpectationsDiscussed', 'certificationComplete', 'disabilityRelated', 'pregnancyRelated', 'notifiedFirstDayOfSickness', 'notifiedFirstDayOfFitness', 'flexibleWorkingDiscussed'].map((name) => ({ name, label: req.t(`rtw.questions.${name}`) })),
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
      method: 'get',
      path: '/absences/:id/return-to-work',
      kind: 'page',
      policy: policies.attendanceRecord,
      summary: 'The return-to-work interview form (ATT-13).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(personParam, req.params);
        renderPage(req, res, 'attendance/return-to-work', { ...(await rtwLocals(req, id)), values: { interviewDate: toIsoDate(deps.clock.now()), strategy: 'none', recurrenceLikelihood: 'unlikely' } });
      },
    },
    {
      method: 'post',
      path: '/absences/:id/return-to-work',
      kind: 'page',
      policy: policies.attendanceRecord,
      summary: 'Saves the return-to-work interview.',
      handler: async (req, res) => {
        const { id } = parseInput(personParam, req.params);
        const values = req.body as Record<string, unknown>;
        await submitForm(req, res, { view: 'attendance/return-to-work', schema: returnToWorkSchema, input: interviewFromForm(values), values, locals: () => rtwLocals(req, id) }, async (data) => {
          await attendance.recordReturnToWork(requestContext(req), id, data);
          const { spell } = await rtwSpell(req, id);
          res.redirect(303, `/people/${spell.personId}/attendance`);
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
