import { z } from 'zod';
import { addDays, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { isoDate } from '../people/people-schemas.js';
import { isRostered } from './duty-days.js';

export const WORKPLACE_FACTORS = ['stress', 'hazards', 'bullying-harassment', 'staff-shortages', 'workload', 'job-design', 'other'] as const;
export const RECURRENCE = ['unlikely', 'possible', 'likely'] as const;
/** ATT-14: the return-to-work strategy after long-term absence. */
export const STRATEGIES = ['none', 'recuperative', 'restricted'] as const;

/** The return-to-work interview form: every point of seed 003 §13.9 plus §13.6, §13.10 and §15 (ATT-13, ATT-14). */
export const returnToWorkSchema = z
  .object({
    interviewDate: isoDate,
    /** Fit, fully recovered and able to undertake the full range of duties. */
    fitForFullDuties: z.boolean(),
    /** Reasonable adjustments considered (e.g. for a disability). */
    adjustments: z.string().trim().max(2000).nullable().default(null),
    /** The reason for absence discussed and the possibility of it recurring. */
    recurrenceLikelihood: z.enum(RECURRENCE),
    /** Reminded of the need for good attendance and the effect of sickness on the service. */
    attendanceExpectationsDiscussed: z.boolean(),
    /** Self-certification certified / the absence fully covered by certificates (§13.7). */
    certificationComplete: z.boolean(),
    /** Stress, hazards, bullying or harassment, shortages, job design and size… */
    workplaceFactors: z.array(z.enum(WORKPLACE_FACTORS)).max(WORKPLACE_FACTORS.length).default([]),
    workplaceNotes: z.string().trim().max(2000).nullable().default(null),
    /** §13.6: recorded on the interview form as on the absence. */
    disabilityRelated: z.boolean(),
    pregnancyRelated: z.boolean(),
    /** §13.10 compliance measures. */
    notifiedFirstDayOfSickness: z.boolean(),
    notifiedFirstDayOfFitness: z.boolean(),
    /** §13.4: flexible working, time off for dependants and other provisions drawn to attention. */
    flexibleWorkingDiscussed: z.boolean(),
    strategy: z.enum(STRATEGIES).default('none'),
    strategyReviewDate: isoDate.nullable().default(null),
    notes: z.string().trim().max(4000).nullable().default(null),
  })
  .strict()
  .refine((v) => v.strategy === 'none' || v.strategyReviewDate !== null, { path: ['strategyReviewDate'], message: 'Give the date of the first monthly review (ATT-14)' });
export type ReturnToWorkInput = z.infer<typeof returnToWorkSchema>;

/**
 * ATT-13: the interview is due on the day of return — the person's first rostered day after
 * the last day of absence — and is overdue once the form has not reached HR within
 * `overdueAfterWorkingDays` working days of the return.
 */
export function returnToWorkDue(lastDayOfAbsence: IsoDate, pattern: WorkingPattern, calendar: WorkingDayCalendar, overdueAfterWorkingDays: number): { dueDate: IsoDate; overdueAfter: IsoDate } {
  let day = addDays(lastDayOfAbsence, 1);
  for (let i = 0; i < 60 && !isRostered(pattern, day, calendar); i++) day = addDays(day, 1);
  return { dueDate: day, overdueAfter: calendar.addWorkingDays(day, overdueAfterWorkingDays) };
}
