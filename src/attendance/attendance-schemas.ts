import { z } from 'zod';
import { isoDate, workingPatternSchema } from '../people/people-schemas.js';

/**
 * Reason categories (ATT-1): a coded list line managers and HR may see (CONF-2: itself
 * confidential). The person's own words are OH-only free text.
 */
export const REASON_CATEGORIES = [
  'musculoskeletal-back',
  'musculoskeletal-other',
  'mental-health-stress',
  'mental-health-anxiety',
  'mental-health-depression',
  'mental-health-other',
  'injury-on-duty',
  'assault-on-duty',
  'injury-off-duty',
  'infection',
  'cold-flu',
  'respiratory',
  'gastrointestinal',
  'headache-migraine',
  'cardiovascular',
  'cancer',
  'dental',
  'eye-ear-nose-throat',
  'pregnancy-related',
  'surgery-or-hospital',
  'other',
  'not-disclosed',
] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

/** ATT-6: time off that is recorded but is not sickness and never counts. */
export const NOT_SICKNESS_KINDS = [
  'disability-treatment',
  'statutory-medical',
  'pre-arranged-treatment',
  // Issue 16 §5: tests and PEP appointments after a blood-borne virus exposure.
  'bbv-follow-up',
] as const;

export const CERTIFICATION = ['self', 'medical', 'none'] as const;

const spellFields = {
  startDate: isoDate,
  endDate: isoDate.nullable(),
  reasonCategory: z.enum(REASON_CATEGORIES),
  reasonText: z.string().trim().max(2000).nullable(),
  dutyRelated: z.boolean(),
  injuryOnDuty: z.boolean(),
  pregnancyRelated: z.boolean(),
  disabilityRelated: z.boolean(),
  countsAsSickness: z.boolean(),
  notSicknessKind: z.enum(NOT_SICKNESS_KINDS).nullable(),
  certification: z.enum(CERTIFICATION),
  certificateFrom: isoDate.nullable(),
  certificateTo: isoDate.nullable(),
  expectedReturnDate: isoDate.nullable(),
  /** ATT-1: urgent work to hand over. */
  handoverNotes: z.string().trim().max(2000).nullable(),
  /** ATT-11: no direct contact wanted; contact through the nominated liaison (a relative or colleague). */
  noDirectContact: z.boolean(),
  nominatedLiaison: z.string().trim().max(200).nullable(),
  /** Issue 16 §5: the exposure this absence follows (time off for its tests, or sickness after it). */
  bbvIncidentId: z.uuid().nullable(),
};

/** POST /api/v1/people/{personId}/absences */
export const recordAbsenceSchema = z
  .object({
    ...spellFields,
    endDate: spellFields.endDate.default(null),
    reasonText: spellFields.reasonText.optional(),
    dutyRelated: spellFields.dutyRelated.default(false),
    injuryOnDuty: spellFields.injuryOnDuty.default(false),
    pregnancyRelated: spellFields.pregnancyRelated.default(false),
    disabilityRelated: spellFields.disabilityRelated.default(false),
    countsAsSickness: spellFields.countsAsSickness.default(true),
    notSicknessKind: spellFields.notSicknessKind.optional(),
    certification: spellFields.certification.default('none'),
    certificateFrom: spellFields.certificateFrom.optional(),
    certificateTo: spellFields.certificateTo.optional(),
    expectedReturnDate: spellFields.expectedReturnDate.optional(),
    handoverNotes: spellFields.handoverNotes.optional(),
    noDirectContact: spellFields.noDirectContact.default(false),
    nominatedLiaison: spellFields.nominatedLiaison.optional(),
    bbvIncidentId: spellFields.bbvIncidentId.optional(),
  })
  .strict()
  .refine((v) => !v.noDirectContact || (v.nominatedLiaison ?? '').length > 0, {
    path: ['nominatedLiaison'],
    // ATT-11
    message: 'Someone who wants no direct contact must nominate a liaison: give their name and relationship',
  });
export type RecordAbsenceInput = z.infer<typeof recordAbsenceSchema>;

/** PATCH /api/v1/absences/{id}: any subset. */
export const updateAbsenceSchema = z
  .object(spellFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'Give at least one field to change' });
export type UpdateAbsenceInput = z.infer<typeof updateAbsenceSchema>;

/** DELETE /api/v1/absences/{id}: why (audited). */
export const deleteAbsenceSchema = z
  .object({ reason: z.string().trim().min(3, 'Say why this record is being removed').max(500) })
  .strict();

export const attendanceQuerySchema = z.object({ asOf: isoDate.optional() }).strict();
export const personIdParamSchema = z.object({ personId: z.uuid() }).strict();

/** PUT /api/v1/people/{personId}/working-pattern */
export const workingPatternBodySchema = workingPatternSchema;

/** POST /api/v1/absences/{id}/sick-pay-extensions: sick pay extended at the force's discretion (ATT-29, App D §2, §6.5). */
export const sickPayExtensionSchema = z
  .object({
    fullPayExtraDays: z.number().int().min(0).max(365),
    halfPayExtraDays: z.number().int().min(0).max(365),
    reason: z
      .string()
      .trim()
      .min(10, 'Record the reason for the extension, for example the Chief Constable’s decision')
      .max(2000),
    decidedOn: isoDate,
  })
  .strict()
  .refine((v) => v.fullPayExtraDays + v.halfPayExtraDays > 0, {
    path: ['fullPayExtraDays'],
    message: 'Extend full pay, half pay or both by at least a day',
  });
export type SickPayExtensionInput = z.infer<typeof sickPayExtensionSchema>;
