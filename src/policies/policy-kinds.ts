import { z } from 'zod';

/** A whole number the form names plainly when it is not one. */
const whole = (min: number, max: number) =>
  z
    .number({ error: 'Enter a whole number' })
    .int('Enter a whole number')
    .min(min, `Enter ${min} or more`)
    .max(max, `Enter ${max} or less`);
const days = (fallback: number, min = 0) => whole(min, 365).default(fallback);
/** Day numbers and repeat periods: 0 would mean nothing (or a loop without end). */
const daysFrom1 = (fallback: number) => days(fallback, 1);
const monthRange = (min: number, max: number) =>
  z
    .object({ min: whole(0, 24), max: whole(1, 24) })
    .strict()
    .refine((r) => r.min <= r.max, 'The shortest period must not be longer than the longest')
    .default({ min, max });

const MILESTONE_DEFAULTS = {
  contactWithinDays: 1,
  callOnDay: 4,
  certificateAfterDays: 7,
  liaisonAfterDays: 7,
  contactEveryDays: 7,
  homeVisitByDay: 21,
  reportEveryDays: 28,
  ohReferralAfterDays: 28,
  escalateAfterWorkingDays: 2,
  returnToWorkWithinWorkingDays: 5,
  accidentReportWithinDays: 2,
  hseReportableAfterDays: 7,
  hseReportWithinDays: 15,
};
const FORMAL_DEFAULTS = {
  meetingNoticeWorkingDays: 5,
  stage1ReviewMonths: { min: 1, max: 3 },
  stage2ReviewMonths: { min: 1, max: 3 },
  appealWarningWorkingDays: 5,
  appealStage3WorkingDays: 15,
  appealDecisionWorkingDays: 15,
  postponementWorkingDays: 5,
  warningLifeMonths: 12,
};
/** ATT-14 (seed 003 §15.3, §15.4, §15.7). */
const RETURN_TO_WORK_DEFAULTS = { recuperativeMaxMonths: 6, recuperativeFullPayMonths: 3, reviewEveryMonths: 1 };
/**
 * ATT-29: sick pay. The seed leaves the scale to the force's Pay and Conditions (App D §1);
 * the default is the NJC / Police Staff Council service scale (P: check against your own
 * conditions), in calendar days, counting the sickness in the 12 months before the absence.
 */
const SICK_PAY_DEFAULTS = {
  scale: [
    { serviceFromMonths: 0, fullPayDays: 30, halfPayDays: 0 },
    { serviceFromMonths: 4, fullPayDays: 30, halfPayDays: 60 },
    { serviceFromMonths: 12, fullPayDays: 60, halfPayDays: 60 },
    { serviceFromMonths: 24, fullPayDays: 120, halfPayDays: 120 },
    { serviceFromMonths: 36, fullPayDays: 150, halfPayDays: 150 },
    { serviceFromMonths: 60, fullPayDays: 180, halfPayDays: 180 },
  ],
  lookBackMonths: 12,
  warnDaysBefore: 14,
  reviewEveryMonths: 1,
};
/**
 * ATT-28: the cost of a duty day lost, by workforce role, in pounds. Not in the seed (U):
 * illustrative defaults for each force to replace with its own salary and on-cost figures.
 */
const COST_DEFAULTS = {
  default: 150,
  byWorkforceRole: { officer: 210, 'police-staff': 140, pcso: 130, 'special-constable': 0, volunteer: 0 },
};

/**
 * Policy kinds: the thresholds and periods a force may set differently, with the value
 * the platform ships as the default. Each organisation's changes are stored as numbered
 * versions; a calculation records the version it used. Later capabilities (attendance,
 * pathways, consent) add their kinds here.
 */
export const POLICY_KINDS = {
  /**
   * CONF-5: aggregate views suppress any figure computed from fewer than this many people.
   * Configurable, never below 5.
   */
  disclosure: {
    description: 'Small-number suppression for aggregate views (CONF-5).',
    schema: z
      .object({
        minimumCellSize: z
          .number({ error: 'Enter a whole number' })
          .int('Enter a whole number')
          // CONF-5
          .min(5, 'Never below 5')
          .max(100, 'Enter 100 or less')
          .default(10),
      })
      .strict(),
    defaults: { minimumCellSize: 10 },
  },
  /**
   * Consent periods (domain brief §5). The AMRA periods are statute: a force may lengthen them,
   * never shorten them (forms with a 3-day window are what to avoid). The OH review period is
   * FOM guidance (P), at least 2 working days.
   */
  consent: {
    description: 'Consent periods: AMRA access and retention (AMRA-4, AMRA-6) and the OH report review period (§5b).',
    schema: z
      .object({
        /** AMRA-4 (s.4(3)): 21 days. */
        amraAccessDays: whole(21, 90).default(21),
        /** AMRA-6 (s.6): 6 months. */
        reportRetentionMonths: whole(6, 72).default(6),
        /** §5b (P): working days the person has to review an OH report before release. */
        ohReviewWorkingDays: whole(2, 30).default(2),
      })
      .strict(),
    defaults: { amraAccessDays: 21, reportRetentionMonths: 6, ohReviewWorkingDays: 2 },
  },
  /**
   * The attendance policy (seed 003, domain brief §2). Shipped values are the seed's; fields
   * added later get defaults so earlier published versions still read.
   */
  attendance: {
    description: 'Attendance management thresholds and periods (ATT-15 … ATT-19).',
    schema: z
      .object({
        /** ATT-15: the Bradford window. */
        bradfordWindowWeeks: whole(4, 104).default(52),
        /** ATT-18 */
        bradfordThreshold: whole(1, 100_000).default(200),
        spellsThreshold: whole(1, 50).default(3),
        spellsWindowMonths: whole(1, 24).default(12),
        /** ATT-18: 4 weeks' consecutive absence (ATT-12 long-term absence is also 28 days). */
        continuousDaysThreshold: whole(1, 365).default(28),
        /** ATT-2 … ATT-4, ATT-8 … ATT-12: contact and review milestones, in calendar days. */
        milestones: z
          .object({
            contactWithinDays: days(1),
            callOnDay: daysFrom1(4),
            certificateAfterDays: days(7),
            liaisonAfterDays: days(7),
            contactEveryDays: daysFrom1(7),
            homeVisitByDay: daysFrom1(21),
            reportEveryDays: daysFrom1(28),
            ohReferralAfterDays: days(28),
            /** §4: an overdue milestone moves up to the next manager after this many working days. */
            escalateAfterWorkingDays: days(2),
            /** ATT-13: the return-to-work form reaches HR within this many working days of the return. */
            returnToWorkWithinWorkingDays: days(5),
            /** ATT-5: the accident report (A324) within 48 hours of an injury on duty. */
            accidentReportWithinDays: days(2),
            /**
             * ATT-5: the seed policy reports injuries keeping someone off more than 3 days to the HSE;
             * RIDDOR today says over 7 days, within 15 days of the accident. The current law is the default.
             */
            hseReportableAfterDays: days(7),
            hseReportWithinDays: days(15),
          })
          .strict()
          .default(MILESTONE_DEFAULTS),
        /** ATT-20 … ATT-25: the formal procedure. */
        formalProcedure: z
          .object({
            meetingNoticeWorkingDays: days(5),
            stage1ReviewMonths: monthRange(1, 3),
            stage2ReviewMonths: monthRange(1, 3),
            appealWarningWorkingDays: days(5),
            appealStage3WorkingDays: days(15),
            appealDecisionWorkingDays: days(15),
            postponementWorkingDays: days(5),
            warningLifeMonths: whole(1, 60).default(12),
          })
          .strict()
          .default(FORMAL_DEFAULTS),
        /** ATT-14: recuperative and restricted duties after a return. */
        returnToWork: z
          .object({
            recuperativeMaxMonths: whole(1, 24).default(6),
            recuperativeFullPayMonths: whole(0, 24).default(3),
            reviewEveryMonths: whole(1, 6).default(1),
          })
          .strict()
          .default(RETURN_TO_WORK_DEFAULTS),
        /** ATT-29 */
        sickPay: z
          .object({
            scale: z
              .array(
                z
                  .object({ serviceFromMonths: whole(0, 600), fullPayDays: whole(0, 365), halfPayDays: whole(0, 365) })
                  .strict(),
              )
              .min(1, 'Give at least one row')
              .max(20)
              .refine(
                (rows) => rows.length > 0 && rows[0]!.serviceFromMonths === 0,
                'The scale starts at 0 months of service',
              )
              .refine(
                (rows) => rows.every((r, i) => i === 0 || r.serviceFromMonths > rows[i - 1]!.serviceFromMonths),
                'Rows go up in months of service',
              )
              .default(SICK_PAY_DEFAULTS.scale),
            lookBackMonths: whole(1, 48).default(12),
            /** HR warns in writing this many days before pay is reduced (App D §6.2). */
            warnDaysBefore: days(14),
            /** Decisions to cut or extend half pay / no pay are reviewed monthly (App D §6). */
            reviewEveryMonths: whole(1, 6).default(1),
          })
          .strict()
          .default(SICK_PAY_DEFAULTS),
        /** ATT-28 */
        costPerDutyDay: z
          .object({
            default: z
              .number({ error: 'Enter an amount in pounds' })
              .min(0, 'Enter 0 or more')
              .max(10_000, 'Enter 10000 or less'),
            byWorkforceRole: z
              .partialRecord(
                z.enum(['officer', 'police-staff', 'pcso', 'special-constable', 'volunteer']),
                z
                  .number({ error: 'Enter an amount in pounds' })
                  .min(0, 'Enter 0 or more')
                  .max(10_000, 'Enter 10000 or less'),
              )
              .default({}),
          })
          .strict()
          .default(COST_DEFAULTS),
        /** ATT-28: quarters and years are financial: April by default. */
        financialYearStartMonth: whole(1, 12).default(4),
        /** ATT-18: the line manager reviews a newly reached trigger within this many working days. */
        triggerReviewWithinWorkingDays: days(5),
      })
      .strict(),
    defaults: {
      bradfordWindowWeeks: 52,
      bradfordThreshold: 200,
      spellsThreshold: 3,
      spellsWindowMonths: 12,
      continuousDaysThreshold: 28,
      milestones: MILESTONE_DEFAULTS,
      formalProcedure: FORMAL_DEFAULTS,
      returnToWork: RETURN_TO_WORK_DEFAULTS,
      sickPay: SICK_PAY_DEFAULTS,
      costPerDutyDay: COST_DEFAULTS,
      financialYearStartMonth: 4,
      triggerReviewWithinWorkingDays: 5,
    },
  },
  /**
   * Blood-borne virus follow-up (domain brief §3). BBV-7: the 3- and 6-month tests are due on the same
   * date 3 and 6 calendar months after the exposure, and a sample this many days either side still
   * counts (interpretation: the seed gives no tolerance; a force's OH lead sets it). The person is
   * reminded, through OH, this many days before a window opens.
   */
  bbv: {
    description: 'Blood-borne virus follow-up testing: the 3- and 6-month tolerance and reminders (BBV-7).',
    schema: z
      .object({
        toleranceDays: whole(0, 30).default(14),
        reminderDaysBefore: whole(1, 28).default(7),
      })
      .strict(),
    defaults: { toleranceDays: 14, reminderDaysBefore: 7 },
  },
  /**
   * Needs-assessment surveys (domain brief §6). Everyone whose invitation is still unused is reminded by email
   * this many days before a campaign closes. NA-5: the HSE Analysis Tool's benchmark, per domain, as the 20th,
   * 50th and 80th percentiles of domain means; the values are not public in a verified form, so none ships, and
   * results show raw domain means until an organisation enters its own.
   */
  surveys: {
    description: 'Needs-assessment surveys: reminders, and the HSE benchmark for colour bands (NA-5).',
    schema: z
      .object({
        reminderDaysBeforeClose: whole(1, 60).default(7),
        hseBenchmark: z
          .partialRecord(
            z.enum(['demands', 'control', 'manager-support', 'peer-support', 'relationships', 'role', 'change']),
            z
              .object({ p20: z.number().min(1).max(5), p50: z.number().min(1).max(5), p80: z.number().min(1).max(5) })
              .strict()
              .refine((b) => b.p20 <= b.p50 && b.p50 <= b.p80, 'The percentiles must rise from the 20th to the 80th'),
          )
          .nullable()
          .default(null),
      })
      .strict(),
    defaults: { reminderDaysBeforeClose: 7, hseBenchmark: null },
  },
} as const;

export type PolicyKind = keyof typeof POLICY_KINDS;
export type PolicyContent<K extends PolicyKind> = z.infer<(typeof POLICY_KINDS)[K]['schema']>;

export function isPolicyKind(value: string): value is PolicyKind {
  return Object.hasOwn(POLICY_KINDS, value);
}
