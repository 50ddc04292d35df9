import type { NOT_SICKNESS_KINDS, ReasonCategory } from '../attendance/attendance-schemas.js';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import type { NewPerson } from '../people/people-types.js';
import { addMonths, epochDay, fromEpochDay, type IsoDate } from '../shared/dates.js';

/** What the generator needs to know about a person. */
export type HistoryPerson = Pick<
  NewPerson,
  'id' | 'organisationId' | 'role' | 'serviceStartDate' | 'leavingDate' | 'workingPattern'
>;

export interface AbsenceHistoryOptions {
  people: readonly HistoryPerson[];
  /** Today: nothing starts after it, and only absences still running on it are open. */
  asOf: IsoDate;
  /** How far back the history goes. */
  years: number;
  seed: number;
  /** The average over everyone (the heavy tail included); benchmarks raise it. */
  spellsPerPersonYear?: number;
}

/** Spells per person-year in the demo: about eight calendar days' absence a person a year, a fifth of people with three or more spells in a year (ATT-18). */
export const DEFAULT_SPELLS_PER_PERSON_YEAR = 1.6;
/** Share of people (in post today) absent right now. */
export const CURRENTLY_ABSENT_SHARE = 0.03;
/** An open spell started no longer ago than this. */
export const OPEN_SPELL_WITHIN_DAYS = 60;
/** ATT-6: share of spells that are recorded time off but not sickness. */
const NOT_SICKNESS_SHARE = 0.03;
/** People with a disability some of whose absence is related to it (ATT-7). */
const DISABLED_SHARE = 0.05;
/** ATT-4: more than this many calendar days needs a medical certificate. */
const SELF_CERTIFIED_DAYS = 7;
const DAY_MS = 86_400_000;

type Weights = ReadonlyArray<readonly [ReasonCategory, number]>;

/**
 * Reason mix per length of spell (calendar days): short spells are mostly colds and stomach
 * bugs; long-term absence (ATT-12: over 28 days) is mostly mental health and
 * musculo-skeletal. Injury and assault on duty are weighted for warranted roles.
 */
const REASONS_BY_LENGTH: readonly Weights[] = [
  // 1–3 days
  [
    ['cold-flu', 28],
    ['gastrointestinal', 20],
    ['headache-migraine', 8],
    ['infection', 7],
    ['respiratory', 5],
    ['eye-ear-nose-throat', 5],
    ['musculoskeletal-back', 5],
    ['musculoskeletal-other', 4],
    ['dental', 3],
    ['mental-health-stress', 3],
    ['mental-health-anxiety', 2],
    ['injury-off-duty', 2],
    ['injury-on-duty', 1.5],
    ['assault-on-duty', 1],
    ['pregnancy-related', 0.5],
    ['other', 3],
    ['not-disclosed', 2],
  ],
  // 4–7 days
  [
    ['cold-flu', 18],
    ['respiratory', 10],
    ['gastrointestinal', 10],
    ['musculoskeletal-back', 10],
    ['musculoskeletal-other', 8],
    ['infection', 8],
    ['mental-health-stress', 7],
    ['injury-off-duty', 5],
    ['mental-health-anxiety', 4],
    ['surgery-or-hospital', 4],
    ['injury-on-duty', 3],
    ['eye-ear-nose-throat', 3],
    ['headache-migraine', 3],
    ['assault-on-duty', 2],
    ['dental', 1],
    ['pregnancy-related', 1],
    ['other', 3],
  ],
  // 8–28 days
  [
    ['musculoskeletal-back', 14],
    ['musculoskeletal-other', 14],
    ['mental-health-stress', 14],
    ['surgery-or-hospital', 10],
    ['mental-health-anxiety', 8],
    ['injury-off-duty', 7],
    ['mental-health-depression', 6],
    ['injury-on-duty', 6],
    ['respiratory', 5],
    ['assault-on-duty', 3],
    ['infection', 3],
    ['cardiovascular', 3],
    ['pregnancy-related', 2],
    ['cancer', 1],
    ['other', 3],
  ],
  // 29–120 days
  [
    ['mental-health-stress', 20],
    ['musculoskeletal-back', 14],
    ['musculoskeletal-other', 14],
    ['mental-health-depression', 12],
    ['mental-health-anxiety', 10],
    ['surgery-or-hospital', 8],
    ['cancer', 5],
    ['injury-on-duty', 5],
    ['mental-health-other', 4],
    ['cardiovascular', 4],
    ['pregnancy-related', 2],
    ['assault-on-duty', 1],
    ['other', 1],
  ],
];

/** Police staff are injured or assaulted on duty far less often than officers, PCSOs and specials. */
const OFF_THE_STREET_FACTOR: Partial<Record<ReasonCategory, number>> = {
  'injury-on-duty': 0.3,
  'assault-on-duty': 0.1,
};
const COLLARED = new Set<string>(['officer', 'pcso', 'special-constable']);
/** Reasons a disability plausibly lies behind (ATT-7). */
const DISABILITY_REASONS = new Set<ReasonCategory>([
  'musculoskeletal-back',
  'musculoskeletal-other',
  'mental-health-stress',
  'mental-health-anxiety',
  'mental-health-depression',
  'mental-health-other',
  'headache-migraine',
  'respiratory',
  'cardiovascular',
  'other',
]);

/** Length classes: [first day, days in the class]. */
const LENGTHS: ReadonlyArray<readonly [number, number]> = [
  [1, 3],
  [4, 4],
  [8, 21],
  [29, 92],
];
/** Chance of each length class; people with many spells have mostly short ones (the Bradford pattern). */
const LENGTH_MIX = [0.58, 0.25, 0.13, 0.04];
const FREQUENT_LENGTH_MIX = [0.74, 0.19, 0.055, 0.015];

interface ReasonTable {
  reasons: ReasonCategory[];
  cumulative: number[];
}

function table(weights: Weights, factor: (r: ReasonCategory) => number): ReasonTable {
  const reasons: ReasonCategory[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  for (const [reason, weight] of weights) {
    sum += weight * factor(reason);
    reasons.push(reason);
    cumulative.push(sum);
  }
  return { reasons, cumulative: cumulative.map((c) => c / sum) };
}

const TABLES = {
  collared: REASONS_BY_LENGTH.map((w) => table(w, () => 1)),
  staff: REASONS_BY_LENGTH.map((w) => table(w, (r) => OFF_THE_STREET_FACTOR[r] ?? 1)),
};

function pickReason(t: ReasonTable, u: number): ReasonCategory {
  for (let i = 0; i < t.cumulative.length; i++) if (u < t.cumulative[i]!) return t.reasons[i]!;
  return t.reasons[t.reasons.length - 1]!;
}

function lengthClass(days: number): number {
  return days <= 3 ? 0 : days <= SELF_CERTIFIED_DAYS ? 1 : days <= 28 ? 2 : 3;
}

/** mulberry32: a tiny, fast 32-bit generator. Plenty for synthetic data; never for secrets. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A generator for one key (a person's id) under a seed, so each history depends only on the seed and the person. */
export function randomFor(seed: number, key: string): () => number {
  // FNV-1a over the key, started from the seed, then murmur3's finaliser to spread the bits.
  let h = (0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function poisson(rng: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)));
  const floor = Math.exp(-lambda);
  let k = 0;
  for (let p = rng(); p > floor; p *= rng()) k += 1;
  return k;
}

/** Whether a person is rostered on an epoch day, from their pattern (bank holidays are not considered here). */
function rosterOf(pattern: WorkingPattern): (day: number) => boolean {
  if (pattern.kind === 'weekly') {
    const works = new Array<boolean>(8).fill(false);
    for (const d of pattern.days) works[d] = true;
    // 1970-01-01 (epoch day 0) was a Thursday, ISO weekday 4.
    return (day) => works[((((day + 3) % 7) + 7) % 7) + 1] === true;
  }
  const anchor = epochDay(pattern.anchorDate);
  const cycle = pattern.cycle;
  return (day) => cycle[(((day - anchor) % cycle.length) + cycle.length) % cycle.length] === true;
}

/** The first day on or after `day` the person is rostered for (sickness starts on a day they were due in), within a fortnight. */
function firstRosteredFrom(rostered: (day: number) => boolean, day: number): number {
  for (let d = day; d < day + 14; d++) if (rostered(d)) return d;
  return day;
}

/** The first rostered date on or after `date` for a working pattern (within a fortnight). */
export function firstRosteredDate(pattern: WorkingPattern, date: IsoDate): IsoDate {
  return fromEpochDay(firstRosteredFrom(rosterOf(pattern), epochDay(date)));
}

/** Calendar dates of epoch days, made once each: a million spells share a few thousand strings. */
class DateStrings {
  private readonly cache: IsoDate[];
  constructor(
    private readonly first: number,
    last: number,
  ) {
    this.cache = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => fromEpochDay(first + i));
  }
  of(day: number): IsoDate {
    return this.cache[day - this.first] ?? fromEpochDay(day);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Eight hex digits of an unsigned 32-bit number (a table is much faster than toString(16) a million times). */
const hex8 = (n: number) => HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;

/** Deterministic UUID-shaped ids (version 4 layout): random from the person's generator, made unique by a counter in the last group. */
function idMaker(): (rng: () => number) => string {
  let sequence = 0;
  return (rng) => {
    sequence += 1;
    const a = hex8((rng() * 4_294_967_296) >>> 0);
    const b = hex8((rng() * 4_294_967_296) >>> 0);
    const c = (rng() * 4_294_967_296) >>> 0;
    // The counter's 48 bits: the 16 above 2^32, then the low 32.
    const high = Math.floor(sequence / 4_294_967_296);
    const count = HEX[(high >>> 8) & 255]! + HEX[high & 255]! + hex8(sequence >>> 0);
    return `${a}-${b.slice(0, 4)}-4${b.slice(4, 7)}-${'89ab'[c & 3]!}${hex8(c).slice(0, 3)}-${count}`;
  };
}

interface SpellShape {
  id: string;
  start: number;
  /** null while open */
  end: number | null;
  reason: ReasonCategory;
  disabilityRelated: boolean;
  /** A medical certificate from the first day (e.g. a hospital stay) rather than from day 8. */
  certificateFromStart: boolean;
  /** An open spell: days the current certificate or self-certified expectation still runs after today. */
  daysAhead: number;
}

/** Builds a sickness spell with flags, certification and dates that follow from its reason and length (ATT-4, ATT-5, ATT-7). */
function sicknessSpell(
  person: Pick<HistoryPerson, 'id' | 'organisationId'>,
  s: SpellShape,
  asOfDay: number,
  dates: DateStrings,
): NewAbsenceSpell {
  const onDuty = s.reason === 'injury-on-duty' || s.reason === 'assault-on-duty';
  const lastDay = s.end ?? asOfDay;
  const medical = lastDay - s.start + 1 > SELF_CERTIFIED_DAYS;
  const certificateTo = s.end ?? asOfDay + s.daysAhead;
  return {
    id: s.id,
    personId: person.id,
    organisationId: person.organisationId,
    startDate: dates.of(s.start),
    endDate: s.end === null ? null : dates.of(s.end),
    reasonCategory: s.reason,
    ohReasonText: null,
    dutyRelated: onDuty,
    injuryOnDuty: onDuty,
    // ATT-5: the accident report is due within 48 hours.
    accidentReportDueAt: onDuty ? new Date((s.start + 2) * DAY_MS) : null,
    pregnancyRelated: s.reason === 'pregnancy-related',
    disabilityRelated: s.disabilityRelated,
    countsAsSickness: true,
    notSicknessKind: null,
    certification: medical ? 'medical' : 'self',
    certificateFrom: medical ? dates.of(s.certificateFromStart ? s.start : s.start + SELF_CERTIFIED_DAYS) : null,
    certificateTo: medical ? dates.of(certificateTo) : null,
    // Open and self-certified: back within the self-certified week at the latest.
    expectedReturnDate:
      s.end !== null
        ? null
        : dates.of(medical ? certificateTo + 1 : Math.min(asOfDay + s.daysAhead, s.start + SELF_CERTIFIED_DAYS)),
    importKey: null,
    recordedByUserId: null,
  };
}

/** ATT-6: recorded time off that is not sickness (one day, no certificate). */
function notSicknessSpell(
  person: HistoryPerson,
  id: string,
  day: number,
  kind: (typeof NOT_SICKNESS_KINDS)[number],
  dates: DateStrings,
): NewAbsenceSpell {
  const date = dates.of(day);
  return {
    id,
    personId: person.id,
    organisationId: person.organisationId,
    startDate: date,
    endDate: date,
    reasonCategory: kind === 'pre-arranged-treatment' ? 'musculoskeletal-other' : 'other',
    ohReasonText: null,
    dutyRelated: false,
    injuryOnDuty: false,
    accidentReportDueAt: null,
    pregnancyRelated: false,
    disabilityRelated: kind === 'disability-treatment',
    countsAsSickness: false,
    notSicknessKind: kind,
    certification: 'none',
    certificateFrom: null,
    certificateTo: null,
    expectedReturnDate: null,
    importKey: null,
    recordedByUserId: null,
  };
}

/**
 * A sickness spell for a story told on top of the generated history (the demo accounts'
 * team): flags and certification follow from the reason and length as in the history.
 */
export function storySpell(
  person: Pick<HistoryPerson, 'id' | 'organisationId'>,
  spell: { id: string; startDate: IsoDate; endDate: IsoDate | null; reasonCategory: ReasonCategory },
  asOf: IsoDate,
): NewAbsenceSpell {
  const asOfDay = epochDay(asOf);
  const shape: SpellShape = {
    id: spell.id,
    start: epochDay(spell.startDate),
    end: spell.endDate === null ? null : epochDay(spell.endDate),
    reason: spell.reasonCategory,
    disabilityRelated: false,
    certificateFromStart: false,
    daysAhead: 14,
  };
  return sicknessSpell(person, shape, asOfDay, new DateStrings(asOfDay, asOfDay - 1));
}

/**
 * Synthetic absence history for a workforce as of a date, deterministic for the seed.
 *
 * Each person's history depends only on the seed and their record. Spells lie within their
 * service and the last `years` years, never overlap, and are closed unless the person is
 * absent today (about 3 % of those in post, started within the last 60 days). Frequency has
 * a heavy tail (a per-person propensity, mostly chi-square: many people have no absence in a
 * year, a few have many short spells); lengths, reasons, certificates and flags follow
 * ATT-4 … ATT-7.
 * Plain arithmetic on epoch days, no faker: a million spells take a few seconds.
 */
export function generateAbsenceHistory(options: AbsenceHistoryOptions): NewAbsenceSpell[] {
  const rate = options.spellsPerPersonYear ?? DEFAULT_SPELLS_PER_PERSON_YEAR;
  const asOfDay = epochDay(options.asOf);
  const historyStart = epochDay(addMonths(options.asOf, -Math.round(options.years * 12)));
  // Spells start within the history; open ones look up to a few weeks ahead.
  const dates = new DateStrings(historyStart, asOfDay + 60);
  const nextId = idMaker();
  const out: NewAbsenceSpell[] = [];

  for (const person of options.people) {
    const rng = randomFor(options.seed, person.id);
    const first = Math.max(epochDay(person.serviceStartDate), historyStart);
    const inPost = person.leavingDate === null || person.leavingDate > options.asOf;
    const last = inPost ? asOfDay : epochDay(person.leavingDate!);
    if (last < first) continue;
    const rostered = rosterOf(person.workingPattern);
    const reasons = COLLARED.has(person.role) ? TABLES.collared : TABLES.staff;
    // Propensity: 0.15 + 0.85 × a chi-square(1) draw has mean 1 and a long right tail.
    const z = normal(rng);
    const propensity = Math.min(8, 0.15 + 0.85 * z * z);
    const mix = propensity >= 2 ? FREQUENT_LENGTH_MIX : LENGTH_MIX;
    const disabled = rng() < DISABLED_SHARE;

    // Someone absent today: the history before it must end before that spell starts.
    let open: NewAbsenceSpell | null = null;
    let closedUntil = Math.min(last, asOfDay - 1);
    if (inPost && rng() < CURRENTLY_ABSENT_SHARE) {
      const ago = rng() < 0.5 ? Math.floor(rng() * 7) : 7 + Math.floor(rng() * (OPEN_SPELL_WITHIN_DAYS - 7));
      const start = Math.max(first, asOfDay - ago);
      const reason = pickReason(reasons[lengthClass(asOfDay - start + 1)]!, rng());
      const id = nextId(rng);
      open = sicknessSpell(
        person,
        {
          id,
          start,
          end: null,
          reason,
          disabilityRelated: disabled && DISABILITY_REASONS.has(reason) && rng() < 0.5,
          certificateFromStart: rng() < 0.25,
          daysAhead: 1 + Math.floor(rng() * 27),
        },
        asOfDay,
        dates,
      );
      closedUntil = start - 2;
    }

    if (closedUntil >= first) {
      const years = (closedUntil - first + 1) / 365.25;
      const count = poisson(rng, rate * propensity * years);
      const starts: number[] = [];
      for (let i = 0; i < count; i++) starts.push(first + Math.floor(rng() * (closedUntil - first + 1)));
      starts.sort((a, b) => a - b);
      let from = first;
      for (const drawn of starts) {
        const start = firstRosteredFrom(rostered, Math.max(drawn, from));
        if (start > closedUntil) break;
        const id = nextId(rng);
        if (rng() < NOT_SICKNESS_SHARE) {
          const u = rng();
          const kind =
            disabled && u < 0.6 ? 'disability-treatment' : u < 0.75 ? 'statutory-medical' : 'pre-arranged-treatment';
          out.push(notSicknessSpell(person, id, start, kind, dates));
          from = start + 2;
          continue;
        }
        const u = rng();
        const cls = u < mix[0]! ? 0 : u < mix[0]! + mix[1]! ? 1 : u < mix[0]! + mix[1]! + mix[2]! ? 2 : 3;
        const [shortest, span] = LENGTHS[cls]!;
        // Within a class, shorter spells are commoner (u² leans towards the first day).
        const v = rng();
        const end = Math.min(start + shortest - 1 + Math.floor(v * v * span), closedUntil);
        const reason = pickReason(reasons[cls]!, rng());
        out.push(
          sicknessSpell(
            person,
            {
              id,
              start,
              end,
              reason,
              disabilityRelated: disabled && DISABILITY_REASONS.has(reason) && rng() < 0.5,
              certificateFromStart: rng() < 0.25,
              daysAhead: 0,
            },
            asOfDay,
            dates,
          ),
        );
        // At least one day back at work between spells, or they would be one spell.
        from = end + 2;
      }
    }
    if (open) out.push(open);
  }
  return out;
}
