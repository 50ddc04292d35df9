import { addDays, addMonths, epochDay, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { dutyDayCounter } from './duty-days.js';

/** What the score needs to know about a spell of absence. */
export interface ScoredSpell {
  startDate: IsoDate;
  /** null while the person is still absent. */
  endDate: IsoDate | null;
  /** ATT-6: disability-related treatment, statutory medicals and pre-arranged treatment are not sickness. */
  countsAsSickness: boolean;
  /** ATT-7: always discounted. */
  pregnancyRelated: boolean;
  /** ATT-7: discounted unless the case's decisions say otherwise (`DisabilityDecisions`). */
  disabilityRelated: boolean;
}

/**
 * ATT-7: disability-related absence is discounted as a reasonable adjustment, except where
 * all reasonable adjustments have been made and attendance still cannot be maintained. A
 * case's decisions say from which date its disability-related absence is (or again is not)
 * discounted; a spell follows the decision in force on its first day. No decisions: discounted.
 */
export type DisabilityDecisions = ReadonlyArray<{ effectiveFrom: IsoDate; discount: boolean }>;

/** Whether a disability-related spell starting on `startDate` is discounted under the case's decisions (ATT-7). */
export function disabilityDiscounted(startDate: IsoDate, decisions: DisabilityDecisions): boolean {
  let discount = true;
  let from = '';
  for (const d of decisions)
    if (d.effectiveFrom <= startDate && d.effectiveFrom >= from) [discount, from] = [d.discount, d.effectiveFrom];
  return discount;
}

/** The thresholds and periods the score and triggers use (attendance policy; seed values by default). */
export interface TriggerPolicy {
  bradfordWindowWeeks: number;
  bradfordThreshold: number;
  spellsThreshold: number;
  spellsWindowMonths: number;
  continuousDaysThreshold: number;
}

export interface BradfordResult {
  asOf: IsoDate;
  windowStart: IsoDate;
  /** S: spells with at least one duty day lost inside the window. */
  spells: number;
  /** D: duty days lost inside the window. */
  days: number;
  /** S × S × D, projected to a year for service under the window (ATT-17), rounded to a whole number. */
  bradfordScore: number;
  projected: boolean;
  /** 52 weeks ÷ weeks of service when projected, else 1. */
  projectionFactor: number;
}

/** Whether a spell counts towards scores and triggers (ATT-6, ATT-7, ATT-19). */
export function isCounted(s: ScoredSpell, disability: DisabilityDecisions): boolean {
  return (
    s.countsAsSickness && !s.pregnancyRelated && !(s.disabilityRelated && disabilityDiscounted(s.startDate, disability))
  );
}

/** Spells that count towards scores and triggers (ATT-6, ATT-7, ATT-19). */
export function countedSpells<S extends ScoredSpell>(spells: readonly S[], disability: DisabilityDecisions): S[] {
  return spells.filter((s) => isCounted(s, disability));
}

/** Counted spells as epoch days (epochDay), converted once for the score and the triggers: an open spell ends at Infinity. */
interface SpellDays {
  starts: number[];
  ends: number[];
}

function spellDays(counted: readonly ScoredSpell[]): SpellDays {
  const starts = new Array<number>(counted.length);
  const ends = new Array<number>(counted.length);
  for (let i = 0; i < counted.length; i++) {
    const s = counted[i]!;
    starts[i] = epochDay(s.startDate);
    ends[i] = s.endDate === null ? Infinity : epochDay(s.endDate);
  }
  return { starts, ends };
}

/**
 * One-entry memo of a date worked out from `asOf`: a sweep scores tens of thousands of people
 * on the same day under the same policy, and making a date string costs more than the
 * arithmetic on a short history.
 */
function memoDate(
  work: (asOf: IsoDate, n: number) => IsoDate,
): (asOf: IsoDate, n: number) => { date: IsoDate; day: number } {
  let lastAsOf: IsoDate | null = null;
  let lastN = 0;
  let last: { date: IsoDate; day: number } = { date: '1970-01-01', day: 0 };
  return (asOf, n) => {
    if (asOf !== lastAsOf || n !== lastN) {
      const date = work(asOf, n);
      [lastAsOf, lastN, last] = [asOf, n, { date, day: epochDay(date) }];
    }
    return last;
  };
}

/** The first day of a window of `windowDays` days ending on `asOf`. */
const windowStartOf = memoDate((asOf, windowDays) => addDays(asOf, -(windowDays - 1)));
/** The first day of the `months` calendar months ending on `asOf`. */
const monthsWindowStartOf = memoDate((asOf, months) => addDays(addMonths(asOf, -months), 1));

/**
 * The Bradford factor (ATT-15, ATT-16, ATT-17): S × S × D over the window of
 * `bradfordWindowWeeks` weeks ending on `asOf` (both ends included). D counts the
 * person's duty days; only the part of a spell inside the window counts, and a spell
 * overlapping the window counts once. With less service than the window, S and D are each
 * scaled by window ÷ service (seed: 3 × 1-day absences in 13 weeks → 12 × 12 × 12 = 1,728).
 */
export function bradfordFactor(input: {
  spells: readonly ScoredSpell[];
  asOf: IsoDate;
  serviceStartDate: IsoDate;
  pattern: WorkingPattern;
  calendar: WorkingDayCalendar;
  windowWeeks: number;
  disability: DisabilityDecisions;
}): BradfordResult {
  return bradfordOf(spellDays(countedSpells(input.spells, input.disability)), input);
}

/** The Bradford factor over the days of the spells that count. */
function bradfordOf(
  counted: SpellDays,
  input: {
    asOf: IsoDate;
    serviceStartDate: IsoDate;
    pattern: WorkingPattern;
    calendar: WorkingDayCalendar;
    windowWeeks: number;
  },
): BradfordResult {
  const windowDays = input.windowWeeks * 7;
  const windowStart = windowStartOf(input.asOf, windowDays);
  const asOfDay = epochDay(input.asOf);
  const serviceStartDay = epochDay(input.serviceStartDate);
  const from = serviceStartDay > windowStart.day ? serviceStartDay : windowStart.day;
  let dutyDays: ((from: number, to: number) => number) | null = null;
  let spells = 0;
  let days = 0;
  for (let i = 0; i < counted.starts.length; i++) {
    const start = counted.starts[i]! > from ? counted.starts[i]! : from;
    const end = counted.ends[i]! > asOfDay ? asOfDay : counted.ends[i]!;
    if (end < start) continue;
    dutyDays ??= dutyDayCounter(input.pattern, input.calendar);
    const lost = dutyDays(start, end);
    if (lost === 0) continue;
    spells += 1;
    days += lost;
  }
  const serviceDays = asOfDay - serviceStartDay + 1;
  const projected = serviceDays > 0 && serviceDays < windowDays;
  const projectionFactor = projected ? windowDays / serviceDays : 1;
  const s = spells * projectionFactor;
  const d = days * projectionFactor;
  return {
    asOf: input.asOf,
    windowStart: windowStart.date,
    spells,
    days,
    bradfordScore: Math.round(s * s * d),
    projected,
    projectionFactor,
  };
}

export const TRIGGER_CODES = ['bradford', 'spells', 'continuous'] as const;
export type TriggerCode = (typeof TRIGGER_CODES)[number];

export interface Trigger {
  code: TriggerCode;
  value: number;
  threshold: number;
}

/**
 * Review triggers (ATT-18, ATT-19), any one of: Bradford score at or above the threshold;
 * the threshold number of spells in the last `spellsWindowMonths` calendar months; a spell
 * of `continuousDaysThreshold` consecutive calendar days or more (4 weeks). Discounted
 * absences never trigger.
 */
export function triggersReached(input: {
  bradford: BradfordResult;
  spells: readonly ScoredSpell[];
  asOf: IsoDate;
  policy: TriggerPolicy;
  disability: DisabilityDecisions;
}): Trigger[] {
  return triggersOf(spellDays(countedSpells(input.spells, input.disability)), input.bradford, input.asOf, input.policy);
}

/** The review triggers over the days of the spells that count. */
function triggersOf(counted: SpellDays, bradford: BradfordResult, asOf: IsoDate, policy: TriggerPolicy): Trigger[] {
  const triggers: Trigger[] = [];
  if (bradford.bradfordScore >= policy.bradfordThreshold) {
    triggers.push({ code: 'bradford', value: bradford.bradfordScore, threshold: policy.bradfordThreshold });
  }
  const asOfDay = epochDay(asOf);
  const spellsFrom = monthsWindowStartOf(asOf, policy.spellsWindowMonths).day;
  let recent = 0;
  let longest = 0;
  for (let i = 0; i < counted.starts.length; i++) {
    // Started by `asOf`, and ending (or still running) on or after the first day of the months' window.
    const start = counted.starts[i]!;
    const last = counted.ends[i] === Infinity ? asOfDay : counted.ends[i]!;
    if (start > asOfDay || last < spellsFrom) continue;
    recent += 1;
    const length = (last > asOfDay ? asOfDay : last) - start + 1;
    if (length > longest) longest = length;
  }
  if (recent >= policy.spellsThreshold)
    triggers.push({ code: 'spells', value: recent, threshold: policy.spellsThreshold });
  if (longest >= policy.continuousDaysThreshold)
    triggers.push({ code: 'continuous', value: longest, threshold: policy.continuousDaysThreshold });
  return triggers;
}

/** What scoring one person needs besides their spells. */
export interface ScoreContext {
  serviceStartDate: IsoDate;
  pattern: WorkingPattern;
  calendar: WorkingDayCalendar;
  policy: TriggerPolicy;
  disability: DisabilityDecisions;
}

/** The Bradford factor and the review triggers reached on `asOf` (ATT-15 … ATT-19). */
export function attendanceScore(
  spells: readonly ScoredSpell[],
  asOf: IsoDate,
  c: ScoreContext,
): { bradford: BradfordResult; triggers: Trigger[] } {
  // What counts is decided once for both (ATT-19).
  const counted = spellDays(countedSpells(spells, c.disability));
  const bradford = bradfordOf(counted, {
    asOf,
    serviceStartDate: c.serviceStartDate,
    pattern: c.pattern,
    calendar: c.calendar,
    windowWeeks: c.policy.bradfordWindowWeeks,
  });
  return { bradford, triggers: triggersOf(counted, bradford, asOf, c.policy) };
}

/**
 * ATT-25: the days on which absence that began after `since` reached a review trigger — the
 * last day of each such spell (or `asOf` while it runs). Only absence after `since` counts,
 * so the absence that led to a warning does not make the attendance after it unsatisfactory.
 */
export function triggeredSince(
  spells: readonly ScoredSpell[],
  since: IsoDate,
  asOf: IsoDate,
  c: ScoreContext,
): IsoDate[] {
  const after = spells.filter((s) => s.startDate > since && s.startDate <= asOf);
  const dates: IsoDate[] = [];
  // Only absence that counts can make attendance unsatisfactory (ATT-6, ATT-7, ATT-19).
  for (const s of countedSpells(after, c.disability)) {
    const end = s.endDate === null || s.endDate > asOf ? asOf : s.endDate;
    if (attendanceScore(after, end, c).triggers.length > 0) dates.push(end);
  }
  return dates;
}
