import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  commentsOf,
  computeResults,
  emptyTally,
  mergeTallies,
  resultsFromRows,
  tallyByGroup,
  tallyRows,
  type CampaignResults,
  type GroupTally,
  type SurveyTally,
} from './results.js';
import { HSE_DOMAINS, HSE_ITEMS, scoreSurveyResponse, type HseDomain } from './scoring.js';
import type { Campaign, ResponseRow } from './survey-types.js';

type Input = Parameters<typeof resultsFromRows>[0];

/** The parts of a survey questionnaire results read, as the survey questionnaire format describes them. */
interface TestItem {
  linkId: string;
  text: string;
  type: 'choice' | 'boolean' | 'string' | 'text' | 'integer' | 'display';
  required: boolean;
  repeats: boolean;
  options: Array<{ code: string; display: string }>;
  enableWhen?: { question: string; answer: string | boolean };
}
interface TestQuestionnaire {
  id: string;
  url: string;
  version: string;
  title: string;
  description: string;
  modes: Array<'anonymous' | 'confidential'>;
  pages: Array<{
    linkId: string;
    title: string;
    instrument: 'hse' | 'swemwbs' | 'phq4' | null;
    englishOnly: boolean;
    items: TestItem[];
  }>;
  resource: unknown;
}

const item = (linkId: string, type: TestItem['type'], codes: string[] = [], repeats = false): TestItem => ({
  linkId,
  text: linkId,
  type,
  required: false,
  repeats,
  options: codes.map((code) => ({ code, display: code })),
});
const page = (linkId: string, instrument: TestQuestionnaire['pages'][number]['instrument'], items: TestItem[]) => ({
  linkId,
  title: linkId,
  instrument,
  englishOnly: instrument !== null,
  items,
});
const ONE_TO_FIVE = ['1', '2', '3', '4', '5'];
const BARRIER_CODES = ['shift-patterns', 'unsafe-venues', 'confidentiality-worries'];

const testQuestionnaire: TestQuestionnaire = {
  id: 'test-survey',
  url: 'https://bluelightpathways.org.uk/fhir/Questionnaire/test-survey',
  version: '1',
  title: 'Test survey',
  description: 'A survey for tests.',
  modes: ['anonymous'],
  pages: [
    page('access', null, [
      item('barriers', 'choice', BARRIER_CODES, true),
      item('put-off-care', 'choice', ['never', 'often']),
      item('money-health', 'boolean'),
    ]),
    page(
      'hse',
      'hse',
      HSE_ITEMS.map((i) => item(i.linkId, 'choice', ONE_TO_FIVE)),
    ),
    page(
      'swemwbs',
      'swemwbs',
      Array.from({ length: 7 }, (_, i) => item(`swemwbs-${i + 1}`, 'choice', ONE_TO_FIVE)),
    ),
    page(
      'phq4',
      'phq4',
      Array.from({ length: 4 }, (_, i) => item(`phq4-${i + 1}`, 'choice', ['0', '1', '2', '3'])),
    ),
    page('comments', null, [item('cna-comments', 'text')]),
  ],
  resource: {},
};
const questionnaire = testQuestionnaire as unknown as Input['questionnaire'];

function campaign(groups: Array<{ key: string; invited: number }>, invitedCount: number, threshold = 10): Campaign {
  return {
    id: 'c1',
    organisationId: 'o1',
    questionnaireId: 'test-survey',
    questionnaireVersion: '1',
    title: 'Test',
    mode: 'anonymous',
    populationKind: 'organisation',
    populationRef: 'o1',
    breakdown: groups.length ? 'unit' : 'none',
    groups,
    invitedCount,
    threshold,
    opensOn: '2025-01-06' as Campaign['opensOn'],
    closesOn: '2025-01-31' as Campaign['closesOn'],
    ownerUserId: 'u1',
    previousCampaignId: null,
    lastRemindedOn: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
  };
}

/** All 35 HSE items answered with the same code. */
const hseAll = (code: string) => Object.fromEntries(HSE_ITEMS.map((i) => [i.linkId, code]));
/** Only the items of the domains named, each answered with the same code. */
const hseOnly = (domains: readonly HseDomain[], code: string) =>
  Object.fromEntries(HSE_ITEMS.filter((i) => domains.includes(i.domain)).map((i) => [i.linkId, code]));
const swemwbs = (code: string) => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`swemwbs-${i + 1}`, code]));
const phq4 = (...codes: string[]) => Object.fromEntries(codes.map((c, i) => [`phq4-${i + 1}`, c]));

/** A response row as the repository gives it: the answers, and the scores stored with them at submission. */
function row(groupKey: string | null, answers: Record<string, unknown>): ResponseRow {
  return { groupKey, answers, scores: scoreSurveyResponse(answers) as Record<string, unknown> };
}
const rowsOf = (count: number, groupKey: string | null, answers: Record<string, unknown> = hseAll('3')) =>
  Array.from({ length: count }, () => row(groupKey, answers));

/** Results from rows: each group's rows tallied, then `computeResults` over the tallies. */
function results(c: Campaign, rows: ResponseRow[], extra: Partial<Input> = {}): CampaignResults {
  return resultsFromRows({
    questionnaire,
    campaign: c,
    rows,
    previousRows: null,
    group: null,
    benchmark: null,
    ...extra,
  });
}
const domainOf = (r: CampaignResults, d: HseDomain) => r.hse!.domains.find((x) => x.domain === d)!;
const figureCode = (r: CampaignResults, code: string) => r.figures.find((f) => f.code === code);

describe('small-number suppression (CONF-5)', () => {
  it('when 9 people responded, then every figure is suppressed, and when 10 did, then they are shown', () => {
    const c = campaign([], 40);
    const nine = results(c, rowsOf(9, null, { ...hseAll('4'), ...swemwbs('3'), 'put-off-care': 'never' }));
    expect(nine.responses).toEqual({ value: null, n: 9, suppressed: true });
    expect(domainOf(nine, 'control').mean).toEqual({ value: null, n: 9, suppressed: true });
    expect(nine.swemwbs!.mean.suppressed).toBe(true);
    expect(nine.questions.find((q) => q.linkId === 'put-off-care')!.distribution[0]!.share.value).toBeNull();
    expect(nine.figures.every((f) => f.value === null)).toBe(true);

    const ten = results(c, rowsOf(10, null, { ...hseAll('4'), ...swemwbs('3'), 'put-off-care': 'never' }));
    expect(ten.responses).toEqual({ value: 10, n: 10, suppressed: false });
    expect(domainOf(ten, 'control').mean).toEqual({ value: 4, n: 10, suppressed: false });
    expect(domainOf(ten, 'demands').mean.value).toBe(2);
    expect(ten.swemwbs!.mean).toEqual({ value: 19.25, n: 10, suppressed: false });
    expect(ten.responseRate).toEqual({ value: 0.25, band: 'below-adequate' });
  });

  it('when a group has 9 responses and another 10, then the 9 are suppressed and the 10 shown, by group too', () => {
    const c = campaign(
      [
        { key: 'north', invited: 12 },
        { key: 'south', invited: 12 },
        { key: 'east', invited: 30 },
      ],
      60,
    );
    // One response in no group: with the 9 hidden, what a reader can work out is 9 + 1 = 10 people, not one group.
    const rows = [...rowsOf(9, 'north'), ...rowsOf(10, 'south'), ...rowsOf(25, 'east'), ...rowsOf(1, null)];
    const r = results(c, rows);
    expect(r.groups.map((g) => [g.key, g.responses.value, g.responses.suppressed])).toEqual([
      ['north', null, true],
      ['south', 10, false],
      ['east', 25, false],
    ]);
    expect(domainOf(r, 'role').byGroup.map((g) => [g.key, g.mean.value, g.mean.suppressed])).toEqual([
      ['north', null, true],
      ['south', 3, false],
      ['east', 3, false],
    ]);
    expect(figureCode(r, 'group.north.responses')).toEqual({
      code: 'group.north.responses',
      value: null,
      n: 9,
      suppressed: true,
    });
    expect(figureCode(r, 'hse.role.south.mean')?.value).toBe(3);
    expect(r.groups.map((g) => g.queryable)).toEqual([false, true, true]);
  });

  it('when only one group would be hidden, then the next smallest is hidden too, so no subtraction reveals it', () => {
    const c = campaign(
      [
        { key: 'north', invited: 12 },
        { key: 'south', invited: 12 },
        { key: 'east', invited: 30 },
      ],
      60,
    );
    const r = results(c, [...rowsOf(9, 'north'), ...rowsOf(10, 'south'), ...rowsOf(25, 'east')]);
    expect(r.groups.map((g) => g.responses.suppressed)).toEqual([true, true, false]);
    expect(domainOf(r, 'change').byGroup.map((g) => g.mean.suppressed)).toEqual([true, true, false]);
  });

  it('when a group shown on its own is hidden in everyone’s breakdown, then its own page hides it too (CONF-5, two filters)', () => {
    const c = campaign(
      [
        { key: 'north', invited: 12 },
        { key: 'south', invited: 12 },
        { key: 'east', invited: 30 },
      ],
      60,
    );
    const rows = [
      ...rowsOf(9, 'north'),
      ...rowsOf(10, 'south', { ...hseAll('3'), 'cna-comments': 'Night shifts' }),
      ...rowsOf(25, 'east'),
    ];
    const south = results(c, rows, { group: 'south' });
    // Everyone (44) less east (25) less south (10) would be north's 9.
    expect(south.responses).toEqual({ value: null, n: 10, suppressed: true });
    expect(domainOf(south, 'demands').mean.suppressed).toBe(true);
    expect(south.comments).toBeNull();
    const east = results(c, rows, { group: 'east' });
    expect(east.responses).toEqual({ value: 25, n: 25, suppressed: false });
    expect(domainOf(east, 'demands').mean).toEqual({ value: 3, n: 25, suppressed: false });
  });

  it('when group sizes vary at random, then for every HSE domain the total less the visible groups never reveals a hidden one (CONF-5)', () => {
    const subsets: HseDomain[][] = [[...HSE_DOMAINS], ['demands', 'control'], ['role'], []];
    fc.assert(
      fc.property(
        fc.record({
          threshold: fc.integer({ min: 5, max: 12 }),
          groups: fc.array(fc.array(fc.integer({ min: 0, max: subsets.length - 1 }), { maxLength: 30 }), {
            minLength: 2,
            maxLength: 5,
          }),
          remainder: fc.array(fc.integer({ min: 0, max: subsets.length - 1 }), { maxLength: 8 }),
        }),
        ({ threshold, groups, remainder }) => {
          const keys = groups.map((_, i) => `g${i}`);
          const c = campaign(
            keys.map((key, i) => ({ key, invited: groups[i]!.length + 5 })),
            1000,
            threshold,
          );
          const answers = (kind: number) => hseOnly(subsets[kind]!, '2');
          const rows = [
            ...groups.flatMap((kinds, i) => kinds.map((k) => row(keys[i]!, answers(k)))),
            ...remainder.map((k) => row(null, answers(k))),
          ];
          const r = results(c, rows);
          const check = (total: ResultN, parts: Array<{ n: number; suppressed: boolean }>) => {
            if (total.suppressed) return expect(parts.every((p) => p.suppressed || p.n === 0)).toBe(true);
            const visible = parts.filter((p) => !p.suppressed).reduce((a, p) => a + p.n, 0);
            const unknown = total.n - visible;
            // What a reader can work out is nobody, or at least the threshold of people together.
            expect(unknown === 0 || unknown >= threshold).toBe(true);
            const hidden = parts.filter((p) => p.suppressed && p.n > 0);
            if (hidden.length === 1) expect(unknown).not.toBe(hidden[0]!.n);
          };
          for (const d of r.hse!.domains)
            check(
              d.mean,
              d.byGroup.map((g) => g.mean),
            );
          check(
            r.responses,
            r.groups.map((g) => g.responses),
          );
          // Across filters: a group's own page shows a domain only where everyone's page shows it for that group.
          for (const g of r.groups.filter((x) => x.queryable)) {
            const own = resultsFromRows({
              questionnaire,
              campaign: c,
              rows,
              previousRows: null,
              group: g.key,
              benchmark: null,
            });
            for (const d of own.hse!.domains) {
              const there = domainOf(r, d.domain).byGroup.find((x) => x.key === g.key)!.mean;
              expect(d.mean).toEqual(there);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

type ResultN = { n: number; suppressed: boolean };

describe('comments (CONF-5)', () => {
  it('when fewer than the threshold responded, then there are no comments, and at the threshold they are sorted and trimmed', () => {
    const c = campaign([], 40);
    const given = ['  Zebra crossings ', 'Apples', '', '   ', 'Middle'];
    const rows = (count: number) =>
      Array.from({ length: count }, (_, i) => row(null, { 'cna-comments': given[i % given.length] }));
    expect(results(c, rows(9)).comments).toBeNull();
    expect(results(c, rows(10)).comments).toEqual([
      'Apples',
      'Apples',
      'Middle',
      'Middle',
      'Zebra crossings',
      'Zebra crossings',
    ]);
  });

  it('when one group is shown, then only its comments are, and only when it has the threshold of responses', () => {
    const c = campaign(
      [
        { key: 'north', invited: 20 },
        { key: 'south', invited: 20 },
      ],
      40,
    );
    const rows = [
      ...rowsOf(12, 'north', { 'cna-comments': 'North' }),
      ...rowsOf(12, 'south', { 'cna-comments': 'South' }),
    ];
    expect(results(c, rows, { group: 'north' }).comments).toEqual(Array(12).fill('North'));
  });
});

describe('access barriers (NA-1)', () => {
  it('when 12 responded and 9 named shift patterns, then its prevalence is 0.75 of 12, with the previous campaign’s', () => {
    const c = campaign([], 20);
    const rows = [
      ...rowsOf(6, null, { barriers: ['shift-patterns'] }),
      ...rowsOf(3, null, { barriers: ['shift-patterns', 'unsafe-venues'] }),
      // Nothing applied: a select-all-that-apply question stores nothing, and these people still count.
      ...rowsOf(3, null, {}),
    ];
    const previousRows = [...rowsOf(2, null, { barriers: ['shift-patterns'] }), ...rowsOf(8, null, {})];
    const r = results(c, rows, { previousRows });
    expect(r.barriers).toEqual([
      {
        code: 'shift-patterns',
        share: { value: 0.75, n: 12, suppressed: false },
        previous: { value: 0.2, n: 10, suppressed: false },
      },
      {
        code: 'unsafe-venues',
        share: { value: 0.25, n: 12, suppressed: false },
        previous: { value: 0, n: 10, suppressed: false },
      },
      {
        code: 'confidentiality-worries',
        share: { value: 0, n: 12, suppressed: false },
        previous: { value: 0, n: 10, suppressed: false },
      },
    ]);
    expect(figureCode(r, 'barriers.shift-patterns')?.value).toBe(0.75);
    expect(figureCode(r, 'barriers.shift-patterns.previous')?.value).toBe(0.2);
    expect(r.responseRate).toEqual({ value: 0.6, band: 'adequate' });
  });
});

describe('item distributions (NA-3, CONF-5)', () => {
  it('when 10 answered a question, then each option’s share has n = 10; when 9 did, then the question is suppressed', () => {
    const c = campaign([], 40);
    const rows = [
      ...rowsOf(4, null, { 'put-off-care': 'often', 'money-health': true, 'hse-1': '5' }),
      ...rowsOf(6, null, { 'put-off-care': 'never', 'money-health': false }),
      ...rowsOf(2, null, { 'money-health': false }),
    ];
    const r = results(c, rows);
    const putOff = r.questions.find((q) => q.linkId === 'put-off-care')!;
    expect(putOff.answered).toEqual({ value: 10, n: 10, suppressed: false });
    expect(putOff.distribution).toEqual([
      { code: 'never', share: { value: 0.6, n: 10, suppressed: false } },
      { code: 'often', share: { value: 0.4, n: 10, suppressed: false } },
    ]);
    const money = r.questions.find((q) => q.linkId === 'money-health')!;
    expect(money.distribution.map((o) => [o.code, o.share.value, o.share.n])).toEqual([
      ['true', 0.3333, 12],
      ['false', 0.6667, 12],
    ]);
    expect(figureCode(r, 'question.money-health.true')?.value).toBe(0.3333);
    // Only 4 answered HSE item 1.
    const item1 = r.hse!.items[0]!;
    expect(item1).toMatchObject({ item: 1, linkId: 'hse-1', domain: 'role', reversed: false });
    expect(item1.distribution.every((o) => o.share.suppressed && o.share.value === null && o.share.n === 4)).toBe(true);
    expect(r.hse!.items.map((i) => i.item)).toEqual(HSE_ITEMS.map((i) => i.item));
  });

  it('when everyone answered the HSE items, then item 5 (reversed) shows the codes as given', () => {
    const c = campaign([], 40);
    const r = results(c, [...rowsOf(8, null, hseAll('1')), ...rowsOf(2, null, hseAll('4'))]);
    const item5 = r.hse!.items[4]!;
    expect(item5.reversed).toBe(true);
    expect(item5.distribution.map((o) => o.share.value)).toEqual([0.8, 0, 0, 0.2, 0]);
    expect(figureCode(r, 'hse.item.5.1')?.value).toBe(0.8);
  });
});

describe('change since the previous campaign (NA-3, NA-5, NA-6)', () => {
  it('when both campaigns are shown, then each domain has its previous mean, change and band', () => {
    const c = campaign([], 20);
    const rows = rowsOf(10, null, { ...hseAll('4'), ...swemwbs('4'), ...phq4('2', '1', '0', '0') });
    const previousRows = rowsOf(10, null, { ...hseAll('3'), ...swemwbs('3'), ...phq4('0', '0', '0', '0') });
    const r = results(c, rows, { previousRows, benchmark: { control: { p20: 2, p50: 3, p80: 3.9 } } });
    expect(domainOf(r, 'control')).toMatchObject({
      mean: { value: 4, n: 10, suppressed: false },
      previous: { value: 3, n: 10, suppressed: false },
      change: 1,
      band: 'green',
    });
    // Demands is reversed: answering 4 scores 2, so it got worse.
    expect(domainOf(r, 'demands')).toMatchObject({ change: -1, band: null });
    expect(r.swemwbs).toEqual({
      mean: { value: 25.03, n: 10, suppressed: false },
      previous: { value: 19.25, n: 10, suppressed: false },
      change: 5.78,
    });
    expect(r.phq4).toEqual({
      anxietyPositive: { value: 1, n: 10, suppressed: false },
      depressionPositive: { value: 0, n: 10, suppressed: false },
    });
    expect(figureCode(r, 'hse.control.previous')?.value).toBe(3);
    expect(figureCode(r, 'phq4.anxiety-positive')?.value).toBe(1);
  });

  it('when the previous campaign had 9 responses, then its figures are suppressed and there is no change', () => {
    const c = campaign([], 20);
    const r = results(c, rowsOf(10, null, hseAll('4')), { previousRows: rowsOf(9, null, hseAll('3')) });
    expect(domainOf(r, 'control')).toMatchObject({
      previous: { value: null, n: 9, suppressed: true },
      change: null,
    });
  });

  it('when one group is shown, then there is no breakdown by group and no previous campaign', () => {
    const c = campaign(
      [
        { key: 'north', invited: 20 },
        { key: 'south', invited: 20 },
      ],
      40,
    );
    const rows = [...rowsOf(12, 'north', hseAll('4')), ...rowsOf(12, 'south', hseAll('2'))];
    const r = results(c, rows, { group: 'north', previousRows: rowsOf(20, null, hseAll('3')) });
    expect(r.group).toBe('north');
    expect(r.responses).toEqual({ value: 12, n: 12, suppressed: false });
    for (const d of r.hse!.domains) {
      expect(d.byGroup).toEqual([]);
      expect(d.previous).toBeNull();
      expect(d.change).toBeNull();
    }
    expect(domainOf(r, 'control').mean.value).toBe(4);
    expect(r.barriers!.every((b) => b.previous === null)).toBe(true);
    expect(r.groups.map((g) => g.responses.value)).toEqual([12, 12]);
    const everyone = results(c, rows);
    expect(domainOf(everyone, 'control').mean.value).toBe(3);
    expect(domainOf(everyone, 'control').byGroup.map((g) => g.mean.value)).toEqual([4, 2]);
  });
});

describe('a large campaign', () => {
  it('when there are 100,000 responses, then the totals add up', () => {
    const c = campaign(
      [
        { key: 'north', invited: 60_000 },
        { key: 'south', invited: 60_000 },
      ],
      120_000,
    );
    const templates = [
      row('north', { ...hseAll('4'), ...swemwbs('4'), ...phq4('2', '2', '0', '0'), barriers: ['shift-patterns'] }),
      row('south', { ...hseAll('2'), ...swemwbs('2'), ...phq4('0', '0', '0', '0'), 'put-off-care': 'never' }),
    ];
    const rows = Array.from({ length: 100_000 }, (_, i) => templates[i % 2]!);
    const r = results(c, rows);
    expect(r.responses.value).toBe(100_000);
    expect(r.groups.map((g) => g.responses.value)).toEqual([50_000, 50_000]);
    expect(domainOf(r, 'control').mean).toEqual({ value: 3, n: 100_000, suppressed: false });
    expect(r.barriers![0]!.share).toEqual({ value: 0.5, n: 100_000, suppressed: false });
    expect(r.phq4!.anxietyPositive.value).toBe(0.5);
    expect(r.responseRate).toEqual({ value: 0.8333, band: 'very-good' });
  });
});

describe('tallies (issue 17 §11: results from stored tallies, not rows)', () => {
  const answersArb = fc
    .record({
      barriers: fc.option(fc.subarray(BARRIER_CODES), { nil: undefined }),
      putOff: fc.constantFrom(undefined, 'never', 'often'),
      money: fc.constantFrom(undefined, true, false),
      hse: fc.array(fc.constantFrom(undefined, ...ONE_TO_FIVE), { minLength: 35, maxLength: 35 }),
      swemwbs: fc.option(fc.array(fc.constantFrom(...ONE_TO_FIVE), { minLength: 7, maxLength: 7 }), { nil: undefined }),
      phq4: fc.option(fc.array(fc.constantFrom('0', '1', '2', '3'), { minLength: 4, maxLength: 4 }), {
        nil: undefined,
      }),
      comment: fc.constantFrom(undefined, '', '   ', '  Late shifts ', 'apples', 'Parking'),
    })
    .map((a) => {
      const answers: Record<string, unknown> = {};
      if (a.barriers?.length) answers.barriers = a.barriers;
      if (a.putOff) answers['put-off-care'] = a.putOff;
      if (a.money !== undefined) answers['money-health'] = a.money;
      a.hse.forEach((code, i) => {
        if (code) answers[`hse-${i + 1}`] = code;
      });
      a.swemwbs?.forEach((code, i) => (answers[`swemwbs-${i + 1}`] = code));
      a.phq4?.forEach((code, i) => (answers[`phq4-${i + 1}`] = code));
      if (a.comment !== undefined) answers['cna-comments'] = a.comment;
      return answers;
    });
  // 'west' is a group the campaign does not name: it is part of the remainder, with the rows in no group.
  const rowArb = fc
    .tuple(fc.constantFrom<string | null>('north', 'south', null, 'west'), answersArb)
    .map(([groupKey, answers]) => row(groupKey, answers));
  const c = campaign(
    [
      { key: 'north', invited: 100 },
      { key: 'south', invited: 100 },
    ],
    300,
    5,
  );
  const commentsOfRows = (rows: ResponseRow[]) =>
    rows.flatMap((r) => commentsOf(questionnaire, r.answers).map((text) => ({ groupKey: r.groupKey, text })));
  const fromTallies = (tallies: GroupTally[], rows: ResponseRow[], group: string | null) =>
    computeResults({
      questionnaire,
      campaign: c,
      tallies,
      previous: null,
      comments: commentsOfRows(rows),
      group,
      benchmark: null,
    });

  it('when rows are tallied in any batches and merged, then tallies and results equal those of all rows', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 10 }),
        (rows, sizes) => {
          const batches: ResponseRow[][] = [];
          for (let at = 0, i = 0; at < rows.length; i++) {
            const size = sizes[i % sizes.length]!;
            batches.push(rows.slice(at, at + size));
            at += size;
          }
          const batchTallies = batches.flatMap((batch) => tallyByGroup(questionnaire, batch));
          // Each group's tally merged from its batches, latest first, is the tally of all its rows.
          for (const groupKey of ['north', 'south', null, 'west']) {
            const merged = batchTallies
              .filter((t) => t.groupKey === groupKey)
              .reverse()
              .reduce((all, t) => mergeTallies(all, t.tally), emptyTally());
            expect(merged).toEqual(
              tallyRows(
                questionnaire,
                rows.filter((r) => r.groupKey === groupKey),
              ),
            );
          }
          for (const group of [null, 'north', 'south']) {
            const whole = results(c, rows, { group });
            expect(fromTallies(batchTallies, rows, group)).toEqual(whole);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('when tallies are merged in any order or grouping, then the tally is the same; an empty one adds nothing', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 12 }),
        fc.array(rowArb, { maxLength: 12 }),
        fc.array(rowArb, { maxLength: 12 }),
        (x, y, z) => {
          const [a, b, d] = [x, y, z].map((rows) => tallyRows(questionnaire, rows)) as [
            SurveyTally,
            SurveyTally,
            SurveyTally,
          ];
          expect(mergeTallies(a, b)).toEqual(mergeTallies(b, a));
          expect(mergeTallies(mergeTallies(a, b), d)).toEqual(mergeTallies(a, mergeTallies(b, d)));
          expect(mergeTallies(a, emptyTally())).toEqual(a);
          expect(mergeTallies(emptyTally(), a)).toEqual(a);
          expect(mergeTallies(a, b)).toEqual(tallyRows(questionnaire, [...x, ...y]));
        },
      ),
      { numRuns: 100 },
    );
    expect(tallyRows(questionnaire, [])).toEqual(emptyTally());
  });

  it('when a tally is stored as JSON and read back, then it and the results from it are unchanged', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 40 }), (rows) => {
        const tallies = tallyByGroup(questionnaire, rows);
        const stored = JSON.parse(JSON.stringify(tallies)) as GroupTally[];
        expect(stored).toStrictEqual(tallies);
        expect(fromTallies(stored, rows, null)).toEqual(fromTallies(tallies, rows, null));
      }),
      { numRuns: 50 },
    );
  });

  it('when ten responses are tallied, then the tally holds their counts and exact sums', () => {
    const rows = [
      ...rowsOf(6, null, { ...hseOnly(['change'], '4'), barriers: ['shift-patterns'], 'money-health': true }),
      ...rowsOf(4, null, { ...swemwbs('3'), ...phq4('3', '0', '2', '2'), 'put-off-care': 'often' }),
    ];
    expect(tallyRows(questionnaire, rows)).toEqual({
      responses: 10,
      questions: {
        barriers: { answered: 10, chosen: { 'shift-patterns': 6 } },
        'put-off-care': { answered: 4, chosen: { often: 4 } },
        'money-health': { answered: 6, chosen: { true: 6 } },
        'hse-26': { answered: 6, chosen: { '4': 6 } },
        'hse-28': { answered: 6, chosen: { '4': 6 } },
        'hse-32': { answered: 6, chosen: { '4': 6 } },
      },
      // Instrument items other than HSE's are scored, not counted one by one.
      hse: { change: { n: 6, sum840: 6 * 4 * 840 } },
      swemwbs: { n: 4, sum100: 4 * 1925 },
      phq4: { n: 4, anxietyPositive: 4, depressionPositive: 4 },
    });
  });

  it('when a domain mean has a repeating decimal, then the tallied sum is exact and the mean rounds from it', () => {
    // Change has 3 items: answering 4, 4, 5 scores 13/3, which is 3,640 840ths exactly.
    const answers = { 'hse-26': '4', 'hse-28': '4', 'hse-32': '5' };
    const rows = rowsOf(12, null, answers);
    expect(tallyRows(questionnaire, rows).hse.change).toEqual({ n: 12, sum840: 12 * 3640 });
    expect(domainOf(results(campaign([], 20), rows), 'change').mean.value).toBe(4.33);
  });

  it('when option codes are inherited names (constructor, __proto__), then they are counted as any other', () => {
    const odd = {
      ...testQuestionnaire,
      pages: [page('odd', null, [item('odd-question', 'choice', ['constructor', '__proto__', 'toString'])])],
    } as unknown as Input['questionnaire'];
    const rows = [
      ...rowsOf(5, null, { 'odd-question': '__proto__' }),
      ...rowsOf(5, null, { 'odd-question': 'constructor' }),
    ];
    const tally = JSON.parse(JSON.stringify(tallyRows(odd, rows))) as SurveyTally;
    const merged = mergeTallies(tally, tallyRows(odd, rowsOf(10, null, { 'odd-question': 'toString' })));
    expect(Object.getPrototypeOf(merged.questions['odd-question']!.chosen)).toBe(Object.prototype);
    expect(Object.entries(merged.questions['odd-question']!.chosen).sort()).toEqual([
      ['__proto__', 5],
      ['constructor', 5],
      ['toString', 10],
    ]);
    const r = computeResults({
      questionnaire: odd,
      campaign: campaign([], 40),
      tallies: [{ groupKey: null, tally: merged }],
      previous: null,
      comments: [],
      group: null,
      benchmark: null,
    });
    expect(r.questions[0]!.distribution.map((o) => [o.code, o.share.value])).toEqual([
      ['constructor', 0.25],
      ['__proto__', 0.25],
      ['toString', 0.5],
    ]);
  });

  it('when a response has comments, then commentsOf gives the trimmed non-empty text of comment questions', () => {
    expect(commentsOf(questionnaire, { 'cna-comments': '  Night shifts  ', 'put-off-care': 'never' })).toEqual([
      'Night shifts',
    ]);
    expect(commentsOf(questionnaire, { 'cna-comments': '   ' })).toEqual([]);
    expect(commentsOf(questionnaire, { 'cna-comments': 42 })).toEqual([]);
    expect(commentsOf(questionnaire, { 'other-comments': 'Not a question here' })).toEqual([]);
  });

  it('when the previous campaign’s tallies are of other groups, then they are all merged into its figures', () => {
    const c2 = campaign([{ key: 'north', invited: 20 }], 20);
    const previous = tallyByGroup(questionnaire, [...rowsOf(6, 'old-a', hseAll('3')), ...rowsOf(6, null, hseAll('5'))]);
    const r = computeResults({
      questionnaire,
      campaign: c2,
      tallies: tallyByGroup(questionnaire, rowsOf(12, 'north', hseAll('4'))),
      previous,
      comments: [],
      group: null,
      benchmark: null,
    });
    expect(domainOf(r, 'control')).toMatchObject({ previous: { value: 4, n: 12, suppressed: false }, change: 0 });
  });

  it('when 100,000 responses are tallied once in batches, then results from the stored tallies add up', () => {
    const c2 = campaign(
      [
        { key: 'north', invited: 60_000 },
        { key: 'south', invited: 60_000 },
      ],
      120_000,
    );
    const templates = [
      row('north', { ...hseAll('4'), ...swemwbs('4'), ...phq4('2', '2', '0', '0'), barriers: ['shift-patterns'] }),
      row('south', { ...hseAll('2'), ...swemwbs('2'), ...phq4('0', '0', '0', '0'), 'put-off-care': 'never' }),
      row(null, { ...hseAll('1'), 'cna-comments': 'Remainder' }),
    ];
    const rows = Array.from({ length: 100_000 }, (_, i) => templates[i % 3]!);
    // Published in batches of 1,000: each batch's tally is merged into its group's stored tally.
    const stored = new Map<string | null, SurveyTally>();
    const comments: Array<{ groupKey: string | null; text: string }> = [];
    for (let at = 0; at < rows.length; at += 1_000) {
      const batch = rows.slice(at, at + 1_000);
      for (const { groupKey, tally } of tallyByGroup(questionnaire, batch))
        stored.set(groupKey, mergeTallies(stored.get(groupKey) ?? emptyTally(), tally));
      comments.push(...commentsOfRows(batch));
    }
    const tallies = JSON.parse(JSON.stringify([...stored].map(([groupKey, tally]) => ({ groupKey, tally }))));
    const input = {
      questionnaire,
      campaign: c2,
      tallies,
      previous: null,
      comments,
      benchmark: null,
    };
    const r = computeResults({ ...input, group: null });
    expect(r.responses.value).toBe(100_000);
    expect(r.groups.map((g) => g.responses.value)).toEqual([33_334, 33_333]);
    // Control: 33,334 × 4 + 33,333 × 2 + 33,333 × 1 = 233,335 over 100,000.
    expect(domainOf(r, 'control').mean).toEqual({ value: 2.33, n: 100_000, suppressed: false });
    expect(domainOf(r, 'control').byGroup.map((g) => g.mean.value)).toEqual([4, 2]);
    expect(r.barriers![0]!.share).toEqual({ value: 0.3333, n: 100_000, suppressed: false });
    expect(r.swemwbs!.mean).toEqual({ value: 20.18, n: 66_667, suppressed: false });
    expect(r.phq4!.anxietyPositive).toEqual({ value: 0.5, n: 66_667, suppressed: false });
    const north = computeResults({ ...input, group: 'north' });
    expect(north.responses).toEqual({ value: 33_334, n: 33_334, suppressed: false });
    expect(north.swemwbs!.mean.value).toBe(25.03);
    expect(north.comments).toEqual([]);
    expect(r.comments).toHaveLength(33_333);
    expect(r).toEqual(results(c2, rows));
  });
});
