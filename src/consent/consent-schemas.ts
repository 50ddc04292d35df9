import { z } from 'zod';
import { isoDate } from '../people/people-schemas.js';
import { labelled } from '../shared/error-messages.js';
import type { Actor } from '../auth/actor.js';
import { maySeeClinicalDetail } from '../auth/access-policy.js';
import type { ConsentRecord } from './consent-service.js';
import {
  CONSENT_KINDS,
  CONSENT_STATUSES,
  DATA_CATEGORY_LIST,
  DECISION_METHODS,
  DISCLOSURE_PURPOSES,
  EMPLOYER_RECIPIENTS,
  SHARING_CATEGORIES,
  SHARING_PURPOSES,
  WITHDRAWAL_METHODS,
  WITHHELD_GROUNDS,
} from './consent-types.js';
import { GATE_REASONS } from './gate.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const noticeBy = z
  .enum(['email', 'letter'])
  .describe(
    'How the written notice goes (AMRA-1): email (never to a work address for a protected-identity officer, CONF-3), or a printed letter',
  );

export const consentIdParam = z.object({ id: z.uuid() }).strict();
export const correctionParams = z.object({ id: z.uuid(), number: z.coerce.number().int().min(1).max(1000) }).strict();
export const personIdParam = z.object({ personId: z.uuid() }).strict();

/** A consent request, by kind (issue 5 §1). */
export const consentRequestSchema = labelled(
  z.discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('amra-report'),
        recipientRole: z.enum(EMPLOYER_RECIPIENTS),
        description: text(500).describe('What the report is for, in plain words'),
        doctor: z
          .object({ name: text(200), practice: optionalText(200) })
          .strict()
          .describe('The doctor who is or was responsible for the person’s care'),
        noticeBy,
      })
      .strict(),
    z
      .object({
        kind: z.literal('oh-report-release'),
        recipientRole: z.enum(EMPLOYER_RECIPIENTS),
        description: text(500),
        noticeBy,
      })
      .strict(),
    z
      .object({
        kind: z.literal('nhs-sharing'),
        partnerOrganisationId: z.uuid(),
        purpose: z.enum(SHARING_PURPOSES),
        dataCategories: z
          .array(z.enum(SHARING_CATEGORIES))
          .min(1, 'Choose what would be shared')
          .max(SHARING_CATEGORIES.length),
        periodStart: isoDate.describe(
          'The first day it would cover: today or later (a consent allows nothing from before it is given, §5c)',
        ),
        periodEnd: isoDate.nullable().optional(),
        description: text(500),
        noticeBy,
      })
      .strict(),
  ]),
  'fields.consentKind',
);

export const decisionSchema = z
  .object({
    decision: z.enum(['given', 'refused']),
    method: z
      .enum(DECISION_METHODS)
      .describe(
        'platform: the person, signed in; paper or verbal: recorded by OH. An AMRA decision is never verbal (AMRA-1): 422 verbal-not-allowed',
      ),
    witness: optionalText(200),
    documentReference: optionalText(200),
    wishesToSeeReport: z
      .boolean()
      .nullable()
      .optional()
      .describe('Report kinds, when giving consent: see the report before it is supplied (AMRA-3)'),
  })
  .strict();

export const applicationSchema = z.object({ applicationDate: isoDate }).strict();

export const reportSchema = z
  .object({
    text: text(20_000),
    receivedOn: isoDate,
    withheldParts: z
      .array(z.object({ ground: z.enum(WITHHELD_GROUNDS), note: optionalText(500) }).strict())
      .max(10)
      .optional()
      .describe('AMRA-7: parts the doctor withheld, and on what ground'),
  })
  .strict();

export const textSchema = z.object({ text: text(4000) }).strict();

export const correctionAnswerSchema = z
  .object({ response: z.enum(['amended', 'declined']), amendedText: optionalText(20_000), note: optionalText(2000) })
  .strict();

const agree = z.boolean().describe('true: supply it now; false: refuse supply for good (AMRA-5)');
export const supplyDecisionSchema = z.object({ agree }).strict();

const letter = {
  receivedOn: isoDate.describe(
    'The day the letter was received: not in the future, nor before the step it answers. The person’s step counts from it (AMRA-4)',
  ),
  documentReference: text(200).describe('The scanned letter’s reference'),
};

/** A letter from the person, recorded by OH (issue 14 §4): the action, and its own fields as the person's endpoint takes them. */
export const onBehalfSchema = z.discriminatedUnion('action', [
  z
    .object({ action: z.literal('seen-report').describe('They have seen the report (a paper copy)'), ...letter })
    .strict(),
  z
    .object({ action: z.literal('supply-decision').describe('They agree to or refuse its supply'), ...letter, agree })
    .strict(),
  z
    .object({
      action: z.literal('correction').describe('They ask for a correction (AMRA-5; OH clinicians)'),
      ...letter,
      text: text(4000),
    })
    .strict(),
  z
    .object({
      action: z.literal('statement').describe('Their statement of their views (AMRA-5; OH clinicians)'),
      ...letter,
      text: text(4000),
    })
    .strict(),
  z
    .object({
      action: z
        .literal('access-request')
        .describe('They ask to see the report: before supply AMRA-4, after it while it is kept AMRA-6'),
      ...letter,
    })
    .strict(),
]);

/**
 * How the person said they withdraw, when OH records it (§5c): method and saidOn are then both
 * required (422 otherwise). Empty, or no body, when the person withdraws for themselves.
 */
export const withdrawalSchema = z
  .object({
    method: z.enum(WITHDRAWAL_METHODS).optional().describe('How the person told OH: written, in-person or phone'),
    saidOn: isoDate
      .optional()
      .describe(
        'The day they told OH (a letter: the day it was received); not in the future, nor before they consented',
      ),
    documentReference: optionalText(200).describe('A written withdrawal: the scanned letter’s reference (required)'),
  })
  .strict()
  .optional()
  .describe('OH: how and when the person said so (method and saidOn required); the person: nothing');

export const recipientSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('nhs-partner'), organisationId: z.uuid() }).strict(),
  z.object({ type: z.literal('employer'), role: z.enum(EMPLOYER_RECIPIENTS) }).strict(),
]);

export const checkSchema = z
  .object({
    personId: z.uuid(),
    recipient: recipientSchema,
    purpose: z.enum(DISCLOSURE_PURPOSES),
    dataCategories: z
      .array(z.enum(DATA_CATEGORY_LIST))
      .min(1, 'Name what would be disclosed')
      .max(DATA_CATEGORY_LIST.length),
    consentId: z.uuid().nullable().optional(),
    asOf: isoDate.optional().describe('The day to decide for (default today)'),
  })
  .strict();

export const gateDecisionResponse = z.object({
  allow: z.boolean(),
  consentIds: z.array(z.string()).optional(),
  reason: z.enum(GATE_REASONS).optional(),
  message: z.string().optional(),
});

const item = z.object({ id: z.string(), description: z.string(), at: z.string() });

export const consentResponse = z.object({
  id: z.string(),
  kind: z.enum(CONSENT_KINDS),
  status: z.enum(CONSENT_STATUSES),
  personId: z.string(),
  recipient: z.object({
    type: z.enum(['employer', 'nhs-partner']),
    role: z.string().optional(),
    organisationId: z.string().optional(),
    name: z.string().optional(),
    odsCode: z.string().nullable().optional(),
  }),
  purpose: z.enum(DISCLOSURE_PURPOSES),
  description: z.string(),
  dataCategories: z.array(z.string()),
  period: z.object({ start: z.string().nullable(), end: z.string().nullable() }).nullable(),
  doctor: z.object({ name: z.string(), practice: z.string().nullable() }).nullable(),
  notifiedOn: z.string(),
  decision: z.object({ decision: z.string(), method: z.string(), on: z.string() }).nullable(),
  wishesToSeeReport: z.boolean().nullable(),
  applicationDate: z.string().nullable(),
  accessRequestedOn: z.string().nullable(),
  reviewUntil: z.string().nullable(),
  earliestReleaseDate: z
    .string()
    .nullable()
    .describe('The first day the report may be passed on; null while it waits for the person or cannot go'),
  suppliedOn: z.string().nullable(),
  retainUntil: z.string().nullable().describe('AMRA-6: the person may read the report until this day'),
  report: z
    .object({ receivedOn: z.string(), seen: z.boolean(), amended: z.boolean(), withheldGrounds: z.array(z.string()) })
    .nullable()
    .describe('Whether there is a report; its text is read at /report'),
  corrections: z
    .array(
      z.object({
        number: z.number(),
        requestedAt: z.string(),
        text: z.string().nullable(),
        response: z.string().nullable(),
        respondedAt: z.string().nullable(),
        responseNote: z.string().nullable(),
      }),
    )
    .describe(
      'What the person asked to correct and the answer: for the person and OH clinicians (null text for OH administrators, CONF-1)',
    ),
  statement: z.string().nullable(),
  withdrawal: z
    .object({ cancelled: z.array(item), alreadySent: z.array(item) })
    .nullable()
    .describe('What withdrawing stopped, and what had already gone (§5c)'),
  history: z.array(z.object({ type: z.string(), at: z.string(), byRole: z.string().nullable() })),
});

/**
 * A consent as the API gives it (OH and the person only reach it). What the person wrote about
 * their report (corrections, statement) and the author's answers are clinical: the person's own
 * and OH clinicians', not OH administrators' (CONF-1).
 */
export function consentJson(actor: Actor, r: ConsentRecord): z.infer<typeof consentResponse> {
  const c = r.consent;
  const clinical = actor.personId === c.personId || maySeeClinicalDetail(actor);
  return {
    id: c.id,
    kind: c.kind,
    status: c.status,
    personId: c.personId,
    recipient: c.recipient,
    purpose: c.purpose,
    description: c.description,
    dataCategories: c.dataCategories,
    period: c.kind === 'nhs-sharing' ? { start: c.periodStart, end: c.periodEnd } : null,
    doctor: c.doctor,
    notifiedOn: c.notifiedOn,
    decision: c.decision ? { decision: c.decision.decision, method: c.decision.method, on: c.decision.on } : null,
    wishesToSeeReport: c.wishesToSeeReport,
    applicationDate: c.applicationDate,
    accessRequestedOn: c.accessRequestedOn,
    reviewUntil: c.reviewUntil,
    earliestReleaseDate: r.earliestReleaseDate,
    suppliedOn: c.suppliedOn,
    retainUntil: c.retainUntil,
    report: c.report
      ? {
          receivedOn: c.report.receivedOn,
          seen: c.seenAt !== null,
          amended: c.report.amendedAt !== null,
          withheldGrounds: c.report.withheldParts.map((p) => p.ground),
        }
      : null,
    corrections: c.corrections.map((x) => (clinical ? x : { ...x, text: null, responseNote: null })),
    statement: clinical ? (c.statement?.text ?? null) : null,
    withdrawal: c.withdrawal,
    history: r.history.map((e) => ({ type: e.type, at: e.at, byRole: e.byRole })),
  };
}

export const reportResponse = z.object({
  consentId: z.string(),
  text: z.string(),
  receivedOn: z.string(),
  amended: z.boolean(),
  withheldGrounds: z.array(z.string()).describe('AMRA-7: the grounds on which parts were withheld'),
  corrections: consentResponse.shape.corrections,
  statement: z.string().nullable(),
  retainUntil: z.string().nullable(),
});

export const recipientReportsResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      requestedOn: z.string(),
      available: z.boolean(),
      kind: z.enum(CONSENT_KINDS).nullable().describe('Only once released'),
      description: z.string().nullable().describe('Only once released'),
      report: z
        .object({
          text: z.string(),
          statement: z.string().nullable(),
          corrections: z.array(z.object({ text: z.string(), response: z.string().nullable() })),
          suppliedOn: z.string(),
        })
        .nullable(),
      notice: z.string().nullable(),
    }),
  ),
});
