import { addDays, addMonths, daysBetween, londonDay, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { dutyDaysBetween } from './duty-days.js';

/** A measure as the policy's §13.10 asks: how many of how many, and the percentage. */
/** The compliance measures (ATT-27), in the report's order. */
export const MEASURE_CODES = [
  'contact-within-24h',
  'home-visit-by-day-21',
  'return-to-work-interview',
  'notified-first-day-sick',
  'notified-first-day-fit',
] as const;

export interface Measure {
  code: (typeof MEASURE_CODES)[number];
  met: number;
  of: number;
  /** null when there is nothing to measure (never "0 %" of nothing). */
  percent: number | null;
}

export interface ComplianceInput {
  from: IsoDate;
  to: IsoDate;
  spells: ReadonlyArray<{ id: string; startDate: IsoDate; endDate: IsoDate | null; countsAsSickness: boolean }>;
  /** Worklist tasks of those spells. */
  tasks: ReadonlyArray<{ sourceId: string; code: string; dueDate: IsoDate; status: string; completedAt: Date | null }>;
  interviews: ReadonlyArray<{
    absenceId: string;
    notifiedFirstDayOfSickness: boolean;
    notifiedFirstDayOfFitness: boolean;
  }>;
}

function measure(code: Measure['code'], met: number, of: number): Measure {
  return { code, met, of, percent: of === 0 ? null : Math.round((1000 * met) / of) / 10 };
}

/** Done on or before the end of its due day. */
function doneInTime(task: { status: string; completedAt: Date | null; dueDate: IsoDate }): boolean {
  return task.status === 'completed' && task.completedAt !== null && londonDay(task.completedAt) <= task.dueDate;
}

/**
 * The compliance report (ATT-27, seed 003 §13.10) for spells in a period: contact within 24
 * hours of spells that started in it; home visits by day 21 of spells that reached day 21 in
 * it; return-to-work interviews recorded for spells that ended in it; and, from those
 * interviews, staff notifying on the first day of sickness and of fitness.
 */
export function complianceReport(input: ComplianceInput): Measure[] {
  return complianceCases(input).map((m) => measure(m.code, m.cases.filter((c) => c.met).length, m.cases.length));
}

/** One absence counted in a compliance measure, and whether it met the measure. */
export interface ComplianceCase {
  spellId: string;
  met: boolean;
}

/** The absences behind each compliance measure (ATT-27): what `complianceReport` counts, case by case. */
export function complianceCases(input: ComplianceInput): Array<{ code: Measure['code']; cases: ComplianceCase[] }> {
  const counted = input.spells.filter((s) => s.countsAsSickness);
  const taskOf = (spellId: string, code: string) =>
    input.tasks.find((t) => t.sourceId === spellId && t.code === code && t.status !== 'cancelled');
  const started = counted.filter((s) => s.startDate >= input.from && s.startDate <= input.to);
  const day21 = counted.filter((s) => {
    const d = addDays(s.startDate, 20);
    return d >= input.from && d <= input.to && (s.endDate === null || s.endDate >= d);
  });
  const ended = counted.filter((s) => s.endDate !== null && s.endDate >= input.from && s.endDate <= input.to);
  const interviews = new Map(input.interviews.map((i) => [i.absenceId, i]));
  const byTask = (spells: typeof counted, code: string): ComplianceCase[] =>
    spells.flatMap((s) => {
      const task = taskOf(s.id, code);
      return task ? [{ spellId: s.id, met: doneInTime(task) }] : [];
    });
  const held = ended.flatMap((s) => {
    const i = interviews.get(s.id);
    return i ? [{ spellId: s.id, interview: i }] : [];
  });
  return [
    { code: 'contact-within-24h', cases: byTask(started, 'manager-contact') },
    { code: 'home-visit-by-day-21', cases: byTask(day21, 'home-visit') },
    { code: 'return-to-work-interview', cases: ended.map((s) => ({ spellId: s.id, met: interviews.has(s.id) })) },
    {
      code: 'notified-first-day-sick',
      cases: held.map((h) => ({ spellId: h.spellId, met: h.interview.notifiedFirstDayOfSickness })),
    },
    {
      code: 'notified-first-day-fit',
      cases: held.map((h) => ({ spellId: h.spellId, met: h.interview.notifiedFirstDayOfFitness })),
    },
  ];
}

/** Who counts in sickness statistics for a period, and how many duty days they had. */
export interface StatisticsPerson {
  id: string;
  unitId: string | null;
  role: string;
  serviceStartDate: IsoDate;
  leavingDate: IsoDate | null;
  pattern: WorkingPattern;
}

export interface StatisticsSpell {
  personId: string;
  startDate: IsoDate;
  endDate: IsoDate | null;
  reasonCategory: string;
  countsAsSickness: boolean;
}

/** Sickness absence figures for a group of people over a period (ATT-28). */
export interface AbsenceStatistics {
  /** People in post at any time in the period. */
  headcount: number;
  /** Their rostered duty days in the period, within their service. */
  availableDutyDays: number;
  dutyDaysLost: number;
  /** Duty days lost as a percentage of available duty days, one decimal; null with nothing available. */
  absenceRate: number | null;
  /** Spells with a duty day lost in the period. */
  spells: number;
  peopleAbsent: number;
  /** Duty days lost per person in post, two decimals. */
  daysLostPerPerson: number | null;
  /** ATT-12: spells longer than the long-term threshold (calendar days, to the period end while open). */
  longTerm: { spells: number; dutyDaysLost: number };
  shortTerm: { spells: number; dutyDaysLost: number };
  byReason: Array<{ reasonCategory: string; spells: number; dutyDaysLost: number }>;
  /** Duty days lost × cost per duty day for each person's workforce role (policy data). */
  cost: number;
}

/**
 * Sickness statistics for [from, to], or to `asOf` while the period runs (ATT-28): everyone in post in the period; every
 * sickness spell's duty days lost inside the period (ATT-16; time off that is not sickness
 * never counts, ATT-6). Pregnancy- and disability-related sickness is still sickness here:
 * discounting applies to triggers (ATT-7, ATT-19), not to what the absence costs.
 */
export function absenceStatistics(input: {
  from: IsoDate;
  to: IsoDate;
  /** Figures run to this date when the period is not over yet (nothing is counted ahead of it). */
  asOf: IsoDate;
  people: readonly StatisticsPerson[];
  spells: readonly StatisticsSpell[];
  calendar: WorkingDayCalendar;
  longTermAfterDays: number;
  costPerDutyDay: (role: string) => number;
}): AbsenceStatistics {
  const { from, calendar } = input;
  const to = input.asOf < input.to ? input.asOf : input.to;
  const inPost = input.people.filter(
    (p) => p.serviceStartDate <= to && (p.leavingDate === null || p.leavingDate >= from),
  );
  const byId = new Map(inPost.map((p) => [p.id, p]));
  let available = 0;
  for (const p of inPost) {
    const start = p.serviceStartDate > from ? p.serviceStartDate : from;
    const end = p.leavingDate !== null && p.leavingDate < to ? p.leavingDate : to;
    available += dutyDaysBetween(p.pattern, start, end, calendar);
  }
  let lost = 0;
  let cost = 0;
  let spells = 0;
  const absent = new Set<string>();
  const longTerm = { spells: 0, dutyDaysLost: 0 };
  const shortTerm = { spells: 0, dutyDaysLost: 0 };
  const reasons = new Map<string, { reasonCategory: string; spells: number; dutyDaysLost: number }>();
  for (const s of input.spells) {
    const person = byId.get(s.personId);
    if (!person || !s.countsAsSickness) continue;
    const start = s.startDate > from ? s.startDate : from;
    const spellEnd = s.endDate ?? to;
    const end = spellEnd < to ? spellEnd : to;
    if (end < start) continue;
    const days = dutyDaysBetween(person.pattern, start, end, calendar);
    if (days === 0) continue;
    spells += 1;
    lost += days;
    cost += days * input.costPerDutyDay(person.role);
    absent.add(person.id);
    const band = daysBetween(s.startDate, spellEnd) + 1 > input.longTermAfterDays ? longTerm : shortTerm;
    band.spells += 1;
    band.dutyDaysLost += days;
    const r = reasons.get(s.reasonCategory) ?? { reasonCategory: s.reasonCategory, spells: 0, dutyDaysLost: 0 };
    r.spells += 1;
    r.dutyDaysLost += days;
    reasons.set(s.reasonCategory, r);
  }
  return {
    headcount: inPost.length,
    availableDutyDays: available,
    dutyDaysLost: lost,
    absenceRate: available === 0 ? null : Math.round((1000 * lost) / available) / 10,
    spells,
    peopleAbsent: absent.size,
    daysLostPerPerson: inPost.length === 0 ? null : Math.round((100 * lost) / inPost.length) / 100,
    longTerm,
    shortTerm,
    byReason: [...reasons.values()].sort(
      (a, b) => b.dutyDaysLost - a.dutyDaysLost || a.reasonCategory.localeCompare(b.reasonCategory),
    ),
    cost: Math.round(cost * 100) / 100,
  };
}

/** A reporting period: a calendar month, a financial quarter or a financial year (ATT-28). */
export type ReportPeriod = { kind: 'month' | 'quarter' | 'year'; label: string; from: IsoDate; to: IsoDate };

/**
 * Parses `YYYY-MM` (a month), `YYYY-Qn` (financial quarter n of the year starting in April of
 * YYYY: Q1 April–June … Q4 January–March) or `YYYY` (the financial year YYYY/YY+1), with the
 * month the financial year starts in (policy data; April by default). Null when malformed.
 */
export function reportPeriod(value: string, financialYearStartMonth: number): ReportPeriod | null {
  const month = /^([1-9]\d{3})-(0[1-9]|1[0-2])$/.exec(value);
  if (month) {
    const from = `${month[1]}-${month[2]}-01` as IsoDate;
    return { kind: 'month', label: value, from, to: addDays(addMonths(from, 1), -1) };
  }
  const quarter = /^([1-9]\d{3})-Q([1-4])$/.exec(value);
  const year = /^([1-9]\d{3})$/.exec(value);
  if (!quarter && !year) return null;
  const y = Number((quarter ?? year)![1]);
  if (y > 9998) return null;
  const start = `${y}-${String(financialYearStartMonth).padStart(2, '0')}-01` as IsoDate;
  if (quarter) {
    const from = addMonths(start, (Number(quarter[2]) - 1) * 3);
    return { kind: 'quarter', label: value, from, to: addDays(addMonths(from, 3), -1) };
  }
  return { kind: 'year', label: value, from: start, to: addDays(addMonths(start, 12), -1) };
}

/** The last whole financial quarter before `asOf`, as `YYYY-Qn`. */
export function lastWholeQuarter(asOf: IsoDate, financialYearStartMonth: number): string {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const monthsIntoYear = (m - financialYearStartMonth + 12) % 12;
  const fy = m >= financialYearStartMonth ? y : y - 1;
  const q = Math.floor(monthsIntoYear / 3) + 1;
  return q === 1 ? `${fy - 1}-Q4` : `${fy}-Q${q - 1}`;
}

/** The calendar month before the one `asOf` falls in, as `YYYY-MM` (the monthly report's default). */
export function previousMonth(asOf: IsoDate): string {
  return addMonths(`${asOf.slice(0, 7)}-01` as IsoDate, -1).slice(0, 7);
}
