import type { Request } from 'express';
import { z } from 'zod';
import { maySeeOhRecords, policies, roleMayUse } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { isoDate } from '../people/people-schemas.js';

import { checkInput, fieldMessages, parseInput } from '../shared/validation.js';
import { ValidationError } from '../shared/errors.js';
import { renderProblem, type FieldMessages } from '../shared/error-messages.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import { formPage } from '../web/form-page.js';
import { fromForm, type FormFieldKind } from '../web/forms.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { CERTIFICATION, REASON_CATEGORIES, recordAbsenceSchema } from './attendance-schemas.js';
import {
  needsReturnToWorkInterview,
  RECURRENCE,
  returnToWorkSchema,
  STRATEGIES,
  WORKPLACE_FACTORS,
  type RecordedInterview,
} from './return-to-work.js';
import type { AttendanceSummary } from './absence-service.js';
import { notify } from '../web/notice.js';
import { longDate, type IsoDate } from '../shared/dates.js';
import { enumLabel } from '../i18n/enum-labels.js';
import type { RequestContext } from '../shared/request-context.js';
import type { AbsenceSpell } from './attendance-types.js';

/**
 * The Bradford score in plain words (issue 15 §8): what it measures, over which period, and the
 * review points of the policy in force on the day it was worked out, worded in the reader's language.
 */
export function bradfordExplained(
  req: Request,
  summary: Pick<
    AttendanceSummary,
    'asOf' | 'windowStart' | 'spells' | 'days' | 'bradfordScore' | 'projected' | 'thresholds'
  >,
): { measures: string; period: string; reviewPoints: string[] } {
  const th = summary.thresholds;
  return {
    measures: req.t(summary.projected ? 'attendance.explain.measuresProjected' : 'attendance.explain.measures', {
      spells: summary.spells,
      days: summary.days,
      score: summary.bradfordScore,
    }),
    period: req.t('attendance.explain.period', {
      count: th.bradfordWindowWeeks,
      from: longDate(summary.windowStart, req.locale),
      to: longDate(summary.asOf, req.locale),
    }),
    reviewPoints: [
      req.t('attendance.explain.bradfordPoint', { threshold: th.bradfordThreshold }),
      req.t('attendance.explain.spellsPoint', { count: th.spellsThreshold, months: th.spellsWindowMonths }),
      req.t('attendance.explain.continuousPoint', { count: th.continuousDaysThreshold }),
    ],
  };
}

/** A recorded return-to-work interview in a line: when, who held it, and what was agreed, in plain words. */
function interviewSummary(req: Request, interview: RecordedInterview) {
  const duties =
    interview.strategy === 'none'
      ? req.t(interview.fitForFullDuties ? 'rtw.outcome.fullDuties' : 'rtw.outcome.notFullDuties')
      : req.t(`rtw.outcome.${interview.strategy}`, {
          date: interview.strategyEndDate ? longDate(interview.strategyEndDate, req.locale) : '',
        });
  return {
    interviewDate: interview.interviewDate,
    interviewerName: interview.interviewerName ?? req.t('rtw.outcome.someone'),
    outcome: duties,
  };
}

const personParam = z.object({ id: z.uuid() });
const returnFormSchema = z.object({ endDate: isoDate, _csrf: z.string().optional() });

/** Form fields arrive as strings; shape them for the API schema. */
function absenceFromForm(body: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) =>
    typeof body[k] === 'string' && (body[k] as string).trim() !== '' ? (body[k] as string).trim() : undefined;
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
  const optional = {
    reasonText: text('reasonText'),
    expectedReturnDate: text('expectedReturnDate'),
    handoverNotes: text('handoverNotes'),
    nominatedLiaison: text('nominatedLiaison'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out;
}

/** The interview form (ATT-13): yes/no radios, checkboxes and text, shaped for the API schema. */
const INTERVIEW_FORM: Record<string, FormFieldKind> = {
  // Blank dates stay text, so the schema says how to write one.
  interviewDate: 'text-or-empty',
  fitForFullDuties: 'yes-no',
  adjustments: 'text',
  recurrenceLikelihood: 'text',
  attendanceExpectationsDiscussed: 'yes-no',
  certificationComplete: 'yes-no',
  workplaceFactors: 'list',
  workplaceNotes: 'text',
  disabilityRelated: 'yes-no',
  pregnancyRelated: 'yes-no',
  notifiedFirstDayOfSickness: 'yes-no',
  notifiedFirstDayOfFitness: 'yes-no',
  flexibleWorkingDiscussed: 'yes-no',
  strategyReviewDate: 'text',
  strategyEndDate: 'text',
  notes: 'text',
};

/** Attendance pages: a person's attendance, recording an absence, recording a return. */
export function attendancePages(deps: AppDependencies): RouteDefinition[] {
  const { absences, returnToWork, people } = deps.services;

  /**
   * Issue 16 §5: the dates of the exposures the person's absences follow. OH and the person read them
   * on the incident (audited); managers and HR never reach an incident, so the platform reads only the
   * exposure's date for them, and the page never names what the incident was.
   */
  const exposureDates = async (
    ctx: RequestContext,
    personId: string,
    spells: readonly AbsenceSpell[],
  ): Promise<Map<string, IsoDate>> => {
    const ids = new Set(spells.map((s) => s.bbvIncidentId).filter((id): id is string => id !== null));
    if (!ids.size) return new Map();
    if (!(maySeeOhRecords(ctx.actor) || ctx.actor.personId === personId))
      return deps.services.bbv.exposureDates([...ids]);
    const incidents = await deps.services.bbv.forPerson(ctx, personId);
    return new Map(
      incidents.filter((r) => ids.has(r.incident.id)).map((r) => [r.incident.id, r.incident.exposureDate]),
    );
  };
  const exposureText = (req: Request, ctx: RequestContext, spell: AbsenceSpell, dates: Map<string, IsoDate>) => {
    if (!spell.bbvIncidentId) return null;
    const date = dates.get(spell.bbvIncidentId);
    const who = maySeeOhRecords(ctx.actor) ? 'oh' : ctx.actor.personId === spell.personId ? 'own' : 'manager';
    const lang = req.locale === 'cy' ? 'cy' : 'en';
    return date
      ? req.t(`attendance.exposure.${who}`, { date: longDate(date, lang) })
      : req.t(`attendance.exposure.${who}Undated`);
  };

  const summaryLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const today = deps.clock.today();
    const { person, summary, spells, interviews, discounted } = await absences.attendanceOf(ctx, personId, today);
    const isSelf = ctx.actor.personId === personId;
    const exposures = await exposureDates(ctx, personId, spells);
    return {
      person: people.viewFor(ctx, person),
      summary,
      bradford: bradfordExplained(req, summary),
      spells: spells.map((s) => {
        const interview = interviews.get(s.id);
        return {
          ...absences.viewFor(ctx, s),
          reasonName: req.t(`reasons.${s.reasonCategory}`),
          notSicknessName: s.notSicknessKind ? enumLabel(req.t, 'notSicknessKind', s.notSicknessKind) : null,
          exposureText: exposureText(req, ctx, s, exposures),
          open: s.endDate === null,
          // ATT-13: only a sickness absence the person is back from, with no interview yet, needs one.
          needsInterview: needsReturnToWorkInterview(s, today, interview !== undefined),
          interview: interview ? interviewSummary(req, interview) : null,
          // Not yet: the person is still off (or back only tomorrow); the interview is held on the return.
          interviewLater: !interview && s.countsAsSickness && (s.endDate === null || s.endDate >= today),
          discounted: discounted.has(s.id),
        };
      }),
      milestones: summary.milestones.map((m) => ({
        ...m,
        name: req.t(`milestones.${m.code}`),
        overdue: m.status === 'overdue',
      })),
      triggers: summary.triggers.map((tr) => ({
        ...tr,
        name: req.t(`triggers.${tr.code}`, { count: tr.value, value: tr.value, threshold: tr.threshold }),
      })),
      // Nobody records their own absences or interviews: their manager, HR or OH do.
      canRecord: roleMayUse(policies.attendanceRecord, ctx.actor.role) && !isSelf,
      canDecideTriggers: roleMayUse(policies.attendanceProcedure, ctx.actor.role) && ctx.actor.personId !== personId,
      canExtendSickPay: roleMayUse(policies.attendanceCaseDecision, ctx.actor.role) && ctx.actor.personId !== personId,
      sickPay: summary.sickPay ? { ...summary.sickPay, bandName: req.t(`sickPay.${summary.sickPay.band}`) } : null,
      isSelf,
    };
  };

  const formLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    return {
      person: people.viewFor(ctx, await people.getPerson(ctx, personId, 'attendance-management')),
      reasons: REASON_CATEGORIES.map((r) => ({ value: r, text: req.t(`reasons.${r}`) })),
      certifications: CERTIFICATION.map((c) => ({ value: c, text: req.t(`attendance.certification.${c}`) })),
      ohMayWriteReason: maySeeOhRecords(ctx.actor),
    };
  };

  const rtwSpell = async (req: Request, absenceId: string) => {
    const ctx = requestContext(req);
    const spell = await absences.getAbsence(ctx, absenceId);
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
      yesNoItems: [
        { value: 'yes', text: req.t('rtw.yes') },
        { value: 'no', text: req.t('rtw.no') },
      ],
      yesNo: [
        'fitForFullDuties',
        'attendanceExpectationsDiscussed',
        'certificationComplete',
        'disabilityRelated',
        'pregnancyRelated',
        'notifiedFirstDayOfSickness',
        'notifiedFirstDayOfFitness',
        'flexibleWorkingDiscussed',
      ].map((name) => ({ name, label: req.t(`rtw.questions.${name}`) })),
    };
  };

  return [
    {
      method: 'get',
      path: '/people/:id/attendance',
      kind: 'page',
      policy: policies.attendanceRead,
      summary:
        'A person’s attendance: Bradford score, triggers, milestones of a current absence, and spells (English and Welsh).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(personParam, req.params);
        renderPage(req, res, 'attendance/summary', await summaryLocals(req, id));
      },
    },
    ...formPage({
      path: '/people/:id/absences/new',
      view: 'attendance/record',
      summary: 'recording an absence (ATT-1).',
      policy: policies.attendanceRecord,
      input: absenceFromForm,
      schema: recordAbsenceSchema,
      locals: formLocals,
      defaults: () => ({ startDate: deps.clock.today(), certification: 'none' }),
      save: async (req, id, data) => {
        await absences.recordAbsence(requestContext(req), id, data);
        notify(req, {
          heading: 'notices.absenceRecorded',
          next: data.endDate ? 'notices.absenceRecordedEndedNext' : 'notices.absenceRecordedNext',
        });
        return `/people/${id}/attendance`;
      },
    }),
    ...formPage({
      path: '/absences/:id/return-to-work',
      view: 'attendance/return-to-work',
      summary: 'the return-to-work interview (ATT-13, ATT-14).',
      policy: policies.attendanceRecord,
      // No strategy chosen means none (ATT-14).
      input: (body) => ({
        ...fromForm(body, INTERVIEW_FORM),
        strategy: typeof body.strategy === 'string' && body.strategy !== '' ? body.strategy : 'none',
      }),
      schema: returnToWorkSchema,
      locals: rtwLocals,
      defaults: () => ({
        interviewDate: deps.clock.today(),
        strategy: 'none',
        recurrenceLikelihood: 'unlikely',
      }),
      save: async (req, id, data) => {
        await returnToWork.recordReturnToWork(requestContext(req), id, data);
        notify(req, {
          heading: 'notices.interviewRecorded',
          next: data.strategy === 'none' ? 'notices.interviewRecordedNext' : 'notices.interviewRecordedDutiesNext',
        });
        return `/people/${(await rtwSpell(req, id)).spell.personId}/attendance`;
      },
    }),
    {
      method: 'get',
      path: '/absences/:id/return-to-work-interview',
      kind: 'page',
      policy: policies.attendanceRead,
      summary: 'A return-to-work interview as recorded: when, who held it and what was agreed (English and Welsh).',
      handler: async (req, res) => {
        const { id } = parseInput(personParam, req.params);
        const ctx = requestContext(req);
        const { spell, interview } = await returnToWork.interviewOf(ctx, id);
        const yesNo = (v: boolean) => req.t(v ? 'rtw.yes' : 'rtw.no');
        renderPage(req, res, 'attendance/return-to-work-view', {
          person: people.viewFor(ctx, await people.getPerson(ctx, spell.personId, 'attendance-management')),
          spell: { ...spell, reasonName: req.t(`reasons.${spell.reasonCategory}`) },
          interview: {
            ...interview,
            ...interviewSummary(req, interview),
            recurrenceName: req.t(`rtw.recurrence.${interview.recurrenceLikelihood}`),
            strategyName: req.t(`rtw.strategies.${interview.strategy}`),
            factorNames: interview.workplaceFactors.map((f) => req.t(`rtw.factors.${f}`)),
          },
          answers: [
            'fitForFullDuties',
            'attendanceExpectationsDiscussed',
            'certificationComplete',
            'disabilityRelated',
            'pregnancyRelated',
            'notifiedFirstDayOfSickness',
            'notifiedFirstDayOfFitness',
            'flexibleWorkingDiscussed',
          ].map((name) => ({
            label: req.t(`rtw.questions.${name}`),
            value: yesNo(interview[name as keyof RecordedInterview] === true),
          })),
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
        const parsed = checkInput(returnFormSchema, req.body);
        const refused = async (problems: FieldMessages) => {
          // The attendance page again, with the problem beside this absence's date boxes.
          const { spell } = await rtwSpell(req, id);
          const message = renderProblem(req.t, problems.endDate ?? Object.values(problems)[0] ?? 'validation.date');
          const locals = await summaryLocals(req, spell.personId);
          renderPage(
            req,
            res,
            'attendance/summary',
            {
              ...locals,
              spells: locals.spells.map((s) => (s.id === id ? { ...s, returnError: message } : s)),
              errorList: [{ field: 'endDate', message, href: `#return-${id}-endDate` }],
            },
            422,
          );
        };
        if (!parsed.success) return refused(fieldMessages(parsed.error));
        const { endDate } = parsed.data;
        let spell;
        try {
          spell = await absences.updateAbsence(requestContext(req), id, { endDate });
        } catch (error) {
          if (error instanceof ValidationError && error.messages) return refused(error.messages);
          throw error;
        }
        notify(req, {
          heading: 'notices.returnRecorded',
          next:
            spell.countsAsSickness && endDate < deps.clock.today()
              ? 'notices.returnRecordedInterviewNext'
              : spell.countsAsSickness
                ? 'notices.returnRecordedLaterNext'
                : undefined,
          values: { date: longDate(endDate, req.locale) },
        });
        res.redirect(303, `/people/${spell.personId}/attendance`);
      },
    },
  ];
}
