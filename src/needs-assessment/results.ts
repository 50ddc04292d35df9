import { effectiveThreshold, isSmall, queryableGroups, suppressBreakdown } from '../shared/disclosure.js';
import { ValidationError } from '../shared/errors.js';
import type { CampaignResults, OptionShare, ResultFigure } from './results-types.js';
import {
  HSE_DOMAINS,
  HSE_ITEMS,
  hseBand,
  responseRate,
  responseRateBand,
  type HseBenchmark,
  type HseDomain,
} from './scoring.js';
import type { SurveyQuestionnaire } from './survey-questionnaire.js';
import type { Campaign, ResponseRow } from './survey-types.js';

export type { CampaignResults, OptionShare, ResultFigure } from './results-types.js';

/**
 * A campaign's results (issue 17 §6; domain brief §6, CONF-5). Pure: the questionnaire, the campaign and its
 * response rows in, every figure out with its value, n and whether it is suppressed.
 *
 * One pass over the rows adds each response into the tally of its reporting group (the rows in no group, or in a
 * group the campaign does not name, go to a remainder). Everyone's figures are the sums of those tallies and one
 * group's figures its own, so nothing is scanned twice, however many figures there are.
 *
 * CONF-5, as applied here:
 * - every figure computed from 0 < n < threshold people is suppressed (value null); a figure from nobody is not
 *   suppressed but has no value;
 * - a breakdown by reporting group (each HSE domain's `byGroup`, and `groups[].responses`) goes through
 *   `suppressBreakdown`, everyone being the total, the groups the parts and the remainder unshown, so that the total
 *   less the groups shown never reveals a hidden one;
 * - across two filters: a group's own page shows a figure only when everyone's page would show that same figure
 *   for that group in a breakdown by group (counted on the people that figure is from). Otherwise "everyone" less
 *   the pages of the groups shown would reveal a group hidden on everyone's page. This secondary suppression is on
 *   top of the service's `queryableGroups` refusal; `groups[].queryable` already includes it;
 * - free-text comments only when the set shown has at least the threshold of responses (and, for a group, its
 *   response count is shown); sorted, so their order says nothing about when they were given.
 *
 * Choices documented here (NA-1, CONF-5):
 * - an option's share is a `ResultFigure` whose `n` is the number who answered that question (its denominator), not
 *   how many chose the option: the share is computed from all of them, and the question as a whole is suppressed
 *   when fewer than the threshold answered it;
 * - a select-all-that-apply question (the access `barriers`) stores nothing when nothing applies, so its
 *   denominator is everyone who was asked it (every response shown, less those for whom it was disabled by
 *   `enableWhen`): a share is the prevalence among respondents, not among those who reported some barrier. Its
 *   `answered` figure is that denominator;
 * - a yes/no question's option codes are "true" and "false";
 * - means are rounded to 2 decimal places, shares (0–1) to 4; an HSE band is taken from the mean as shown; a change
 *   is the shown mean less the shown previous mean, rounded to 2 places, and only when both are shown;
 * - the previous campaign's figures (for the same population) are given only with everyone's results: the previous
 *   campaign's reporting groups need not be this one's, so a group's page has no previous figures;
 * - `figures` adds `hse.<domain>.previous`, `swemwbs.previous`, `barriers.<code>.previous` and
 *   `question.<linkId>.answered` to the codes of the figures listed in `CampaignResults`.
 */
export function computeResults(input: {
  questionnaire: SurveyQuestionnaire;
  campaign: Campaign;
  rows: ResponseRow[];
  previousRows: ResponseRow[] | null;
  group: string | null;
  benchmark: Partial<Record<HseDomain, HseBenchmark>> | null;
}): CampaignResults {
  const { questionnaire, campaign, rows, group, benchmark } = input;
  const threshold = effectiveThreshold(campaign.threshold);
  const groupKeys = campaign.groups.map((g) => g.key);
  const scope = group === null ? null : groupKeys.indexOf(group);
  if (scope === -1) throw new ValidationError({ group: 'validation.surveys.noSuchGroup' });

  const plan = planOf(questionnaire);
  const slotOf = new Map(groupKeys.map((key, i) => [key, i]));
  const current = new Tally(plan, groupKeys.length + 1);
  const remainder = groupKeys.length;
  const comments: string[] = [];
  for (const row of rows) {
    const slot = (row.groupKey === null ? undefined : slotOf.get(row.groupKey)) ?? remainder;
    current.add(row, slot);
    if (plan.comments.length && (scope === null || slot === scope))
      collectComments(row.answers, plan.comments, comments);
  }
  const previousRows = group === null ? input.previousRows : null;
  let previous: Tally | null = null;
  if (previousRows) {
    previous = new Tally(plan, 1);
    for (const row of previousRows) previous.add(row, 0);
  }

  const figures: CampaignResults['figures'] = [];
  const record = (code: string, f: ResultFigure): ResultFigure => {
    figures.push({ code, ...f });
    return f;
  };
  const view = new View(groupKeys, threshold, scope);
  const earlier = new View([], threshold, null);

  // Responses, the response rate and the reporting groups.
  const everyoneResponses = sum(current.responses);
  const responses = record('responses', view.count(current.responses));
  const percent = responseRate(everyoneResponses, campaign.invitedCount) ?? 0;
  const responseBreakdown = view.breakdown(current.responses);
  const mayQuery = new Set(
    queryableGroups(
      everyoneResponses,
      groupKeys.map((key, i) => ({ key, n: current.responses[i]! })),
      threshold,
    ),
  );
  const groups = campaign.groups.map((g, i) => {
    const shown = responseBreakdown[i]!;
    return {
      key: g.key,
      invited: g.invited,
      responses: record(`group.${g.key}.responses`, shown),
      queryable: mayQuery.has(g.key) && !shown.suppressed,
    };
  });

  // HSE Management Standards (NA-3, NA-5).
  let hse: CampaignResults['hse'] = null;
  if (plan.hse) {
    const domains = HSE_DOMAINS.map((domain, d) => {
      const { sum: sums, n } = current.domains[d]!;
      const mean = record(`hse.${domain}.mean`, view.mean(sums, n, 2));
      const band = mean.value === null ? null : hseBand(mean.value, benchmark?.[domain] ?? null);
      const before = previous
        ? record(`hse.${domain}.previous`, earlier.mean(previous.domains[d]!.sum, previous.domains[d]!.n, 2))
        : null;
      const byGroup =
        scope === null
          ? view
              .breakdown(n, (i) => sums[i]! / n[i]!, 2)
              .map((figure, i) => ({ key: groupKeys[i]!, mean: record(`hse.${domain}.${groupKeys[i]}.mean`, figure) }))
          : [];
      return { domain, mean, band, previous: before, change: change(mean, before), byGroup };
    });
    const items = plan.hseItems.map(({ item, question: q }) => ({
      item: item.item,
      linkId: item.linkId,
      domain: item.domain,
      reversed: item.reversed,
      distribution: distribution(view, current, q, (code) => `hse.item.${item.item}.${code}`, record).shares,
    }));
    hse = { domains, items };
  }

  // SWEMWBS (NA-6) and PHQ-4.
  let swemwbs: CampaignResults['swemwbs'] = null;
  if (plan.swemwbs) {
    const mean = record('swemwbs.mean', view.mean(current.swemwbs.sum, current.swemwbs.n, 2));
    const before = previous
      ? record('swemwbs.previous', earlier.mean(previous.swemwbs.sum, previous.swemwbs.n, 2))
      : null;
    swemwbs = { mean, previous: before, change: change(mean, before) };
  }
  const phq4 = plan.phq4
    ? {
        anxietyPositive: record('phq4.anxiety-positive', view.mean(current.phq4.anxiety, current.phq4.n, 4)),
        depressionPositive: record('phq4.depression-positive', view.mean(current.phq4.depression, current.phq4.n, 4)),
      }
    : null;

  // Access barriers (NA-1) and every other choice or yes/no question.
  let barriers: CampaignResults['barriers'] = null;
  if (plan.barriers) {
    const q = plan.barriers;
    const now = distribution(view, current, q, (code) => `barriers.${code}`, record).shares;
    const then = previous
      ? distribution(earlier, previous, q, (code) => `barriers.${code}.previous`, record).shares
      : null;
    barriers = now.map(({ code, share }, o) => ({ code, share, previous: then ? then[o]!.share : null }));
  }
  const questions = plan.others.map((q) => {
    const answered = record(`question.${q.linkId}.answered`, view.count(current.asked[q.index]!));
    const { shares } = distribution(view, current, q, (code) => `question.${q.linkId}.${code}`, record);
    return { linkId: q.linkId, answered, distribution: shares };
  });

  const commentsShown = !responses.suppressed && responses.n >= threshold;
  return {
    campaignId: campaign.id,
    group,
    threshold,
    responses,
    responseRate: { value: round(percent / 100, 4), band: responseRateBand(percent) },
    groups,
    hse,
    swemwbs,
    phq4,
    barriers,
    questions,
    comments: commentsShown ? alphabetical(comments) : null,
    figures,
  };
}

// ── The questionnaire's plan: what to count ────────────────────────────────────────────────────────────────────

/** What results read of a questionnaire (`SurveyQuestionnaire` has these, and more). */
interface Item {
  linkId: string;
  type: string;
  repeats: boolean;
  options: ReadonlyArray<{ code: string }>;
  enableWhen?: { question: string; answer: string | boolean };
}
interface Questionnaire {
  pages: ReadonlyArray<{ instrument: string | null; items: readonly Item[] }>;
}

interface Question {
  /** Its place in the tally's per-question arrays. */
  index: number;
  linkId: string;
  kind: 'single' | 'multiple' | 'boolean';
  codes: string[];
  optionOf: Map<string, number>;
  enableWhen: Item['enableWhen'];
}

interface Plan {
  questions: Question[];
  hse: boolean;
  hseItems: Array<{ item: (typeof HSE_ITEMS)[number]; question: Question }>;
  swemwbs: boolean;
  phq4: boolean;
  barriers: Question | null;
  others: Question[];
  /** The linkIds of the free-text comment questions. */
  comments: string[];
}

const BARRIERS = 'barriers';
const HSE_CODES = ['1', '2', '3', '4', '5'];

function planOf(questionnaire: Questionnaire): Plan {
  const questions: Question[] = [];
  const question = (item: Item, fallback: string[] = []): Question => {
    const kind = item.type === 'boolean' ? 'boolean' : item.repeats ? 'multiple' : 'single';
    const given = item.options.map((o) => o.code);
    const codes = kind === 'boolean' ? ['true', 'false'] : given.length ? given : fallback;
    const q: Question = {
      index: questions.length,
      linkId: item.linkId,
      kind,
      codes,
      optionOf: new Map(codes.map((c, i) => [c, i])),
      enableWhen: item.enableWhen,
    };
    questions.push(q);
    return q;
  };
  const instruments = new Set(questionnaire.pages.map((p) => p.instrument));
  const hseItemOf = new Map(HSE_ITEMS.map((i) => [i.linkId, i]));
  const hseItems: Plan['hseItems'] = [];
  const others: Question[] = [];
  const comments: string[] = [];
  let barriers: Question | null = null;
  for (const page of questionnaire.pages)
    for (const item of page.items) {
      if (item.linkId.endsWith('-comments') && (item.type === 'text' || item.type === 'string'))
        comments.push(item.linkId);
      const hseItem = hseItemOf.get(item.linkId);
      if (page.instrument === 'hse' && hseItem && item.type === 'choice')
        hseItems.push({ item: hseItem, question: question(item, HSE_CODES) });
      else if (page.instrument !== null || (item.type !== 'choice' && item.type !== 'boolean')) continue;
      else if (item.linkId === BARRIERS) barriers = question(item);
      else others.push(question(item));
    }
  hseItems.sort((a, b) => a.item.item - b.item.item);
  return {
    questions,
    hse: instruments.has('hse'),
    hseItems,
    swemwbs: instruments.has('swemwbs'),
    phq4: instruments.has('phq4'),
    barriers,
    others,
    comments,
  };
}

// ── The tally: one pass, per reporting group ──────────────────────────────────────────────────────────────────

class Tally {
  readonly responses: Int32Array;
  /** Per question, per group: how many answered it (for a multiple choice: how many were asked it). */
  readonly asked: Int32Array[];
  /** Per question: `chosen[q][slot * options + option]`. */
  readonly chosen: Int32Array[];
  readonly domains: Array<{ sum: Float64Array; n: Int32Array }>;
  // The questions' properties side by side, for the loop over every row.
  private readonly linkIds: string[];
  private readonly codes: string[][];
  private readonly multiple: boolean[];
  readonly swemwbs: { sum: Float64Array; n: Int32Array };
  readonly phq4: { anxiety: Float64Array; depression: Float64Array; n: Int32Array };

  constructor(
    private readonly plan: Plan,
    readonly slots: number,
  ) {
    this.responses = new Int32Array(slots);
    this.asked = plan.questions.map(() => new Int32Array(slots));
    this.chosen = plan.questions.map((q) => new Int32Array(slots * q.codes.length));
    this.linkIds = plan.questions.map((q) => q.linkId);
    this.codes = plan.questions.map((q) => q.codes);
    this.multiple = plan.questions.map((q) => q.kind === 'multiple');
    this.domains = HSE_DOMAINS.map(() => ({ sum: new Float64Array(slots), n: new Int32Array(slots) }));
    this.swemwbs = { sum: new Float64Array(slots), n: new Int32Array(slots) };
    this.phq4 = { anxiety: new Float64Array(slots), depression: new Float64Array(slots), n: new Int32Array(slots) };
  }

  add(row: ResponseRow, slot: number): void {
    this.responses[slot]! += 1;
    const answers = row.answers;
    const { linkIds, codes, multiple, asked, chosen } = this;
    for (let i = 0; i < linkIds.length; i++) {
      const v = answers[linkIds[i]!];
      if (multiple[i]) {
        this.addMultiple(i, v, answers, slot);
        continue;
      }
      if (v === undefined || v === null) continue;
      const options = codes[i]!;
      const o = options.indexOf(typeof v === 'string' ? v : String(v));
      if (o < 0) continue;
      asked[i]![slot]! += 1;
      chosen[i]![slot * options.length + o]! += 1;
    }

    const scores = row.scores;
    if (this.plan.hse) {
      const hse = scores.hse as Record<string, unknown> | undefined;
      if (hse && typeof hse === 'object')
        for (let d = 0; d < HSE_DOMAINS.length; d++) {
          const v = hse[HSE_DOMAINS[d]!];
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          const acc = this.domains[d]!;
          acc.sum[slot]! += v;
          acc.n[slot]! += 1;
        }
    }
    const swemwbs = scores.swemwbs as { metric?: unknown } | undefined;
    if (this.plan.swemwbs && swemwbs && typeof swemwbs.metric === 'number' && Number.isFinite(swemwbs.metric)) {
      this.swemwbs.sum[slot]! += swemwbs.metric;
      this.swemwbs.n[slot]! += 1;
    }
    const phq4 = scores.phq4 as { anxietyPositive?: unknown; depressionPositive?: unknown } | undefined;
    if (this.plan.phq4 && phq4 && typeof phq4.anxietyPositive === 'boolean') {
      this.phq4.n[slot]! += 1;
      if (phq4.anxietyPositive) this.phq4.anxiety[slot]! += 1;
      if (phq4.depressionPositive === true) this.phq4.depression[slot]! += 1;
    }
  }

  /** A select-all-that-apply question: everyone asked it counts, whatever they chose (NA-1). */
  private addMultiple(i: number, v: unknown, answers: Readonly<Record<string, unknown>>, slot: number): void {
    const q = this.plan.questions[i]!;
    if (!enabled(q, answers)) return;
    this.asked[i]![slot]! += 1;
    if (!Array.isArray(v)) return;
    for (let j = 0; j < v.length; j++) {
      const o = q.optionOf.get(String(v[j]));
      // Each option once, even if an answer repeats it.
      if (o !== undefined && v.indexOf(v[j]) === j) this.chosen[i]![slot * q.codes.length + o]! += 1;
    }
  }
}

/** Whether a question was put to this respondent: a question disabled by an earlier answer was not. */
function enabled(q: Question, answers: Readonly<Record<string, unknown>>): boolean {
  if (!q.enableWhen) return true;
  const given = answers[q.enableWhen.question];
  return Array.isArray(given) ? given.includes(String(q.enableWhen.answer)) : given === q.enableWhen.answer;
}

function collectComments(answers: Readonly<Record<string, unknown>>, linkIds: string[], into: string[]): void {
  for (const linkId of linkIds) {
    const v = answers[linkId];
    if (typeof v !== 'string') continue;
    const text = v.trim();
    if (text) into.push(text);
  }
}

/**
 * Alphabetical, ignoring case (then by code unit, so the order is total): an order that says nothing about when a
 * comment was given. Keys are lower-cased once, not per comparison, as a large campaign has many comments.
 */
function alphabetical(texts: string[]): string[] {
  const keyed = texts.map((text) => ({ key: text.toLowerCase(), text }));
  keyed.sort((a, b) => compare(a.key, b.key) || compare(a.text, b.text));
  return keyed.map((k) => k.text);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ── What is shown: everyone, or one group, with CONF-5 applied ─────────────────────────────────────────────────

/**
 * Figures for everyone (`scope` null) or one reporting group (`scope` its index), from per-group arrays whose last
 * entry (if any beyond the groups) is the remainder.
 */
class View {
  constructor(
    private readonly groupKeys: string[],
    private readonly threshold: number,
    private readonly scope: number | null,
  ) {}

  /** A count of people: the people it is from are themselves. */
  count(n: ArrayLike<number>): ResultFigure {
    return this.of(n, (slotN) => slotN);
  }

  /** `sums ÷ n` rounded to `places`, e.g. a mean score or (summing 0s and 1s) a share. */
  mean(sums: ArrayLike<number>, n: ArrayLike<number>, places: number): ResultFigure {
    return this.of(n, (slotN, slot) => round((slot === null ? sum(sums) : sums[slot]!) / slotN, places));
  }

  /**
   * The figure for the set shown, computed from `n` people per group. For a group, it is hidden also when
   * everyone's breakdown of the same figure by group would hide it (CONF-5 across filters).
   */
  of(n: ArrayLike<number>, value: (slotN: number, slot: number | null) => number): ResultFigure {
    if (this.scope === null) {
      const total = sum(n);
      return shown(total, isSmall(total, this.threshold), () => value(total, null));
    }
    const slot = this.scope;
    const groupN = n[slot]!;
    const hidden = isSmall(groupN, this.threshold) || this.hides(n, slot);
    return shown(groupN, hidden, () => value(groupN, slot));
  }

  /**
   * CONF-5: everyone's figure broken down by group, each group's value from `value(i)` (rounded to `places`), the
   * groups suppressed together so that the total less the groups shown never reveals a hidden one.
   */
  breakdown(n: ArrayLike<number>, value: (i: number) => number = (i) => n[i]!, places = 0): ResultFigure[] {
    const { totalSuppressed, parts } = this.suppression(n);
    return parts.map((p, i) => shown(p.n, totalSuppressed || p.suppressed, () => round(value(i), places)));
  }

  private hides(n: ArrayLike<number>, slot: number): boolean {
    const { totalSuppressed, parts } = this.suppression(n);
    return totalSuppressed || parts[slot]!.suppressed;
  }

  private suppression(n: ArrayLike<number>) {
    return suppressBreakdown(
      { total: sum(n), parts: this.groupKeys.map((key, i) => ({ key, n: n[i]! })) },
      this.threshold,
    );
  }
}

function shown(n: number, hidden: boolean, value: () => number): ResultFigure {
  if (hidden) return { value: null, n, suppressed: true };
  return { value: n === 0 ? null : value(), n, suppressed: false };
}

/** Each option's share of those who answered (or, for a multiple choice, were asked) the question. */
function distribution(
  view: View,
  tally: Tally,
  q: Question,
  code: (option: string) => string,
  record: (code: string, f: ResultFigure) => ResultFigure,
): { shares: OptionShare[] } {
  const asked = tally.asked[q.index]!;
  const chosen = tally.chosen[q.index]!;
  const width = q.codes.length;
  const shares = q.codes.map((option, o) => {
    const share = view.of(asked, (slotN, slot) => {
      let count = 0;
      if (slot === null) for (let s = 0; s < tally.slots; s++) count += chosen[s * width + o]!;
      else count = chosen[slot * width + o]!;
      return round(count / slotN, 4);
    });
    return { code: option, share: record(code(option), share) };
  });
  return { shares };
}

function change(now: ResultFigure, before: ResultFigure | null): number | null {
  if (!before || now.value === null || before.value === null) return null;
  return round(now.value - before.value, 2);
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}
