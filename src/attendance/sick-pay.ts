import { addDays, addMonths, daysBetween, type IsoDate } from '../shared/dates.js';

/** The sick pay policy (ATT-29; the force's Pay and Conditions scale, policy data). */
export interface SickPayPolicy {
  scale: ReadonlyArray<{ serviceFromMonths: number; fullPayDays: number; halfPayDays: number }>;
  lookBackMonths: number;
  warnDaysBefore: number;
  reviewEveryMonths: number;
}

/** What sick pay needs of a spell. */
export interface SickPaySpell {
  startDate: IsoDate;
  endDate: IsoDate | null;
  countsAsSickness: boolean;
  /** Seed 003 App D §3: absence from an injury on duty without default is left out of the entitlement calculation. */
  injuryOnDuty: boolean;
}

export interface SickPayPosition {
  /** The scale row in force on the first day of absence. */
  entitlement: { fullPayDays: number; halfPayDays: number };
  /** Calendar days of sickness counted in the look-back before the first day. */
  usedBefore: number;
  /** Days granted at the force's discretion (App D §2, §6.5). */
  extension: { fullPayDays: number; halfPayDays: number };
  /** The last day on full pay, and on half pay; null when there is none (no pay from the first day). */
  fullPayUntil: IsoDate | null;
  halfPayUntil: IsoDate | null;
  /** Pay on `asOf` (or on the last day of absence when the spell ended before it). */
  band: 'full' | 'half' | 'none';
  /** App D §3: an injury on duty does not use up entitlement, so its pay does not reduce. */
  excluded: boolean;
}

/** Whole months of service from `from` to `on`. */
function monthsOfService(from: IsoDate, on: IsoDate): number {
  let months =
    (Number(on.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + (Number(on.slice(5, 7)) - Number(from.slice(5, 7)));
  if (addMonths(from, months) > on) months -= 1;
  return Math.max(0, months);
}

/**
 * Sick pay for a spell (ATT-29): the scale row for the service completed on its first day,
 * less the calendar days of sickness in the `lookBackMonths` before it (injuries on duty and
 * time off that is not sickness left out), plus any discretionary extension; full pay is
 * used first, then half pay, then none.
 */
export function sickPayPosition(input: {
  spell: SickPaySpell;
  earlier: readonly SickPaySpell[];
  serviceStartDate: IsoDate;
  asOf: IsoDate;
  policy: SickPayPolicy;
  extension?: { fullPayDays: number; halfPayDays: number };
}): SickPayPosition {
  const { spell, policy } = input;
  const extension = input.extension ?? { fullPayDays: 0, halfPayDays: 0 };
  const months = monthsOfService(input.serviceStartDate, spell.startDate);
  const row = [...policy.scale].reverse().find((r) => r.serviceFromMonths <= months) ?? policy.scale[0]!;
  const lookFrom = addMonths(spell.startDate, -policy.lookBackMonths);
  const lookTo = addDays(spell.startDate, -1);
  let usedBefore = 0;
  for (const e of input.earlier) {
    if (!e.countsAsSickness || e.injuryOnDuty || e.startDate >= spell.startDate) continue;
    const start = e.startDate > lookFrom ? e.startDate : lookFrom;
    const end = e.endDate === null || e.endDate > lookTo ? lookTo : e.endDate;
    if (end >= start) usedBefore += daysBetween(start, end) + 1;
  }
  const full = Math.max(0, row.fullPayDays - usedBefore) + extension.fullPayDays;
  const half = Math.max(0, row.halfPayDays - Math.max(0, usedBefore - row.fullPayDays)) + extension.halfPayDays;
  const lastDay = spell.endDate !== null && spell.endDate < input.asOf ? spell.endDate : input.asOf;
  const day = daysBetween(spell.startDate, lastDay) + 1;
  const excluded = spell.injuryOnDuty;
  return {
    entitlement: { fullPayDays: row.fullPayDays, halfPayDays: row.halfPayDays },
    usedBefore,
    extension,
    fullPayUntil: excluded ? null : full > 0 ? addDays(spell.startDate, full - 1) : null,
    halfPayUntil: excluded ? null : half > 0 ? addDays(spell.startDate, full + half - 1) : null,
    band: excluded || day <= full ? 'full' : day <= full + half ? 'half' : 'none',
    excluded,
  };
}

export type SickPayTaskCode = 'sick-pay-half-pay-warning' | 'sick-pay-no-pay-warning' | 'sick-pay-review';

/**
 * HR's sick pay tasks for a running absence (ATT-29, App D §6.2): a written warning
 * `warnDaysBefore` days before pay is cut to half and before it stops, and a review every
 * `reviewEveryMonths` months while on reduced pay. Only those due by `asOf`, and only while
 * the absence lasts to the date the task is about. Each task is keyed by the date it is about
 * (YYYYMMDD), so when an extension or a correction moves the dates, the old task lapses and
 * the new one is asked for.
 */
export function sickPayTasks(
  position: SickPayPosition,
  spell: SickPaySpell,
  asOf: IsoDate,
  policy: SickPayPolicy,
): Array<{ code: SickPayTaskCode; sequence: number; dueDate: IsoDate }> {
  if (position.excluded) return [];
  const lastDay = spell.endDate !== null && spell.endDate < asOf ? spell.endDate : asOf;
  const halfFrom = position.fullPayUntil ? addDays(position.fullPayUntil, 1) : spell.startDate;
  const noneFrom = position.halfPayUntil ? addDays(position.halfPayUntil, 1) : halfFrom;
  const out: Array<{ code: SickPayTaskCode; sequence: number; dueDate: IsoDate }> = [];
  const warn = (code: SickPayTaskCode, from: IsoDate) => {
    const due = addDays(from, -policy.warnDaysBefore);
    if (from > spell.startDate && due <= asOf && (spell.endDate === null || spell.endDate >= due))
      out.push({ code, sequence: dayKey(from), dueDate: due < spell.startDate ? spell.startDate : due });
  };
  if (position.halfPayUntil !== null) warn('sick-pay-half-pay-warning', halfFrom);
  warn('sick-pay-no-pay-warning', noneFrom);
  const reducedFrom = position.halfPayUntil !== null ? halfFrom : noneFrom;
  for (let n = 1; ; n++) {
    const due = addMonths(reducedFrom, n * policy.reviewEveryMonths);
    if (due > lastDay) break;
    out.push({ code: 'sick-pay-review', sequence: dayKey(due), dueDate: due });
  }
  return out;
}

/** A date as a whole number, YYYYMMDD: the key of a task about that date. */
function dayKey(date: IsoDate): number {
  return Number(date.replaceAll('-', ''));
}
