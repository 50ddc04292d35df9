import { z } from 'zod';
import { addDays, addMonths, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { isoDate } from '../people/people-schemas.js';
import { isRostered } from './duty-days.js';
import type { FieldMessages } from '../shared/error-messages.js';

export const WORKPLACE_FACTORS = [
  'stress',
  'hazards',
  'bullying-harassment',
  'staff-shortages',
  'workload',
  'job-design',
  'other',
] as const;
export const RECURRENCE = ['unlikely', 'possible', 'likely'] as const;
/** ATT-14: the return-to-work strategy after long-term absence. */
export const STRATEGIES = ['none', 'recuperative', 'restricted'] as const;

/** The return-to-work interview form: every point of seed 003 §13.9 plus §13.6, §13.10 and §15 (ATT-13, ATT-14). */
export const returnToWorkSchema = z
  .object({
    interviewDate: isoDate,
    /** Fit, fully recovered and able to undertake the full range of duties. */
    fitForFullDuties: z.boolean({ error: 'Say whether they are fit for the full range of duties' }),
    /** Reasonable adjustments considered (e.g. for a disability). */
    adjustments: z.string().trim().max(2000).nullable().default(null),
    /** The reason for absence discussed and the possibility of it recurring. */
    recurrenceLikelihood: z.enum(RECURRENCE, { error: 'Choose how likely the absence is to happen again' }),
    /** Reminded of the need for good attendance and the effect of sickness on the service. */
    attendanceExpectationsDiscussed: z.boolean({
      error: 'Say whether they were reminded of the need for good attendance',
    }),
    /** Self-certification certified / the absence fully covered by certificates (§13.7). */
    certificationComplete: z.boolean({ error: 'Say whether the whole absence is covered by certificates' }),
    /** Stress, hazards, bullying or harassment, shortages, job design and size… */
    workplaceFactors: z.array(z.enum(WORKPLACE_FACTORS)).max(WORKPLACE_FACTORS.length).default([]),
    workplaceNotes: z.string().trim().max(2000).nullable().default(null),
    /** §13.6: recorded on the interview form as on the absence. */
    disabilityRelated: z.boolean({ error: 'Say whether the absence was disability-related' }),
    pregnancyRelated: z.boolean({ error: 'Say whether the absence was pregnancy-related' }),
    /** §13.10 compliance measures. */
    notifiedFirstDayOfSickness: z.boolean({
      error: 'Say whether they notified their manager on the first day of sickness',
    }),
    notifiedFirstDayOfFitness: z.boolean({
      error: 'Say whether they notified their manager on the first day of fitness',
    }),
    /** §13.4: flexible working, time off for dependants and other provisions drawn to attention. */
    flexibleWorkingDiscussed: z.boolean({
      error: 'Say whether flexible working and time off for dependants were mentioned',
    }),
    strategy: z.enum(STRATEGIES).default('none'),
    strategyReviewDate: isoDate.nullable().default(null),
    /** ATT-14: when the recuperative or restricted duties are planned to end. */
    strategyEndDate: isoDate.nullable().default(null),
    notes: z.string().trim().max(4000).nullable().default(null),
  })
  .strict()
  .refine((v) => v.strategy === 'none' || v.strategyReviewDate !== null, {
    path: ['strategyReviewDate'],
    // ATT-14
    message: 'Give the date of the first monthly review',
  })
  .refine((v) => v.strategy === 'none' || v.strategyEndDate !== null, {
    path: ['strategyEndDate'],
    // ATT-14
    message: 'Give the date the duties are planned to end',
  })
  .refine((v) => v.strategy !== 'none' || (v.strategyReviewDate === null && v.strategyEndDate === null), {
    path: ['strategy'],
    message: 'Choose recuperative or restricted duties to set review and end dates',
  });
export type ReturnToWorkInput = z.infer<typeof returnToWorkSchema>;

/** A return-to-work interview as recorded: the form's answers, with who held it. */
export type RecordedInterview = ReturnToWorkInput & {
  id: string;
  absenceId: string;
  /** The interviewer's name; null when their account is gone. */
  interviewerName: string | null;
};

/**
 * ATT-13: does this absence still need a return-to-work interview on `asOf`? A sickness absence
 * (one that counts) the person is back from — its last day is before `asOf`, as the interview is
 * held on the return — and no interview recorded. Absences that do not count as sickness never do.
 */
export function needsReturnToWorkInterview(
  spell: { countsAsSickness: boolean; endDate: IsoDate | null },
  asOf: IsoDate,
  interviewed: boolean,
): boolean {
  return spell.countsAsSickness && spell.endDate !== null && spell.endDate < asOf && !interviewed;
}

/**
 * ATT-13: the interview is due on the day of return — the person's first rostered day after
 * the last day of absence — and is overdue once the form has not reached HR within
 * `overdueAfterWorkingDays` working days of the return.
 */
export function returnToWorkDue(
  lastDayOfAbsence: IsoDate,
  pattern: WorkingPattern,
  calendar: WorkingDayCalendar,
  overdueAfterWorkingDays: number,
): { dueDate: IsoDate; overdueAfter: IsoDate } {
  let day = addDays(lastDayOfAbsence, 1);
  for (let i = 0; i < 60 && !isRostered(pattern, day, calendar); i++) day = addDays(day, 1);
  return { dueDate: day, overdueAfter: calendar.addWorkingDays(day, overdueAfterWorkingDays) };
}

/** The recuperative and restricted duties periods (ATT-14; seed 003 §15.3, §15.4, §15.7; policy data). */
export interface DutiesPolicy {
  recuperativeMaxMonths: number;
  recuperativeFullPayMonths: number;
  reviewEveryMonths: number;
}

/** ATT-14: recuperative duties last less than the policy's months from the return (reviewable by the Force Medical Adviser). */
export function checkStrategyDates(input: {
  strategy: (typeof STRATEGIES)[number];
  returnDate: IsoDate;
  reviewDate: IsoDate | null;
  endDate: IsoDate | null;
  policy: DutiesPolicy;
}): FieldMessages {
  // Locale keys with their values: each page words them in its reader's language (issue 15 §6).
  const fields: FieldMessages = {};
  if (input.strategy === 'none' || !input.reviewDate || !input.endDate) return fields;
  if (input.endDate <= input.returnDate) fields.strategyEndDate = 'rtw.refusals.dutiesEndAfterReturn';
  if (input.reviewDate < input.returnDate) fields.strategyReviewDate = 'rtw.refusals.reviewAfterReturn';
  else if (input.reviewDate > addMonths(input.returnDate, input.policy.reviewEveryMonths))
    // ATT-14
    fields.strategyReviewDate = {
      key: 'rtw.refusals.reviewEvery',
      values: {
        count: input.policy.reviewEveryMonths,
        date: addMonths(input.returnDate, input.policy.reviewEveryMonths),
      },
    };
  const limit = addMonths(input.returnDate, input.policy.recuperativeMaxMonths);
  if (input.strategy === 'recuperative' && input.endDate >= limit) {
    // ATT-14
    fields.strategyEndDate ??= {
      key: 'rtw.refusals.recuperativeLimit',
      values: { count: input.policy.recuperativeMaxMonths, date: limit },
    };
  }
  return fields;
}

export type DutiesTaskCode = 'duties-review' | 'recuperative-pay-review' | 'recuperative-limit-review';

/**
 * The tasks a return-to-work strategy sets (ATT-14): a review every month from the first
 * review date until the duties end (line manager with the person, §15.4); for recuperative
 * duties, the pay review when the months on full pay end and monthly after (§15.7.1, HR),
 * and the Force Medical Adviser's review before the limit (§15.3, OH). Only those due by `asOf`.
 */
export function dutiesTasks(input: {
  strategy: (typeof STRATEGIES)[number];
  returnDate: IsoDate;
  reviewDate: IsoDate | null;
  endDate: IsoDate | null;
  asOf: IsoDate;
  policy: DutiesPolicy;
}): Array<{ code: DutiesTaskCode; sequence: number; dueDate: IsoDate; owner: 'line-manager' | 'hr' | 'oh' }> {
  const { strategy, returnDate, reviewDate, endDate, asOf, policy } = input;
  if (strategy === 'none' || !reviewDate || !endDate) return [];
  const out: Array<{ code: DutiesTaskCode; sequence: number; dueDate: IsoDate; owner: 'line-manager' | 'hr' | 'oh' }> =
    [];
  for (let n = 0; ; n++) {
    const due = addMonths(reviewDate, n * policy.reviewEveryMonths);
    if (due > endDate || due > asOf) break;
    out.push({ code: 'duties-review', sequence: n + 1, dueDate: due, owner: 'line-manager' });
  }
  if (strategy === 'recuperative') {
    for (let n = 0; ; n++) {
      const due = addMonths(returnDate, policy.recuperativeFullPayMonths + n * policy.reviewEveryMonths);
      if (due > endDate || due > asOf) break;
      out.push({ code: 'recuperative-pay-review', sequence: n + 1, dueDate: due, owner: 'hr' });
    }
    // A month before the limit, so the adviser can decide before it is reached.
    const limitReview = addMonths(returnDate, policy.recuperativeMaxMonths - 1);
    if (limitReview <= endDate && limitReview <= asOf)
      out.push({ code: 'recuperative-limit-review', sequence: 1, dueDate: limitReview, owner: 'oh' });
  }
  return out.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.code.localeCompare(b.code));
}
