import { addDays, addMonths, daysBetween, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { dutyDaysBetween } from './duty-days.js';

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
  for (const d of decisions) if (d.effectiveFrom <= startDate && d.effectiveFrom >= from) [discount, from] = [d.discount, d.effectiveFrom];
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

/** Spells that count towards scores and triggers (ATT-6, ATT-7, ATT-19). */
export function countedSpells<S extends ScoredSpell>(spells: readonly S[], disability: DisabilityDecisions): S[] {
  return spells.filter((s) => s.countsAsSickness && !s.pregnancyRelated && !(s.disabilityRelated && disabilityDiscounted(s.startDate, disability)));
}

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
  const windowDays = input.windowWeeks * 7;
  const windowStart = addDays(input.asOf, -(windowDays - 1));
  const from = input.serviceStartDate > windowStart ? input.serviceStartDate : windowStart;
  let spells = 0;
  let days = 0;
  for (const spell of countedSpells(input.spells, input.disability)) {
    const start = spell.startDate > from ? spell.startDate : from;
    const end = spell.endDate === null || spell.endDate > input.asOf ? input.asOf : spell.endDate;
    if (end < start) continue;
    const lost = dutyDaysBetween(input.pattern, start, end, input.calendar);
    if (lost === 0) continue;
    spells += 1;
    days += lost;
  }
  const serviceDays = daysBetween(input.serviceStartDate, input.asOf) + 1;
  const projected = serviceDays > 0 && serviceDays < windowDays;
  const projectionFactor = projected ? windowDays / serviceDays : 1;
  const s = spells * projectionFactor;
  const d = days * projectionFactor;
  return { asOf: input.asOf, windowStart, spells, days, bradfordScore: Math.round(s * s * d), projected, projectionFactor };
}

export type TriggerCode = 'bradford' | 'spells' | 'continuous';

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
  const { policy, asOf } = input;
  const counted = countedSpells(input.spells, input.disability).filter((s) => s.startDate <= asOf);
  const triggers: Trigger[] = [];
  if (input.bradford.bradfordScore >= policy.bradfordThreshold) {
    triggers.push({ code: 'bradford', value: input.bradford.bradfordScore, threshold: policy.bradfordThreshold });
  }
  const spellsFrom = addDays(addMonths(asOf, -policy.spellsWindowMonths), 1);
  const recent = counted.filter((s) => (s.endDate ?? asOf) >= spellsFrom).length;
  if (recent >= policy.spellsThreshold) triggers.push({ code: 'spells', value: recent, threshold: policy.spellsThreshold });
  const longest = counted
    .filter((s) => (s.endDate ?? asOf) >= spellsFrom)
    .reduce((max, s) => Math.max(max, daysBetween(s.startDate, s.endDate === null || s.endDate > asOf ? asOf : s.endDate) + 1), 0);
  if (longest >= policy.continuousDaysThreshold) triggers.push({ code: 'continuous', value: longest, threshold: policy.continuousDaysThreshold });
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
export function attendanceScore(spells: readonly ScoredSpell[], asOf: IsoDate, c: ScoreContext): { bradford: BradfordResult; triggers: Trigger[] } {
  const bradford = bradfordFactor({ spells, asOf, serviceStartDate: c.serviceStartDate, pattern: c.pattern, calendar: c.calendar, windowWeeks: c.policy.bradfordWindowWeeks, disability: c.disability });
  return { bradford, triggers: triggersReached({ bradford, spells, asOf, policy: c.policy, disability: c.disability }) };
}

/**
 * ATT-25: the days on which absence that began after `since` reached a review trigger — the
 * last day of each such spell (or `asOf` while it runs). Only absence after `since` counts,
 * so the absence that led to a warning does not make the attendance after it unsatisfactory.
 */
export function triggeredSince(spells: readonly ScoredSpell[], since: IsoDate, asOf: IsoDate, c: ScoreContext): IsoDate[] {
  const after = spells.filter((s) => s.startDate > since && s.startDate <= asOf);
  const dates: IsoDate[] = [];
  for (const s of after) {
    const end = s.endDate === null || s.endDate > asOf ? asOf : s.endDate;
    if (attendanceScore(after, end, c).triggers.length > 0) dates.push(end);
  }
  return dates;
}
