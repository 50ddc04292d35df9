import { z } from 'zod';
import { DEFINITION_CODES } from './definition-format.js';
import { factsSchema } from './pathway-schemas.js';
import type { Actor } from '../auth/actor.js';
import { maySeeClinicalDetail, maySeeOhRecords } from '../auth/access-policy.js';
import type { OhReferral } from './pathway-types.js';

const text = (max: number) => z.string().trim().min(1).max(max);
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

export const SELF_REFERRAL_CONCERNS = [
  'welfare',
  'mental-health',
  'musculoskeletal',
  'substance-misuse',
  'other',
] as const;

export const selfReferralSchema = z
  .object({
    concern: z.enum(SELF_REFERRAL_CONCERNS),
    description: text(4000),
    venuePreference: optionalText(500).describe('Where you would (not) feel safe being seen (CONF-4)'),
    contactPreference: optionalText(500),
  })
  .strict();

export const triageSchema = z.discriminatedUnion('accept', [
  z
    .object({
      accept: z.literal(true),
      definition: z.enum(DEFINITION_CODES),
      facts: factsSchema.optional(),
      note: z.string().trim().max(2000).nullable().optional(),
    })
    .strict(),
  z.object({ accept: z.literal(false), note: text(2000) }).strict(),
]);

export const referralIdParam = z.object({ id: z.uuid() }).strict();

export const referralResponse = z.object({
  id: z.string(),
  personId: z.string(),
  source: z.enum(['management', 'self', 'automatic']),
  status: z
    .enum(['awaiting-triage', 'accepted', 'declined'])
    .describe('For the referrer, always awaiting-triage: what OH decided is not theirs to know'),
  details: z.record(z.string(), z.unknown()),
  pathwayId: z.string().nullable(),
  triageNote: z.string().nullable(),
  createdAt: z.string(),
});

/**
 * The referral as the actor may see it (callers have already decided they may read it):
 * OH clinicians in full; the person their own referral without OH's triage note; an OH
 * administrator the workplace questions of a management referral but not what a person wrote
 * about their health; the manager or HR who referred, only what they wrote and whether OH has it.
 */
export function referralJson(actor: Actor, r: OhReferral) {
  const base = { id: r.id, personId: r.personId, source: r.source, createdAt: r.createdAt.toISOString() };
  if (maySeeClinicalDetail(actor))
    return { ...base, status: r.status, details: r.details, pathwayId: r.pathwayId, triageNote: r.triageNote };
  if (actor.personId === r.personId)
    return { ...base, status: r.status, details: r.details, pathwayId: r.pathwayId, triageNote: null };
  const details = r.source === 'management' ? r.details : {};
  if (maySeeOhRecords(actor)) return { ...base, status: r.status, details, pathwayId: r.pathwayId, triageNote: null };
  // The referrer: whether OH has acted is not theirs to know beyond "received" (CONF-1).
  return { ...base, status: 'awaiting-triage' as const, details, pathwayId: null, triageNote: null };
}
