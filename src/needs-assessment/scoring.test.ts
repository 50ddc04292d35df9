import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.js';
import {
  HSE_DOMAINS,
  HSE_ITEMS,
  hseBand,
  hseDomainScores,
  meanOf,
  phq4Score,
  responseRate,
  responseRateBand,
  scoreSurveyResponse,
  swemwbsMetric,
  swemwbsScore,
  type HseBenchmark,
} from './scoring.js';

/** A full HSE response from 35 codes written in groups of five (items 1–5, 6–10, …). */
function hse(codes: string): Record<string, string> {
  const digits = codes.replace(/\s/g, '');
  expect(digits).toMatch(/^[1-5]{35}$/);
  return Object.fromEntries([...digits].map((c, i) => [`hse-${i + 1}`, c]));
}

const swemwbs = (...codes: number[]) => Object.fromEntries(codes.map((c, i) => [`swemwbs-${i + 1}`, String(c)]));
const phq4 = (...codes: number[]) => Object.fromEntries(codes.map((c, i) => [`phq4-${i + 1}`, String(c)]));

describe('HSE items (NA-3, NA-4)', () => {
  it('when the items are listed, then there are 35 in order, each in its NA-3 domain', () => {
    expect(HSE_ITEMS.map((i) => i.item)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
    expect(HSE_ITEMS.map((i) => i.linkId)).toEqual(Array.from({ length: 35 }, (_, i) => `hse-${i + 1}`));
    const itemsOf = (d: string) => HSE_ITEMS.filter((i) => i.domain === d).map((i) => i.item);
    expect(itemsOf('demands')).toEqual([3, 6, 9, 12, 16, 18, 20, 22]);
    expect(itemsOf('control')).toEqual([2, 10, 15, 19, 25, 30]);
    expect(itemsOf('manager-support')).toEqual([8, 23, 29, 33, 35]);
    expect(itemsOf('peer-support')).toEqual([7, 24, 27, 31]);
    expect(itemsOf('relationships')).toEqual([5, 14, 21, 34]);
    expect(itemsOf('role')).toEqual([1, 4, 11, 13, 17]);
    expect(itemsOf('change')).toEqual([26, 28, 32]);
  });

  it('when an item is Demands or Relationships, then it is reversed, and no other item is', () => {
    const reversed = HSE_ITEMS.filter((i) => i.reversed).map((i) => i.item);
    expect(reversed).toEqual([3, 5, 6, 9, 12, 14, 16, 18, 20, 21, 22, 34]);
  });

  it('when items 1–23 are asked, then they use the frequency scale, and items 24–35 the agreement scale', () => {
    expect(HSE_ITEMS.filter((i) => i.scale === 'frequency').map((i) => i.item)).toEqual(
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    expect(HSE_ITEMS.filter((i) => i.scale === 'agreement')).toHaveLength(12);
  });
});

describe('HSE domain means (NA-3): hand-worked examples', () => {
  it('when a mixed response is scored, then each domain is its mean, Demands and Relationships reversed', () => {
    //            1-5   6-10  11-15 16-20 21-25 26-30 31-35
    const answers = hse('53241 34243 53424 25135 13343 25142 43223');
    // Demands 3,6,9,12,16,18,20,22 = 2,3,4,3,2,1,5,3 → reversed 4,3,2,3,4,5,1,3 = 25 / 8 = 3.125
    // Control 2,10,15,19,25,30 = 3,3,4,3,3,2 = 18 / 6 = 3
    // Manager support 8,23,29,33,35 = 2,3,4,2,3 = 14 / 5 = 2.8
    // Peer support 7,24,27,31 = 4,4,5,4 = 17 / 4 = 4.25
    // Relationships 5,14,21,34 = 1,2,1,2 → reversed 5,4,5,4 = 18 / 4 = 4.5
    // Role 1,4,11,13,17 = 5,4,5,4,5 = 23 / 5 = 4.6
    // Change 26,28,32 = 2,1,3 = 6 / 3 = 2
    const scores = hseDomainScores(answers);
    const expected = {
      demands: 3.125,
      control: 3,
      'manager-support': 2.8,
      'peer-support': 4.25,
      relationships: 4.5,
      role: 4.6,
      change: 2,
    };
    expect(Object.keys(scores).sort()).toEqual([...HSE_DOMAINS].sort());
    for (const d of HSE_DOMAINS) expect(scores[d], d).toBeCloseTo(expected[d], 10);
  });

  it('when a team member under strain is scored, then high demands and friction give low reversed means', () => {
    //            1-5   6-10  11-15 16-20 21-25 26-30 31-35
    const answers = hse('31533 42152 35242 53415 24222 13211 32142');
    // Demands 3,6,9,12,16,18,20,22 = 5,4,5,5,5,4,5,4 → reversed 1,2,1,1,1,2,1,2 = 11 / 8 = 1.375
    // Control 2,10,15,19,25,30 = 1,2,2,1,2,1 = 9 / 6 = 1.5
    // Manager support 8,23,29,33,35 = 1,2,1,1,2 = 7 / 5 = 1.4
    // Peer support 7,24,27,31 = 2,2,3,3 = 10 / 4 = 2.5
    // Relationships 5,14,21,34 = 3,4,2,4 → reversed 3,2,4,2 = 11 / 4 = 2.75
    // Role 1,4,11,13,17 = 3,3,3,2,3 = 14 / 5 = 2.8
    // Change 26,28,32 = 1,2,2 = 5 / 3 = 1.666…
    const scores = hseDomainScores(answers);
    const expected = {
      demands: 1.375,
      control: 1.5,
      'manager-support': 1.4,
      'peer-support': 2.5,
      relationships: 2.75,
      role: 2.8,
      change: 5 / 3,
    };
    for (const d of HSE_DOMAINS) expect(scores[d], d).toBeCloseTo(expected[d], 10);
  });

  it('when every item is answered 4, then the reversed domains score 2 and the others 4', () => {
    expect(hseDomainScores(hse('4'.repeat(35)))).toEqual({
      demands: 2,
      control: 4,
      'manager-support': 4,
      'peer-support': 4,
      relationships: 2,
      role: 4,
      change: 4,
    });
  });

  it('when some items of a domain are unanswered, then it is the mean of those answered; none: absent', () => {
    // Demands: only items 3 (5 → 1) and 6 (2 → 4) answered → 2.5; change 26 = 5 alone → 5; numbers are accepted.
    const scores = hseDomainScores({ 'hse-3': '5', 'hse-6': 2, 'hse-26': '5', 'hse-28': '', 'hse-32': null });
    expect(scores).toEqual({ demands: 2.5, change: 5 });
  });

  it('when no HSE item is answered, then no domain is scored', () => {
    expect(hseDomainScores({ 'swemwbs-1': '3' })).toEqual({});
  });

  it('when an answer is not one of the codes 1–5, then it is refused and the item named', () => {
    for (const bad of ['0', '6', '2.5', 'often', 3.5, true, ['1']]) {
      const error = (() => {
        try {
          hseDomainScores({ 'hse-1': '3', 'hse-9': bad });
        } catch (e) {
          return e;
        }
      })();
      expect(error, String(bad)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields).toHaveProperty('hse-9');
      expect((error as ValidationError).fields).not.toHaveProperty('hse-1');
    }
  });
});

describe('SWEMWBS (NA-6)', () => {
  // The published conversion table (NA-6), written out again here so the code is checked against it.
  const TABLE: Array<[number, number]> = [
    [7, 7.0],
    [8, 9.51],
    [9, 11.25],
    [10, 12.4],
    [11, 13.33],
    [12, 14.08],
    [13, 14.75],
    [14, 15.32],
    [15, 15.84],
    [16, 16.36],
    [17, 16.88],
    [18, 17.43],
    [19, 17.98],
    [20, 18.59],
    [21, 19.25],
    [22, 19.98],
    [23, 20.73],
    [24, 21.54],
    [25, 22.35],
    [26, 23.21],
    [27, 24.11],
    [28, 25.03],
    [29, 26.02],
    [30, 27.03],
    [31, 28.13],
    [32, 29.31],
    [33, 30.7],
    [34, 32.55],
    [35, 35.0],
  ];

  it('when every raw score from 7 to 35 is converted, then each gives its metric score from the table', () => {
    expect(TABLE.map(([raw]) => raw)).toEqual(Array.from({ length: 29 }, (_, i) => i + 7));
    for (const [raw, metric] of TABLE) expect(swemwbsMetric(raw), `raw ${raw}`).toBe(metric);
  });

  it('when a raw score is out of range or not a whole number, then it is refused', () => {
    for (const raw of [6, 36, 0, -7, 7.5, 20.01, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => swemwbsMetric(raw), String(raw)).toThrow(ValidationError);
  });

  it('when all seven items are answered, then the raw score is their sum and the metric is from the table', () => {
    expect(swemwbsScore(swemwbs(1, 1, 1, 1, 1, 1, 1))).toEqual({ raw: 7, metric: 7.0 });
    expect(swemwbsScore(swemwbs(3, 4, 2, 4, 3, 4, 3))).toEqual({ raw: 23, metric: 20.73 });
    expect(swemwbsScore(swemwbs(5, 5, 5, 5, 5, 5, 5))).toEqual({ raw: 35, metric: 35.0 });
  });

  it('when any item is unanswered, then there is no score', () => {
    const six = swemwbs(3, 4, 2, 4, 3, 4, 3);
    delete six['swemwbs-7'];
    expect(swemwbsScore(six)).toBeNull();
    expect(swemwbsScore({ ...six, 'swemwbs-7': '' })).toBeNull();
    expect(swemwbsScore({})).toBeNull();
  });

  it('when an item has an answer that is not 1–5, then it is refused', () => {
    expect(() => swemwbsScore({ ...swemwbs(3, 3, 3, 3, 3, 3), 'swemwbs-7': '6' })).toThrow(ValidationError);
  });
});

describe('PHQ-4 (domain brief §4)', () => {
  it('when the anxiety items sum to 2, then anxiety is not positive; at 3 it is', () => {
    expect(phq4Score(phq4(1, 1, 0, 0))).toMatchObject({ anxiety: 2, anxietyPositive: false });
    expect(phq4Score(phq4(2, 1, 0, 0))).toMatchObject({ anxiety: 3, anxietyPositive: true });
  });

  it('when the depression items sum to 2, then depression is not positive; at 3 it is', () => {
    expect(phq4Score(phq4(0, 0, 2, 0))).toMatchObject({ depression: 2, depressionPositive: false });
    expect(phq4Score(phq4(0, 0, 1, 2))).toMatchObject({ depression: 3, depressionPositive: true });
  });

  it('when all four are answered, then the subscales are items 1–2 and 3–4 and the total is their sum', () => {
    expect(phq4Score(phq4(3, 0, 1, 1))).toEqual({
      total: 5,
      anxiety: 3,
      depression: 2,
      anxietyPositive: true,
      depressionPositive: false,
    });
  });

  it('when any item is unanswered, then there is no score', () => {
    expect(phq4Score({ 'phq4-1': '1', 'phq4-2': '1', 'phq4-3': '1' })).toBeNull();
    expect(phq4Score({ ...phq4(1, 1, 1), 'phq4-4': null })).toBeNull();
  });

  it('when an answer is outside 0–3, then it is refused', () => {
    expect(() => phq4Score(phq4(1, 1, 1, 4))).toThrow(ValidationError);
  });
});

describe('A whole response', () => {
  it('when a response carries all three instruments, then each is scored', () => {
    const scores = scoreSurveyResponse({
      ...hse('4'.repeat(35)),
      ...swemwbs(3, 4, 2, 4, 3, 4, 3),
      ...phq4(0, 1, 2, 2),
      barriers: ['shift-patterns'],
      'general-comments': 'Free text is not scored',
    });
    expect(scores.hse).toMatchObject({ demands: 2, control: 4 });
    expect(scores.swemwbs).toEqual({ raw: 23, metric: 20.73 });
    expect(scores.phq4).toMatchObject({ total: 5, depressionPositive: true });
  });

  it('when a response carries only some instruments, or incomplete ones, then only what can be scored is there', () => {
    expect(scoreSurveyResponse({ ...swemwbs(2, 2, 2, 2, 2, 2, 2), 'phq4-1': '1' })).toEqual({
      swemwbs: { raw: 14, metric: 15.32 },
    });
    expect(scoreSurveyResponse({ barriers: ['caring'] })).toEqual({});
  });
});

describe('Averages for results', () => {
  it('when values are averaged, then responses without a score are left out', () => {
    expect(meanOf([2, null, 4, undefined, 3])).toBe(3);
  });

  it('when there is nothing to average, then the mean is null', () => {
    expect(meanOf([])).toBeNull();
    expect(meanOf([null, undefined])).toBeNull();
  });

  it('when a value is not a finite number, then it is refused', () => {
    expect(() => meanOf([1, Number.NaN])).toThrow(ValidationError);
  });
});

describe('Response rate bands (NA-3)', () => {
  it('when the rate is exactly on a boundary, then it takes the band below; just above, the band above', () => {
    expect(responseRateBand(0)).toBe('below-adequate');
    expect(responseRateBand(50)).toBe('below-adequate');
    expect(responseRateBand(50.1)).toBe('adequate');
    expect(responseRateBand(60)).toBe('adequate');
    expect(responseRateBand(60.1)).toBe('desirable');
    expect(responseRateBand(70)).toBe('desirable');
    expect(responseRateBand(70.1)).toBe('good');
    expect(responseRateBand(80)).toBe('good');
    expect(responseRateBand(80.1)).toBe('very-good');
    expect(responseRateBand(100)).toBe('very-good');
  });

  it('when counts land exactly on a boundary, then the rate is exact and takes the band below', () => {
    expect(responseRate(5, 10)).toBe(50);
    expect(responseRateBand(responseRate(5, 10)!)).toBe('below-adequate');
    expect(responseRateBand(responseRate(6, 10)!)).toBe('adequate');
    expect(responseRateBand(responseRate(7, 10)!)).toBe('desirable');
    expect(responseRateBand(responseRate(56, 70)!)).toBe('good');
    expect(responseRateBand(responseRate(51, 100)!)).toBe('adequate');
  });

  it('when nobody was invited, then there is no rate', () => {
    expect(responseRate(0, 0)).toBeNull();
  });

  it('when the counts or the rate are impossible, then they are refused', () => {
    expect(() => responseRate(11, 10)).toThrow(ValidationError);
    expect(() => responseRate(-1, 10)).toThrow(ValidationError);
    expect(() => responseRate(1.5, 10)).toThrow(ValidationError);
    expect(() => responseRateBand(101)).toThrow(ValidationError);
    expect(() => responseRateBand(Number.NaN)).toThrow(ValidationError);
  });
});

describe('HSE colour bands (NA-5)', () => {
  const BENCHMARK: HseBenchmark = { p20: 3.2, p50: 3.6, p80: 4.0 };

  it('when no benchmark is configured, then there is no band', () => {
    expect(hseBand(3.5, null)).toBeNull();
  });

  it('when the mean is below the 20th percentile, then red; at it, yellow', () => {
    expect(hseBand(3.19, BENCHMARK)).toBe('red');
    expect(hseBand(1, BENCHMARK)).toBe('red');
    expect(hseBand(3.2, BENCHMARK)).toBe('yellow');
  });

  it('when the mean is just below the 50th percentile, then yellow; at it, aqua', () => {
    expect(hseBand(3.59, BENCHMARK)).toBe('yellow');
    expect(hseBand(3.6, BENCHMARK)).toBe('aqua');
  });

  it('when the mean is just below the 80th percentile, then aqua; at it and above, green', () => {
    expect(hseBand(3.99, BENCHMARK)).toBe('aqua');
    expect(hseBand(4.0, BENCHMARK)).toBe('green');
    expect(hseBand(5, BENCHMARK)).toBe('green');
  });

  it('when a benchmark is out of order, then it is refused', () => {
    expect(() => hseBand(3, { p20: 4, p50: 3.5, p80: 4.2 })).toThrow(ValidationError);
  });
});
