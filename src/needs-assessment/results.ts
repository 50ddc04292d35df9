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
import type { Campaign } from './survey-types.js';

export type { CampaignResults, OptionShare, ResultFigure } from './results-types.js';

// ── Tallies: what results need of a set of responses, kept so that results never read the rows ────────────────

/**
 * Everything `computeResults` needs of a set of responses (usually one reporting group's published ones), as plain
 * JSON: it is stored, and updated as responses are published, so that a campaign's results are computed from a
 * handful of tallies rather than from every response (issue 17 §11: 100,000 responses in ≤ 500 ms).
 *
 * Tallies add up: `mergeTallies` is associative and commutative with `emptyTally()` its identity, and every count
 * is a whole number, so tallying responses in any batches and merging them gives exactly the tally of all of them.
 * Questions, options and HSE domains nobody counted are absent (never 0), so equal tallies are equal objects.
 * Free-text comments are not in a tally: they are stored apart (`commentsOf`).
 */
export interface SurveyTally {
  /** How many responses. */
  responses: number;
  /**
   * Per choice or yes/no question, by linkId: how many answered it (for a select-all-that-apply question: how many
   * were asked it, NA-1), and per option code how many chose it (a yes/no question's codes are "true" and "false").
   */
  questions: Record<string, { answered: number; chosen: Record<string, number> }>;
  /**
   * NA-3: per HSE domain, how many responses have a domain score and the sum of those scores in 840ths. A domain
   * score is a mean of at most 8 items, so 840 (the least common multiple of 1 … 8) times it is a whole number: the
   * sum is exact, whatever order responses are added in.
   */
  hse: Partial<Record<HseDomain, { n: number; sum840: number }>>;
  /** NA-6: how many have a SWEMWBS metric score, and the sum of those scores in hundredths (the table's precision). */
  swemwbs: { n: number; sum100: number };
  /** PHQ-4: how many have a score, and how many of them screen positive for anxiety and for depression. */
  phq4: { n: number; anxietyPositive: number; depressionPositive: number };
}

/** The scale of `SurveyTally.hse[domain].sum840` and `SurveyTally.swemwbs.sum100`. */
const HSE_SCALE = 840;
const SWEMWBS_SCALE = 100;

/** The tally of no responses: `mergeTallies(emptyTally(), t)` is `t`. */
export function emptyTally(): SurveyTally {
  return {
    responses: 0,
    questions: {},
    hse: {},
    swemwbs: { n: 0, sum100: 0 },
    phq4: { n: 0, anxietyPositive: 0, depressionPositive: 0 },
  };
}

/** A response as tallied: its answers and the scores stored with it at submission (`scoreSurveyResponse`). */
export interface TalliedRow {
  answers: Readonly<Record<string, unknown>>;
  scores: Readonly<Record<string, unknown>>;
}

/** The tally of these responses to this questionnaire (all in one group: `tallyByGroup` splits them). */
export function tallyRows(questionnaire: ResultsQuestionnaire, rows: ReadonlyArray<TalliedRow>): SurveyTally {
  const counter = new Counter(planOf(questionnaire));
  for (const row of rows) counter.add(row);
  return counter.tally();
}

/** Each reporting group's tally of these responses (null: in no group), in the order the groups first appear. */
export function tallyByGroup(
  questionnaire: ResultsQuestionnaire,
  rows: ReadonlyArray<TalliedRow & { groupKey: string | null }>,
): Array<{ groupKey: string | null; tally: SurveyTally }> {
  const plan = planOf(questionnaire);
  const counters = new Map<string | null, Counter>();
  for (const row of rows) {
    let counter = counters.get(row.groupKey);
    if (!counter) counters.set(row.groupKey, (counter = new Counter(plan)));
    counter.add(row);
  }
  return [...counters].map(([groupKey, counter]) => ({ groupKey, tally: counter.tally() }));
}

/** The tally of both sets of responses. Associative and commutative; neither argument is changed. */
export function mergeTallies(a: SurveyTally, b: SurveyTally): SurveyTally {
  const questions: SurveyTally['questions'] = {};
  const hse: SurveyTally['hse'] = {};
  for (const t of [a, b]) {
    for (const [linkId, q] of Object.entries(t.questions)) {
      let into = own(questions, linkId);
      if (!into) put(questions, linkId, (into = { answered: 0, chosen: {} }));
      into.answered += q.answered;
      for (const [code, n] of Object.entries(q.chosen)) put(into.chosen, code, (own(into.chosen, code) ?? 0) + n);
    }
    for (const domain of HSE_DOMAINS) {
      const d = own(t.hse, domain);
      if (!d) continue;
      const into = (hse[domain] ??= { n: 0, sum840: 0 });
      into.n += d.n;
      into.sum840 += d.sum840;
    }
  }
  return {
    responses: a.responses + b.responses,
    questions,
    hse,
    swemwbs: { n: a.swemwbs.n + b.swemwbs.n, sum100: a.swemwbs.sum100 + b.swemwbs.sum100 },
    phq4: {
      n: a.phq4.n + b.phq4.n,
      anxietyPositive: a.phq4.anxietyPositive + b.phq4.anxietyPositive,
      depressionPositive: a.phq4.depressionPositive + b.phq4.depressionPositive,
    },
  };
}

/**
 * A response's free-text comments, to store apart from tallies: the trimmed text of each non-empty answer to a
 * `text` or `string` question whose linkId ends in `-comments`, in questionnaire order.
 */
export function commentsOf(questionnaire: ResultsQuestionnaire, answers: Readonly<Record<string, unknown>>): string[] {
  const texts: string[] = [];
  for (const page of questionnaire.pages)
    for (const item of page.items) {
      if (!isCommentItem(item)) continue;
      const v = Object.hasOwn(answers, item.linkId) ? answers[item.linkId] : undefined;
      const text = typeof v === 'string' ? v.trim() : '';
      if (text) texts.push(text);
    }
  return texts;
}

// ── Results ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A stored tally and the reporting group it is of (null, or a group the campaign does not name: the remainder). */
export interface GroupTally {
  groupKey: string | null;
  tally: SurveyTally;
}

/**
 * A campaign's results (issue 17 §6; domain brief §6, CONF-5). Pure: the questionnaire, the campaign, the tallies
 * of its responses per reporting group and its comments in, every figure out with its value, n and whether it is
 * suppressed.
 *
 * `tallies` may hold any number of tallies per group: each group's are merged. Tallies of no group, or of a group
 * the campaign does not name, are the remainder. Everyone's figures are the sums over every group and one group's
 * figures its own. `previous` is the previous campaign's tallies (its groups need not be this one's: they are all
 * merged). `comments` is every published comment with its group.
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
  tallies: ReadonlyArray<GroupTally>;
  previous: ReadonlyArray<GroupTally> | null;
  comments: ReadonlyArray<{ groupKey: string | null; text: string }>;
  group: string | null;
  benchmark: Partial<Record<HseDomain, HseBenchmark>> | null;
}): CampaignResults {
  const { questionnaire, campaign, group, benchmark } = input;
  const threshold = effectiveThreshold(campaign.threshold);
  const groupKeys = campaign.groups.map((g) => g.key);
  const scope = group === null ? null : groupKeys.indexOf(group);
  if (scope === -1) throw new ValidationError({ group: 'validation.surveys.noSuchGroup' });

  const plan = planOf(questionnaire);
  const slotOf = new Map(groupKeys.map((key, i) => [key, i]));
  const remainder = groupKeys.length;
  const slotTallies = Array.from({ length: groupKeys.length + 1 }, emptyTally);
  for (const { groupKey, tally } of input.tallies) {
    const slot = (groupKey === null ? undefined : slotOf.get(groupKey)) ?? remainder;
    slotTallies[slot] = mergeTallies(slotTallies[slot]!, tally);
  }
  const current = countsOf(plan, slotTallies);
  const previousTallies = group === null ? input.previous : null;
  const previous = previousTallies
    ? countsOf(plan, [previousTallies.reduce((all, t) => mergeTallies(all, t.tally), emptyTally())])
    : null;
  const comments: string[] = [];
  for (const c of input.comments) {
    if (scope !== null && c.groupKey !== group) continue;
    const text = c.text.trim();
    if (text) comments.push(text);
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
      const mean = record(`hse.${domain}.mean`, view.mean(sums, n, 2, HSE_SCALE));
      const band = mean.value === null ? null : hseBand(mean.value, benchmark?.[domain] ?? null);
      const then = previous?.domains[d];
      const before = then ? record(`hse.${domain}.previous`, earlier.mean(then.sum, then.n, 2, HSE_SCALE)) : null;
      const byGroup =
        scope === null
          ? view
              .breakdown(n, (i) => sums[i]! / (HSE_SCALE * n[i]!), 2)
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
    const now = current.swemwbs;
    const mean = record('swemwbs.mean', view.mean(now.sum, now.n, 2, SWEMWBS_SCALE));
    const then = previous?.swemwbs;
    const before = then ? record('swemwbs.previous', earlier.mean(then.sum, then.n, 2, SWEMWBS_SCALE)) : null;
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

/**
 * Results straight from response rows: each group's rows tallied, their comments taken, then `computeResults`.
 * The same results as from stored tallies; for tests, and for anything that holds the rows anyway.
 */
export function resultsFromRows(
  input: Omit<Parameters<typeof computeResults>[0], 'tallies' | 'previous' | 'comments'> & {
    rows: ReadonlyArray<TalliedRow & { groupKey: string | null }>;
    previousRows: ReadonlyArray<TalliedRow> | null;
  },
): CampaignResults {
  const { rows, previousRows, ...rest } = input;
  const q = input.questionnaire;
  return computeResults({
    ...rest,
    tallies: tallyByGroup(q, rows),
    previous: previousRows ? [{ groupKey: null, tally: tallyRows(q, previousRows) }] : null,
    comments: rows.flatMap((r) => commentsOf(q, r.answers).map((text) => ({ groupKey: r.groupKey, text }))),
  });
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
export interface ResultsQuestionnaire {
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
}

const BARRIERS = 'barriers';
const HSE_CODES = ['1', '2', '3', '4', '5'];

function planOf(questionnaire: ResultsQuestionnaire): Plan {
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
  let barriers: Question | null = null;
  for (const page of questionnaire.pages)
    for (const item of page.items) {
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
  };
}

/** A free-text comment question: a `text` or `string` item whose linkId ends in `-comments`. */
function isCommentItem(item: Item): boolean {
  return item.linkId.endsWith('-comments') && (item.type === 'text' || item.type === 'string');
}

// ── Counting: rows into a tally, and tallies into per-group arrays ───────────────────────────────────────────

/** One set of responses' counts, side by side per question, for the loop over every row; then a `SurveyTally`. */
class Counter {
  private responses = 0;
  /** Per question: how many answered it (for a multiple choice: how many were asked it). */
  private readonly asked: Int32Array;
  /** Per question: `chosen[q][option]`. */
  private readonly chosen: Int32Array[];
  private readonly domains = HSE_DOMAINS.map(() => ({ n: 0, sum840: 0 }));
  private readonly swemwbs = { n: 0, sum100: 0 };
  private readonly phq4 = { n: 0, anxietyPositive: 0, depressionPositive: 0 };
  private readonly linkIds: string[];
  private readonly codes: string[][];
  private readonly multiple: boolean[];

  constructor(private readonly plan: Plan) {
    this.asked = new Int32Array(plan.questions.length);
    this.chosen = plan.questions.map((q) => new Int32Array(q.codes.length));
    this.linkIds = plan.questions.map((q) => q.linkId);
    this.codes = plan.questions.map((q) => q.codes);
    this.multiple = plan.questions.map((q) => q.kind === 'multiple');
  }

  add(row: TalliedRow): void {
    this.responses += 1;
    const answers = row.answers;
    const { linkIds, codes, multiple, asked, chosen } = this;
    for (let i = 0; i < linkIds.length; i++) {
      const v = answers[linkIds[i]!];
      if (multiple[i]) {
        this.addMultiple(i, v, answers);
        continue;
      }
      if (v === undefined || v === null) continue;
      const o = codes[i]!.indexOf(typeof v === 'string' ? v : String(v));
      if (o < 0) continue;
      asked[i]! += 1;
      chosen[i]![o]! += 1;
    }

    const scores = row.scores;
    if (this.plan.hse) {
      const hse = scores.hse as Record<string, unknown> | undefined;
      if (hse && typeof hse === 'object')
        for (let d = 0; d < HSE_DOMAINS.length; d++) {
          const v = hse[HSE_DOMAINS[d]!];
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          const acc = this.domains[d]!;
          acc.sum840 += Math.round(v * HSE_SCALE);
          acc.n += 1;
        }
    }
    const swemwbs = scores.swemwbs as { metric?: unknown } | undefined;
    if (this.plan.swemwbs && swemwbs && typeof swemwbs.metric === 'number' && Number.isFinite(swemwbs.metric)) {
      this.swemwbs.sum100 += Math.round(swemwbs.metric * SWEMWBS_SCALE);
      this.swemwbs.n += 1;
    }
    const phq4 = scores.phq4 as { anxietyPositive?: unknown; depressionPositive?: unknown } | undefined;
    if (this.plan.phq4 && phq4 && typeof phq4.anxietyPositive === 'boolean') {
      this.phq4.n += 1;
      if (phq4.anxietyPositive) this.phq4.anxietyPositive += 1;
      if (phq4.depressionPositive === true) this.phq4.depressionPositive += 1;
    }
  }

  /** A select-all-that-apply question: everyone asked it counts, whatever they chose (NA-1). */
  private addMultiple(i: number, v: unknown, answers: Readonly<Record<string, unknown>>): void {
    const q = this.plan.questions[i]!;
    if (!enabled(q, answers)) return;
    this.asked[i]! += 1;
    if (!Array.isArray(v)) return;
    for (let j = 0; j < v.length; j++) {
      const o = q.optionOf.get(String(v[j]));
      // Each option once, even if an answer repeats it.
      if (o !== undefined && v.indexOf(v[j]) === j) this.chosen[i]![o]! += 1;
    }
  }

  /** The counts so far, with nothing that is 0 (see `SurveyTally`). */
  tally(): SurveyTally {
    const t = emptyTally();
    t.responses = this.responses;
    this.plan.questions.forEach((q, i) => {
      if (this.asked[i] === 0) return;
      const chosen: Record<string, number> = {};
      q.codes.forEach((code, o) => {
        if (this.chosen[i]![o]) put(chosen, code, this.chosen[i]![o]!);
      });
      put(t.questions, q.linkId, { answered: this.asked[i]!, chosen });
    });
    HSE_DOMAINS.forEach((domain, d) => {
      if (this.domains[d]!.n) t.hse[domain] = { ...this.domains[d]! };
    });
    t.swemwbs = { ...this.swemwbs };
    t.phq4 = { ...this.phq4 };
    return t;
  }
}

/** Per-slot counts (the slots being the reporting groups, then the remainder), in the plan's order. */
interface Counts {
  slots: number;
  responses: number[];
  /** Per question, per slot: how many answered it (for a multiple choice: how many were asked it). */
  asked: number[][];
  /** Per question: `chosen[q][slot * options + option]`. */
  chosen: number[][];
  /** Per HSE domain, per slot: the sum of domain scores in 840ths and how many. */
  domains: Array<{ sum: number[]; n: number[] }>;
  /** In hundredths. */
  swemwbs: { sum: number[]; n: number[] };
  phq4: { anxiety: number[]; depression: number[]; n: number[] };
}

function countsOf(plan: Plan, tallies: readonly SurveyTally[]): Counts {
  const per = (f: (t: SurveyTally) => number | undefined) => tallies.map((t) => f(t) ?? 0);
  const questionOf = (t: SurveyTally, q: Question) => own(t.questions, q.linkId);
  return {
    slots: tallies.length,
    responses: per((t) => t.responses),
    asked: plan.questions.map((q) => per((t) => questionOf(t, q)?.answered)),
    chosen: plan.questions.map((q) =>
      tallies.flatMap((t) => {
        const chosen = questionOf(t, q)?.chosen;
        return q.codes.map((code) => (chosen && own(chosen, code)) ?? 0);
      }),
    ),
    domains: HSE_DOMAINS.map((domain) => ({
      sum: per((t) => own(t.hse, domain)?.sum840),
      n: per((t) => own(t.hse, domain)?.n),
    })),
    swemwbs: { sum: per((t) => t.swemwbs.sum100), n: per((t) => t.swemwbs.n) },
    phq4: {
      anxiety: per((t) => t.phq4.anxietyPositive),
      depression: per((t) => t.phq4.depressionPositive),
      n: per((t) => t.phq4.n),
    },
  };
}

/** A record's own entry (never one inherited, e.g. `constructor`, whatever a linkId or option code is). */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets a record's own entry, even for a key such as `__proto__`. */
function put<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Whether a question was put to this respondent: a question disabled by an earlier answer was not. */
function enabled(q: Question, answers: Readonly<Record<string, unknown>>): boolean {
  if (!q.enableWhen) return true;
  const given = answers[q.enableWhen.question];
  return Array.isArray(given) ? given.includes(String(q.enableWhen.answer)) : given === q.enableWhen.answer;
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

  /**
   * `sums ÷ n` rounded to `places`, e.g. a mean score or (summing 0s and 1s) a share; `sums` being in `scale`ths
   * (whole numbers, so that everyone's sum is exact).
   */
  mean(sums: ArrayLike<number>, n: ArrayLike<number>, places: number, scale = 1): ResultFigure {
    return this.of(n, (slotN, slot) => round((slot === null ? sum(sums) : sums[slot]!) / (scale * slotN), places));
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
  tally: Counts,
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
