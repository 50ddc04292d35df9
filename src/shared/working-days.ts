import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, epochDay, isoWeekday, type IsoDate } from './dates.js';

/**
 * The working-day calendar: Monday to Friday, less bank holidays. Used for notice periods,
 * appeal deadlines and due dates that the policy states in working days (ATT-3, ATT-13,
 * ATT-21, ATT-24). A person's own rostered days are a different question (attendance/duty-days.ts).
 */
export class WorkingDayCalendar {
  private readonly holidays: ReadonlySet<IsoDate>;
  private readonly sorted: readonly IsoDate[];
  /** The bank holidays as epoch days (shared/dates.ts), in order. */
  readonly bankHolidayDays: readonly number[];

  constructor(
    bankHolidays: Iterable<IsoDate>,
    /** The last year the holiday list is known for; dates after it are only Mon–Fri. */
    readonly knownThroughYear: number,
  ) {
    this.holidays = new Set(bankHolidays);
    this.sorted = [...this.holidays].sort();
    this.bankHolidayDays = this.sorted.map(epochDay);
  }

  /**
   * The index in `bankHolidayDays` of the first bank holiday on or after epoch day `day`
   * (its length when there is none), by binary search: counting duty days for a million
   * spells (the trigger sweep) must not scan the list or make date strings.
   */
  firstBankHolidayFrom(day: number): number {
    const days = this.bankHolidayDays;
    let lo = 0;
    let hi = days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (days[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bank holidays from `from` to `to`, both included, in order. */
  bankHolidaysBetween(from: IsoDate, to: IsoDate): IsoDate[] {
    return this.sorted.filter((d) => d >= from && d <= to);
  }

  isBankHoliday(date: IsoDate): boolean {
    return this.holidays.has(date);
  }

  /** Monday to Friday and not a bank holiday. */
  isWorkingDay(date: IsoDate): boolean {
    return isoWeekday(date) <= 5 && !this.holidays.has(date);
  }

  /** `date` itself if it is a working day, otherwise the next one (ATT-3: the 4th-day call moves to the next working day). */
  onOrNextWorkingDay(date: IsoDate): IsoDate {
    let d = date;
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /** The date `n` working days after `date` (n ≥ 0; `date` itself is not counted). */
  addWorkingDays(date: IsoDate, n: number): IsoDate {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('working days must be a whole number of at least 0');
    let d = date;
    let left = n;
    while (left > 0) {
      d = addDays(d, 1);
      if (this.isWorkingDay(d)) left -= 1;
    }
    return d;
  }

  /** Working days strictly after `from` up to and including `to` (0 when `to` ≤ `from`). */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) count += 1;
    return count;
  }
}

interface BankHolidayFile {
  division: string;
  source: string;
  announcedThrough: number;
  events: Array<{ date: IsoDate; title: string }>;
}

let englandAndWales: WorkingDayCalendar | undefined;

/** England and Wales bank holidays, shipped as data (src/shared/data/), loaded once. */
export function englandAndWalesCalendar(): WorkingDayCalendar {
  if (!englandAndWales) {
    const file = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      'data',
      'bank-holidays-england-and-wales.json',
    );
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as BankHolidayFile;
    englandAndWales = new WorkingDayCalendar(
      data.events.map((e) => e.date),
      Math.max(...data.events.map((e) => Number(e.date.slice(0, 4)))),
    );
  }
  return englandAndWales;
}
