import { describe, expect, it } from 'vitest';
import { gad7Band, phq9Band, scoreGad7, scoreInstrument, scorePhq4, scorePhq9, scoreStartBack } from './instruments.js';

/** Answers giving `total` over `count` items scored 0–3, filling from the first item. */
function frequency(prefix: string, count: number, total: number, last?: number): Record<string, string> {
  const out: Record<string, string> = {};
  let left = total - (last ?? 0);
  for (let i = 1; i <= count; i++) {
    if (i === count && last !== undefined) out[`${prefix}-${i}`] = String(last);
    else {
      const v = Math.min(3, left);
      out[`${prefix}-${i}`] = String(v);
      left -= v;
    }
  }
  return out;
}

/** STarT Back answers: which of items 1–8 agree, and item 9. */
function startBack(agree: number[], nine: string): Record<string, string> {
  const out: Record<string, string> = { 'startback-9': nine };
  for (let i = 1; i <= 8; i++) out[`startback-${i}`] = agree.includes(i) ? 'agree' : 'disagree';
  return out;
}

describe('STarT Back (domain brief §4, Keele)', () => {
  it('when nothing is agreed and it is not bothersome, then the total is 0 and the risk low', () => {
    expect(scoreStartBack(startBack([], 'not-at-all'))).toEqual({ total: 0, psychosocial: 0, risk: 'low' });
  });
  it('when the total is 3, then low; at 4 with a subscale under 4, medium', () => {
    expect(scoreStartBack(startBack([1, 2, 3], 'moderately'))).toEqual({ total: 3, psychosocial: 0, risk: 'low' });
    expect(scoreStartBack(startBack([1, 2, 3, 4], 'slightly'))).toEqual({ total: 4, psychosocial: 0, risk: 'medium' });
    expect(scoreStartBack(startBack([1, 5, 6, 7], 'moderately'))).toEqual({
      total: 4,
      psychosocial: 3,
      risk: 'medium',
    });
  });
  it('when the psychosocial subscale (items 5–9) is 4, then high risk even with a total of 4; at 3 it is not', () => {
    expect(scoreStartBack(startBack([5, 6, 7, 8], 'moderately'))).toEqual({ total: 4, psychosocial: 4, risk: 'high' });
    expect(scoreStartBack(startBack([5, 6, 7], 'very-much'))).toEqual({ total: 4, psychosocial: 4, risk: 'high' });
    expect(scoreStartBack(startBack([1, 2, 3, 4, 5, 6], 'extremely'))).toEqual({
      total: 7,
      psychosocial: 3,
      risk: 'medium',
    });
    expect(scoreStartBack(startBack([1, 2, 3, 4, 5, 6, 7, 8], 'extremely'))).toEqual({
      total: 9,
      psychosocial: 5,
      risk: 'high',
    });
  });
  it('when item 9 is answered, then only "very much" and "extremely" score', () => {
    const score = (nine: string) => scoreStartBack(startBack([], nine)).total;
    expect(['not-at-all', 'slightly', 'moderately', 'very-much', 'extremely'].map(score)).toEqual([0, 0, 0, 1, 1]);
  });
  it('when an item is missing or not agree/disagree, then every such item is named', () => {
    const answers = startBack([1], 'sometimes');
    delete answers['startback-3'];
    expect(() => scoreStartBack(answers)).toThrow(
      expect.objectContaining({
        code: 'answers-invalid',
        fields: { 'startback-3': expect.any(String), 'startback-9': expect.any(String) },
      }),
    );
  });
});

describe('PHQ-9 (domain brief §4)', () => {
  it.each([
    [0, 'minimal', false],
    [4, 'minimal', false],
    [5, 'mild', false],
    [9, 'mild', false],
    [10, 'moderate', true],
    [14, 'moderate', true],
    [15, 'moderately-severe', true],
    [19, 'moderately-severe', true],
    [20, 'severe', true],
    [27, 'severe', true],
  ])('when the total is %i, then the band is %s (positive: %s)', (total, band, positive) => {
    // Items 1–8 carry at most 24; the maximum needs item 9 too.
    const item9 = total > 24 ? total - 24 : 0;
    const r = scorePhq9(frequency('phq9', 9, total, item9));
    expect(r).toEqual({ total, band, positive, item9 });
    expect(phq9Band(total)).toBe(band);
  });
  it('when item 9 is above 0, then the risk flag is raised whatever the total; at 0 it is not', () => {
    expect(scoreInstrument('phq9', frequency('phq9', 9, 1, 1))).toMatchObject({
      phq9Total: 1,
      phq9Item9: 1,
      phq9RiskFlag: true,
      phq9Band: 'minimal',
    });
    expect(scoreInstrument('phq9', frequency('phq9', 9, 3, 0))).toMatchObject({ phq9Item9: 0, phq9RiskFlag: false });
  });
  it('when an answer is out of range or missing, then it is refused with the item named', () => {
    const answers: Record<string, unknown> = frequency('phq9', 9, 5, 0);
    answers['phq9-2'] = '4';
    delete answers['phq9-7'];
    expect(() => scorePhq9(answers)).toThrow(
      expect.objectContaining({ fields: { 'phq9-2': expect.any(String), 'phq9-7': expect.any(String) } }),
    );
  });
});

describe('GAD-7 (domain brief §4)', () => {
  it.each([
    [0, 'minimal', false],
    [4, 'minimal', false],
    [5, 'mild', false],
    [9, 'mild', false],
    [10, 'moderate', true],
    [14, 'moderate', true],
    [15, 'severe', true],
    [21, 'severe', true],
  ])('when the total is %i, then the band is %s (positive: %s)', (total, band, positive) => {
    expect(scoreGad7(frequency('gad7', 7, total))).toEqual({ total, band, positive });
    expect(gad7Band(total)).toBe(band);
  });
  it('when numbers are given instead of codes, then they score the same', () => {
    expect(
      scoreGad7({ 'gad7-1': 3, 'gad7-2': 3, 'gad7-3': 3, 'gad7-4': 1, 'gad7-5': 0, 'gad7-6': 0, 'gad7-7': 0 }).total,
    ).toBe(10);
  });
});

describe('PHQ-4 (domain brief §4)', () => {
  it('when anxiety (items 1–2) or depression (items 3–4) reaches 3, then that scale is positive; at 2 it is not', () => {
    expect(scorePhq4({ 'phq4-1': '1', 'phq4-2': '1', 'phq4-3': '2', 'phq4-4': '0' })).toEqual({
      total: 4,
      anxiety: 2,
      depression: 2,
      anxietyPositive: false,
      depressionPositive: false,
    });
    expect(scorePhq4({ 'phq4-1': '2', 'phq4-2': '1', 'phq4-3': '3', 'phq4-4': '0' })).toEqual({
      total: 6,
      anxiety: 3,
      depression: 3,
      anxietyPositive: true,
      depressionPositive: true,
    });
    expect(scorePhq4({ 'phq4-1': '3', 'phq4-2': '3', 'phq4-3': '3', 'phq4-4': '3' }).total).toBe(12);
  });
});
