import { addDays, addMonths, londonDay, type IsoDate } from '../shared/dates.js';
import type {
  BbvTest,
  BodyFluid,
  ExposureType,
  ResultValue,
  ScheduleItem,
  Timepoint,
  TimepointStatus,
} from './bbv-types.js';

export type { ScheduleItem } from './bbv-types.js';

/**
 * The blood-borne virus rules (domain brief §3): the deadlines after an exposure, whether follow-up
 * is needed, and the testing schedule with its windows and tests. Pure: every calculation takes the
 * moment or the day it is for.
 */

const HOUR = 3_600_000;

/** BBV-1, BBV-3: the risk assessment within 1 hour; HIV PEP ideally within 24 hours, never after 72. Elapsed hours. */
export const RISK_ASSESSMENT_HOURS = 1;
export const PEP_ALERT_HOURS = 24;
export const PEP_DEADLINE_HOURS = 72;
/** BBV-7: the 4–6 week window, in days after the exposure. */
export const FIRST_WINDOW_DAYS = { from: 28, to: 42 } as const;

export interface Deadlines {
  riskAssessmentDueAt: Date;
  pepAlertAt: Date;
  pepDeadlineAt: Date;
}

/** BBV-1, BBV-3: the moments counted in elapsed hours from the exposure (a clock change does not move them). */
export function deadlinesOf(occurredAt: Date): Deadlines {
  const at = (hours: number) => new Date(occurredAt.getTime() + hours * HOUR);
  return {
    riskAssessmentDueAt: at(RISK_ASSESSMENT_HOURS),
    pepAlertAt: at(PEP_ALERT_HOURS),
    pepDeadlineAt: at(PEP_DEADLINE_HOURS),
  };
}

/** BBV-3: PEP may still be started at `now` (not after 72 hours). */
export function pepStillPossible(occurredAt: Date, now: Date): boolean {
  return now.getTime() <= deadlinesOf(occurredAt).pepDeadlineAt.getTime();
}

/** BBV-7: the schedule counts from the exposure's UK date: just after midnight in summer it is already the next day in the UK, still the previous one in UTC. */
export function exposureDateOf(occurredAt: Date): IsoDate {
  return londonDay(occurredAt);
}

/**
 * BBV-5: the guidance's default for whether follow-up testing is needed, when the clinician does
 * not say: a bite that did not break the skin carries no BBV risk, and spit (saliva) carries minimal
 * risk unless it is blood-stained. Everything else is followed up.
 */
export function followUpByDefault(exposure: {
  exposureType: ExposureType;
  skinBroken?: boolean | null;
  bloodInMouth?: boolean | null;
  bodyFluid?: BodyFluid | null;
}): boolean {
  const blood =
    exposure.bloodInMouth === true || exposure.bodyFluid === 'blood' || exposure.bodyFluid === 'blood-stained-fluid';
  if (exposure.exposureType === 'bite') return exposure.skinBroken !== false || blood;
  if (exposure.exposureType === 'spit') return blood;
  return true;
}

/** The BBV policy values the schedule uses (policy kind `bbv`). */
export interface SchedulePolicy {
  /** BBV-7: days either side of the 3- and 6-month due dates a sample still counts. */
  toleranceDays: number;
}

export interface RecordedResult {
  timepoint: Timepoint;
  test: BbvTest;
  result: ResultValue;
}

/** BBV-7: each timepoint's window and due date. */
export function windowsOf(
  exposureDate: IsoDate,
  policy: SchedulePolicy,
): Array<{ timepoint: Timepoint; windowStart: IsoDate; windowEnd: IsoDate; dueDate: IsoDate }> {
  const months = (n: number) => {
    const due = addMonths(exposureDate, n);
    return {
      windowStart: addDays(due, -policy.toleranceDays),
      windowEnd: addDays(due, policy.toleranceDays),
      dueDate: due,
    };
  };
  return [
    {
      timepoint: '4-6-weeks',
      windowStart: addDays(exposureDate, FIRST_WINDOW_DAYS.from),
      windowEnd: addDays(exposureDate, FIRST_WINDOW_DAYS.to),
      dueDate: addDays(exposureDate, FIRST_WINDOW_DAYS.from),
    },
    { timepoint: '3-months', ...months(3) },
    { timepoint: '6-months', ...months(6) },
  ];
}

/**
 * BBV-6: the tests each timepoint asks for. 4–6 weeks: HBsAg, HCV Ag/PCR, HIV Ag/Ab. 3 months: HBsAg,
 * HCV antibody, HIV Ag/Ab, and HCV Ag/PCR when the HCV risk is high. 6 months: HBsAg and HCV
 * antibody, and HIV Ag/Ab only when no HIV result was recorded at 3 months.
 */
export function testsFor(timepoint: Timepoint, highRiskHcv: boolean, results: readonly RecordedResult[]): BbvTest[] {
  if (timepoint === '4-6-weeks') return ['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab'];
  if (timepoint === '3-months')
    return highRiskHcv ? ['HBsAg', 'HCV-Ab', 'HCV-Ag-PCR', 'HIV-Ag-Ab'] : ['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab'];
  const hivAtThreeMonths = results.some((r) => r.timepoint === '3-months' && r.test === 'HIV-Ag-Ab');
  return hivAtThreeMonths ? ['HBsAg', 'HCV-Ab'] : ['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab'];
}

/** BBV-9: a result that needs a clinician at once. */
export function needsReview(result: ResultValue): boolean {
  return result === 'positive' || result === 'indeterminate';
}

/**
 * The testing schedule on `today` (BBV-6, BBV-7): each timepoint's window, tests and results, and
 * where it stands. It changes as results arrive (a 3-month HIV result takes HIV off the 6-month list).
 * The latest result of a test at a timepoint counts.
 */
export function planSchedule(input: {
  exposureDate: IsoDate;
  highRiskHcv: boolean;
  policy: SchedulePolicy;
  results: readonly RecordedResult[];
  today: IsoDate;
}): ScheduleItem[] {
  return windowsOf(input.exposureDate, input.policy).map((w) => {
    const tests = testsFor(w.timepoint, input.highRiskHcv, input.results);
    const latest = new Map<BbvTest, ResultValue>();
    for (const r of input.results) if (r.timepoint === w.timepoint) latest.set(r.test, r.result);
    const results = [...latest].map(([test, result]) => ({ test, result }));
    let status: TimepointStatus;
    if (results.some((r) => needsReview(r.result))) status = 'needs-review';
    else if (tests.every((t) => latest.has(t))) status = 'complete';
    else if (input.today < w.windowStart) status = 'upcoming';
    else if (input.today > w.windowEnd) status = 'overdue';
    else if (results.length) status = 'partial';
    else status = 'due';
    return { ...w, tests, status, results };
  });
}

/** Every timepoint done and negative: the pathway can close (issue 16 §4). */
export function allClear(schedule: readonly ScheduleItem[]): boolean {
  return schedule.length > 0 && schedule.every((s) => s.status === 'complete');
}

/**
 * The timepoint a laboratory sample taken on `sampleDate` belongs to (a result that names none): the
 * timepoint whose window holds the date; else the earliest timepoint not yet complete whose window has
 * opened (a late sample still counts for the test that was missed); else none — a sample taken before
 * any window opens is a baseline, kept but not counted.
 */
export function timepointForSample(schedule: readonly ScheduleItem[], sampleDate: IsoDate): Timepoint | null {
  const inWindow = schedule.find((s) => s.windowStart <= sampleDate && sampleDate <= s.windowEnd);
  if (inWindow) return inWindow.timepoint;
  const late = schedule.find((s) => s.windowStart <= sampleDate && s.status !== 'complete');
  return late?.timepoint ?? null;
}

/** The UK day a reminder for each timepoint is due: `daysBefore` days before its window opens. */
export function reminderDay(item: { windowStart: IsoDate }, daysBefore: number): IsoDate {
  return addDays(item.windowStart, -daysBefore);
}
