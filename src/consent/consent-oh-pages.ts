import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../web/app-dependencies.js';
import { mayRecordForPerson, maySeeClinicalDetail, policies, type RoutePolicy } from '../auth/access-policy.js';
import type { Actor } from '../auth/actor.js';
import { enumItems, enumLabel } from '../i18n/enum-labels.js';
import type { Translate } from '../i18n/i18n.js';
import { isIsoDate, londonDay } from '../shared/dates.js';
import { isAppError, ValidationError } from '../shared/errors.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { fromForm, type FormFieldKind } from '../web/forms.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage, submitForm } from '../web/render.js';
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
  EMPLOYER_RECIPIENTS,
  SHARING_CATEGORIES,
  type Consent,
  type OnBehalfAction,
} from './consent-types.js';

const idParam = z.object({ id: z.uuid() });
const personParam = z.object({ personId: z.uuid() });
const correctionParam = z.object({ id: z.uuid(), number: z.coerce.number().int().min(1).max(1000) });

const REQUEST_FIELDS: Record<string, FormFieldKind> = {
  kind: 'text',
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

/** The request form's flat fields as the API schema's shape for the kind chosen. */
function requestInput(body: Record<string, unknown>): Record<string, unknown> {
  const v = fromForm(body, REQUEST_FIELDS);
  const common = { kind: v.kind ?? undefined, description: v.description, noticeBy: v.noticeBy ?? undefined };
  if (v.kind === 'nhs-sharing')
    return {
      ...common,
      partnerOrganisationId: v.partnerOrganisationId ?? undefined,
      purpose: v.purpose ?? undefined,
      dataCategories: v.dataCategories,
      periodStart: v.periodStart ?? undefined,
      periodEnd: v.periodEnd,
    };
  if (v.kind === 'amra-report')
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
    const partners = (await people.listOrganisations()).filter((o) => o.kind === 'nhs-partner');
    return {
      title: 'Consents',
      person: people.viewFor(ctx, person),
      consents: (await consent.forPerson(ctx, personId)).map((r) => row(req.t, r)),
      kinds: [
        { value: 'amra-report', text: 'A report from a doctor who treats them (Access to Medical Reports Act 1988)' },
        { value: 'oh-report-release', text: 'Release of an OH report to their manager or HR' },
        { value: 'nhs-sharing', text: 'Sharing with an NHS partner' },
      ],
      recipients: enumItems(req.t, 'role', EMPLOYER_RECIPIENTS),
      partners: partners.map((o) => ({ value: o.id, text: o.odsCode ? `${o.name} (${o.odsCode})` : o.name })),
      purposes: enumItems(req.t, 'sharingPurpose'),
      categories: enumItems(req.t, 'dataCategory', SHARING_CATEGORIES),
      noticeItems: [
        {
          value: 'email',
          text: 'Email it (to a personal address; a protected-identity officer is never written to at work)',
        },
        { value: 'letter', text: 'Print the letter' },
      ],
    };
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
      title: c.description,
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
        { value: 'given', text: 'Consent given' },
        { value: 'refused', text: 'Consent refused' },
      ],
      // AMRA-1, s.9: a decision about a doctor's report is in writing; others may be verbal with a witness.
      amraInWriting: c.kind === 'amra-report',
      methodItems: [
        { value: 'paper', text: 'On a paper form (give the scanned form’s reference)' },
        ...(c.kind === 'amra-report' ? [] : [{ value: 'verbal', text: 'Verbally (give the witness)' }]),
      ],
      letterItems: letters.map((choice) => ({ value: choice, text: req.t(`consents.onBehalf.choices.${choice}`) })),
      letterTextOffered: letters.some((choice) => CLINICAL_ON_BEHALF_ACTIONS.has(actionOf(choice))),
      wishItems: [
        { value: 'yes', text: 'Yes' },
        { value: 'no', text: 'No' },
      ],
      groundItems: enumItems(req.t, 'withheldGround'),
      answerItems: [
        { value: 'amended', text: 'Amend the report' },
        { value: 'declined', text: 'Decline (the person may attach a statement)' },
      ],
    };
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
      const values = req.body as Record<string, unknown>;
      await submitForm(
        req,
        res,
        {
          view: 'consent/oh-show',
          schema,
          input: shape(values),
          values,
          locals: () => showLocals(req, params.id),
          fields,
          fallbackField: fields[0]!,
        },
        async (data) => {
          await act(req, params.id, data as never, params.number ?? 0);
          res.redirect(303, `/consents/${params.id}`);
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
      summary: 'A person’s consents, and the form to ask for one (OH).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { personId } = parseInput(personParam, req.params);
        renderPage(req, res, 'consent/oh-person', {
          ...(await listLocals(req, personId)),
          values: { noticeBy: 'letter', periodStart: today() },
        });
      },
    },
    {
      method: 'post',
      path: '/people/:personId/consents',
      kind: 'page',
      policy: policies.consentsRequest,
      summary: 'Asks a person for consent; the notice is emailed or printed (AMRA-1, AMRA-2).',
      handler: async (req, res) => {
        const { personId } = parseInput(personParam, req.params);
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'consent/oh-person',
            schema: consentRequestSchema,
            input: requestInput(values),
            values,
            locals: () => listLocals(req, personId),
            fields: Object.keys(REQUEST_FIELDS),
            fallbackField: 'kind',
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
            res.redirect(303, `/consents/${made.consent.id}`);
          },
        );
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
        renderPage(req, res, 'consent/oh-show', {
          ...(await showLocals(req, id)),
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
    ),
    action(
      '/consents/:id/release',
      'Releases the report once the rules allow (AMRA-4, §5b).',
      policies.consentsProcess,
      z.object({}),
      () => ({}),
      ['release'],
      (req, id) => consent.release(requestContext(req), id),
    ),
  ];
}
