import { z } from 'zod';

/** One answer on a step's form, as stored (questionnaire.ts `Answer`). */
export const answerValue = z.union([z.string(), z.number(), z.boolean()]);
/** A form's answers, or a pathway's facts, by link id. */
export const answersSchema = z.record(z.string(), answerValue);

/**
 * What a pathway referral carries towards an NHS service (`PathwayReferral.details`, the
 * `pathway_referrals.details` column): written by the pathway engine, added to when OH shares it,
 * parsed when read, and read by these names when the FHIR referral is built (issue 14 §14).
 *
 * - A handover (transfer to an NHS service): the reason, priority, pathway, when it began, the steps
 *   done and the pathway's facts.
 * - A step referral: the step form's answers and the clinician's note.
 * - Either, once shared: the answers the clinician chose to send (issue 6 §2) and where the person
 *   would (not) be seen and how to reach them (CONF-4), and whether their identity was protected then
 *   (CONF-3: lifting the protection later does not open what this referral withheld).
 */
const detailsObject = z
  .object({
    reason: z.string().optional(),
    priority: z.enum(['routine', 'urgent']).optional(),
    pathway: z.string().optional(),
    startedAt: z.string().optional(),
    stepsDone: z
      .array(z.object({ step: z.string(), title: z.string(), completedAt: z.string().nullable() }))
      .optional(),
    facts: answersSchema.optional(),
    formAnswers: answersSchema.optional(),
    note: z.string().optional(),
    venuePreference: z.string().optional(),
    confidentialityPreference: z.string().optional(),
    sharedAnswers: answersSchema.optional(),
    /** Set when shared while the person's identity was protected: it stays so for this referral (CONF-3). */
    protectedIdentity: z.literal(true).optional(),
  })
  .strict();
export type ReferralDetails = z.output<typeof detailsObject>;

const NAMED = new Set(Object.keys(detailsObject.shape));

/** Rows written before the form's answers had a name of their own held them beside the named fields. */
function nameTheFormAnswers(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const entries = Object.entries(raw as Record<string, unknown>);
  const loose = entries.filter(([k]) => !NAMED.has(k));
  if (loose.length === 0) return raw;
  const named = Object.fromEntries(entries.filter(([k]) => NAMED.has(k)));
  const formAnswers = {
    ...((named.formAnswers as Record<string, unknown> | undefined) ?? {}),
    ...Object.fromEntries(loose),
  };
  return { ...named, formAnswers };
}

export const referralDetailsSchema = z.preprocess(nameTheFormAnswers, detailsObject);
