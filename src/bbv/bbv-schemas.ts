import { z } from 'zod';
import {
  BBV_TESTS,
  BODY_FLUIDS,
  EXPOSURE_TYPES,
  HBV_VACCINATIONS,
  PEP_DECISIONS,
  RESULT_VALUES,
  TIMEPOINTS,
  TIMEPOINT_STATUSES,
} from './bbv-types.js';

/** An instant with its offset (issue 16 §7: `occurredAt` is an ISO date-time with offset). */
const instant = z.iso
  .datetime({ offset: true })
  .refine((v) => Number(v.slice(0, 4)) >= 1990 && Number(v.slice(0, 4)) <= 2200, 'validation.realDate')
  .transform((v) => new Date(v));
const day = z.iso.date();
const text = (max: number) => z.string().trim().max(max);

/** The other person in a bite (BBV-1): a member of staff by their record, or someone else with minimum data. */
export const otherPartySchema = z.union([
  z.object({ personId: z.uuid() }).strict(),
  z
    .object({
      description: text(200).min(1),
      consentedToTesting: z.boolean().nullable().optional(),
      assessmentArrangedWith: text(200).nullable().optional(),
    })
    .strict(),
]);

/** The risk assessment (BBV-1), with the incident or after it. */
const assessmentFields = {
  highRiskHcv: z.boolean(),
  knownHbvResponder: z.boolean().nullable().optional(),
  followUpIndicated: z.boolean().nullable().optional(),
  baselineStoredAt: instant.nullable().optional(),
  otherPartyAssessed: z.boolean().nullable().optional(),
  sourceRiskFactors: text(2000).nullable().optional(),
  sourceConsentedToTesting: z.boolean().nullable().optional(),
  note: text(2000).nullable().optional(),
};

/**
 * POST /api/v1/bbv-incidents (issue 16 §7). With `highRiskHcv` the risk assessment is recorded with the
 * incident and the schedule made; without it the assessment stays due within the hour.
 */
export const incidentSchema = z
  .object({
    personId: z.uuid(),
    occurredAt: instant,
    exposureType: z.enum(EXPOSURE_TYPES),
    skinBroken: z.boolean().nullable().optional(),
    bloodInMouth: z.boolean().nullable().optional(),
    bodyFluid: z.enum(BODY_FLUIDS).nullable().optional(),
    firstAidGiven: z.boolean().nullable().optional(),
    sourceKnown: z.boolean(),
    otherParty: otherPartySchema.nullable().optional(),
    accidentReportRef: text(100).nullable().optional(),
    ...assessmentFields,
    highRiskHcv: z.boolean().optional(),
  })
  .strict();
export type IncidentInput = z.infer<typeof incidentSchema>;

export const assessmentSchema = z.object(assessmentFields).strict();
export type AssessmentInput = z.infer<typeof assessmentSchema>;

export const pepSchema = z
  .object({ decision: z.enum(PEP_DECISIONS), startedAt: instant.nullable().optional() })
  .strict();
export type PepInput = z.infer<typeof pepSchema>;

export const hbvSchema = z
  .object({
    vaccination: z.enum(HBV_VACCINATIONS),
    vaccinationDate: day.nullable().optional(),
    hbigGiven: z.boolean(),
    hbigDate: day.nullable().optional(),
  })
  .strict();
export type HbvInput = z.infer<typeof hbvSchema>;

export const resultSchema = z
  .object({
    timepoint: z.enum(TIMEPOINTS),
    test: z.enum(BBV_TESTS),
    result: z.enum(RESULT_VALUES),
    sampleTakenAt: instant,
  })
  .strict();
export type ResultInput = z.infer<typeof resultSchema>;

export const accidentReportSchema = z.object({ accidentReportRef: text(100).min(1) }).strict();

export const incidentIdParam = z.object({ id: z.uuid() }).strict();
export const personIdParam = z.object({ personId: z.uuid() }).strict();

// Responses (the OpenAPI document)

export const scheduleItemResponse = z.object({
  timepoint: z.enum(TIMEPOINTS),
  windowStart: day,
  windowEnd: day,
  dueDate: day,
  tests: z.array(z.enum(BBV_TESTS)),
  status: z.enum(TIMEPOINT_STATUSES),
  results: z
    .array(z.object({ test: z.enum(BBV_TESTS), result: z.enum(RESULT_VALUES) }))
    .optional()
    .describe('OH clinicians only'),
});

export const incidentResponse = z.object({
  id: z.uuid(),
  pathwayId: z.uuid(),
  personId: z.uuid(),
  occurredAt: z.string().describe('ISO date-time (UTC)'),
  exposureDate: day.describe('The exposure’s UK date: the schedule counts from it'),
  riskAssessmentDueAt: z.string(),
  pepAlertAt: z.string(),
  pepDeadlineAt: z.string(),
  assessed: z.boolean(),
  schedule: z.array(scheduleItemResponse),
  clinical: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('OH clinicians only: the exposure, source, assessment, PEP, hepatitis B decisions and every result'),
});
