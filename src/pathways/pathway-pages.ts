import type { Request } from 'express';
import { z } from 'zod';
import { maySeeClinicalDetail, mayWorkStep, policies, roleMayUse } from '../auth/access-policy.js';
import type { Actor } from '../auth/actor.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { isIsoDate, longDate, londonDay, shortDateTime, startOfLondonDay } from '../shared/dates.js';
import { isAppError, NotFoundError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderFormErrors, renderPage, submitForm } from '../web/render.js';
import { formText } from '../web/forms.js';
import { localDateTimeToIso, londonDate, optionalDateTime } from '../web/uk-time.js';
import { ukTime } from '../web/appointment-view.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { CLOSE_OUTCOMES, NHS_SERVICES, SERVICE_TYPES, type DefinitionCode } from './definition-format.js';
import { inLanguage, ownStepsIn, type StepDefinition } from './definition.js';
import { definitionParam, definitionQuery, shareReferralSchema } from './pathway-schemas.js';
import { resultView } from '../fhir/partner-api/lab-results.js';
import { SHARING_CATEGORIES, type SharingCategory } from '../consent/index.js';
import { FITNESS, type PathwayReferral } from './pathway-types.js';
import { notify, type Notice } from '../web/notice.js';
import { consentRequestHref, type ConsentRequestFor } from './consent-request-link.js';
import { requiredCategories } from './pathway-referral-service.js';
import type { PathwayPage } from './pathway-page-service.js';
import { audienceOf, pathwayJson } from './pathway-views.js';
import { formInLanguage, unanswered, type FormItem } from './questionnaire.js';
import type { FieldMessages, FieldProblem } from '../shared/error-messages.js';
import type { Facts } from './engine.js';
import { INSTRUMENT_FACTS, type InstrumentFact } from './instruments.js';
import { enumItems, enumLabel, enumLabelKey } from '../i18n/enum-labels.js';
import type { Translate } from '../i18n/i18n.js';

// ---------------------------------------------------------------------------------------
// Helpers shared with the referral pages
// ---------------------------------------------------------------------------------------

/** The pathways a clinician can start from a page (the blood-borne virus pathway is its own issue). */
export const ENROLLABLE = ['msk', 'mental-health', 'dental', 'retirement'] as const satisfies readonly DefinitionCode[];

// ---------------------------------------------------------------------------------------
// What the pages show
// ---------------------------------------------------------------------------------------

const idParam = z.object({ id: z.uuid() });
const stepParams = z.object({
  id: z.uuid(),
  stepId: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[a-z0-9-]+$/),
});

const STATUS_TAG: Record<string, string> = {
  waiting: 'nhsuk-tag--grey',
  open: 'nhsuk-tag--blue',
  held: 'nhsuk-tag--yellow',
  completed: 'nhsuk-tag--green',
  skipped: 'nhsuk-tag--grey',
  'not-applicable': 'nhsuk-tag--grey',
  cancelled: 'nhsuk-tag--grey',
};

/** Closing "as transferred" is what a transfer does, with its handover referral; the close form does not offer it. */
const CLOSE_FORM_OUTCOMES = CLOSE_OUTCOMES.filter((o) => o !== 'transferred-to-nhs');
const TRANSFER_SERVICES = SERVICE_TYPES.filter((s) => NHS_SERVICES.has(s));

/** Windows counted in hours (TRiM's 24–48 hours) are shown with the time; others as dates. */
function hourly(def: StepDefinition | undefined): boolean {
  return def ? def.timing.from.unit === 'h' || def.timing.to.unit === 'h' : false;
}

/** A step's due window, ready for the templates: dates (UK) or, for windows in hours, instants. */
function windowOf(dueFrom: string | null, dueBy: string | null, byHour: boolean) {
  const fromDate = londonDate(dueFrom);
  const byDate = londonDate(dueBy);
  return {
    dueFrom,
    dueBy,
    dueFromDate: fromDate,
    dueByDate: byDate,
    hourly: byHour,
    sameDay: fromDate !== null && fromDate === byDate,
    known: dueBy !== null,
  };
}

type Loaded = Awaited<ReturnType<AppDependencies['services']['pathways']['get']>>;
type OhReferrals = Extract<PathwayPage, { reader: 'oh' }>['referrals'];
type OwnReferrals = Extract<PathwayPage, { reader: 'self' }>['referrals'];

/** How often the pathway page asks where its referrals have got to (public/app.js). */
const JOURNEY_POLL_MS = 15_000;

/** Why the gate may refuse a share, each worded under pathways.referrals.refusals. */
const SHARE_REFUSALS = [
  'recipient-not-named',
  'consent-not-given',
  'consent-refused',
  'consent-withdrawn',
  'consent-expired',
  'consent-not-yet-in-force',
  'purpose-not-covered',
  'category-not-covered',
  'sensitive-category-not-named',
  'nothing-to-disclose',
] as const;
type ShareRefusal = (typeof SHARE_REFUSALS)[number];
const isGateReason = (code: string): code is ShareRefusal => (SHARE_REFUSALS as readonly string[]).includes(code);

/** The refusals that are for want of the person's consent, so asking them for it is the way on. */
const ASK_FOR_CONSENT = new Set<string>(
  SHARE_REFUSALS.filter((r) => r !== 'consent-not-yet-in-force' && r !== 'nothing-to-disclose'),
);

/** Pathway pages (issue 4): a person's pathways and starting one, the pathway itself with its forms, the step forms, and the definitions. */
/** The enum each worded score takes its label from; other scores are numbers, or yes and no. */
const SCORE_WORDS: Partial<Record<InstrumentFact, 'startBackRisk' | 'phq9Band' | 'gad7Band'>> = {
  startBackRisk: 'startBackRisk',
  phq9Band: 'phq9Band',
  gad7Band: 'gad7Band',
};

/** The instruments' scores among a pathway's facts, each named and valued in words (never a fact's key). */
function scoreRows(t: Translate, facts: Facts): Array<{ name: string; value: string }> {
  return INSTRUMENT_FACTS.filter((k) => facts[k] !== undefined && facts[k] !== null).map((k) => {
    const value = facts[k];
    const words = SCORE_WORDS[k];
    return {
      name: enumLabel(t, 'instrumentScore', k),
      value:
        typeof value === 'boolean'
          ? enumLabel(t, 'yesNo', String(value) as 'true' | 'false')
          : words
            ? t(enumLabelKey(words, String(value)))
            : String(value),
    };
  });
}

export function pathwayPages(deps: AppDependencies): RouteDefinition[] {
  const { pathways, people } = deps.services;

  const personName = async (personId: string) => (await people.namesOf([personId])).get(personId) ?? '';

  /** Steps as the projection gives them, with the bits the pages add: names, tags, the window, the link to complete. */
  const stepRows = (
    req: Request,
    actor: Actor,
    loaded: Loaded,
    projected: Array<{
      id: string;
      code: string;
      title: string;
      performer: string;
      status: string;
      dueFrom: string | null;
      dueBy: string | null;
      resolvedAt: string | null;
      escalationLevel?: number;
    }>,
    /** Where steps another capability completes are done (a BBV pathway's incident page), never the step form. */
    completedElsewhere: string | null = null,
  ) => {
    const now = deps.clock.now();
    const active = loaded.pathway.status === 'active';
    return projected.map((s) => {
      const def = loaded.definition.steps.find((d) => d.id === s.code);
      const step = loaded.steps.find((x) => x.id === s.id)!;
      const open = s.status === 'open';
      return {
        ...s,
        ...windowOf(s.dueFrom, s.dueBy, hourly(def)),
        statusName: req.t(`pathways.common.statuses.${s.status}`),
        statusTag: STATUS_TAG[s.status] ?? 'nhsuk-tag--grey',
        performerName: req.t(`pathways.performers.${s.performer}`),
        overdue: open && s.dueBy !== null && new Date(s.dueBy) < now,
        escalated: (s.escalationLevel ?? 0) > 0,
        resolvedOn: londonDate(s.resolvedAt),
        done: s.status === 'completed' || s.status === 'skipped',
        inactive: s.status === 'not-applicable' || s.status === 'cancelled',
        link:
          open && active && def?.completedBy
            ? completedElsewhere
            : open && active && def && mayWorkStep(actor, step, def.performer)
              ? `/pathways/${loaded.pathway.id}/steps/${s.code}`
              : null,
      };
    });
  };

  const adviceView = (
    req: Request,
    advice: {
      fitness: string | null;
      expectedDuration: string | null;
      adjustments: string | null;
      givenAt: string | null;
    },
  ) =>
    advice.fitness
      ? {
          ...advice,
          fitnessName: req.t(`pathways.advice.fitness.${advice.fitness}`),
          givenOn: londonDate(advice.givenAt),
        }
      : null;

  /** Each completed form's answers, with the question and the chosen option's words. */
  const recordedAnswers = (loaded: Awaited<ReturnType<typeof pathways.get>>) =>
    loaded.definition.steps.flatMap((def) => {
      const step = loaded.steps.find((s) => s.stepCode === def.id);
      const form = pathways.formOf(loaded.definition, def.id);
      if (!step?.answers || !form) return [];
      const answers = form.items
        .filter((i) => step.answers![i.linkId] !== undefined)
        .map((i) => {
          const v = step.answers![i.linkId]!;
          const text =
            i.type === 'choice'
              ? (i.options.find((o) => o.code === v)?.display ?? String(v))
              : typeof v === 'boolean'
                ? v
                  ? 'Yes'
                  : 'No'
                : String(v);
          return { linkId: i.linkId, question: i.text, answer: text };
        });
      return [{ title: def.title, answers }];
    });

  /**
   * The consent a refused share needed (issue 15 §3): the partner, the purpose the share was for (a
   * handover continues care; a step's referral is for treatment), and every category it would have sent.
   */
  const consentNeeded = async (
    req: Request,
    referral: PathwayReferral,
    share: { partnerOrganisationId: string; dataCategories: SharingCategory[]; answers?: string[] | undefined },
    pathway: { personId: string; definitionCode: string; title: string },
  ): Promise<ConsentRequestFor> => {
    const purpose = referral.kind === 'handover' ? 'continuity-of-care' : 'treatment';
    const partner = (await people.listOrganisations()).find((o) => o.id === share.partnerOrganisationId);
    const dataCategories = [
      ...new Set<SharingCategory>([
        ...requiredCategories(referral.serviceType, pathway.definitionCode),
        ...share.dataCategories,
        ...(share.answers?.length ? (['questionnaire-answers'] as const) : []),
      ]),
    ];
    return {
      personId: pathway.personId,
      pathwayId: referral.pathwayId,
      partnerOrganisationId: share.partnerOrganisationId,
      purpose,
      dataCategories,
      description: req.t(`pathways.referrals.consentDescription.${purpose}`, {
        service: req.t(`pathways.services.${referral.serviceType}`),
        pathway: pathway.title,
        partner: partner?.name ?? '',
      }),
    };
  };

  /** A moment as the pathway page words it (UK time, the reader's language). */
  const when = (req: Request, at: Date | string) => shortDateTime(new Date(at), req.locale === 'cy' ? 'cy' : 'en');

  /**
   * Each referral's journey as the page words it (issue 6 §5, issue 15 §3): its deliveries, then what
   * the service did. The page and the journey's JSON both show these lines, so they always say the same.
   * What the partner said (a failure's outcome, a rejection's reason) is for clinicians (CONF-1).
   */
  const journeyLines = (
    req: Request,
    clinical: boolean,
    r: { deliveries: OhReferrals[number]['deliveries']; progress: OhReferrals[number]['progress'] },
  ) => [
    ...r.deliveries.map((x) => ({
      progress: false,
      label: req.t(`pathways.referrals.deliveryKinds.${x.kind}`),
      status: req.t(`pathways.referrals.deliveryStatuses.${x.status}`),
      tag: x.status === 'sent' ? 'nhsuk-tag--green' : x.status === 'failed' ? 'nhsuk-tag--red' : 'nhsuk-tag--grey',
      detail: [
        `${when(req, x.sentAt ?? x.updatedAt)} (${req.t('pathways.referrals.attempts', { count: x.attempts })})`,
        clinical ? x.outcome : null,
      ]
        .filter(Boolean)
        .join(' – '),
    })),
    ...r.progress.map((p) => ({
      progress: true,
      label: req.t('pathways.referrals.atService'),
      status: req.t(`pathways.referrals.progressStatuses.${p.status}`),
      tag:
        p.status === 'rejected' || p.status === 'failed' || p.status === 'did-not-attend'
          ? 'nhsuk-tag--red'
          : p.status === 'completed'
            ? 'nhsuk-tag--green'
            : 'nhsuk-tag--blue',
      detail: [
        when(req, p.at),
        p.appointmentAt ? `${req.t('pathways.referrals.appointment')} ${when(req, p.appointmentAt)}` : null,
        // Where it is, with its time (issue 15 §8): not clinical detail, so for whoever sees the time.
        p.appointmentAt && p.appointmentPlace
          ? req.t('pathways.referrals.appointmentPlace', { place: p.appointmentPlace })
          : null,
        clinical ? p.reason : null,
      ]
        .filter(Boolean)
        .join(' – '),
    })),
  ];

  /**
   * The person's own referrals in plain words: waiting for their consent, on its way, sent, or stopped; then what
   * the service did (issue 6 §5); an appointment with its day and time in UK time, and where (issue 15 §8).
   */
  const ownReferralText = (req: Request, r: OwnReferrals[number]) => {
    const locale = req.locale === 'cy' ? 'cy' : 'en';
    const day = (at: Date | null) => (at ? longDate(londonDate(at)!, locale) : '');
    const { referral, sentAt, latest } = r;
    if (latest?.status === 'booked' && latest.appointmentAt)
      return req.t(`pathways.self.appointment.${latest.appointmentPlace ? 'whenPlace' : 'when'}`, {
        date: day(latest.appointmentAt),
        time: ukTime(latest.appointmentAt, locale),
        place: latest.appointmentPlace,
      });
    return latest
      ? req.t(
          `pathways.self.progress.${latest.status === 'booked' && !latest.appointmentAt ? 'booked-no-date' : latest.status}`,
          { date: day(latest.appointmentAt) },
        )
      : req.t(`pathways.self.referralStatuses.${referral.status}`, { date: day(sentAt) });
  };

  /** OH's referral lines: the status and partner, the categories shared, and the journey. */
  const ohReferralView = (
    req: Request,
    clinical: boolean,
    partnerName: Map<string, string>,
    r: OhReferrals[number],
  ) => {
    const partner = r.referral.partnerOrganisationId
      ? (partnerName.get(r.referral.partnerOrganisationId) ?? null)
      : null;
    return {
      id: r.referral.id,
      serviceName: req.t(`pathways.services.${r.referral.serviceType}`),
      kindName: req.t(`pathways.referrals.kinds.${r.referral.kind}`),
      statusName: req.t(`pathways.referrals.statuses.${r.referral.status}`),
      partnerText: partner ? req.t('pathways.referrals.sharedWith', { partner }) : '',
      categories: (r.referral.dataCategories ?? []).map((c) => enumLabel(req.t, 'dataCategory', c)).join(', '),
      createdOn: londonDate(r.referral.createdAt),
      lines: journeyLines(req, clinical, r),
    };
  };

  /** Who does a step, in words: the person it is assigned to, or the role's shared list. */
  const whoDoes = (
    req: Request,
    actor: Actor,
    step: Loaded['steps'][number] | undefined,
    performer: string,
    names: Map<string, string>,
  ) => {
    const assignee = step?.assignee ?? null;
    if (assignee && 'personId' in assignee && names.get(assignee.personId)) return names.get(assignee.personId)!;
    const role = req.t(`pathways.performers.${performer}`);
    if (assignee && 'userId' in assignee)
      return req.t(assignee.userId === actor.userId ? 'pathways.next.you' : 'pathways.next.assigned', { role });
    return req.t(`pathways.next.queues.${performer}`, { defaultValue: role });
  };

  /** Everything the pathway page shows the actor, by audience (CONF-1). */
  const pathwayLocals = async (req: Request, id: string): Promise<Record<string, unknown>> => {
    const ctx = requestContext(req);
    const page = await deps.services.pathwayPages.forReader(ctx, id);
    const { loaded, view } = page;
    const common = {
      pathwayId: view.id,
      personId: view.personId,
      status: view.status,
      statusName: req.t(`pathways.common.pathwayStatuses.${view.status}`),
      startedOn: londonDate(view.startedAt),
      closedOn: londonDate(view.closedAt),
      closed: view.status === 'closed',
      paused: view.status === 'paused',
      advice: adviceView(req, view.advice),
      journeySrc: `/pathways/${view.id}/journey.json`,
      journeyEvery: JOURNEY_POLL_MS,
    };
    if (page.reader === 'functional') {
      // Line managers and HR: that OH support is in place, and the advice. Nothing else.
      return { ...common, functional: true, personName: page.personName, title: req.t('pathways.support.title') };
    }
    if (page.reader === 'self') {
      return {
        ...common,
        self: true,
        definitionTitle: inLanguage(loaded.definition, req.locale).title,
        urgentHelp: loaded.definition.code === 'mental-health',
        title: inLanguage(loaded.definition, req.locale).title,
        steps: stepRows(req, ctx.actor, loaded, ownStepsIn(loaded.definition, page.view.steps, req.locale)),
        referrals: page.referrals.map((r) => ({
          id: r.referral.id,
          serviceName: req.t(`pathways.services.${r.referral.serviceType}`),
          statusText: ownReferralText(req, r),
          needsConsent: r.referral.status === 'awaiting-consent',
        })),
      };
    }
    const { clinical, mayShare, history, organisations } = page;
    const canManage = page.mayManage;
    const referrals = page.referrals.map((r) => r.referral);
    // Clinicians (only) see what each completed form recorded, and the scores worked out from it.
    const recorded = clinical ? recordedAnswers(loaded) : [];
    const scores = clinical ? scoreRows(req.t, loaded.pathway.facts) : [];
    const partnerName = new Map(organisations.map((o) => [o.id, o.name]));
    // Laboratory results the partners sent back: clinical detail, for clinicians only (CONF-1).
    const results = page.results
      .map(resultView)
      .map((r) => ({ ...r, partner: partnerName.get(r.partnerOrganisationId) ?? null }));
    // A blood-borne virus pathway is its exposure incident's: its record, and the steps it completes, are there.
    const bbvIncidentId = loaded.definition.code === 'bbv' ? await deps.services.bbv.incidentIdOf(ctx, view.id) : null;
    const bbvIncidentHref = bbvIncidentId ? `/bbv-incidents/${bbvIncidentId}` : null;
    const steps = stepRows(
      req,
      ctx.actor,
      loaded,
      page.view.steps,
      bbvIncidentHref && maySeeClinicalDetail(ctx.actor) ? bbvIncidentHref : null,
    );
    const assigned = loaded.steps.flatMap((s) => (s.assignee && 'personId' in s.assignee ? [s.assignee.personId] : []));
    const names = assigned.length ? await people.namesOf([...new Set(assigned)]) : new Map<string, string>();
    const base = `/pathways/${view.id}`;
    return {
      ...common,
      oh: true,
      title: page.view.definition.title,
      definition: page.view.definition,
      personName: page.personName,
      sourceName: req.t(`pathways.sources.${page.view.enrolmentSource}`),
      outcomeName: page.view.outcome ? req.t(`pathways.outcomes.${page.view.outcome}`) : null,
      // What happens next (issue 15 §3): the steps to do now, who does each and by when.
      next: steps
        .filter((s) => s.status === 'open' || s.status === 'held')
        .map((s) => ({
          ...s,
          who: whoDoes(
            req,
            ctx.actor,
            loaded.steps.find((x) => x.id === s.id),
            s.performer,
            names,
          ),
        })),
      steps,
      recorded,
      scores,
      history: history.map((e) => ({
        at: e.at.toISOString(),
        kindName: req.t(`pathways.events.${e.kind}`),
        stepTitle:
          typeof e.details?.step === 'string'
            ? (loaded.definition.steps.find((d) => d.id === e.details!.step)?.title ?? e.details.step)
            : null,
        who:
          e.actorRole === 'system'
            ? req.t('pathways.history.system')
            : e.actorRole
              ? req.t(`roles.${e.actorRole}`)
              : '',
        // An enrolment's "reason" is its source, already shown beside the start date.
        reason: e.kind === 'enrolled' ? null : e.reason,
      })),
      referrals: page.referrals.map((r) => ohReferralView(req, clinical, partnerName, r)),
      results,
      shareable: mayShare
        ? referrals
            .filter((r) => r.status === 'awaiting-consent')
            .map((r) => ({
              value: r.id,
              text: `${req.t(`pathways.services.${r.serviceType}`)} (${req.t(`pathways.referrals.kinds.${r.kind}`)})`,
            }))
        : [],
      partners: organisations.filter((o) => o.kind === 'nhs-partner').map((o) => ({ value: o.id, text: o.name })),
      shareCategories: enumItems(req.t, 'dataCategory', SHARING_CATEGORIES),
      // The answers a clinician may choose to send with a referral (issue 6 §2): none unless ticked.
      shareAnswers: mayShare
        ? recorded.flatMap((r) => r.answers.map((a) => ({ value: a.linkId, text: `${a.question}: ${a.answer}` })))
        : [],
      canManage,
      bbvIncidentHref,
      // Each change has its own page (issue 15 §3), listed here as the pathway's actions.
      actions: canManage
        ? [
            { href: `${base}/advice`, text: req.t('pathways.manage.adviceTitle') },
            ...(view.status === 'active' ? [{ href: `${base}/pause`, text: req.t('pathways.manage.pauseTitle') }] : []),
            ...(view.status === 'paused'
              ? [{ href: `${base}/resume`, text: req.t('pathways.manage.resumeTitle') }]
              : []),
            { href: `${base}/transfer`, text: req.t('pathways.manage.transferTitle') },
            { href: `${base}/close`, text: req.t('pathways.manage.closeTitle') },
          ]
        : [],
    };
  };

  /** The journey's JSON (issue 15 §3): each referral's status and lines, worded as the page words them. */
  const journeyJson = async (req: Request, id: string) => {
    const journey = await deps.services.pathwayPages.journeyFor(requestContext(req), id);
    if (journey.reader === 'functional') return { referrals: [] };
    if (journey.reader === 'self')
      return { referrals: journey.referrals.map((r) => ({ id: r.referral.id, statusText: ownReferralText(req, r) })) };
    const partnerName = new Map(journey.organisations.map((o) => [o.id, o.name]));
    return {
      referrals: journey.referrals.map((r) => {
        const v = ohReferralView(req, journey.clinical, partnerName, r);
        return { id: v.id, statusName: v.statusName, partnerText: v.partnerText, lines: v.lines };
      }),
    };
  };

  // The pathway's changes: each its own page (issue 15 §3), its fields named as they always were.
  const reason = z
    .string({ message: 'pathways.errors.reason' })
    .trim()
    .min(1, 'pathways.errors.reason')
    .max(2000, 'pathways.errors.tooLong');
  const optionalNote = z.string().trim().max(2000, 'pathways.errors.tooLong').optional();
  const changes: Array<{
    action: 'pause' | 'resume' | 'close' | 'transfer' | 'advice';
    /** The pathway's status the change is for; any open pathway when not given. */
    when?: 'active' | 'paused';
    fields: Record<string, string>;
    schema: z.ZodType;
    summary: string;
    run: (req: Request, id: string, data: never) => Promise<unknown>;
    /** The banner once it is done (issue 15 §4). */
    notice: (req: Request, data: never) => Notice;
  }> = [
    {
      action: 'pause',
      when: 'active',
      notice: () => ({ heading: 'notices.pathwayPaused', next: 'notices.pathwayPausedNext' }),
      summary: 'Pauses a pathway, with the reason: nothing falls due while it is paused.',
      fields: { pauseReason: 'reason' },
      schema: z.object({ reason }),
      run: (req, id, d: { reason: string }) => pathways.pause(requestContext(req), id, d.reason),
    },
    {
      action: 'resume',
      when: 'paused',
      notice: () => ({ heading: 'notices.pathwayResumed', next: 'notices.pathwayResumedNext' }),
      summary: 'Resumes a paused pathway: the remaining due dates move on by the length of the pause.',
      fields: { resumeReason: 'reason' },
      schema: z.object({ reason: optionalNote }),
      run: (req, id, d: { reason?: string }) => pathways.resume(requestContext(req), id, d.reason ?? null),
    },
    {
      action: 'close',
      notice: (req, d: { outcome: string }) => ({
        heading: 'notices.pathwayClosed',
        next: 'notices.pathwayClosedNext',
        values: { outcome: req.t(`pathways.outcomes.${d.outcome}`) },
      }),
      summary: 'Closes a pathway with an outcome; steps not done are cancelled.',
      fields: { closeOutcome: 'outcome', closeNote: 'note' },
      schema: z.object({
        outcome: z.enum(CLOSE_FORM_OUTCOMES, { message: 'pathways.errors.outcome' }),
        note: optionalNote,
      }),
      run: (req, id, d: { outcome: (typeof CLOSE_FORM_OUTCOMES)[number]; note?: string }) =>
        pathways.close(requestContext(req), id, d.outcome, d.note ?? null),
    },
    {
      action: 'transfer',
      notice: (req, d: { service: string }) => ({
        heading: 'notices.pathwayTransferred',
        next: 'notices.pathwayTransferredNext',
        values: { service: req.t(`pathways.services.${d.service}`) },
      }),
      summary:
        'Transfers a pathway to an NHS service: a handover referral awaiting consent to share; the pathway closes as transferred.',
      fields: {
        transferService: 'service',
        transferReason: 'reason',
        transferPriority: 'priority',
        transferVenue: 'venuePreference',
        transferConfidentiality: 'confidentialityPreference',
      },
      schema: z.object({
        service: z.enum(
          TRANSFER_SERVICES as [(typeof TRANSFER_SERVICES)[number], ...Array<(typeof TRANSFER_SERVICES)[number]>],
          { message: 'pathways.errors.service' },
        ),
        reason,
        priority: z.enum(['routine', 'urgent'], { message: 'pathways.errors.priority' }),
        // CONF-4: where the officer would (not) feel safe being seen, and how to reach them.
        venuePreference: z.string().trim().max(500, 'pathways.errors.tooLong').optional(),
        confidentialityPreference: z.string().trim().max(500, 'pathways.errors.tooLong').optional(),
      }),
      run: (
        req,
        id,
        d: {
          service: (typeof TRANSFER_SERVICES)[number];
          reason: string;
          priority: 'routine' | 'urgent';
          venuePreference?: string;
          confidentialityPreference?: string;
        },
      ) => pathways.transfer(requestContext(req), id, d),
    },
    {
      action: 'advice',
      notice: () => ({ heading: 'notices.adviceSaved', next: 'notices.adviceSavedNext' }),
      summary: 'Records the functional advice line managers and HR see (CONF-1).',
      fields: { fitness: 'fitness', expectedDuration: 'expectedDuration', adjustments: 'adjustments' },
      schema: z.object({
        fitness: z.enum(FITNESS, { message: 'pathways.errors.fitness' }),
        expectedDuration: z.string().trim().max(200, 'pathways.errors.tooLong').optional(),
        adjustments: optionalNote,
      }),
      run: (req, id, d: { fitness: (typeof FITNESS)[number]; expectedDuration?: string; adjustments?: string }) =>
        pathways.recordAdvice(requestContext(req), id, {
          fitness: d.fitness,
          expectedDuration: d.expectedDuration ?? null,
          adjustments: d.adjustments ?? null,
        }),
    },
  ];

  type Change = (typeof changes)[number];

  /** A change's own page (issue 15 §3): the pathway it is about, and the form's choices. */
  const actionLocals = async (req: Request, id: string, change: Change) => {
    const loaded = await pathways.get(requestContext(req), id);
    const status = loaded.pathway.status;
    const title = req.t(`pathways.manage.${change.action}Title`);
    return {
      title,
      heading: title,
      caption: `${await personName(loaded.pathway.personId)}: ${loaded.definition.title}`,
      pathwayId: id,
      action: `/pathways/${id}/${change.action}`,
      // Nothing changes a closed pathway; pausing is for an active one and resuming for a paused one.
      available: status !== 'closed' && (!change.when || change.when === status),
      unavailableText: req.t(status === 'closed' ? 'pathways.step.closed' : `pathways.manage.notNow.${change.action}`),
      outcomes: CLOSE_FORM_OUTCOMES.map((o) => ({ value: o, text: req.t(`pathways.outcomes.${o}`) })),
      services: TRANSFER_SERVICES.map((s) => ({ value: s, text: req.t(`pathways.services.${s}`) })),
      priorities: ['routine', 'urgent'].map((p) => ({ value: p, text: req.t(`pathways.manage.priorities.${p}`) })),
      fitnessItems: FITNESS.map((f) => ({ value: f, text: req.t(`pathways.advice.fitness.${f}`) })),
      advice: loaded.pathway.fitness
        ? {
            fitness: loaded.pathway.fitness,
            expectedDuration: loaded.pathway.expectedDuration,
            adjustments: loaded.pathway.adjustments,
          }
        : null,
    };
  };

  /** What an action's form starts with: the advice given so far; a routine transfer. */
  const actionDefaults = (locals: Awaited<ReturnType<typeof actionLocals>>) => ({
    transferPriority: 'routine',
    fitness: locals.advice?.fitness,
    expectedDuration: locals.advice?.expectedDuration ?? '',
    adjustments: locals.advice?.adjustments ?? '',
  });

  /** The step, its definition and its form, if the actor may work it; else not found. */
  const stepOf = async (req: Request, id: string, stepKey: string) => {
    const ctx = requestContext(req);
    const loaded = await pathways.get(ctx, id);
    const step = loaded.steps.find((s) => s.id === stepKey || s.stepCode === stepKey);
    const def = step && inLanguage(loaded.definition, req.locale).steps.find((d) => d.id === step.stepCode);
    if (!step || !def || !mayWorkStep(ctx.actor, step, def.performer)) throw new NotFoundError('step');
    return {
      ctx,
      loaded,
      step,
      def,
      form: formInLanguage(pathways.formOf(loaded.definition, step.stepCode), req.locale),
    };
  };

  const itemView = (req: Request, item: FormItem) => {
    const label =
      item.required || item.type === 'display' ? item.text : `${item.text} ${req.t('pathways.step.optionalSuffix')}`;
    const base = { linkId: item.linkId, label, text: item.text };
    switch (item.type) {
      case 'choice':
        return { ...base, radioItems: item.options.map((o) => ({ value: o.code, text: o.display })) };
      case 'boolean':
        return {
          ...base,
          radioItems: [
            { value: 'yes', text: req.t('pathways.step.yes') },
            { value: 'no', text: req.t('pathways.step.no') },
          ],
          inline: true,
        };
      case 'integer':
        return { ...base, isInput: true, inputmode: 'numeric', width: '4' };
      // NHS.UK date input (issue 15 §6): day, month and year, and the time for a moment; joined before this reads them.
      case 'date':
        return { ...base, isDate: true };
      case 'dateTime':
        return { ...base, isDate: true, time: true };
      case 'text':
        return { ...base, isText: true };
      case 'display':
        return { ...base, isDisplay: true };
      default:
        return { ...base, isInput: true };
    }
  };

  /** A step's name as its reader knows it: the person's own words for it, OH's title. */
  const stepLocalsHeading = ({ ctx, loaded, def }: Awaited<ReturnType<typeof stepOf>>) =>
    audienceOf(ctx.actor, loaded.pathway) === 'self' ? def.staffText : def.title;

  const stepLocals = async (req: Request, found: Awaited<ReturnType<typeof stepOf>>) => {
    const { ctx, loaded, step, def, form } = found;
    const audience = audienceOf(ctx.actor, loaded.pathway);
    const oh = audience === 'clinical' || audience === 'administrative';
    const heading = audience === 'self' ? def.staffText : def.title;
    return {
      title: heading,
      heading,
      description: oh ? def.description : null,
      caption: oh
        ? `${await personName(loaded.pathway.personId)}: ${loaded.definition.title}`
        : audience === 'functional'
          ? await personName(loaded.pathway.personId)
          : null,
      action: `/pathways/${loaded.pathway.id}/steps/${step.stepCode}`,
      backHref: audience === 'functional' ? '/worklist' : `/pathways/${loaded.pathway.id}`,
      backText: req.t(audience === 'functional' ? 'pathways.step.backToWorklist' : 'pathways.step.backToPathway'),
      isOpen: step.status === 'open' && loaded.pathway.status === 'active',
      notOpenText: req.t(
        loaded.pathway.status === 'paused'
          ? 'pathways.step.paused'
          : loaded.pathway.status === 'closed'
            ? 'pathways.step.closed'
            : step.status === 'completed' || step.status === 'skipped'
              ? 'pathways.step.done'
              : 'pathways.step.notOpen',
      ),
      ...windowOf(step.dueFrom?.toISOString() ?? null, step.dueBy?.toISOString() ?? null, hourly(def)),
      // The instrument's name is for OH; the person and managers see the step in their own words.
      formTitle: oh ? (form?.title ?? null) : null,
      items: form ? form.items.map((i) => itemView(req, i)) : [],
      hasForm: form !== null,
      englishOnly: req.locale === 'cy' && form?.englishOnly === true,
      // Every mental-health page the person reads says where urgent help is (issue 15 §8).
      urgentHelp: audience === 'self' && loaded.definition.code === 'mental-health',
      showNote: !form?.items.some((i) => i.linkId === 'note'),
    };
  };

  /** The message beside a question the service refused, in the page's language, from what was posted (not from the message text). */
  const answerError = (item: FormItem, raw: unknown): FieldProblem => {
    const blank = typeof raw !== 'string' || raw.trim() === '';
    if (blank || item.type === 'choice' || item.type === 'boolean') return unanswered(item);
    const byType: Partial<Record<FormItem['type'], string>> = {
      integer: 'pathways.step.errors.integer',
      date: 'pathways.step.errors.date',
      dateTime: 'pathways.step.errors.dateTime',
    };
    return byType[item.type] ?? 'pathways.step.errors.tooLong';
  };

  const definitionsLocals = async (req: Request) => {
    const ctx = requestContext(req);
    const records = await pathways.definitions();
    return {
      title: req.t('pathways.definitions.title'),
      definitions: records.map((d) => ({
        code: d.code,
        version: d.version,
        title: d.title,
        publishedAt: d.publishedAt.toISOString(),
        href: `/admin/pathway-definitions/${d.code}/export?version=${d.version}`,
      })),
      canPublish: roleMayUse(policies.pathwayDefinitionsPublish, ctx.actor.role),
    };
  };

  const enrolLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const person = people.viewFor(ctx, await people.getPerson(ctx, personId, 'pathway'));
    const list = await pathways.forPerson(ctx, personId);
    const published = new Map((await pathways.definitions()).map((d) => [d.code, d.title]));
    return {
      title: req.t('pathways.list.title'),
      person,
      isSelf: ctx.actor.personId === personId,
      pathways: list.map((l) => {
        const view = pathwayJson(ctx.actor, l);
        return {
          id: view.id,
          functional: 'kind' in view,
          title: 'kind' in view ? null : view.definition.title,
          statusName: req.t(`pathways.common.pathwayStatuses.${view.status}`),
          closed: view.status === 'closed',
          startedOn: londonDate(view.startedAt),
          closedOn: londonDate(view.closedAt),
        };
      }),
      canEnrol: roleMayUse(policies.pathwaysEnrol, ctx.actor.role),
      canRecordBbv: maySeeClinicalDetail(ctx.actor) && ctx.actor.personId !== personId,
      canRefer: roleMayUse(policies.referralsManagement, ctx.actor.role) && ctx.actor.personId !== personId,
      definitionItems: ENROLLABLE.filter((c) => published.has(c)).map((c) => ({ value: c, text: published.get(c)! })),
    };
  };

  const enrolForm = z.object({
    definition: z.enum(ENROLLABLE, { message: 'pathways.errors.definition' }),
    startedAt: z.string({ message: 'pathways.errors.startDate' }).refine(isIsoDate, 'pathways.errors.startDate'),
    incidentAt: optionalDateTime('pathways.errors.dateTime'),
    injuryAt: optionalDateTime('pathways.errors.dateTime'),
  });

  return [
    {
      method: 'get',
      path: '/people/:id/pathways',
      kind: 'page',
      policy: policies.pathwaysRead,
      summary: 'A person’s pathways as the role may see them (CONF-1); for OH clinicians, the form to start one.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'pathways/list', {
          ...(await enrolLocals(req, id)),
          values: { startedAt: deps.clock.today() },
        });
      },
    },
    {
      method: 'post',
      path: '/people/:id/pathways',
      kind: 'page',
      policy: policies.pathwaysEnrol,
      summary:
        'Starts a pathway for the person (an OH clinician): the pathway, its start date and the dates its timings count from.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const input = {
          definition: formText(body, 'definition'),
          startedAt: formText(body, 'startedAt'),
          incidentAt: formText(body, 'incidentAt'),
          injuryAt: formText(body, 'injuryAt'),
        };
        await submitForm(
          req,
          res,
          {
            view: 'pathways/list',
            schema: enrolForm,
            input,
            values: body,
            fields: ['definition', 'startedAt', 'incidentAt', 'injuryAt'],
            fallbackField: 'definition',
            locals: () => enrolLocals(req, id),
          },
          async (data) => {
            const now = deps.clock.now();
            // Started today: from now, so windows counted in hours run from the moment of enrolment.
            const startedAt = data.startedAt === londonDay(now) ? now : startOfLondonDay(data.startedAt);
            const facts: Record<string, string> = {};
            if (data.incidentAt) facts.incidentAt = data.incidentAt;
            if (data.injuryAt) facts.injuryAt = data.injuryAt;
            const loaded = await pathways.enrol(requestContext(req), {
              personId: id,
              definition: data.definition,
              startedAt,
              facts,
              source: 'clinician',
            });
            notify(req, {
              heading: 'notices.pathwayStarted',
              next: 'notices.pathwayStartedNext',
              values: { title: loaded.definition.title },
            });
            res.redirect(303, `/pathways/${loaded.pathway.id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/pathways/:id',
      kind: 'page',
      policy: policies.pathwaysRead,
      summary:
        'A pathway as the role may see it: OH its steps, advice and history (clinicians its forms); the person their steps in plain English; managers and HR only that OH support is in place and the functional advice (CONF-1).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        renderPage(req, res, 'pathways/show', { ...(await pathwayLocals(req, id)), values: {} });
      },
    },
    {
      method: 'get',
      path: '/pathways/:id/journey.json',
      kind: 'page',
      policy: policies.pathwaysRead,
      summary:
        'Where the pathway’s referrals have got to, worded as its page words them, for the page to refresh without a reload; read and audited as the page is.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        res.set('Cache-Control', 'no-store').json(await journeyJson(req, id));
      },
    },
    {
      method: 'post',
      path: '/pathways/:id/referrals/share',
      kind: 'page',
      policy: policies.pathwayReferralsShare,
      summary:
        'Shares one of the pathway’s referrals to an NHS service with a partner under the person’s consent; the gate decides and its reason shows beside the form (§5c).',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const list = (name: string) => (body[name] === undefined ? [] : [body[name]].flat());
        const input = {
          referralId: formText(body, 'shareReferral'),
          partnerOrganisationId: formText(body, 'sharePartner'),
          dataCategories: list('shareCategories'),
          answers: list('shareAnswers'),
          venuePreference: formText(body, 'shareVenue'),
          confidentialityPreference: formText(body, 'shareConfidentiality'),
        };
        const schema = shareReferralSchema.extend({ referralId: z.uuid({ message: 'Choose the referral to share' }) });
        const shareValues = { ...body, shareCategories: list('shareCategories'), shareAnswers: list('shareAnswers') };
        const rename = {
          referralId: 'shareReferral',
          partnerOrganisationId: 'sharePartner',
          dataCategories: 'shareCategories',
          answers: 'shareAnswers',
          venuePreference: 'shareVenue',
          confidentialityPreference: 'shareConfidentiality',
        };
        await submitForm(
          req,
          res,
          {
            view: 'pathways/show',
            schema,
            input,
            values: shareValues,
            fields: Object.values(rename),
            fallbackField: 'sharePartner',
            rename,
            locals: () => pathwayLocals(req, id),
          },
          async ({ referralId, ...share }) => {
            const referral = (await deps.services.pathwayReferrals.forPathway(requestContext(req), id)).find(
              (r) => r.id === referralId,
            );
            if (!referral) throw new NotFoundError('referral');
            let shared;
            try {
              shared = await deps.services.pathwayReferrals.share(requestContext(req), referralId, share);
            } catch (error) {
              if (!isAppError(error) || !isGateReason(error.code)) throw error;
              // The gate said no (§5c): its reason in plain words and, when what is missing is the person's
              // consent, the link to ask them for it, pre-filled with what this share needed.
              const locals = await pathwayLocals(req, id);
              return renderFormErrors(
                req,
                res,
                'pathways/show',
                shareValues,
                { sharePartner: `pathways.referrals.refusals.${error.code}` },
                {
                  ...locals,
                  consentLink: ASK_FOR_CONSENT.has(error.code)
                    ? consentRequestHref(
                        await consentNeeded(req, referral, share, {
                          personId: String(locals.personId),
                          definitionCode: (locals.definition as { code: string }).code,
                          title: String(locals.title),
                        }),
                      )
                    : null,
                },
              );
            }
            const partner = (await people.listOrganisations()).find((o) => o.id === shared.partnerOrganisationId);
            notify(req, {
              heading: 'notices.referralShared',
              next: 'notices.referralSharedNext',
              values: {
                service: req.t(`pathways.services.${shared.serviceType}`),
                partner: partner?.name ?? '',
              },
            });
            res.redirect(303, `/pathways/${id}`);
          },
        );
      },
    },
    ...changes.map((c): RouteDefinition => ({
      method: 'get',
      path: `/pathways/:id/${c.action}`,
      kind: 'page',
      policy: policies.pathwaysManage,
      summary: `The form on its own page: ${c.summary}`,
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        const locals = await actionLocals(req, id, c);
        renderPage(req, res, `pathways/${c.action}`, { ...locals, values: actionDefaults(locals) });
      },
    })),
    ...changes.map((c): RouteDefinition => ({
      method: 'post',
      path: `/pathways/:id/${c.action}`,
      kind: 'page',
      policy: policies.pathwaysManage,
      summary: c.summary,
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const body = req.body as Record<string, unknown>;
        const input = Object.fromEntries(
          Object.entries(c.fields).map(([formField, field]) => [field, formText(body, formField)]),
        );
        const rename = Object.fromEntries(Object.entries(c.fields).map(([formField, field]) => [field, formField]));
        await submitForm(
          req,
          res,
          {
            view: `pathways/${c.action}`,
            schema: c.schema,
            input,
            values: body,
            fields: Object.keys(c.fields),
            fallbackField: Object.keys(c.fields)[0]!,
            rename,
            locals: () => actionLocals(req, id, c),
          },
          async (data) => {
            await c.run(req, id, data as never);
            notify(req, c.notice(req, data as never));
            res.redirect(303, `/pathways/${id}`);
          },
        );
      },
    })),
    {
      method: 'get',
      path: '/pathways/:id/steps/:stepId',
      kind: 'page',
      policy: policies.pathwaysWork,
      summary: 'The form for a pathway step on your list: its questions (or a note of what was done).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id, stepId } = parseInput(stepParams, req.params);
        renderPage(req, res, 'pathways/step', {
          ...(await stepLocals(req, await stepOf(req, id, stepId))),
          values: {},
        });
      },
    },
    {
      method: 'post',
      path: '/pathways/:id/steps/:stepId',
      kind: 'page',
      policy: policies.pathwaysWork,
      summary:
        'Completes a pathway step with its answers (each question by its link id) or a note; the pathway moves on to the next steps.',
      handler: async (req, res) => {
        const { id, stepId } = parseInput(stepParams, req.params);
        const body = req.body as Record<string, unknown>;
        const found = await stepOf(req, id, stepId);
        const questions = (found.form?.items ?? []).filter((i) => i.type !== 'display');
        const answers: Record<string, unknown> = {};
        for (const item of questions) {
          const raw = body[item.linkId];
          if (raw === undefined || raw === '') continue;
          answers[item.linkId] =
            item.type === 'dateTime' && typeof raw === 'string' ? (localDateTimeToIso(raw) ?? raw) : raw;
        }
        const note = formText(body, 'note') ?? null;
        const fallback = questions[0]?.linkId ?? 'note';
        const fields = [...questions.map((i) => i.linkId), 'note'];
        const schema = z.object({ note: z.string().max(4000, 'pathways.step.errors.tooLong').nullable() });
        await submitForm(
          req,
          res,
          {
            view: 'pathways/step',
            schema,
            input: { note },
            values: body,
            fields,
            fallbackField: fallback,
            locals: () => stepLocals(req, found),
          },
          async () => {
            try {
              await pathways.completeStep(found.ctx, id, found.step.stepCode, {
                answers: found.form ? answers : undefined,
                note,
              });
            } catch (error) {
              // The questions' errors in the page's language, worked out from what was posted.
              if (isAppError(error) && error.messages) {
                const translated: FieldMessages = {};
                for (const [field, message] of Object.entries(error.messages)) {
                  const item = questions.find((i) => i.linkId === field);
                  translated[field] = item
                    ? answerError(item, body[field])
                    : field === 'note'
                      ? 'pathways.step.errors.note'
                      : message;
                }
                return renderFormErrors(req, res, 'pathways/step', body, translated, await stepLocals(req, found));
              }
              throw error;
            }
            notify(req, {
              heading: 'notices.stepSaved',
              next: found.loaded.pathway.status === 'active' ? 'notices.stepSavedNext' : undefined,
              values: { step: stepLocalsHeading(found) },
            });
            res.redirect(303, `/pathways/${id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/admin/pathway-definitions',
      kind: 'page',
      policy: policies.pathwayDefinitionsRead,
      summary:
        'Every published version of every pathway definition, each downloadable as a FHIR PlanDefinition; for the clinical lead, the form to publish a new version.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const published = z
          .object({ published: z.enum(ENROLLABLE), version: z.coerce.number().int().min(1).max(999_999) })
          .safeParse(req.query);
        renderPage(req, res, 'pathways/definitions', {
          ...(await definitionsLocals(req)),
          values: {},
          published: published.success ? published.data : null,
        });
      },
    },
    {
      method: 'get',
      path: '/admin/pathway-definitions/:code/export',
      kind: 'page',
      policy: policies.pathwayDefinitionsRead,
      summary:
        'Downloads one version of a pathway definition (the latest, or ?version=) as a FHIR R4 PlanDefinition file.',
      handler: async (req, res) => {
        const { code } = parseInput(definitionParam, req.params);
        const { version } = parseInput(definitionQuery, req.query);
        const resource = await pathways.exportDefinition(code, version);
        const v =
          typeof resource.version === 'string' ? resource.version.replace(/[^0-9]/g, '') : String(version ?? '');
        res
          .attachment(`${code}-v${v}.json`)
          .type('application/fhir+json')
          .send(JSON.stringify(resource, null, 2));
      },
    },
    {
      method: 'post',
      path: '/admin/pathway-definitions',
      kind: 'page',
      policy: policies.pathwayDefinitionsPublish,
      summary:
        'Publishes the next version of a pathway definition from an uploaded PlanDefinition; every problem is listed.',
      handler: async (req, res) => {
        const body = req.body as Record<string, unknown>;
        const text = formText(body, 'definition');
        const refuse = async (problems: Array<{ field: string; message: string }>) => {
          const errorList = problems.map((p) => ({
            field: 'definition',
            message: p.field ? `${p.field}: ${req.t(p.message)}` : req.t(p.message),
            href: '#definition',
          }));
          const summary =
            problems.length === 1
              ? errorList[0]!.message
              : req.t('pathways.definitions.errors.problems', { count: problems.length });
          renderPage(
            req,
            res,
            'pathways/definitions',
            {
              ...(await definitionsLocals(req)),
              values: body,
              errors: { definition: summary },
              errorList,
              problems: errorList,
            },
            422,
          );
        };
        if (!text) return refuse([{ field: '', message: 'pathways.definitions.errors.empty' }]);
        let resource: unknown;
        try {
          resource = JSON.parse(text);
        } catch {
          return refuse([{ field: '', message: 'pathways.definitions.errors.json' }]);
        }
        if (
          !resource ||
          typeof resource !== 'object' ||
          Array.isArray(resource) ||
          (resource as { resourceType?: unknown }).resourceType !== 'PlanDefinition'
        ) {
          return refuse([{ field: '', message: 'pathways.definitions.errors.notPlanDefinition' }]);
        }
        try {
          const record = await pathways.publish(requestContext(req), resource);
          res.redirect(
            303,
            `/admin/pathway-definitions?published=${encodeURIComponent(record.code)}&version=${record.version}`,
          );
        } catch (error) {
          if (isAppError(error) && error.fields)
            return refuse(Object.entries(error.fields).map(([field, message]) => ({ field, message })));
          if (isAppError(error) && error.status === 409) return refuse([{ field: '', message: error.publicMessage }]);
          throw error;
        }
      },
    },
  ];
}
