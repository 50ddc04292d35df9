import { z } from 'zod';
import { isIsoDate, startOfLondonDay } from '../shared/dates.js';
import { SHARING_CATEGORIES } from '../consent/index.js';
import { CLOSE_OUTCOMES, DEFINITION_CODES, SERVICE_TYPES } from './definition-format.js';
import { ENROLMENT_SOURCES, FITNESS } from './pathway-types.js';

const factValue = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
/** Facts given at enrolment, e.g. `{ "backPain": true }` or `{ "incidentAt": "2026-11-30T22:15:00Z" }`. */
export const factsSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,59}$/, 'fact names are letters and digits'), factValue)
  .refine((f) => Object.keys(f).length <= 50, 'at most 50 facts');

/** Years a pathway's dates may fall in: anything else is a typing slip, and would not sort as a date. */
export const YEAR_RANGE = { from: 1900, to: 2200 } as const;
const inRange = (v: string) => Number(v.slice(0, 4)) >= YEAR_RANGE.from && Number(v.slice(0, 4)) <= YEAR_RANGE.to;
const instant = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .refine(inRange, 'validation.realDate')
  // A calendar date is the moment that UK day begins (00:00 GMT or BST).
  .transform((v) => (isIsoDate(v) ? startOfLondonDay(v) : new Date(v)));

export const enrolSchema = z
  .object({
    personId: z.uuid(),
    definition: z.enum(DEFINITION_CODES),
    startedAt: instant,
    facts: factsSchema.optional(),
    leadClinicianUserId: z.uuid().optional(),
  })
  .strict();

export const pathwayIdParam = z.object({ id: z.uuid() }).strict();
export const stepParam = z
  .object({
    id: z.uuid(),
    stepId: z
      .string()
      .min(1)
      .max(60)
      .regex(/^[a-z0-9-]+$/),
  })
  .strict();
export const personIdParam = z.object({ personId: z.uuid() }).strict();

export const completeStepSchema = z
  .object({
    answers: z
      .record(z.string().max(60), z.union([z.string().max(4000), z.number().finite(), z.boolean(), z.null()]))
      .optional(),
    note: z.string().trim().max(4000).nullable().optional(),
  })
  .strict();

const reason = z.string().trim().min(1, 'Give a reason').max(2000);
export const skipStepSchema = z.object({ reason }).strict();
export const reassignStepSchema = z
  .object({ userId: z.uuid().optional(), role: z.enum(['oh-clinician', 'oh-administrator']).optional(), reason })
  .strict()
  .refine((v) => (v.userId ? 1 : 0) + (v.role ? 1 : 0) === 1, {
    message: 'Give either a user or a queue',
    path: ['userId'],
  });
export const pauseSchema = z.object({ reason }).strict();
export const resumeSchema = z.object({ reason: z.string().trim().max(2000).optional() }).strict();
export const closeSchema = z
  .object({ outcome: z.enum(CLOSE_OUTCOMES), note: z.string().trim().max(2000).optional() })
  .strict();
export const transferSchema = z
  .object({
    service: z.enum(SERVICE_TYPES),
    reason,
    priority: z.enum(['routine', 'urgent']).default('routine'),
    venuePreference: z
      .string()
      .trim()
      .max(500)
      .optional()
      .describe('Where the person would (not) like to be seen (CONF-4)'),
    confidentialityPreference: z
      .string()
      .trim()
      .max(500)
      .optional()
      .describe('How the service should contact them, what not to record (CONF-4)'),
  })
  .strict();
export const adviceSchema = z
  .object({
    fitness: z.enum(FITNESS),
    expectedDuration: z.string().trim().max(200).nullable().optional(),
    adjustments: z.string().trim().max(2000).nullable().optional(),
  })
  .strict();

export const worklistQuery = z
  .object({
    asOf: z.iso
      .datetime({ offset: true })
      .or(z.iso.date())
      .refine(inRange, 'validation.realDate')
      .optional()
      .describe('The moment to count due and overdue at (default now)'),
    pathway: z.enum(DEFINITION_CODES).optional().describe('OH only; ignored for other roles'),
    unitId: z.uuid().optional(),
  })
  .strict();

export const definitionParam = z.object({ code: z.enum(DEFINITION_CODES) }).strict();
export const definitionQuery = z.object({ version: z.coerce.number().int().min(1).max(999_999).optional() }).strict();

const stepResponse = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  kind: z.string(),
  performer: z.string(),
  status: z.string(),
  dueFrom: z.string().nullable(),
  dueBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  escalationLevel: z.number().optional(),
  answers: z.record(z.string(), z.unknown()).nullable().optional().describe('OH clinicians only'),
  note: z.string().nullable().optional().describe('OH clinicians only'),
});

export const pathwayResponse = z.object({
  id: z.string(),
  personId: z.string(),
  status: z.enum(['active', 'paused', 'closed']),
  startedAt: z.string(),
  closedAt: z.string().nullable(),
  advice: z.object({
    fitness: z.enum(FITNESS).nullable(),
    expectedDuration: z.string().nullable(),
    adjustments: z.string().nullable(),
    givenAt: z.string().nullable(),
  }),
  kind: z
    .literal('occupational-health-support')
    .optional()
    .describe('Line managers and HR: only that OH support is in place (CONF-1)'),
  definition: z.object({ code: z.string(), version: z.number(), title: z.string() }).optional(),
  enrolmentSource: z.enum(ENROLMENT_SOURCES).optional(),
  outcome: z.enum(CLOSE_OUTCOMES).nullable().optional(),
  facts: z.record(z.string(), z.unknown()).optional().describe('OH clinicians only'),
  steps: z.array(stepResponse).optional(),
});

export const eventResponse = z.object({
  id: z.number(),
  stepId: z.string().nullable(),
  kind: z.string(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  actorRole: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

export const worklistStepResponse = z.object({
  id: z.string(),
  pathwayId: z.string(),
  personId: z.string(),
  pathway: z.string().nullable().describe('OH only: which pathway (CONF-1)'),
  code: z.string(),
  title: z.string(),
  dueFrom: z.string().nullable(),
  dueBy: z.string().nullable(),
  state: z.enum(['upcoming', 'due', 'overdue']),
  escalationLevel: z.number(),
});

/** Sharing a pathway's referral with an NHS partner under consent (§5c). */
const preference = z.string().trim().max(500).optional();

export const shareReferralSchema = z
  .object({
    partnerOrganisationId: z.uuid(),
    dataCategories: z
      .array(z.enum(SHARING_CATEGORIES))
      .max(SHARING_CATEGORIES.length)
      .default([])
      .describe('Beyond what the service and pathway always carry'),
    answers: z
      .array(z.string().min(1).max(100))
      .max(100)
      .default([])
      .describe(
        'The questions (linkIds) of the pathway’s completed forms whose answers go with the referral, as the clinician chooses; questionnaire answers are then shared (§5c)',
      ),
    venuePreference: preference.describe(
      'Where the person would (not) like to be seen, e.g. not a venue people they police use (CONF-4); replaces what the referral says',
    ),
    confidentialityPreference: preference.describe(
      'How the service should contact them, what not to record (CONF-4); replaces what the referral says',
    ),
  })
  .strict();

export const pathwayReferralResponse = z.object({
  id: z.string(),
  pathwayId: z.string(),
  serviceType: z.string(),
  kind: z.enum(['step', 'handover']),
  priority: z.enum(['routine', 'urgent']),
  status: z.enum(['awaiting-consent', 'ready', 'sent', 'cancelled']),
  partnerOrganisationId: z.string().nullable(),
  dataCategories: z.array(z.string()).nullable(),
  consentId: z.string().nullable(),
  createdAt: z.string(),
});
