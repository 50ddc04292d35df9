import type { Request, Response } from 'express';
import { z } from 'zod';
import { policies, roleMayUse } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { addDays } from '../shared/dates.js';
import { parseInput } from '../shared/validation.js';
import { NotFoundError } from '../shared/errors.js';
import { requestContext } from '../web/authenticate.js';
import type { FormFieldKind } from '../web/forms.js';
import { formPage } from '../web/form-page.js';
import { bradfordExplained } from './attendance-pages.js';
import type { AttendanceSummary } from './absence-service.js';
import { longDate } from '../shared/dates.js';
import { notify } from '../web/notice.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { sickPayExtensionSchema } from './attendance-schemas.js';
import type { AttendanceCase, ProcedureStepView } from './procedure-service.js';
import {
  APPEAL_OUTCOMES,
  appealSchema,
  disabilityDecisionSchema,
  postponementSchema,
  procedureStepSchema,
  STAGE_OUTCOMES,
  stageOutcomeSchema,
  triggerDecisionSchema,
} from './procedure-schemas.js';

const personParam = z.object({ id: z.uuid() });
const letterParams = z.object({ id: z.uuid(), kind: z.enum(['invitation', 'outcome']) });
const letterQuery = z.object({ print: z.literal('1').optional(), lang: z.enum(['en', 'cy']).optional() });

const STAGE_FORM: Record<string, FormFieldKind> = {
  step: 'text',
  ohReportRequestedOn: 'text',
  invitationDate: 'text',
  meetingDate: 'text',
  meetingTime: 'text',
  meetingLocation: 'text',
  chairName: 'text',
  outOfOrderReason: 'text',
  notes: 'text',
};

/** The attendance procedure pages: the case, its forms and the stage letters (ATT-7, ATT-18, ATT-20 … ATT-25, ATT-29). */
export function procedurePages(deps: AppDependencies): RouteDefinition[] {
  const { attendanceProcedure, absences, sickPay, people } = deps.services;
  const today = () => deps.clock.today();

  const stepView = (req: Request, s: ProcedureStepView, canAct: boolean) => ({
    ...s,
    name: req.t(`procedure.steps.${s.step}`),
    outcomeName: s.outcome ? req.t(`procedure.outcomes.${s.outcome}`) : null,
    appealOutcomeName: s.appealOutcome ? req.t(`procedure.appealOutcomes.${s.appealOutcome}`) : null,
    warningLive: s.warning.kind === 'warning' && s.warning.live,
    warningExpired: s.warning.kind === 'warning' && !s.warning.live,
    warningWithdrawn: s.warning.kind === 'withdrawn',
    expiresOn: s.warning.kind === 'warning' ? s.warning.expiresOn : null,
    canRecordOutcome: canAct && s.stage !== null && s.outcome === null,
    canPostpone: canAct && s.stage !== null && s.outcome === null,
    canAppeal: canAct && s.outcome !== null && s.appealDeadline !== null && s.appealOutcome === null,
  });

  const caseLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const [c, summary]: [AttendanceCase, AttendanceSummary] = await Promise.all([
      attendanceProcedure.caseOf(ctx, personId, today()),
      absences.summary(ctx, personId, today()),
    ]);
    const isSelf = ctx.actor.personId === personId;
    const canAct = roleMayUse(policies.attendanceProcedure, ctx.actor.role) && !isSelf;
    const canDecide = roleMayUse(policies.attendanceCaseDecision, ctx.actor.role) && !isSelf;
    return {
      person: people.viewFor(ctx, c.person),
      steps: c.steps.map((s) => stepView(req, s, canAct)),
      triggers: c.triggers.map((tr) => ({
        ...tr,
        name: req.t(`triggers.${tr.code}`, { count: tr.value, value: tr.value, threshold: tr.threshold }),
      })),
      triggerDecisions: c.triggerDecisions.map((d) => ({
        ...d,
        decisionName: req.t(`procedure.decisions.${d.decision}`),
        codes: d.triggerCodes.map((code) => req.t(`reports.triggerShort.${code}`)).join(', '),
      })),
      // The score and review points in plain words, from the policy in force today (issue 15 §8).
      bradford: bradfordExplained(req, summary),
      disabilityDecisions: c.disabilityDecisions,
      disabilityDiscountedNow: c.disabilityDiscountedNow,
      canAct,
      canDecide,
      hasStepInProgress: c.steps.some((s) => s.stage !== null && s.outcome === null),
      policyVersion: c.policyVersion,
    };
  };

  const personLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    return { person: people.viewFor(ctx, await people.getPerson(ctx, personId, 'attendance-management')) };
  };

  /** A step and its person, for a form about the step. */
  const stepLocals = async (req: Request, stepId: string) => {
    const ctx = requestContext(req);
    const letter = await attendanceProcedure.stepOf(ctx, stepId);
    // Informal action has no meeting, outcome or appeal to record.
    if (letter.step.step === 'informal-action') throw new NotFoundError('procedure step');
    return {
      step: { ...letter.step, name: req.t(`procedure.steps.${letter.step.step}`) },
      person: people.viewFor(ctx, letter.person),
      outcomes: (STAGE_OUTCOMES[letter.step.step] as readonly string[]).map((o) => ({
        value: o,
        text: req.t(`procedure.outcomes.${o}`),
      })),
      appealOutcomes: APPEAL_OUTCOMES.map((o) => ({ value: o, text: req.t(`procedure.appealOutcomes.${o}`) })),
      latestPostponed: letter.latestPostponedDate,
      reviewBounds: letter.reviewBounds,
    };
  };

  const caseHref = (personId: string) => `/people/${personId}/attendance/procedure`;

  /**
   * A letter in the language asked for (`?lang=`, else the page's), on screen in the service's
   * layout or on its own for printing (`?print=1`), with links to the other language and to print.
   */
  const renderLetter = (
    req: Request,
    res: Response,
    query: z.infer<typeof letterQuery>,
    view: string,
    href: string,
    locals: (t: (key: string, values?: Record<string, unknown>) => string) => Record<string, unknown>,
  ) => {
    const lang = query.lang ?? req.locale;
    const t = deps.translator.forLocale(lang);
    renderPage(req, res, view, {
      ...locals(t),
      t,
      locale: lang,
      ...(query.print ? { layout: 'letter', printing: true } : {}),
      printHref: `${href}?print=1&lang=${lang}`,
      otherLangHref: `${href}?lang=${lang === 'cy' ? 'en' : 'cy'}`,
      otherLangName: lang === 'cy' ? 'English' : 'Cymraeg',
    });
  };

  return [
    {
      method: 'get',
      path: '/people/:id/attendance/procedure',
      kind: 'page',
      policy: policies.attendanceRead,
      summary:
        'A person’s attendance case: procedure steps, warnings, appeals, letters, trigger and disability decisions.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(personParam, req.params);
        renderPage(req, res, 'attendance/procedure', await caseLocals(req, id));
      },
    },
    ...formPage({
      path: '/people/:id/attendance/procedure/informal',
      view: 'attendance/procedure-informal',
      summary: 'informal action before the formal procedure (ATT-20).',
      policy: policies.attendanceProcedure,
      input: { actionDate: 'text', notes: 'text' },
      schema: procedureStepSchema,
      locals: personLocals,
      defaults: () => ({ actionDate: today() }),
      fixed: () => ({ step: 'informal-action' }),
      save: async (req, id, data) => {
        await attendanceProcedure.recordStep(requestContext(req), id, data);
        notify(req, { heading: 'notices.informalRecorded', next: 'notices.informalRecordedNext' });
        return caseHref(id);
      },
    }),
    ...formPage({
      path: '/people/:id/attendance/procedure/stage',
      view: 'attendance/procedure-stage',
      summary: 'the invitation to a formal stage meeting (ATT-20 … ATT-23).',
      policy: policies.attendanceProcedure,
      input: STAGE_FORM,
      schema: procedureStepSchema,
      locals: personLocals,
      defaults: () => ({ step: 'stage-1', invitationDate: today() }),
      save: async (req, id, data) => {
        await attendanceProcedure.recordStep(requestContext(req), id, data);
        notify(req, { heading: 'notices.stageInvited', next: 'notices.stageInvitedNext' });
        return caseHref(id);
      },
    }),
    ...formPage({
      path: '/attendance-procedure/:id/outcome',
      view: 'attendance/procedure-outcome',
      summary: 'the outcome of a stage meeting (ATT-21 … ATT-24).',
      policy: policies.attendanceProcedure,
      input: { outcome: 'text', outcomeDate: 'text', reviewEndDate: 'text', notes: 'text' },
      schema: stageOutcomeSchema,
      locals: stepLocals,
      defaults: () => ({ outcomeDate: today() }),
      save: async (req, id, data) => {
        const step = await attendanceProcedure.recordOutcome(requestContext(req), id, data);
        notify(req, { heading: 'notices.outcomeRecorded', next: 'notices.outcomeRecordedNext' });
        return caseHref(step.personId);
      },
    }),
    ...formPage({
      path: '/attendance-procedure/:id/postponement',
      view: 'attendance/procedure-postponement',
      summary: 'postponing a stage meeting for the representative (ATT-24).',
      policy: policies.attendanceProcedure,
      input: { meetingDate: 'text', meetingTime: 'text', reason: 'text' },
      schema: postponementSchema,
      locals: stepLocals,
      defaults: () => ({}),
      save: async (req, id, data) => {
        const step = await attendanceProcedure.postpone(requestContext(req), id, data);
        notify(req, {
          heading: 'notices.postponed',
          next: 'notices.postponedNext',
          values: { date: longDate(data.meetingDate, req.locale) },
        });
        return caseHref(step.personId);
      },
    }),
    ...formPage({
      path: '/attendance-procedure/:id/appeal',
      view: 'attendance/procedure-appeal',
      summary: 'the appeal against a stage outcome (ATT-24).',
      policy: policies.attendanceProcedure,
      input: { lodgedOn: 'text', heardOn: 'text', outcome: 'text', decidedOn: 'text' },
      schema: appealSchema,
      locals: stepLocals,
      defaults: () => ({}),
      save: async (req, id, data) => {
        const step = await attendanceProcedure.recordAppeal(requestContext(req), id, data);
        notify(req, {
          heading: data.outcome ? 'notices.appealDecided' : 'notices.appealRecorded',
          next: data.outcome ? 'notices.appealDecidedNext' : 'notices.appealRecordedNext',
        });
        return caseHref(step.personId);
      },
    }),
    ...formPage({
      path: '/people/:id/attendance/trigger-decision',
      view: 'attendance/trigger-decision',
      summary: 'what was decided about the review triggers reached, and why (ATT-18).',
      policy: policies.attendanceProcedure,
      input: { triggerCodes: 'list', decision: 'text', rationale: 'text-or-empty' },
      schema: triggerDecisionSchema,
      locals: async (req, id) => {
        const summary = await absences.summary(requestContext(req), id, today());
        return {
          ...(await personLocals(req, id)),
          bradford: bradfordExplained(req, summary),
          asOf: today(),
          triggers: summary.triggers.map((tr) => ({
            ...tr,
            name: req.t(`triggers.${tr.code}`, { count: tr.value, value: tr.value, threshold: tr.threshold }),
          })),
        };
      },
      defaults: () => ({ triggerCodes: [] }),
      fixed: () => ({ asOf: today() }),
      save: async (req, id, data) => {
        await attendanceProcedure.recordTriggerDecision(requestContext(req), id, data);
        notify(req, { heading: 'notices.triggerDecisionRecorded', next: 'notices.triggerDecisionRecordedNext' });
        return caseHref(id);
      },
    }),
    ...formPage({
      path: '/people/:id/attendance/disability-discount',
      view: 'attendance/disability-discount',
      summary: 'whether disability-related absence is discounted from triggers (ATT-7).',
      policy: policies.attendanceCaseDecision,
      input: { effectiveFrom: 'text', discount: 'yes-no', rationale: 'text' },
      schema: disabilityDecisionSchema,
      locals: personLocals,
      defaults: () => ({ effectiveFrom: today() }),
      save: async (req, id, data) => {
        await attendanceProcedure.recordDisabilityDecision(requestContext(req), id, data);
        notify(req, {
          heading: 'notices.disabilityDecisionRecorded',
          next: data.discount ? 'notices.disabilityDiscountedNext' : 'notices.disabilityNotDiscountedNext',
        });
        return caseHref(id);
      },
    }),
    ...formPage({
      path: '/absences/:id/sick-pay-extension',
      view: 'attendance/sick-pay-extension',
      summary: 'sick pay extended at the force’s discretion (ATT-29).',
      policy: policies.attendanceCaseDecision,
      input: { fullPayExtraDays: 'int', halfPayExtraDays: 'int', reason: 'text', decidedOn: 'text' },
      schema: sickPayExtensionSchema,
      locals: async (req, id) => {
        const ctx = requestContext(req);
        const spell = await absences.getAbsence(ctx, id);
        return {
          spell: { ...spell, reasonName: req.t(`reasons.${spell.reasonCategory}`) },
          person: people.viewFor(ctx, await people.getPerson(ctx, spell.personId, 'attendance-management')),
        };
      },
      defaults: () => ({ fullPayExtraDays: '0', halfPayExtraDays: '0', decidedOn: today() }),
      save: async (req, id, data) => {
        const ctx = requestContext(req);
        await sickPay.extendSickPay(ctx, id, data);
        notify(req, { heading: 'notices.sickPayExtended', next: 'notices.sickPayExtendedNext' });
        return `/people/${(await absences.getAbsence(ctx, id)).personId}/attendance`;
      },
    }),
    {
      method: 'get',
      path: '/absences/:id/letters/sick-pay',
      kind: 'page',
      policy: policies.attendanceCaseDecision,
      summary:
        'The letter warning of a reduction in sick pay, on screen or printable (?print=1), in English or Welsh (?lang=cy) (ATT-29, App D §6.2).',
      handler: async (req, res) => {
        const { id } = parseInput(personParam, req.params);
        const query = parseInput(letterQuery, req.query);
        const letter = await sickPay.sickPayLetter(requestContext(req), id, today());
        const { position } = letter;
        renderLetter(req, res, query, 'attendance/sick-pay-letter', `/absences/${id}/letters/sick-pay`, (t) => ({
          letter: {
            ...letter,
            personName: `${letter.person.givenName} ${letter.person.familyName}`,
            personId: letter.person.id,
          },
          title: t('letters.sickPay.title'),
          halfPayFrom: position.fullPayUntil ? addDays(position.fullPayUntil, 1) : null,
          noPayFrom: position.halfPayUntil
            ? addDays(position.halfPayUntil, 1)
            : position.fullPayUntil
              ? addDays(position.fullPayUntil, 1)
              : letter.spell.startDate,
        }));
      },
    },
    {
      method: 'get',
      path: '/attendance-procedure/:id/letters/:kind',
      kind: 'page',
      policy: policies.attendanceRead,
      summary:
        'A stage invitation or outcome letter, on screen or printable (?print=1), in English or Welsh (?lang=cy) (ATT-21 … ATT-24).',
      handler: async (req, res) => {
        const { id, kind } = parseInput(letterParams, req.params);
        const query = parseInput(letterQuery, req.query);
        const letter = await attendanceProcedure.letter(requestContext(req), id, kind);
        renderLetter(req, res, query, 'attendance/letter', `/attendance-procedure/${id}/letters/${kind}`, (t) => ({
          letter,
          title: t(`letters.${kind}.title`, { stage: letter.stage }),
          outcomeName: letter.outcome ? t(`procedure.outcomes.${letter.outcome}`) : null,
        }));
      },
    },
  ];
}
