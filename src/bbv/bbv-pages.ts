import type { Request } from 'express';
import { z } from 'zod';
import { bbvView, maySeeClinicalDetail, policies } from '../auth/access-policy.js';
import { enumItems } from '../i18n/enum-labels.js';
import type { Translate } from '../i18n/i18n.js';
import { labelled } from '../shared/error-messages.js';
import { londonDay, longDate } from '../shared/dates.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { notify, type Notice } from '../web/notice.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { formText } from '../web/forms.js';
import { optionalDateTime } from '../web/uk-time.js';
import type { IncidentInput } from './bbv-schemas.js';
import {
  BBV_TESTS,
  BODY_FLUIDS,
  EXPOSURE_TYPES,
  HBV_VACCINATIONS,
  RESULT_VALUES,
  TIMEPOINTS,
  type IncidentRecord,
  type PepDecision,
  type TimepointStatus,
} from './bbv-types.js';
import { incidentJson, statusFor } from './bbv-views.js';
import { deadlinesOf, pepStillPossible } from './schedule.js';

/*
 * The OH clinician's pages for a blood-borne virus exposure (issue 16 §8): the exposure recorded in the
 * minutes after a call (with its risk assessment, if there is time), the incident with its deadlines and
 * testing schedule, and one page for each thing still to do. OH administrators see the schedule without
 * results or clinical detail (bbv-views.ts); everyone else finds no incident.
 */

const idParam = z.object({ id: z.uuid() });
const personParam = z.object({ personId: z.uuid() });

/** A field's name in words for the error summary ("Select how it happened"). */
const L = (name: string) => `bbv.pages.fields.${name}`;
const issue = (key: string, field: string) => `${key}@${L(field)}`;

const YES_NO = ['yes', 'no'] as const;
const YES_NO_NOT_ASKED = ['yes', 'no', 'not-asked'] as const;
const YES_NO_UNKNOWN = ['yes', 'no', 'unknown'] as const;
const FOLLOW_UP = ['yes', 'no', 'guidance'] as const;
const OTHER_PARTY = ['staff', 'not-staff', 'unknown'] as const;

const choice = <T extends readonly [string, ...string[]]>(values: T, field: string) =>
  labelled(z.enum(values), L(field));
const text = (max: number, field: string) => labelled(z.string().trim().max(max), L(field));

/** A date and time typed in UK time (date-input with time): the instant it was (web/uk-time.ts reads it). */
const ukInstant = (field: string, required: boolean) =>
  optionalDateTime(issue('validation.dateTime', field)).transform((iso, c): Date | undefined => {
    if (iso !== undefined) return new Date(iso);
    if (required) c.addIssue({ code: 'custom', message: issue('validation.enter', field) });
    return undefined;
  });

/** A calendar date typed in the date input, or nothing. */
const optionalDay = (field: string) =>
  z
    .string()
    .optional()
    .refine((v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), {
      message: issue('validation.realDate', field),
    });

const bool = (v: 'yes' | 'no' | string | undefined): boolean | null => (v === 'yes' ? true : v === 'no' ? false : null);

/** The form's posted strings (web/forms.ts formText): blank ones are not answered. */
const posted = (body: Record<string, unknown>, names: readonly string[]): Record<string, string | undefined> =>
  Object.fromEntries(names.map((n) => [n, formText(body, n)]));

const assessmentShape = {
  highRiskHcv: choice(YES_NO, 'highRiskHcv'),
  knownHbvResponder: choice(YES_NO_UNKNOWN, 'knownHbvResponder').optional(),
  followUpIndicated: choice(FOLLOW_UP, 'followUpIndicated').optional(),
  baselineStoredAt: ukInstant('baselineStoredAt', false),
  otherPartyAssessed: choice(YES_NO, 'otherPartyAssessed').optional(),
  note: text(2000, 'note').optional(),
};
const ASSESSMENT_FIELDS = Object.keys(assessmentShape);

const incidentForm = z
  .object({
    occurredAt: ukInstant('occurredAt', true),
    exposureType: choice(EXPOSURE_TYPES, 'exposureType'),
    skinBroken: choice(YES_NO, 'skinBroken').optional(),
    bloodInMouth: choice(YES_NO, 'bloodInMouth').optional(),
    bodyFluid: choice(BODY_FLUIDS, 'bodyFluid').optional(),
    firstAidGiven: choice(YES_NO, 'firstAidGiven').optional(),
    sourceKnown: choice(YES_NO, 'sourceKnown'),
    sourceRiskFactors: text(2000, 'sourceRiskFactors').optional(),
    sourceConsentedToTesting: choice(YES_NO_NOT_ASKED, 'sourceConsentedToTesting').optional(),
    otherPartyKind: choice(OTHER_PARTY, 'otherPartyKind').optional(),
    otherPartyPersonId: labelled(z.uuid(), L('otherPartyPersonId')).optional(),
    otherPartyDescription: text(200, 'otherPartyDescription').optional(),
    otherPartyConsented: choice(YES_NO_NOT_ASKED, 'otherPartyConsented').optional(),
    otherPartyArrangedWith: text(200, 'otherPartyArrangedWith').optional(),
    ...assessmentShape,
    highRiskHcv: assessmentShape.highRiskHcv.optional(),
  })
  .superRefine((d, c) => {
    const need = (field: string, key = 'validation.select') =>
      c.addIssue({ code: 'custom', path: [field], message: issue(key, field) });
    if (d.exposureType === 'bite') {
      if (!d.skinBroken) need('skinBroken');
      if (d.otherPartyKind === 'staff' && !d.otherPartyPersonId) need('otherPartyPersonId');
      if (d.otherPartyKind === 'not-staff' && !d.otherPartyDescription)
        need('otherPartyDescription', 'validation.enter');
    }
    // Part of the risk assessment given without its first answer: the assessment is not recorded half-done.
    const assessing = ASSESSMENT_FIELDS.some(
      (f) => f !== 'highRiskHcv' && f !== 'followUpIndicated' && d[f as keyof typeof d] !== undefined,
    );
    if (assessing && !d.highRiskHcv) need('highRiskHcv');
  });
const INCIDENT_FIELDS = Object.keys(incidentForm.shape);

const assessmentForm = z.object(assessmentShape);

const pepForm = z
  .object({
    decision: labelled(z.enum(['started', 'not-indicated', 'declined', 'too-late']), L('decision')),
    startedAt: ukInstant('startedAt', false),
  })
  .superRefine((d, c) => {
    if (d.decision === 'started' && !d.startedAt)
      c.addIssue({ code: 'custom', path: ['startedAt'], message: issue('validation.enter', 'startedAt') });
  });

const hbvForm = z.object({
  vaccination: choice(HBV_VACCINATIONS, 'vaccination'),
  vaccinationDate: optionalDay('vaccinationDate'),
  hbigGiven: choice(YES_NO, 'hbigGiven'),
  hbigDate: optionalDay('hbigDate'),
});

const accidentForm = z.object({
  accidentReportRef: labelled(z.string().trim().min(1).max(100), L('accidentReportRef')),
});

const resultForm = z.object({
  timepoint: choice(TIMEPOINTS, 'timepoint'),
  test: choice(BBV_TESTS, 'test'),
  result: choice(RESULT_VALUES, 'result'),
  sampleTakenAt: ukInstant('sampleTakenAt', true),
});

const STATUS_TAG: Record<TimepointStatus, string> = {
  upcoming: 'nhsuk-tag--grey',
  due: 'nhsuk-tag--blue',
  overdue: 'nhsuk-tag--red',
  partial: 'nhsuk-tag--yellow',
  complete: 'nhsuk-tag--green',
  'needs-review': 'nhsuk-tag--red',
};

/** A moment as a 24-hour UK time ("10:30"). */
function ukClock(at: Date, locale: 'en' | 'cy'): string {
  return at.toLocaleTimeString(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/London',
  });
}

/** Plural samples: a number of each plural form of the language, to write each form's words once. */
const PLURAL_SAMPLES: Record<'en' | 'cy', Record<string, number>> = {
  en: { one: 1, other: 2 },
  cy: { zero: 0, one: 1, two: 2, few: 3, many: 6, other: 4 },
};

/** The words the countdown uses, for the script that keeps it up to date (public/app.js). */
function countdownWords(t: Translate, locale: 'en' | 'cy') {
  const forms = (unit: string) =>
    Object.fromEntries(
      Object.entries(PLURAL_SAMPLES[locale]).map(([form, n]) => [
        form,
        t(`bbv.pages.countdown.${unit}`, { count: n }).replace(String(n), '%n'),
      ]),
    );
  return JSON.stringify({
    in: t('bbv.pages.countdown.in', { duration: '%d' }),
    ago: t('bbv.pages.countdown.ago', { duration: '%d' }),
    now: t('bbv.pages.countdown.now'),
    days: forms('days'),
    hours: forms('hours'),
    minutes: forms('minutes'),
  });
}

/** "in 2 hours 5 minutes" or "5 minutes ago", as the server says it when the page is made. */
function countdownText(t: Translate, at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return t('bbv.pages.countdown.now');
  const days = Math.floor(minutes / 1440);
  const duration =
    days >= 2
      ? t('bbv.pages.countdown.days', { count: days })
      : [
          Math.floor(minutes / 60) > 0 ? t('bbv.pages.countdown.hours', { count: Math.floor(minutes / 60) }) : null,
          minutes % 60 > 0 ? t('bbv.pages.countdown.minutes', { count: minutes % 60 }) : null,
        ]
          .filter(Boolean)
          .join(' ');
  return ms > 0 ? t('bbv.pages.countdown.in', { duration }) : t('bbv.pages.countdown.ago', { duration });
}

export function bbvPages(deps: AppDependencies): RouteDefinition[] {
  const { bbv, people } = deps.services;
  const localeOf = (req: Request): 'en' | 'cy' => (req.locale === 'cy' ? 'cy' : 'en');
  const when = (req: Request, at: Date) => ({
    time: ukClock(at, localeOf(req)),
    date: longDate(londonDay(at), localeOf(req)),
  });
  const yesNoItems = (req: Request, values: readonly string[]) =>
    values.map((v) => ({ value: v, text: req.t(`bbv.pages.answers.${v}`) }));

  /** The person, as the reader may see them: 404 outside their reach. */
  const personOf = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const person = people.viewFor(ctx, await people.getPerson(ctx, personId, 'bbv-exposure'));
    return { id: person.id, name: `${person.givenName} ${person.familyName}`, organisationId: person.organisationId };
  };

  /** Only OH clinicians record; an OH administrator is refused, anyone else finds nothing. */
  const clinicianOnly = (req: Request) => {
    if (maySeeClinicalDetail(req.actor!)) return;
    if (bbvView(req.actor!) === 'administrative') throw new ForbiddenError();
    throw new NotFoundError('person');
  };

  const newLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const person = await personOf(req, personId);
    clinicianOnly(req);
    // A colleague bitten in the same incident: someone in the person's organisation within the clinician's reach.
    const colleagues = (
      await people.searchPeople(ctx, { organisationId: person.organisationId, limit: 100, offset: 0 })
    ).items
      .filter((p) => p.id !== person.id)
      .map((p) => ({ value: p.id, text: `${p.givenName} ${p.familyName} (${p.staffNumber})` }));
    return {
      title: req.t('bbv.pages.new.title'),
      person,
      action: `/people/${person.id}/bbv-incidents/new`,
      exposureTypes: enumItems(req.t, 'exposureType'),
      bodyFluids: enumItems(req.t, 'bodyFluid'),
      yesNo: yesNoItems(req, YES_NO),
      yesNoNotAsked: yesNoItems(req, YES_NO_NOT_ASKED),
      yesNoUnknown: yesNoItems(req, YES_NO_UNKNOWN),
      followUpItems: yesNoItems(req, FOLLOW_UP),
      otherPartyKinds: OTHER_PARTY.map((v) => ({ value: v, text: req.t(`bbv.pages.new.otherPartyKinds.${v}`) })),
      colleagues,
    };
  };

  /** The incident as the reader may see it, with what the page shows of it. */
  const incidentLocals = async (req: Request, id: string) => {
    const ctx = requestContext(req);
    const record = await bbv.get(ctx, id);
    const view = bbvView(ctx.actor);
    const clinical = view === 'clinical';
    const json = incidentJson(view, record);
    const i = record.incident;
    const now = deps.clock.now();
    const locale = localeOf(req);
    const d = deadlinesOf(i.occurredAt);
    const person = await personOf(req, i.personId);
    const countdown = (at: Date) => ({ at: at.toISOString(), text: countdownText(req.t, at, now) });
    const deadlines = [
      i.assessment
        ? { text: req.t('bbv.pages.incident.assessedAt', when(req, i.assessment.assessedAt)), done: true }
        : {
            text: req.t('bbv.pages.incident.assessmentDue', when(req, d.riskAssessmentDueAt)),
            countdown: countdown(d.riskAssessmentDueAt),
            late: now > d.riskAssessmentDueAt,
          },
      // Whether PEP was started is clinical: only clinicians see its deadline and decision.
      !clinical
        ? null
        : i.pep
          ? {
              text: req.t('bbv.pages.incident.pepRecorded', { decision: req.t(`bbv.pepDecisions.${i.pep.decision}`) }),
              done: true,
            }
          : pepStillPossible(i.occurredAt, now)
            ? {
                text: req.t('bbv.pages.incident.pepBy', {
                  ...when(req, d.pepAlertAt),
                  lastTime: ukClock(d.pepDeadlineAt, locale),
                  lastDate: longDate(londonDay(d.pepDeadlineAt), locale),
                }),
                countdown: countdown(now < d.pepAlertAt ? d.pepAlertAt : d.pepDeadlineAt),
              }
            : { text: req.t('bbv.pages.incident.pepPassed', when(req, d.pepDeadlineAt)), done: true },
    ].filter((x) => x !== null);
    const base = `/bbv-incidents/${i.id}`;
    const open = record.schedule.find((s) => s.status === 'due' || s.status === 'partial' || s.status === 'overdue');
    const actions = clinical
      ? [
          !i.assessment && { href: `${base}/risk-assessment`, text: req.t('bbv.pages.assessment.title') },
          !i.pep && { href: `${base}/pep`, text: req.t('bbv.pages.pep.title') },
          !i.hbv && { href: `${base}/hepatitis-b`, text: req.t('bbv.pages.hbv.title') },
          !i.accidentReportRef && { href: `${base}/accident-report`, text: req.t('bbv.pages.accident.title') },
          record.schedule.length > 0 && {
            href: `${base}/results/new${open ? `?timepoint=${open.timepoint}` : ''}`,
            text: req.t('bbv.pages.result.title'),
          },
        ].filter((a): a is { href: string; text: string } => Boolean(a))
      : [];
    const schedule = json.schedule.map((s) => ({
      ...s,
      statusTag: STATUS_TAG[statusFor(view, s.status)],
      resultFor: clinical
        ? s.tests.map((test) => ({
            test,
            result: (s as { results?: Array<{ test: string; result: string }> }).results?.find((r) => r.test === test)
              ?.result,
          }))
        : [],
      recordHref:
        clinical && (s.status === 'due' || s.status === 'partial' || s.status === 'overdue')
          ? `${base}/results/new?timepoint=${s.timepoint}`
          : null,
    }));
    return {
      title: req.t('bbv.pages.incident.title'),
      person,
      incident: i,
      clinical,
      // BBV-9: a positive or indeterminate result is the first thing a clinician reads, with where to act on it.
      needsReview: clinical && record.schedule.some((s) => s.status === 'needs-review'),
      occurred: req.t('bbv.pages.incident.occurred', when(req, i.occurredAt)),
      deadlines,
      countdownWords: countdownWords(req.t, locale),
      actions,
      schedule,
      noSchedule: !i.assessment
        ? req.t('bbv.pages.incident.scheduleAfterAssessment')
        : i.assessment.followUpIndicated
          ? null
          : req.t('bbv.pages.incident.noFollowUp'),
      details: clinical ? clinicalDetails(req, record) : [],
      results: clinical
        ? record.results.map((r) => ({ ...r, sampleTaken: req.t('bbv.pages.incident.at', when(req, r.sampleTakenAt)) }))
        : [],
      pathwayHref: `/pathways/${i.pathwayId}`,
      linkedHref: clinical && i.linkedIncidentId ? `/bbv-incidents/${i.linkedIncidentId}` : null,
    };
  };

  /** The exposure, source and decisions in rows (clinicians only). */
  const clinicalDetails = (req: Request, record: IncidentRecord) => {
    const i = record.incident;
    const yn = (v: boolean | null) =>
      v === null ? req.t('bbv.pages.answers.unknown') : req.t(`bbv.pages.answers.${v ? 'yes' : 'no'}`);
    const locale = localeOf(req);
    const rows: Array<{ key: string; value: string } | false> = [
      { key: req.t('bbv.pages.new.exposureType'), value: req.t(`bbv.exposureTypes.${i.exposureType}`) },
      i.exposureType === 'bite' && { key: req.t('bbv.pages.new.skinBroken'), value: yn(i.skinBroken) },
      i.exposureType === 'bite' && { key: req.t('bbv.pages.new.bloodInMouth'), value: yn(i.bloodInMouth) },
      i.bodyFluid !== null && { key: req.t('bbv.pages.new.bodyFluid'), value: req.t(`bbv.bodyFluids.${i.bodyFluid}`) },
      { key: req.t('bbv.pages.new.firstAidGiven'), value: yn(i.firstAidGiven) },
      { key: req.t('bbv.pages.new.sourceKnown'), value: yn(i.sourceKnown) },
      i.sourceRiskFactors !== null && { key: req.t('bbv.pages.new.sourceRiskFactors'), value: i.sourceRiskFactors },
      { key: req.t('bbv.pages.new.sourceConsentedToTesting'), value: yn(i.sourceConsentedToTesting) },
      i.otherParty !== null && { key: req.t('bbv.pages.incident.otherParty'), value: i.otherParty.description },
      i.otherParty !== null && {
        key: req.t('bbv.pages.new.otherPartyConsented'),
        value: yn(i.otherParty.consentedToTesting),
      },
      i.otherParty?.assessmentArrangedWith
        ? { key: req.t('bbv.pages.new.otherPartyArrangedWith'), value: i.otherParty.assessmentArrangedWith }
        : false,
      i.assessment !== null && { key: req.t('bbv.pages.assessment.highRiskHcv'), value: yn(i.assessment.highRiskHcv) },
      i.assessment !== null && {
        key: req.t('bbv.pages.assessment.knownHbvResponder'),
        value: yn(i.assessment.knownHbvResponder),
      },
      i.assessment !== null && {
        key: req.t('bbv.pages.assessment.followUpIndicated'),
        value: yn(i.assessment.followUpIndicated),
      },
      i.assessment?.baselineStoredAt
        ? {
            key: req.t('bbv.pages.assessment.baselineStoredAt'),
            value: req.t('bbv.pages.incident.at', when(req, i.assessment.baselineStoredAt)),
          }
        : false,
      i.assessment?.otherPartyAssessed !== null && i.assessment?.otherPartyAssessed !== undefined
        ? { key: req.t('bbv.pages.assessment.otherPartyAssessed'), value: yn(i.assessment.otherPartyAssessed) }
        : false,
      i.assessment?.note ? { key: req.t('bbv.pages.assessment.note'), value: i.assessment.note } : false,
      i.pep !== null && {
        key: req.t('bbv.pages.pep.title'),
        value: [
          req.t(`bbv.pepDecisions.${i.pep.decision}`),
          i.pep.startedAt ? req.t('bbv.pages.incident.at', when(req, i.pep.startedAt)) : null,
        ]
          .filter(Boolean)
          .join(', '),
      },
      i.hbv !== null && {
        key: req.t('bbv.pages.hbv.vaccination'),
        value: [
          req.t(`bbv.hbvVaccinations.${i.hbv.vaccination}`),
          i.hbv.vaccinationDate ? longDate(i.hbv.vaccinationDate, locale) : null,
        ]
          .filter(Boolean)
          .join(', '),
      },
      i.hbv !== null && {
        key: req.t('bbv.pages.hbv.hbigGiven'),
        value: i.hbv.hbigDate ? `${yn(true)}, ${longDate(i.hbv.hbigDate, locale)}` : yn(i.hbv.hbigGiven),
      },
      i.accidentReportRef !== null && { key: req.t('bbv.pages.accident.reference'), value: i.accidentReportRef },
    ];
    return rows.filter((r): r is { key: string; value: string } => Boolean(r));
  };

  /** An action page's own locals: the incident (clinicians only) and where the form posts. */
  const actionLocals = async (req: Request, id: string, page: string) => {
    const ctx = requestContext(req);
    const record = await bbv.get(ctx, id);
    clinicianOnly(req);
    const i = record.incident;
    const person = await personOf(req, i.personId);
    return {
      person,
      incident: i,
      record,
      backHref: `/bbv-incidents/${i.id}`,
      action: `/bbv-incidents/${i.id}/${page}`,
      occurred: req.t('bbv.pages.incident.occurred', when(req, i.occurredAt)),
      yesNo: yesNoItems(req, YES_NO),
      yesNoUnknown: yesNoItems(req, YES_NO_UNKNOWN),
      followUpItems: yesNoItems(req, FOLLOW_UP),
    };
  };

  /** One action page: its form (GET) and its save (POST), back to the incident with a banner. */
  const action = <S extends z.ZodType>(a: {
    page: string;
    view: string;
    summary: string;
    schema: S;
    fields: readonly string[];
    fallbackField: string;
    extra?: (req: Request, locals: Awaited<ReturnType<typeof actionLocals>>) => Record<string, unknown>;
    defaults?: (req: Request) => Record<string, unknown>;
    run: (req: Request, id: string, data: z.infer<S>) => Promise<unknown>;
    notice: Notice;
  }): RouteDefinition[] => {
    const path = `/bbv-incidents/:id/${a.page}`;
    const locals = async (req: Request, id: string) => {
      const l = await actionLocals(req, id, a.page);
      return { ...l, ...(a.extra?.(req, l) ?? {}) };
    };
    return [
      {
        method: 'get',
        path,
        kind: 'page',
        policy: policies.bbvRecord,
        summary: `The form: ${a.summary}`,
        handler: async (req, res) => {
          ensureCsrfToken(req);
          const { id } = parseInput(idParam, req.params);
          renderPage(req, res, a.view, { ...(await locals(req, id)), values: a.defaults?.(req) ?? {} });
        },
      },
      {
        method: 'post',
        path,
        kind: 'page',
        policy: policies.bbvRecord,
        summary: `Saves: ${a.summary}`,
        handler: async (req, res) => {
          const { id } = parseInput(idParam, req.params);
          const body = req.body as Record<string, unknown>;
          await submitForm(
            req,
            res,
            {
              view: a.view,
              schema: a.schema,
              input: posted(body, a.fields),
              values: body,
              fields: a.fields,
              fallbackField: a.fallbackField,
              locals: () => locals(req, id),
            },
            async (data) => {
              await a.run(req, id, data);
              notify(req, a.notice);
              res.redirect(303, `/bbv-incidents/${id}`);
            },
          );
        },
      },
    ];
  };

  const assessmentInput = (d: z.infer<typeof assessmentForm>) => ({
    highRiskHcv: d.highRiskHcv === 'yes',
    knownHbvResponder: d.knownHbvResponder ? bool(d.knownHbvResponder) : null,
    followUpIndicated: d.followUpIndicated && d.followUpIndicated !== 'guidance' ? d.followUpIndicated === 'yes' : null,
    baselineStoredAt: d.baselineStoredAt ?? null,
    otherPartyAssessed: d.otherPartyAssessed ? bool(d.otherPartyAssessed) : null,
    note: d.note || null,
  });

  return [
    {
      method: 'get',
      path: '/people/:personId/bbv-incidents/new',
      kind: 'page',
      policy: policies.bbvRecord,
      summary:
        'The form to record a blood-borne virus exposure (OH clinicians), in the minutes after the call, with its risk assessment if there is time.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { personId } = parseInput(personParam, req.params);
        renderPage(req, res, 'bbv/new', {
          ...(await newLocals(req, personId)),
          values: { followUpIndicated: 'guidance' },
        });
      },
    },
    {
      method: 'post',
      path: '/people/:personId/bbv-incidents/new',
      kind: 'page',
      policy: policies.bbvRecord,
      summary:
        'Records a blood-borne virus exposure (OH clinicians) and starts its pathway; in a bite with a colleague, their incident too.',
      handler: async (req, res) => {
        const { personId } = parseInput(personParam, req.params);
        const body = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'bbv/new',
            schema: incidentForm,
            input: posted(body, INCIDENT_FIELDS),
            values: body,
            fields: INCIDENT_FIELDS,
            fallbackField: 'occurredAt',
            rename: { otherParty: 'otherPartyKind' },
            locals: () => newLocals(req, personId),
          },
          async (d) => {
            const bite = d.exposureType === 'bite';
            const otherParty: IncidentInput['otherParty'] =
              bite && d.otherPartyKind === 'staff' && d.otherPartyPersonId
                ? { personId: d.otherPartyPersonId }
                : bite && d.otherPartyKind === 'not-staff' && d.otherPartyDescription
                  ? {
                      description: d.otherPartyDescription,
                      consentedToTesting: bool(d.otherPartyConsented),
                      assessmentArrangedWith: d.otherPartyArrangedWith || null,
                    }
                  : null;
            const input: IncidentInput = {
              personId,
              occurredAt: d.occurredAt!,
              exposureType: d.exposureType,
              skinBroken: bite ? bool(d.skinBroken) : null,
              bloodInMouth: bite ? bool(d.bloodInMouth) : null,
              bodyFluid: d.bodyFluid ?? null,
              firstAidGiven: bool(d.firstAidGiven),
              sourceKnown: d.sourceKnown === 'yes',
              sourceRiskFactors: d.sourceRiskFactors || null,
              sourceConsentedToTesting: bool(d.sourceConsentedToTesting),
              otherParty,
              ...(d.highRiskHcv
                ? assessmentInput({
                    ...d,
                    highRiskHcv: d.highRiskHcv,
                    otherPartyAssessed: bite ? d.otherPartyAssessed : undefined,
                  })
                : {}),
            };
            const record = await bbv.recordIncident(requestContext(req), input);
            notify(req, {
              heading: 'notices.bbv.recorded',
              next: record.incident.assessment ? 'notices.bbv.recordedAssessedNext' : 'notices.bbv.recordedNext',
            });
            res.redirect(303, `/bbv-incidents/${record.incident.id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/bbv-incidents/:id',
      kind: 'page',
      policy: policies.bbvRead,
      summary:
        'A blood-borne virus exposure: its deadlines, what to do next and its testing schedule; results and clinical detail for OH clinicians only. Line managers and HR find none.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'bbv/incident', await incidentLocals(req, id));
      },
    },
    ...action({
      page: 'risk-assessment',
      view: 'bbv/risk-assessment',
      summary: 'the risk assessment of a blood-borne virus exposure (OH clinicians).',
      schema: assessmentForm,
      fields: ASSESSMENT_FIELDS,
      fallbackField: 'highRiskHcv',
      defaults: () => ({ followUpIndicated: 'guidance' }),
      extra: (req, l) => ({
        title: req.t('bbv.pages.assessment.title'),
        bite: l.incident.exposureType === 'bite',
        done: l.incident.assessment !== null,
      }),
      run: (req, id, d) => bbv.assess(requestContext(req), id, assessmentInput(d)),
      notice: { heading: 'notices.bbv.assessed', next: 'notices.bbv.assessedNext' },
    }),
    ...action({
      page: 'pep',
      view: 'bbv/pep',
      summary: 'the HIV PEP decision (OH clinicians); after 72 hours only "too late", "declined" or "not needed".',
      schema: pepForm,
      fields: ['decision', 'startedAt'],
      fallbackField: 'decision',
      extra: (req, l) => {
        const now = deps.clock.now();
        const possible = pepStillPossible(l.incident.occurredAt, now);
        const offered: PepDecision[] = possible
          ? ['started', 'not-indicated', 'declined']
          : ['too-late', 'declined', 'not-indicated'];
        const d = deadlinesOf(l.incident.occurredAt).pepDeadlineAt;
        return {
          title: req.t('bbv.pages.pep.title'),
          possible,
          deadline: req.t(possible ? 'bbv.pages.pep.notAfter' : 'bbv.pages.pep.tooLate', when(req, d)),
          decisions: enumItems(req.t, 'pepDecision', offered),
        };
      },
      run: (req, id, d) =>
        bbv.recordPep(requestContext(req), id, {
          decision: d.decision,
          startedAt: d.decision === 'started' ? (d.startedAt ?? null) : null,
        }),
      notice: { heading: 'notices.bbv.pep' },
    }),
    ...action({
      page: 'hepatitis-b',
      view: 'bbv/hepatitis-b',
      summary: 'the hepatitis B vaccination and HBIG decisions, with their dates (OH clinicians).',
      schema: hbvForm,
      fields: ['vaccination', 'vaccinationDate', 'hbigGiven', 'hbigDate'],
      fallbackField: 'vaccination',
      extra: (req) => ({
        title: req.t('bbv.pages.hbv.title'),
        vaccinations: enumItems(req.t, 'hbvVaccination'),
      }),
      run: (req, id, d) =>
        bbv.recordHbv(requestContext(req), id, {
          vaccination: d.vaccination,
          vaccinationDate: d.vaccinationDate || null,
          hbigGiven: d.hbigGiven === 'yes',
          hbigDate: d.hbigDate || null,
        }),
      notice: { heading: 'notices.bbv.hbv' },
    }),
    ...action({
      page: 'accident-report',
      view: 'bbv/accident-report',
      summary: 'the accident report’s reference for the injury on duty (OH clinicians).',
      schema: accidentForm,
      fields: ['accidentReportRef'],
      fallbackField: 'accidentReportRef',
      extra: (req) => ({ title: req.t('bbv.pages.accident.title') }),
      run: (req, id, d) => bbv.recordAccidentReport(requestContext(req), id, d.accidentReportRef),
      notice: { heading: 'notices.bbv.accidentReport' },
    }),
    ...action({
      page: 'results/new',
      view: 'bbv/result',
      summary: 'a follow-up test result (OH clinicians), for a timepoint of the schedule.',
      schema: resultForm,
      fields: ['timepoint', 'test', 'result', 'sampleTakenAt'],
      fallbackField: 'timepoint',
      defaults: (req) => {
        const tp = typeof req.query.timepoint === 'string' ? req.query.timepoint : undefined;
        return tp && (TIMEPOINTS as readonly string[]).includes(tp) ? { timepoint: tp } : {};
      },
      extra: (req, l) => ({
        title: req.t('bbv.pages.result.title'),
        hasSchedule: l.record.schedule.length > 0,
        timepoints: l.record.schedule.map((s) => ({
          value: s.timepoint,
          text: req.t('bbv.pages.result.timepointItem', {
            timepoint: req.t(`bbv.timepoints.${s.timepoint}`),
            from: longDate(s.windowStart, localeOf(req)),
            to: longDate(s.windowEnd, localeOf(req)),
          }),
        })),
        tests: enumItems(req.t, 'bbvTest'),
        resultValues: enumItems(req.t, 'bbvResult'),
      }),
      run: (req, id, d) =>
        bbv.recordResult(requestContext(req), id, {
          timepoint: d.timepoint,
          test: d.test,
          result: d.result,
          sampleTakenAt: d.sampleTakenAt!,
        }),
      notice: { heading: 'notices.bbv.result', next: 'notices.bbv.resultNext' },
    }),
  ];
}
