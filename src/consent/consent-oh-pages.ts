import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../web/app-dependencies.js';
import { mayRecordForPerson, maySeeClinicalDetail, policies, type RoutePolicy } from '../auth/access-policy.js';
import type { Actor } from '../auth/actor.js';
import { enumItems, enumLabel } from '../i18n/enum-labels.js';
import type { Translate } from '../i18n/i18n.js';
import { isIsoDate, londonDay, longDate } from '../shared/dates.js';
import { isAppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { fromForm, type FormFieldKind } from '../web/forms.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { notify, type Notice } from '../web/notice.js';
import { renderFormErrors, renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import {
  applicationSchema,
  consentRequestSchema,
  correctionAnswerSchema,
  decisionSchema,
  reportSchema,
} from './consent-schemas.js';
import type { ConsentRecord, LetterInput } from './consent-service.js';
import {
  CLINICAL_ON_BEHALF_ACTIONS,
  CONSENT_KINDS,
  EMPLOYER_RECIPIENTS,
  SHARING_CATEGORIES,
  SHARING_PURPOSES,
  type Consent,
  type ConsentKind,
  type OnBehalfAction,
} from './consent-types.js';

const idParam = z.object({ id: z.uuid() });
const personParam = z.object({ personId: z.uuid() });
const correctionParam = z.object({ id: z.uuid(), number: z.coerce.number().int().min(1).max(1000) });

const REQUEST_FIELDS: Record<string, FormFieldKind> = {
  recipientRole: 'text',
  description: 'text',
  doctorName: 'text',
  doctorPractice: 'text',
  partnerOrganisationId: 'text',
  purpose: 'text',
  dataCategories: 'list',
  periodStart: 'text',
  periodEnd: 'text',
  noticeBy: 'text',
};

/** The fields each kind of request asks for, and nothing else (issue 15 §5). */
const KIND_FIELDS: Record<ConsentKind, string[]> = {
  'amra-report': ['description', 'recipientRole', 'doctorName', 'doctorPractice', 'noticeBy'],
  'oh-report-release': ['description', 'recipientRole', 'noticeBy'],
  'nhs-sharing': [
    'partnerOrganisationId',
    'purpose',
    'dataCategories',
    'periodStart',
    'periodEnd',
    'description',
    'noticeBy',
  ],
};

/** The kind named in the address; any other is a page that does not exist. */
function kindOf(raw: unknown): ConsentKind {
  if (typeof raw === 'string' && (CONSENT_KINDS as readonly string[]).includes(raw)) return raw as ConsentKind;
  throw new NotFoundError('kind of consent');
}

/** A page to come back to: a path on this site only (never another site, never `//host`). */
export function safeReturnTo(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 300) return null;
  return /^\/(?![/\\])[A-Za-z0-9\-._~/]*$/.test(raw) ? raw : null;
}

/** The way back on a consent's page: the link, and whether it is a pathway's. */
const returnLocals = (returnTo: string | null) => ({
  returnTo,
  returnToPathway: returnTo?.startsWith('/pathways/') ?? false,
});

const firstText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

/**
 * The sharing request pre-filled from its address (issue 15 §3: a share refused for want of
 * consent links here): `partnerOrganisationId`, `purpose`, `dataCategories` (repeated),
 * `description` and `returnTo`. A value that is not one the form offers is left out, never an error.
 */
export function sharingPrefill(query: unknown, partnerIds: ReadonlySet<string>): Record<string, unknown> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const partner = firstText(q.partnerOrganisationId);
  if (partner && partnerIds.has(partner)) out.partnerOrganisationId = partner;
  const purpose = firstText(q.purpose);
  if (purpose && (SHARING_PURPOSES as readonly string[]).includes(purpose)) out.purpose = purpose;
  const categories = [q.dataCategories]
    .flat()
    .filter((c): c is string => typeof c === 'string' && (SHARING_CATEGORIES as readonly string[]).includes(c));
  if (categories.length) out.dataCategories = [...new Set(categories)];
  const description = firstText(q.description)?.trim();
  if (description && description.length <= 500) out.description = description;
  const returnTo = safeReturnTo(firstText(q.returnTo));
  if (returnTo) out.returnTo = returnTo;
  return out;
}

/** What a letter from the person may say, as the form offers it: a supply decision is two choices. */
const LETTER_CHOICES = [
  'access-request',
  'seen-report',
  'supply-agree',
  'supply-refuse',
  'correction',
  'statement',
] as const;
type LetterChoice = (typeof LETTER_CHOICES)[number];
const actionOf = (choice: LetterChoice): OnBehalfAction =>
  choice.startsWith('supply-') ? 'supply-decision' : (choice as OnBehalfAction);

/** The letter form, in the page's words (translation keys, English and Welsh). */
const letterForm = z.object({
  letterAction: z.enum(LETTER_CHOICES, { message: 'consents.onBehalf.errors.action' }),
  letterReceivedOn: z
    .string({ message: 'consents.onBehalf.errors.receivedOn' })
    .trim()
    .refine(isIsoDate, 'consents.onBehalf.errors.receivedOn'),
  letterReference: z
    .string({ message: 'consents.onBehalf.errors.reference' })
    .trim()
    .min(1, 'consents.onBehalf.errors.reference')
    .max(200, 'consents.errors.tooLong'),
  letterText: z
    .string({ message: 'consents.onBehalf.errors.text' })
    .trim()
    .max(4000, 'consents.errors.tooLong')
    .optional(),
});

/** Where a refusal of a letter shows on the form: its date, or what it says. */
const LETTER_REFUSAL_FIELDS: Record<string, string> = {
  'letter-date-in-future': 'letterReceivedOn',
  'letter-before-step': 'letterReceivedOn',
  receivedOn: 'letterReceivedOn',
  documentReference: 'letterReference',
  text: 'letterText',
};
/** The refusals a letter can meet, each with its words in English and Welsh. */
const LETTER_REFUSALS = new Set([
  'letter-date-in-future',
  'letter-before-step',
  'report-not-received',
  'report-not-seen',
  'correction-open',
  'consent-not-given',
  'consent-refused',
  'consent-withdrawn',
  'report-supplied',
  'report-withheld',
  'no-declined-correction',
  'statement-already-attached',
  'report-no-longer-held',
  'clinical-content',
  'consent-changed',
]);

/** A refusal of a letter, beside the field it is about, in the page's language (the rule's words otherwise). */
function letterFormError(error: unknown): unknown {
  if (!isAppError(error)) return error;
  const field = LETTER_REFUSAL_FIELDS[error.code] ?? LETTER_REFUSAL_FIELDS[Object.keys(error.fields ?? {})[0] ?? ''];
  const message = LETTER_REFUSALS.has(error.code)
    ? `consents.onBehalf.refusals.${error.code}`
    : (Object.values(error.messages ?? {})[0] ?? error.publicMessage);
  return new ValidationError({ [field ?? 'letterAction']: message }, error.publicMessage, error.code);
}

/** What a letter may say about this consent now, and that this actor may record (CONF-1: the words of a correction or statement are clinical). */
function letterChoices(c: Consent, actor: Actor, today: string): LetterChoice[] {
  if (c.kind === 'nhs-sharing') return [];
  const open = c.status === 'report-received';
  const kept = c.report !== null && c.retainUntil !== null && today <= c.retainUntil;
  const offered: Record<LetterChoice, boolean> = {
    'access-request': ['given', 'applied', 'report-received'].includes(c.status) || kept,
    'seen-report': open && !c.seenAt,
    'supply-agree': open && c.seenAt !== null,
    'supply-refuse': open && c.seenAt !== null,
    correction: open && c.seenAt !== null,
    statement:
      open && !c.statement && (c.kind !== 'amra-report' || c.corrections.some((r) => r.response === 'declined')),
  };
  return LETTER_CHOICES.filter(
    (choice) => offered[choice] && mayRecordForPerson(actor, CLINICAL_ON_BEHALF_ACTIONS.has(actionOf(choice))),
  );
}

/** A kind's request form as the API schema's shape (the kind is the page's, never the form's). */
function requestInput(kind: ConsentKind, body: Record<string, unknown>): Record<string, unknown> {
  const v = fromForm(body, REQUEST_FIELDS);
  const common = { kind, description: v.description, noticeBy: v.noticeBy ?? undefined };
  if (kind === 'nhs-sharing')
    return {
      ...common,
      partnerOrganisationId: v.partnerOrganisationId ?? undefined,
      purpose: v.purpose ?? undefined,
      dataCategories: v.dataCategories,
      periodStart: v.periodStart ?? undefined,
      periodEnd: v.periodEnd,
    };
  if (kind === 'amra-report')
    return {
      ...common,
      recipientRole: v.recipientRole ?? undefined,
      doctor: { name: v.doctorName, practice: v.doctorPractice },
    };
  return { ...common, recipientRole: v.recipientRole ?? undefined };
}

/**
 * OH's consent pages (issue 5): a person's consents and the request form (the notice is
 * emailed or printed, AMRA-1); one consent with what OH can do next: record a decision made on
 * paper (or verbally, never for AMRA), the application (AMRA-3), the report (clinicians, AMRA-7),
 * answers to corrections, a letter from the person (issue 14 §4), and release once the rules
 * allow (AMRA-4, §5b).
 */
export function consentOhPages(deps: AppDependencies): RouteDefinition[] {
  const { consent, people } = deps.services;
  const today = () => londonDay(deps.clock.now());

  const row = (t: Translate, r: ConsentRecord) => {
    const c = r.consent;
    return {
      id: c.id,
      kind: c.kind,
      description: c.description,
      recipient: c.recipient.type === 'employer' ? enumLabel(t, 'role', c.recipient.role) : c.recipient.name,
      status: c.status,
      earliestReleaseDate: r.earliestReleaseDate,
      mayRelease: c.status === 'report-received' && r.earliestReleaseDate !== null && r.earliestReleaseDate <= today(),
    };
  };

  const listLocals = async (req: Request, personId: string) => {
    const ctx = requestContext(req);
    const person = await people.getPerson(ctx, personId, 'consent');
    return {
      title: req.t('consents.oh.title'),
      person: people.viewFor(ctx, person),
      consents: (await consent.forPerson(ctx, personId)).map((r) => row(req.t, r)),
      askLinks: CONSENT_KINDS.map((kind) => ({
        kind,
        href: `/people/${personId}/consents/new/${kind}`,
        text: req.t(`consents.oh.ask.${kind}`),
      })),
    };
  };

  const partnerList = async () => (await people.listOrganisations()).filter((o) => o.kind === 'nhs-partner');

  /** One kind's request form: only what that kind asks. */
  const requestLocals = async (req: Request, personId: string, kind: ConsentKind) => {
    const ctx = requestContext(req);
    const person = await people.getPerson(ctx, personId, 'consent');
    const partners = kind === 'nhs-sharing' ? await partnerList() : [];
    return {
      title: req.t(`consents.oh.request.titles.${kind}`),
      person: people.viewFor(ctx, person),
      kind,
      recipients: enumItems(req.t, 'role', EMPLOYER_RECIPIENTS),
      partners: partners.map((o) => ({ value: o.id, text: o.odsCode ? `${o.name} (${o.odsCode})` : o.name })),
      purposes: enumItems(req.t, 'sharingPurpose'),
      categories: enumItems(req.t, 'dataCategory', SHARING_CATEGORIES),
      noticeItems: [
        { value: 'email', text: req.t('consents.oh.request.noticeEmail') },
        { value: 'letter', text: req.t('consents.oh.request.noticeLetter') },
      ],
    };
  };

  /** Makes the request from a kind's form: the notice goes, the banner says so, and the consent's page opens. */
  const submitRequest = async (req: Request, res: Response, personId: string, kind: ConsentKind) => {
    const values = req.body as Record<string, unknown>;
    const returnTo = safeReturnTo(values.returnTo);
    await submitForm(
      req,
      res,
      {
        view: `consent/request-${kind}`,
        schema: consentRequestSchema,
        input: requestInput(kind, values),
        values: { ...values, returnTo },
        locals: () => requestLocals(req, personId, kind),
        fields: KIND_FIELDS[kind],
        fallbackField: KIND_FIELDS[kind][0]!,
        rename: { 'doctor.name': 'doctorName', 'doctor.practice': 'doctorPractice', doctor: 'doctorName' },
      },
      async (data) => {
        const input =
          data.kind === 'nhs-sharing'
            ? { ...data, periodEnd: data.periodEnd ?? null }
            : data.kind === 'amra-report'
              ? { ...data, doctor: { name: data.doctor.name, practice: data.doctor.practice ?? null } }
              : data;
        const made = await consent.request(requestContext(req), personId, input);
        notify(req, {
          heading: 'notices.consent.requested',
          next:
            data.noticeBy === 'email' ? 'notices.consent.requestedNextEmail' : 'notices.consent.requestedNextLetter',
        });
        const back = returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : '';
        res.redirect(303, `/consents/${made.consent.id}${back}`);
      },
    );
  };

  const showLocals = async (req: Request, id: string) => {
    const ctx = requestContext(req);
    const record = await consent.get(ctx, id);
    const c = record.consent;
    const clinician = maySeeClinicalDetail(ctx.actor);
    const letters = letterChoices(c, ctx.actor, today());
    const awaitingReport =
      c.kind === 'amra-report' ? c.status === 'applied' : c.kind === 'oh-report-release' && c.status === 'given';
    return {
      title: req.t(`consents.oh.show.titles.${c.kind}`),
      record,
      consent: c,
      row: row(req.t, record),
      isReport: c.kind !== 'nhs-sharing',
      mayRecordDecision: c.status === 'requested',
      mayApply: c.kind === 'amra-report' && c.status === 'given',
      mayRecordReport: clinician && awaitingReport,
      mayRecordWithheld: c.kind === 'amra-report',
      openCorrections: clinician ? c.corrections.filter((r) => r.response === null) : [],
      decisionItems: [
        { value: 'given', text: req.t('consents.oh.show.given') },
        { value: 'refused', text: req.t('consents.oh.show.refused') },
      ],
      // AMRA-1, s.9: a decision about a doctor's report is in writing; others may be verbal with a witness.
      amraInWriting: c.kind === 'amra-report',
      methodItems: [
        { value: 'paper', text: req.t('consents.oh.show.methodPaper') },
        ...(c.kind === 'amra-report' ? [] : [{ value: 'verbal', text: req.t('consents.oh.show.methodVerbal') }]),
      ],
      letterItems: letters.map((choice) => ({ value: choice, text: req.t(`consents.onBehalf.choices.${choice}`) })),
      letterTextOffered: letters.some((choice) => CLINICAL_ON_BEHALF_ACTIONS.has(actionOf(choice))),
      wishItems: [
        { value: 'yes', text: req.t('consents.oh.show.yes') },
        { value: 'no', text: req.t('consents.oh.show.no') },
      ],
      groundItems: enumItems(req.t, 'withheldGround'),
      answerItems: [
        { value: 'amended', text: req.t('consents.oh.show.amend') },
        { value: 'declined', text: req.t('consents.oh.show.decline') },
      ],
    };
  };

  /** A refusal to release, in the page's words (never the rule's ids or an ISO date). */
  const releaseFormError = async (req: Request, id: string, error: unknown): Promise<unknown> => {
    if (!isAppError(error)) return error;
    if (error.code === 'before-earliest-release-date') {
      const earliest = (await consent.get(requestContext(req), id)).earliestReleaseDate;
      const locale = req.locale === 'cy' ? 'cy' : 'en';
      return new ValidationError(
        {
          release: {
            key: 'consents.oh.refusals.before-earliest-release-date',
            values: { date: longDate(earliest!, locale) },
          },
        },
        error.publicMessage,
        error.code,
      );
    }
    if (error.code === 'report-held-for-person')
      return new ValidationError(
        { release: 'consents.oh.refusals.report-held-for-person' },
        error.publicMessage,
        error.code,
      );
    if (LETTER_REFUSALS.has(error.code))
      return new ValidationError(
        { release: `consents.onBehalf.refusals.${error.code}` },
        error.publicMessage,
        error.code,
      );
    return error;
  };

  /** A form posted from the consent page, coming back to it. */
  const action = (
    path: string,
    summary: string,
    policy: RoutePolicy,
    schema: z.ZodType,
    shape: (body: Record<string, unknown>) => Record<string, unknown>,
    fields: string[],
    act: (req: Request, id: string, data: never, number: number) => Promise<unknown>,
    notice: (done: ConsentRecord) => Notice,
  ): RouteDefinition => ({
    method: 'post',
    path,
    kind: 'page',
    policy,
    summary,
    handler: async (req: Request, res: Response) => {
      const params = parseInput(path.includes(':number') ? correctionParam : idParam, req.params) as {
        id: string;
        number?: number;
      };
      const { returnTo: rawReturnTo, ...values } = req.body as Record<string, unknown>;
      // Where OH came from (a pathway's share), kept through each step of the consent.
      const returnTo = safeReturnTo(rawReturnTo);
      await submitForm(
        req,
        res,
        {
          view: 'consent/oh-show',
          schema,
          input: shape(values),
          values,
          locals: async () => ({ ...(await showLocals(req, params.id)), ...returnLocals(returnTo) }),
          fields,
          fallbackField: fields[0]!,
        },
        async (data) => {
          await act(req, params.id, data as never, params.number ?? 0);
          notify(req, notice(await consent.get(requestContext(req), params.id)));
          res.redirect(303, `/consents/${params.id}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`);
        },
      );
    },
  });

  return [
    {
      method: 'get',
      path: '/people/:personId/consents',
      kind: 'page',
      policy: policies.consentsRequest,
      summary: 'A person’s consents, with a link to ask for each kind (OH).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { personId } = parseInput(personParam, req.params);
        renderPage(req, res, 'consent/oh-person', await listLocals(req, personId));
      },
    },
    {
      method: 'post',
      path: '/people/:personId/consents',
      kind: 'page',
      policy: policies.consentsRequest,
      summary:
        'The old combined request form: a request naming its kind is made as that kind’s page makes it; without one, the list asks which consent.',
      handler: async (req, res) => {
        const { personId } = parseInput(personParam, req.params);
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (typeof body.kind === 'string' && (CONSENT_KINDS as readonly string[]).includes(body.kind))
          return submitRequest(req, res, personId, body.kind as ConsentKind);
        renderFormErrors(
          req,
          res,
          'consent/oh-person',
          {},
          { kind: 'consents.oh.errors.kind' },
          await listLocals(req, personId),
        );
      },
    },
    {
      method: 'get',
      path: '/people/:personId/consents/new/:kind',
      kind: 'page',
      policy: policies.consentsRequest,
      summary:
        'Ask for one kind of consent (amra-report, oh-report-release or nhs-sharing), with only its fields. A sharing request may be pre-filled: `partnerOrganisationId`, `purpose`, `dataCategories`, `description`, `returnTo` (a local path); values the form does not offer are ignored.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { personId } = parseInput(personParam, { personId: req.params.personId });
        const kind = kindOf(req.params.kind);
        const locals = await requestLocals(req, personId, kind);
        const prefill =
          kind === 'nhs-sharing'
            ? sharingPrefill(req.query, new Set(locals.partners.map((p) => p.value)))
            : { returnTo: safeReturnTo(firstText((req.query as Record<string, unknown>).returnTo)) ?? undefined };
        renderPage(req, res, `consent/request-${kind}`, {
          ...locals,
          values: { noticeBy: 'letter', ...(kind === 'nhs-sharing' ? { periodStart: today() } : {}), ...prefill },
        });
      },
    },
    {
      method: 'post',
      path: '/people/:personId/consents/new/:kind',
      kind: 'page',
      policy: policies.consentsRequest,
      summary: 'Asks a person for one kind of consent; the notice is emailed or printed (AMRA-1, AMRA-2).',
      handler: async (req, res) => {
        const { personId } = parseInput(personParam, { personId: req.params.personId });
        await submitRequest(req, res, personId, kindOf(req.params.kind));
      },
    },
    {
      method: 'get',
      path: '/consents/:id',
      kind: 'page',
      policy: policies.consentsProcess,
      summary: 'One consent for OH: its history and what OH can record next.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        const returnTo = safeReturnTo(firstText((req.query as Record<string, unknown>).returnTo));
        renderPage(req, res, 'consent/oh-show', {
          ...(await showLocals(req, id)),
          ...returnLocals(returnTo),
          values: { receivedOn: today(), applicationDate: today(), letterReceivedOn: today() },
        });
      },
    },
    action(
      '/consents/:id/decision',
      'Records a decision the person made on paper or verbally.',
      policies.consentsProcess,
      decisionSchema,
      (b) => ({
        ...fromForm(b, {
          decision: 'text',
          method: 'text',
          witness: 'text',
          documentReference: 'text',
          wishesToSeeReport: 'yes-no',
        }),
      }),
      ['decision', 'method', 'witness', 'documentReference', 'wishesToSeeReport'],
      (req, id, data: z.infer<typeof decisionSchema>) =>
        consent.decide(requestContext(req), id, {
          decision: data.decision,
          method: data.method,
          witness: data.witness ?? null,
          documentReference: data.documentReference ?? null,
          wishesToSeeReport: data.wishesToSeeReport ?? null,
        }),
      (done) => ({
        heading: done.consent.status === 'given' ? 'notices.consent.decisionGiven' : 'notices.consent.decisionRefused',
        next:
          done.consent.status === 'given'
            ? `notices.consent.recordedGivenNext.${done.consent.kind}`
            : 'notices.consent.refusedNext',
      }),
    ),
    action(
      '/consents/:id/application',
      'Records the application to the doctor (AMRA-3).',
      policies.consentsProcess,
      applicationSchema,
      (b) => fromForm(b, { applicationDate: 'text' }),
      ['applicationDate'],
      (req, id, data: z.infer<typeof applicationSchema>) =>
        consent.recordApplication(requestContext(req), id, data.applicationDate),
      () => ({ heading: 'notices.consent.applied', next: 'notices.consent.appliedNext' }),
    ),
    action(
      '/consents/:id/report',
      'Records the report, with any withheld parts (AMRA-7).',
      policies.consentsClinical,
      reportSchema,
      (b) => {
        const v = fromForm(b, { text: 'text', receivedOn: 'text', withheldGrounds: 'list', withheldNote: 'text' });
        return {
          text: v.text,
          receivedOn: v.receivedOn,
          withheldParts: (v.withheldGrounds as string[]).map((ground) => ({ ground, note: v.withheldNote })),
        };
      },
      ['text', 'receivedOn', 'withheldGrounds'],
      (req, id, data: z.infer<typeof reportSchema>) =>
        consent.recordReport(requestContext(req), id, {
          text: data.text,
          receivedOn: data.receivedOn,
          withheldParts: (data.withheldParts ?? []).map((p) => ({ ground: p.ground, note: p.note ?? null })),
        }),
      (done) => ({
        heading: 'notices.consent.reportRecorded',
        next: done.consent.wishesToSeeReport
          ? 'notices.consent.reportRecordedNextReview'
          : 'notices.consent.reportRecordedNext',
      }),
    ),
    action(
      '/consents/:id/corrections/:number/answer',
      'Answers a correction request (AMRA-5).',
      policies.consentsClinical,
      correctionAnswerSchema,
      (b) => fromForm(b, { response: 'text', amendedText: 'text', note: 'text' }),
      ['response', 'amendedText', 'note'],
      (req, id, data: z.infer<typeof correctionAnswerSchema>, number) =>
        consent.answerCorrection(requestContext(req), id, number, {
          response: data.response,
          amendedText: data.amendedText ?? null,
          note: data.note ?? null,
        }),
      () => ({ heading: 'notices.consent.correctionAnswered', next: 'notices.consent.correctionAnsweredNext' }),
    ),
    action(
      '/consents/:id/on-behalf',
      'Records a letter from the person: a step they took in writing (issue 14 §4), audited as recorded on their behalf.',
      policies.consentsOnBehalf,
      letterForm,
      (b) => b,
      ['letterAction', 'letterReceivedOn', 'letterReference', 'letterText'],
      async (req, id, data: z.infer<typeof letterForm>) => {
        const action = actionOf(data.letterAction);
        const text = data.letterText || undefined;
        if (CLINICAL_ON_BEHALF_ACTIONS.has(action) && !text)
          throw new ValidationError({ letterText: 'consents.onBehalf.errors.text' });
        const common = { receivedOn: data.letterReceivedOn, documentReference: data.letterReference };
        const letter: LetterInput =
          action === 'supply-decision'
            ? { ...common, action, agree: data.letterAction === 'supply-agree' }
            : action === 'correction' || action === 'statement'
              ? { ...common, action, text: text! }
              : { ...common, action };
        try {
          return await consent.recordOnBehalf(requestContext(req), id, letter);
        } catch (error) {
          throw letterFormError(error);
        }
      },
      () => ({ heading: 'notices.consent.letterRecorded', next: 'notices.consent.letterRecordedNext' }),
    ),
    action(
      '/consents/:id/release',
      'Releases the report once the rules allow (AMRA-4, §5b).',
      policies.consentsProcess,
      z.object({}),
      () => ({}),
      ['release'],
      async (req, id) => {
        try {
          return await consent.release(requestContext(req), id);
        } catch (error) {
          throw await releaseFormError(req, id, error);
        }
      },
      () => ({ heading: 'notices.consent.released', next: 'notices.consent.releasedNext' }),
    ),
  ];
}
