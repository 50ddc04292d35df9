import { ValidationError, type FieldErrors } from '../shared/errors.js';
import { scorePhq4 } from '../pathways/instruments.js';

/**
 * Survey scoring (domain brief §6): the HSE Management Standards Indicator Tool's domain means (NA-3), its
 * colour bands against a benchmark (NA-5), HSE's response-rate bands (NA-3), SWEMWBS raw and metric scores
 * (NA-6) and PHQ-4 subscales (scored by `scorePhq4`, domain brief §4). Pure: answers in, scores out.
 *
 * Answers are keyed by the fixed linkIds of the survey questionnaires: `hse-1` … `hse-35` and `swemwbs-1` …
 * `swemwbs-7` with codes "1".."5", `phq4-1` … `phq4-4` with codes "0".."3". A code may also arrive as the
 * number itself. An item with no answer (absent, null or an empty string) is unanswered; an answer that is
 * present but not one of the item's codes is refused with a ValidationError naming the item, never skipped.
 */

type Answers = Readonly<Record<string, unknown>>;

export const HSE_DOMAINS = [
  'demands',
  'control',
  'manager-support',
  'peer-support',
  'relationships',
  'role',
  'change',
] as const;
export type HseDomain = (typeof HSE_DOMAINS)[number];

/** NA-3: each domain's item numbers, exactly as the Indicator Tool groups them. */
const DOMAIN_ITEMS: Readonly<Record<HseDomain, readonly number[]>> = {
  demands: [3, 6, 9, 12, 16, 18, 20, 22],
  control: [2, 10, 15, 19, 25, 30],
  'manager-support': [8, 23, 29, 33, 35],
  'peer-support': [7, 24, 27, 31],
  relationships: [5, 14, 21, 34],
  role: [1, 4, 11, 13, 17],
  change: [26, 28, 32],
};

/** NA-3: Demands and Relationships items are worded negatively, so they are reversed (6 − x). */
const REVERSED_DOMAINS: ReadonlySet<HseDomain> = new Set<HseDomain>(['demands', 'relationships']);

export interface HseItem {
  /** The item number, 1–35, in the tool's order (NA-4). */
  item: number;
  linkId: string;
  domain: HseDomain;
  /** True for Demands and Relationships items: the stored code x counts as 6 − x (NA-3). */
  reversed: boolean;
  /** Items 1–23 are answered Never 1 … Always 5, items 24–35 Strongly disagree 1 … Strongly agree 5 (NA-3). */
  scale: 'frequency' | 'agreement';
}

/** The 35 HSE items in order: `HSE_ITEMS[i]` is item `i + 1` (for item distributions on a results page). */
export const HSE_ITEMS: readonly HseItem[] = Array.from({ length: 35 }, (_, i): HseItem => {
  const item = i + 1;
  const domain = HSE_DOMAINS.find((d) => DOMAIN_ITEMS[d].includes(item))!;
  return {
    item,
    linkId: `hse-${item}`,
    domain,
    reversed: REVERSED_DOMAINS.has(domain),
    scale: item <= 23 ? 'frequency' : 'agreement',
  };
});

const unanswered = (v: unknown) => v === undefined || v === null || v === '';

/** A 1–5 code ("1".."5" or the number); undefined when unanswered; the problem is recorded in `errors`. */
function oneToFive(answers: Answers, linkId: string, errors: FieldErrors): number | undefined {
  const v = answers[linkId];
  if (unanswered(v)) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[1-5]$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 5) {
    errors[linkId] = 'Answer from 1 to 5';
    return undefined;
  }
  return n;
}

function refuseAny(errors: FieldErrors): void {
  if (Object.keys(errors).length)
    throw new ValidationError(errors, 'Some answers are not one of the choices.', 'answers-invalid');
}

/**
 * The mean of the numbers given, ignoring null and undefined (a response that did not score); null when none.
 * For aggregates, e.g. a campaign's domain score is `meanOf(responses.map((r) => r.hse?.demands))`.
 */
export function meanOf(values: ReadonlyArray<number | null | undefined>): number | null {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (!Number.isFinite(v)) throw new ValidationError({ values: 'Every value must be a number' }, undefined);
    sum += v;
    count += 1;
  }
  return count === 0 ? null : sum / count;
}

export type HseDomainScores = Partial<Record<HseDomain, number>>;

/**
 * NA-3: each domain's score is the mean of its answered items (1–5, higher is better), Demands and
 * Relationships items reversed (6 − x). A domain with no answered item is absent from the result (no score
 * rather than a made-up one); a domain with some items unanswered is the mean of those answered. Means are
 * exact (not rounded): rounding is for display.
 */
export function hseDomainScores(answers: Answers): HseDomainScores {
  const errors: FieldErrors = {};
  const values: Partial<Record<HseDomain, number[]>> = {};
  for (const { linkId, domain, reversed } of HSE_ITEMS) {
    const x = oneToFive(answers, linkId, errors);
    if (x === undefined) continue;
    (values[domain] ??= []).push(reversed ? 6 - x : x);
  }
  refuseAny(errors);
  const scores: HseDomainScores = {};
  for (const domain of HSE_DOMAINS) {
    const mean = meanOf(values[domain] ?? []);
    if (mean !== null) scores[domain] = mean;
  }
  return scores;
}

/** NA-6: the SWEMWBS raw score (7–35) to metric score conversion table, exactly as published by Warwick. */
const SWEMWBS_METRIC: Readonly<Record<number, number>> = {
  7: 7.0,
  8: 9.51,
  9: 11.25,
  10: 12.4,
  11: 13.33,
  12: 14.08,
  13: 14.75,
  14: 15.32,
  15: 15.84,
  16: 16.36,
  17: 16.88,
  18: 17.43,
  19: 17.98,
  20: 18.59,
  21: 19.25,
  22: 19.98,
  23: 20.73,
  24: 21.54,
  25: 22.35,
  26: 23.21,
  27: 24.11,
  28: 25.03,
  29: 26.02,
  30: 27.03,
  31: 28.13,
  32: 29.31,
  33: 30.7,
  34: 32.55,
  35: 35.0,
};

/** NA-6: the metric score for a raw SWEMWBS score; a raw score that is not a whole number from 7 to 35 is refused. */
export function swemwbsMetric(raw: number): number {
  const metric = Number.isInteger(raw) ? SWEMWBS_METRIC[raw] : undefined;
  if (metric === undefined)
    throw new ValidationError(
      { raw: 'A SWEMWBS raw score is a whole number from 7 to 35' },
      'The wellbeing score is out of range.',
      'swemwbs-raw-invalid',
    );
  return metric;
}

export interface SwemwbsScore {
  raw: number;
  metric: number;
}

const SWEMWBS_ITEMS = Array.from({ length: 7 }, (_, i) => `swemwbs-${i + 1}`);

/** NA-6: the raw score is the sum of the seven items (1–5 each); null unless all seven are answered. */
export function swemwbsScore(answers: Answers): SwemwbsScore | null {
  const errors: FieldErrors = {};
  const scores = SWEMWBS_ITEMS.map((id) => oneToFive(answers, id, errors));
  refuseAny(errors);
  if (scores.some((s) => s === undefined)) return null;
  const raw = scores.reduce<number>((a, b) => a + b!, 0);
  return { raw, metric: swemwbsMetric(raw) };
}

export type Phq4Score = ReturnType<typeof scorePhq4>;

const PHQ4_ITEMS = ['phq4-1', 'phq4-2', 'phq4-3', 'phq4-4'];

/**
 * PHQ-4 (domain brief §4): anxiety = items 1–2, depression = items 3–4, each positive at 3 or more, scored by
 * `scorePhq4`. Null unless all four are answered; an answer that is not 0–3 is refused.
 */
export function phq4Score(answers: Answers): Phq4Score | null {
  if (PHQ4_ITEMS.some((id) => unanswered(answers[id]))) return null;
  return scorePhq4(answers);
}

/** What is stored with a submitted response: the score of each instrument the response carries. */
export interface SurveyScores {
  hse?: HseDomainScores;
  swemwbs?: SwemwbsScore;
  phq4?: Phq4Score;
}

/**
 * Scores whatever the response carries: HSE when at least one domain has an answer, SWEMWBS and PHQ-4 when
 * complete. A survey without an instrument gives `{}`.
 */
export function scoreSurveyResponse(answers: Answers): SurveyScores {
  const scores: SurveyScores = {};
  const hse = hseDomainScores(answers);
  if (Object.keys(hse).length) scores.hse = hse;
  const swemwbs = swemwbsScore(answers);
  if (swemwbs) scores.swemwbs = swemwbs;
  const phq4 = phq4Score(answers);
  if (phq4) scores.phq4 = phq4;
  return scores;
}

export const RESPONSE_RATE_BANDS = ['below-adequate', 'adequate', 'desirable', 'good', 'very-good'] as const;
export type ResponseRateBand = (typeof RESPONSE_RATE_BANDS)[number];

/**
 * A response rate as a percentage (0–100); null when nobody was invited. Computed as responded × 100 ÷ invited
 * so that a rate exactly on a band boundary (7 of 10 → 70) is exact, not 70.00000000000001.
 */
export function responseRate(responded: number, invited: number): number | null {
  if (!Number.isInteger(responded) || !Number.isInteger(invited) || responded < 0 || responded > invited)
    throw new ValidationError(
      { responded: 'Responses are a whole number no greater than the invitations' },
      undefined,
      'response-rate-invalid',
    );
  return invited === 0 ? null : (responded * 100) / invited;
}

/**
 * NA-3, HSE's response-rate guidance: more than 50 % adequate, more than 60 % desirable, more than 70 % good,
 * more than 80 % very good. Each bound is exclusive: exactly 50 % is below adequate, exactly 60 % adequate.
 * `percent` is 0–100 (see `responseRate`).
 */
export function responseRateBand(percent: number): ResponseRateBand {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new ValidationError({ percent: 'A response rate is from 0 to 100' }, undefined, 'response-rate-invalid');
  if (percent > 80) return 'very-good';
  if (percent > 70) return 'good';
  if (percent > 60) return 'desirable';
  if (percent > 50) return 'adequate';
  return 'below-adequate';
}

/** A domain's benchmark: its 20th, 50th and 80th percentiles (NA-5; editable data, none shipped). */
export interface HseBenchmark {
  p20: number;
  p50: number;
  p80: number;
}

export const HSE_BANDS = ['red', 'yellow', 'aqua', 'green'] as const;
export type HseBand = (typeof HSE_BANDS)[number];

/**
 * NA-5, the HSE Analysis Tool's colour bands: red below the 20th percentile, yellow from the 20th to below the
 * 50th, aqua from the 50th to below the 80th, green at the 80th and above. A boundary belongs to the band above
 * it. Null when no benchmark is configured: the page then shows the raw mean.
 */
export function hseBand(mean: number, benchmark: HseBenchmark | null): HseBand | null {
  if (benchmark === null) return null;
  const { p20, p50, p80 } = benchmark;
  if (![mean, p20, p50, p80].every(Number.isFinite) || !(p20 <= p50 && p50 <= p80))
    throw new ValidationError(
      { benchmark: 'A benchmark needs numbers with p20 ≤ p50 ≤ p80' },
      undefined,
      'hse-benchmark-invalid',
    );
  if (mean >= p80) return 'green';
  if (mean >= p50) return 'aqua';
  if (mean >= p20) return 'yellow';
  return 'red';
}
