import { ValidationError, type FieldErrors } from '../shared/errors.js';

/**
 * Screening instruments scored exactly as published (domain brief §4, all V): the Keele
 * STarT Back Screening Tool, PHQ-9, GAD-7 and PHQ-4. Pure: answers in, facts out.
 */
export const INSTRUMENT_CODES = ['startback', 'phq9', 'gad7', 'phq4'] as const;
export type InstrumentCode = (typeof INSTRUMENT_CODES)[number];

type Answers = Readonly<Record<string, unknown>>;
export type InstrumentFacts = Partial<Record<InstrumentFact, string | number | boolean>>;

const BOTHERSOME = ['not-at-all', 'slightly', 'moderately', 'very-much', 'extremely'] as const;

function items(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

/** Reads 0–3 frequency answers ("not at all" … "nearly every day"); every missing or bad item is named. */
function frequencies(answers: Answers, linkIds: readonly string[], errors: FieldErrors): number[] {
  return linkIds.map((id) => {
    const v = answers[id];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-3]$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 3) errors[id] = 'Answer from 0 (not at all) to 3 (nearly every day)';
    return n;
  });
}

function fail(errors: FieldErrors): void {
  if (Object.keys(errors).length)
    throw new ValidationError(errors, 'Every question needs an answer.', 'answers-invalid');
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export const STARTBACK_RISKS = ['low', 'medium', 'high'] as const;
export const PHQ9_BANDS = ['minimal', 'mild', 'moderate', 'moderately-severe', 'severe'] as const;
export const GAD7_BANDS = ['minimal', 'mild', 'moderate', 'severe'] as const;

/** Every fact an instrument's score adds to a pathway (scoreInstrument): the scores a clinician reads. */
export const INSTRUMENT_FACTS = [
  'startBackTotal',
  'startBackPsychosocial',
  'startBackRisk',
  'phq9Total',
  'phq9Band',
  'phq9Positive',
  'phq9Item9',
  'phq9RiskFlag',
  'gad7Total',
  'gad7Band',
  'gad7Positive',
  'phq4Total',
  'phq4Anxiety',
  'phq4Depression',
  'phq4AnxietyPositive',
  'phq4DepressionPositive',
] as const;
export type InstrumentFact = (typeof INSTRUMENT_FACTS)[number];

export interface StartBackResult {
  total: number;
  psychosocial: number;
  risk: (typeof STARTBACK_RISKS)[number];
}

/**
 * STarT Back (Keele): items 1–8 score 1 for "agree"; item 9 (bothersomeness) scores 1 for
 * "very much" or "extremely". Total 0–9; the psychosocial subscale is items 5–9. Subscale
 * 4 or more → high risk; otherwise a total of 3 or less → low, else medium.
 */
export function scoreStartBack(answers: Answers): StartBackResult {
  const errors: FieldErrors = {};
  const scores = items('startback', 8).map((id) => {
    const v = answers[id];
    if (v !== 'agree' && v !== 'disagree') errors[id] = 'Answer agree or disagree';
    return v === 'agree' ? 1 : 0;
  });
  const nine = answers['startback-9'];
  if (!(BOTHERSOME as readonly unknown[]).includes(nine)) errors['startback-9'] = 'Choose how bothersome it has been';
  scores.push(nine === 'very-much' || nine === 'extremely' ? 1 : 0);
  fail(errors);
  const total = sum(scores);
  const psychosocial = sum(scores.slice(4));
  return { total, psychosocial, risk: psychosocial >= 4 ? 'high' : total <= 3 ? 'low' : 'medium' };
}

export type Phq9Band = (typeof PHQ9_BANDS)[number];
export type Gad7Band = (typeof GAD7_BANDS)[number];

/** PHQ-9 severity: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe. */
export function phq9Band(total: number): Phq9Band {
  if (total <= 4) return 'minimal';
  if (total <= 9) return 'mild';
  if (total <= 14) return 'moderate';
  if (total <= 19) return 'moderately-severe';
  return 'severe';
}

/** GAD-7 severity: 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe. */
export function gad7Band(total: number): Gad7Band {
  if (total <= 4) return 'minimal';
  if (total <= 9) return 'mild';
  if (total <= 14) return 'moderate';
  return 'severe';
}

/** PHQ-9: nine items 0–3, total 0–27, positive at 10 or more; item 9 (thoughts of self-harm) above 0 is a risk flag. */
export function scorePhq9(answers: Answers): { total: number; band: Phq9Band; positive: boolean; item9: number } {
  const errors: FieldErrors = {};
  const scores = frequencies(answers, items('phq9', 9), errors);
  fail(errors);
  const total = sum(scores);
  return { total, band: phq9Band(total), positive: total >= 10, item9: scores[8]! };
}

/** GAD-7: seven items 0–3, total 0–21, positive at 10 or more. */
export function scoreGad7(answers: Answers): { total: number; band: Gad7Band; positive: boolean } {
  const errors: FieldErrors = {};
  const scores = frequencies(answers, items('gad7', 7), errors);
  fail(errors);
  const total = sum(scores);
  return { total, band: gad7Band(total), positive: total >= 10 };
}

/** PHQ-4: anxiety = items 1–2, depression = items 3–4, each positive at 3 or more; total 0–12. */
export function scorePhq4(answers: Answers): {
  total: number;
  anxiety: number;
  depression: number;
  anxietyPositive: boolean;
  depressionPositive: boolean;
} {
  const errors: FieldErrors = {};
  const scores = frequencies(answers, items('phq4', 4), errors);
  fail(errors);
  const anxiety = scores[0]! + scores[1]!;
  const depression = scores[2]! + scores[3]!;
  return {
    total: anxiety + depression,
    anxiety,
    depression,
    anxietyPositive: anxiety >= 3,
    depressionPositive: depression >= 3,
  };
}

/** Scores a questionnaire's answers with its instrument; the result is merged into the pathway's facts. */
export function scoreInstrument(code: InstrumentCode, answers: Answers): InstrumentFacts {
  switch (code) {
    case 'startback': {
      const r = scoreStartBack(answers);
      return { startBackTotal: r.total, startBackPsychosocial: r.psychosocial, startBackRisk: r.risk };
    }
    case 'phq9': {
      const r = scorePhq9(answers);
      return {
        phq9Total: r.total,
        phq9Band: r.band,
        phq9Positive: r.positive,
        phq9Item9: r.item9,
        phq9RiskFlag: r.item9 > 0,
      };
    }
    case 'gad7': {
      const r = scoreGad7(answers);
      return { gad7Total: r.total, gad7Band: r.band, gad7Positive: r.positive };
    }
    case 'phq4': {
      const r = scorePhq4(answers);
      return {
        phq4Total: r.total,
        phq4Anxiety: r.anxiety,
        phq4Depression: r.depression,
        phq4AnxietyPositive: r.anxietyPositive,
        phq4DepressionPositive: r.depressionPositive,
      };
    }
  }
}
