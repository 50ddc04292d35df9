import { z } from 'zod';
import { isoDate } from '../people/people-schemas.js';

/** Outcomes each step may have (ATT-21, ATT-22, ATT-23; seed 003 §19.7, §19.12, §19.18.7). */
export const STAGE_OUTCOMES = {
  'stage-1': ['no-action', 'monitor', 'first-written-improvement-notice'],
  'stage-2': ['no-action', 'monitor', 'second-written-warning'],
  'stage-3': ['no-further-action', 'final-warning-extended', 'redeployment', 'dismissal'],
} as const;
export const ALL_OUTCOMES = [...new Set(Object.values(STAGE_OUTCOMES).flat())] as const;
export const APPEAL_OUTCOMES = ['upheld', 'dismissed', 'varied'] as const;

const text = (max: number) => z.string().trim().max(max);
const meetingTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter a time as HH:MM, for example 14:30');

function stage<S extends keyof typeof STAGE_OUTCOMES>(step: S) {
  return z
    .object({
      step: z.literal(step),
      /** ATT-20: the OH report asked for before the formal stage (§19.3, §19.10). */
      ohReportRequestedOn: isoDate.nullable().default(null),
      invitationDate: isoDate,
      meetingDate: isoDate,
      meetingTime: meetingTime.nullable().default(null),
      meetingLocation: text(200).nullable().default(null),
      chairName: text(120).nullable().default(null),
      /** Seed 003 §19.1: why the force starts at this stage without the one before it. */
      outOfOrderReason: text(1000).nullable().default(null),
      outcome: z.enum(STAGE_OUTCOMES[step]).nullable().default(null),
      outcomeDate: isoDate.nullable().default(null),
      reviewEndDate: isoDate.nullable().default(null),
      notes: text(4000).nullable().default(null),
    })
    .strict();
}

/** POST /api/v1/people/{personId}/attendance-procedure: an informal action (ATT-20) or a formal stage meeting. */
export const procedureStepSchema = z.discriminatedUnion(
  'step',
  [
    z
      .object({
        step: z.literal('informal-action'),
        actionDate: isoDate,
        notes: text(4000).min(3, 'Record what informal action was taken'),
      })
      .strict(),
    stage('stage-1'),
    stage('stage-2'),
    stage('stage-3'),
  ],
  { error: 'Choose the step: informal action, or stage 1, 2 or 3' },
);
export type ProcedureStepInput = z.infer<typeof procedureStepSchema>;
export type StageInput = Exclude<ProcedureStepInput, { step: 'informal-action' }>;

/** POST /api/v1/attendance-procedure/{id}/outcome: the outcome of a stage meeting (ATT-21 … ATT-24). */
export const stageOutcomeSchema = z
  .object({
    outcome: z.enum(ALL_OUTCOMES as unknown as [string, ...string[]], {
      message: 'Choose an outcome the stage allows',
    }),
    outcomeDate: isoDate,
    reviewEndDate: isoDate.nullable().default(null),
    notes: text(4000).nullable().default(null),
  })
  .strict();
export type StageOutcomeInput = z.infer<typeof stageOutcomeSchema>;

/** POST /api/v1/attendance-procedure/{id}/postponement: ATT-24, for the representative. */
export const postponementSchema = z
  .object({
    meetingDate: isoDate,
    meetingTime: meetingTime.nullable().default(null),
    reason: text(500).min(3, 'Say why the meeting is postponed'),
  })
  .strict();
export type PostponementInput = z.infer<typeof postponementSchema>;

/** POST /api/v1/attendance-procedure/{id}/appeal: the appeal against the outcome (ATT-24). */
export const appealSchema = z
  .object({
    lodgedOn: isoDate,
    heardOn: isoDate.nullable().default(null),
    outcome: z.enum(APPEAL_OUTCOMES, { error: 'Choose the appeal outcome from the list' }).nullable().default(null),
    decidedOn: isoDate.nullable().default(null),
  })
  .strict()
  .refine((v) => v.outcome === null || v.decidedOn !== null, {
    path: ['decidedOn'],
    message: 'Give the date the appeal decision was sent in writing',
  })
  .refine((v) => v.decidedOn === null || v.outcome !== null, {
    path: ['outcome'],
    message: 'Choose the appeal outcome',
  });
export type AppealInput = z.infer<typeof appealSchema>;

/** ATT-18: what was decided about the triggers reached on a date, and why. */
export const triggerDecisionSchema = z
  .object({
    asOf: isoDate,
    triggerCodes: z
      .array(z.enum(['bradford', 'spells', 'continuous'], { error: 'Choose review points from the list' }))
      .min(1, 'Name the trigger(s) the decision is about'),
    decision: z.enum(['no-action', 'informal-action', 'formal-procedure'], { error: 'Choose the decision' }),
    rationale: text(4000).default(''),
  })
  .strict()
  .refine((v) => v.decision !== 'no-action' || v.rationale.length >= 10, {
    path: ['rationale'],
    // ATT-18
    message: 'A decision not to act must give its rationale, for example the extenuating circumstances',
  });
export type TriggerDecisionInput = z.infer<typeof triggerDecisionSchema>;

/** POST /api/v1/people/{personId}/disability-discount: ATT-7, per case. */
export const disabilityDecisionSchema = z
  .object({
    effectiveFrom: isoDate,
    /** false: all reasonable adjustments have been made and attendance still cannot be maintained. */
    discount: z.boolean({ error: 'Say whether disability-related absence is discounted' }),
    // ATT-7
    rationale: text(4000).min(10, 'Record the reasons, for example the adjustments made and the OH advice'),
  })
  .strict();
export type DisabilityDecisionInput = z.infer<typeof disabilityDecisionSchema>;
