import { z } from 'zod';
import { isoDate } from '../people/people-schemas.js';

/** Outcomes each step may have (ATT-21, ATT-22, ATT-23). */
export const STAGE_OUTCOMES = {
  'stage-1': ['no-action', 'monitor', 'first-written-improvement-notice'],
  'stage-2': ['no-action', 'monitor', 'second-written-warning'],
  'stage-3': ['no-further-action', 'final-warning-extended', 'redeployment', 'dismissal'],
} as const;

function stage<S extends keyof typeof STAGE_OUTCOMES>(step: S) {
  return z
    .object({
      step: z.literal(step),
      invitationDate: isoDate,
      meetingDate: isoDate,
      outcome: z.enum(STAGE_OUTCOMES[step]).nullable().default(null),
      outcomeDate: isoDate.nullable().default(null),
      reviewEndDate: isoDate.nullable().default(null),
      notes: z.string().trim().max(4000).nullable().default(null),
    })
    .strict();
}

/** POST /api/v1/people/{personId}/attendance-procedure: an informal action (ATT-20) or a formal stage meeting. */
export const procedureStepSchema = z.discriminatedUnion('step', [
  z
    .object({
      step: z.literal('informal-action'),
      actionDate: isoDate,
      notes: z.string().trim().min(3, 'Record what informal action was taken').max(4000),
    })
    .strict(),
  stage('stage-1'),
  stage('stage-2'),
  stage('stage-3'),
]);
export type ProcedureStepInput = z.infer<typeof procedureStepSchema>;

/** ATT-18: what was decided about the triggers reached on a date, and why. */
export const triggerDecisionSchema = z
  .object({
    asOf: isoDate,
    triggerCodes: z.array(z.enum(['bradford', 'spells', 'continuous'])).min(1, 'Name the trigger(s) the decision is about'),
    decision: z.enum(['no-action', 'informal-action', 'formal-procedure']),
    rationale: z.string().trim().max(4000).default(''),
  })
  .strict()
  .refine((v) => v.decision !== 'no-action' || v.rationale.length >= 10, {
    path: ['rationale'],
    message: 'A decision not to act must give its rationale, for example the extenuating circumstances (ATT-18)',
  });
export type TriggerDecisionInput = z.infer<typeof triggerDecisionSchema>;
