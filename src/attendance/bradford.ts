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
  /** ATT-7: discounted where the case says so (`discountDisabilityRelated`). */
  disabilityRelated: boolean;
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
export function countedSpells<S extends ScoredSpell>(spells: readonly S[], discountDisabilityRelated: boolean): S[] {
  return spells.filter((s) => s.countsAsSickness && !s.pregnancyRelated && !(discountDisabilityRelated && s.disabilityRelated));
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
  discountDisabilityRelated: boolean;
}): BradfordResult {
  const windowDays = input.windowWeeks * 7;
  const windowStart = addDays(input.asOf, -(windowDays - 1));
  const from = input.serviceStartDate > windowStart ? input.serviceStartDate : windowStart;
  let spells = 0;
  let days = 0;
  for (const spell of countedSpells(input.spells, input.discountDisabilityRelated)) {
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
  discountDisabilityRelated: boolean;
}): Trigger[] {
  const { policy, asOf } = input;
  const counted = countedSpells(input.spells, input.discountDisabilityRelated).filter((s) => s.startDate <= asOf);
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
