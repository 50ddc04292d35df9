import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../shared/dates.js';
import {
  CONSENT_KINDS,
  CONSENT_STATUSES,
  DATA_CATEGORY_LIST,
  DECISION_METHODS,
  DISCLOSURE_PURPOSES,
  EMPLOYER_RECIPIENTS,
  WITHHELD_GROUNDS,
  type Consent,
} from './consent-types.js';

/**
 * The consent aggregate as stored (the `consents.state` JSON column), parsed when it is read so a
 * row that does not hold a consent is a stored-data fault, not a value the rules trust (issue 14 §14).
 * Typed against `Consent`: a field added to the type and not here fails the type check.
 */
const day = z.string().refine(isIsoDate) as unknown as z.ZodType<IsoDate>;
const instant = z.string();
const disclosureItem = z.object({ id: z.string(), description: z.string(), at: instant });

export const storedConsentSchema: z.ZodType<Omit<Consent, 'version'>> = z.object({
  id: z.string(),
  organisationId: z.string(),
  personId: z.string(),
  kind: z.enum(CONSENT_KINDS),
  status: z.enum(CONSENT_STATUSES),
  recipient: z.discriminatedUnion('type', [
    z.object({ type: z.literal('employer'), role: z.enum(EMPLOYER_RECIPIENTS) }),
    z.object({
      type: z.literal('nhs-partner'),
      organisationId: z.string(),
      name: z.string(),
      odsCode: z.string().nullable(),
    }),
  ]),
  purpose: z.enum(DISCLOSURE_PURPOSES),
  description: z.string(),
  dataCategories: z.array(z.enum(DATA_CATEGORY_LIST)),
  periodStart: day.nullable(),
  periodEnd: day.nullable(),
  doctor: z.object({ name: z.string(), practice: z.string().nullable() }).nullable(),
  notifiedOn: day,
  noticeBy: z.enum(['email', 'letter']),
  decision: z
    .object({
      decision: z.enum(['given', 'refused']),
      method: z.enum(DECISION_METHODS),
      witness: z.string().nullable(),
      documentReference: z.string().nullable(),
      on: day,
      at: instant,
    })
    .nullable(),
  wishesToSeeReport: z.boolean().nullable(),
  applicationDate: day.nullable(),
  applicationRecordedOn: day.nullable(),
  accessRequestedOn: day.nullable(),
  accessArrangedOn: day.nullable(),
  seenAt: instant.nullable(),
  reviewUntil: day.nullable(),
  report: z
    .object({
      text: z.string(),
      receivedOn: day,
      withheldParts: z.array(z.object({ ground: z.enum(WITHHELD_GROUNDS), note: z.string().nullable() })),
      amendedAt: instant.nullable(),
    })
    .nullable(),
  corrections: z.array(
    z.object({
      number: z.number().int(),
      requestedAt: instant,
      text: z.string(),
      response: z.enum(['amended', 'declined']).nullable(),
      respondedAt: instant.nullable(),
      responseNote: z.string().nullable(),
    }),
  ),
  statement: z.object({ text: z.string(), at: instant }).nullable(),
  supplyAgreedOn: day.nullable(),
  suppliedOn: day.nullable(),
  retainUntil: day.nullable(),
  closedOn: day.nullable(),
  withdrawal: z.object({ cancelled: z.array(disclosureItem), alreadySent: z.array(disclosureItem) }).nullable(),
  createdByUserId: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});
