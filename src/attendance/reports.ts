import { addDays, toIsoDate, type IsoDate } from '../shared/dates.js';

/** A measure as the policy's §13.10 asks: how many of how many, and the percentage. */
export interface Measure {
  code: 'contact-within-24h' | 'home-visit-by-day-21' | 'return-to-work-interview' | 'notified-first-day-sick' | 'notified-first-day-fit';
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
  interviews: ReadonlyArray<{ absenceId: string; notifiedFirstDayOfSickness: boolean; notifiedFirstDayOfFitness: boolean }>;
}

function measure(code: Measure['code'], met: number, of: number): Measure {
  return { code, met, of, percent: of === 0 ? null : Math.round((1000 * met) / of) / 10 };
}

/** Done on or before the end of its due day. */
function doneInTime(task: { status: string; completedAt: Date | null; dueDate: IsoDate }): boolean {
  return task.status === 'completed' && task.completedAt !== null && toIsoDate(task.completedAt) <= task.dueDate;
}

/**
 * The compliance report (ATT-27, seed 003 §13.10) for spells in a period: contact within 24
 * hours of spells that started in it; home visits by day 21 of spells that reached day 21 in
 * it; return-to-work interviews recorded for spells that ended in it; and, from those
 * interviews, staff notifying on the first day of sickness and of fitness.
 */
export function complianceReport(input: ComplianceInput): Measure[] {
  const counted = input.spells.filter((s) => s.countsAsSickness);
  const taskOf = (spellId: string, code: string) => input.tasks.find((t) => t.sourceId === spellId && t.code === code && t.status !== 'cancelled');
  const started = counted.filter((s) => s.startDate >= input.from && s.startDate <= input.to);
  const contactDue = started.map((s) => taskOf(s.id, 'manager-contact')).filter((t) => t !== undefined);
  const day21 = counted.filter((s) => {
    const d = addDays(s.startDate, 20);
    return d >= input.from && d <= input.to && (s.endDate === null || s.endDate >= d);
  });
  const visits = day21.map((s) => taskOf(s.id, 'home-visit')).filter((t) => t !== undefined);
  const ended = counted.filter((s) => s.endDate !== null && s.endDate >= input.from && s.endDate <= input.to);
  const interviews = new Map(input.interviews.map((i) => [i.absenceId, i]));
  const held = ended.map((s) => interviews.get(s.id)).filter((i) => i !== undefined);
  return [
    measure('contact-within-24h', contactDue.filter(doneInTime).length, contactDue.length),
    measure('home-visit-by-day-21', visits.filter(doneInTime).length, visits.length),
    measure('return-to-work-interview', held.length, ended.length),
    measure('notified-first-day-sick', held.filter((i) => i.notifiedFirstDayOfSickness).length, held.length),
    measure('notified-first-day-fit', held.filter((i) => i.notifiedFirstDayOfFitness).length, held.length),
  ];
}
