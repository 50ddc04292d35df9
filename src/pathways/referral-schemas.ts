import { z } from 'zod';
import { DEFINITION_CODES } from './definition-format.js';
import { factsSchema } from './pathway-schemas.js';
import type { OhReferral } from './pathway-types.js';

const text = (max: number) => z.string().trim().min(1, 'Enter an answer').max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

/** A management referral (seed 003 §14.1): workplace questions for OH, never a diagnosis. */
export const managementReferralSchema = z
  .object({
    reason: text(2000).describe('Why you are referring them, in workplace terms'),
    questions: text(2000).describe('What you would like OH to advise on'),
    adjustmentsTried: optionalText(2000),
    currentlyAbsent: z.boolean(),
    personInformed: z.boolean().describe('You have told them you are referring them, and why (seed 003 §14.1)'),
  })
  .strict();

export const SELF_REFERRAL_CONCERNS = ['welfare', 'mental-health', 'musculoskeletal', 'substance-misuse', 'other'] as const;

export const selfReferralSchema = z
  .object({
    concern: z.enum(SELF_REFERRAL_CONCERNS),
    description: text(4000),
    venuePreference: optionalText(500).describe('Where you would (not) feel safe being seen (CONF-4)'),
    contactPreference: optionalText(500),
  })
  .strict();

export const triageSchema = z.discriminatedUnion('accept', [
  z.object({ accept: z.literal(true), definition: z.enum(DEFINITION_CODES), facts: factsSchema.optional(), note: z.string().trim().max(2000).nullable().optional() }).strict(),
  z.object({ accept: z.literal(false), note: text(2000) }).strict(),
]);

export const referralIdParam = z.object({ id: z.uuid() }).strict();

export const referralResponse = z.object({
  id: z.string(),
  personId: z.string(),
  source: z.enum(['management', 'self', 'automatic']),
  status: z.enum(['awaiting-triage', 'accepted', 'declined']),
  details: z.record(z.string(), z.unknown()),
  pathwayId: z.string().nullable(),
  triageNote: z.string().nullable(),
  createdAt: z.string(),
});

/** The referral as JSON (callers have already decided the actor may read it). */
export function referralJson(r: OhReferral) {
  return { id: r.id, personId: r.personId, source: r.source, status: r.status, details: r.details, pathwayId: r.pathwayId, triageNote: r.triageNote, createdAt: r.createdAt.toISOString() };
}
