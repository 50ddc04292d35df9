import { describe, expect, it } from 'vitest';
import { addDays, type IsoDate } from '../shared/dates.js';
import { englandAndWalesCalendar } from '../shared/working-days.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import { attendanceScore, bradfordFactor, triggersReached, type ScoredSpell, type TriggerPolicy } from './bradford.js';
import { dutyDaysBetween } from './duty-days.js';

const calendar = englandAndWalesCalendar();
const MON_FRI: WorkingPattern = { kind: 'weekly', days: [1, 2, 3, 4, 5] };
const POLICY: TriggerPolicy = {
  bradfordWindowWeeks: 52,
  bradfordThreshold: 200,
  spellsThreshold: 3,
  spellsWindowMonths: 12,
  continuousDaysThreshold: 28,
};
const AS_OF = '2026-11-20'; // a Friday

function spell(startDate: IsoDate, endDate: IsoDate | null, overrides: Partial<ScoredSpell> = {}): ScoredSpell {
  return {
    startDate,
    endDate,
    countsAsSickness: true,
    pregnancyRelated: false,
    disabilityRelated: false,
    ...overrides,
  };
}

/** `n` spells of `length` days each, a week apart from `first` (chosen clear of bank holidays). */
function shortSpells(n: number, length: number, first: IsoDate): ScoredSpell[] {
  return Array.from({ length: n }, (_, i) => spell(addDays(first, i * 7), addDays(first, i * 7 + length - 1)));
}

function score(
  spells: ScoredSpell[],
  options: {
    serviceStartDate?: IsoDate;
    pattern?: WorkingPattern;
    disability?: Array<{ effectiveFrom: IsoDate; discount: boolean }>;
  } = {},
) {
  return bradfordFactor({
    spells,
    asOf: AS_OF,
    serviceStartDate: options.serviceStartDate ?? '2010-01-04',
    pattern: options.pattern ?? MON_FRI,
    calendar,
    windowWeeks: 52,
    disability: options.disability ?? [],
  });
}

describe('Bradford factor: the seed examples (ATT-15, ATT-17)', () => {
  it('when there is one spell of 14 duty days, then the score is 1 × 1 × 14 = 14', () => {
    // Mon 2 Nov – Thu 19 Nov 2026: 5 + 5 + 4 weekdays, no bank holidays.
    const result = score([spell('2026-11-02', '2026-11-19')]);
    expect(result).toMatchObject({ spells: 1, days: 14, bradfordScore: 14, projected: false });
  });

  it('when there are seven spells of 2 days, then the score is 7 × 7 × 14 = 686', () => {
    const result = score(shortSpells(7, 2, '2026-06-01'));
    expect(result).toMatchObject({ spells: 7, days: 14, bradfordScore: 686 });
  });

  it('when there are fourteen 1-day spells, then the score is 14 × 14 × 14 = 2,744', () => {
    // Tuesdays 2 June – 1 September 2026: no bank holiday falls on any of them.
    const result = score(shortSpells(14, 1, '2026-06-02'));
    expect(result).toMatchObject({ spells: 14, days: 14, bradfordScore: 2744 });
  });

  it("when someone with 13 weeks' service has three 1-day absences, then the projected score is 12 × 12 × 12 = 1,728", () => {
    const serviceStartDate = addDays(AS_OF, -(13 * 7 - 1));
    const result = score(shortSpells(3, 1, '2026-09-07'), { serviceStartDate });
    expect(result.projected).toBe(true);
    expect(result.projectionFactor).toBe(4);
    expect(result.bradfordScore).toBe(1728);
  });
});

describe('Bradford factor: what counts (ATT-16, ATT-6, ATT-7, ATT-19)', () => {
  it('when a spell straddles the start of the 52-week window, then only its days inside count, as one spell', () => {
    const result = score([spell('2025-11-10', '2025-11-28')]);
    expect(result.windowStart).toBe('2025-11-22');
    // Inside: Mon 24 – Fri 28 Nov 2025 = 5 duty days.
    expect(result).toMatchObject({ spells: 1, days: 5, bradfordScore: 5 });
  });

  it('when a spell is still open, then it counts up to the as-of date', () => {
    const result = score([spell('2026-11-16', null)]);
    expect(result).toMatchObject({ spells: 1, days: 5 });
  });

  it('when a spell ended before the window, then it does not count', () => {
    expect(score([spell('2025-10-01', '2025-10-03')])).toMatchObject({ spells: 0, days: 0, bradfordScore: 0 });
  });

  it('when absences are pregnancy-related or not sickness, then they are discounted; disability-related only when the case says so', () => {
    const spells = [
      spell('2026-03-02', '2026-03-03', { pregnancyRelated: true }),
      spell('2026-04-13', '2026-04-13', { countsAsSickness: false }),
      spell('2026-05-11', '2026-05-12', { disabilityRelated: true }),
    ];
    expect(score(spells)).toMatchObject({ spells: 0, days: 0 });
    expect(score(spells, { disability: [{ effectiveFrom: '2026-01-01' as const, discount: false }] })).toMatchObject({
      spells: 1,
      days: 2,
    });
  });

  it('when the case decides all adjustments are made, then disability-related absence counts from that date only, and a later decision can discount it again (ATT-7)', () => {
    const spells = [
      spell('2026-02-02', '2026-02-03', { disabilityRelated: true }),
      spell('2026-05-11', '2026-05-12', { disabilityRelated: true }),
      spell('2026-09-07', '2026-09-07', { disabilityRelated: true }),
    ];
    const countsFromApril = [{ effectiveFrom: '2026-04-01' as const, discount: false }];
    expect(score(spells, { disability: countsFromApril })).toMatchObject({ spells: 2, days: 3 });
    const discountedAgainInAugust = [...countsFromApril, { effectiveFrom: '2026-08-01' as const, discount: true }];
    expect(score(spells, { disability: discountedAgainInAugust })).toMatchObject({ spells: 1, days: 2 });
    // A decision that starts on the spell's first day applies to it.
    expect(score(spells, { disability: [{ effectiveFrom: '2026-09-07' as const, discount: false }] })).toMatchObject({
      spells: 1,
      days: 1,
    });
  });

  it('when a Monday-to-Friday spell includes a bank holiday, then the holiday is not a duty day lost', () => {
    // Thu 24 Dec 2026 – Thu 31 Dec 2026: 24, (25 holiday), (26, 27 weekend), (28 holiday), 29, 30, 31.
    expect(dutyDaysBetween(MON_FRI, '2026-12-24', '2026-12-31', calendar)).toBe(4);
  });

  it('when someone works a shift rota, then the rota decides the duty days, bank holidays included', () => {
    const rota: WorkingPattern = {
      kind: 'rota',
      anchorDate: '2026-12-21',
      cycle: [true, true, true, true, true, true, false, false, false, false],
    };
    // 21–26 Dec on, 27–30 off, 31 Dec on: Christmas and Boxing Day substitute are worked.
    expect(dutyDaysBetween(rota, '2026-12-21', '2026-12-31', calendar)).toBe(7);
    const result = bradfordFactor({
      spells: [spell('2026-11-01', '2026-11-10')],
      asOf: AS_OF,
      serviceStartDate: '2010-01-04',
      pattern: { ...rota, anchorDate: '2026-11-01' },
      calendar,
      windowWeeks: 52,
      disability: [],
    });
    expect(result).toMatchObject({ spells: 1, days: 6 });
  });

  it('when a spell falls wholly on rest days, then nothing is lost and it is not counted as a spell', () => {
    expect(score([spell('2026-11-14', '2026-11-15')])).toMatchObject({ spells: 0, days: 0 });
  });
});

describe('review triggers (ATT-18)', () => {
  const triggers = (spells: ScoredSpell[], serviceStartDate: IsoDate = '2010-01-04') =>
    triggersReached({
      bradford: score(spells, { serviceStartDate }),
      spells,
      asOf: AS_OF,
      policy: POLICY,
      disability: [],
    });

  it('when the score reaches 200, then the Bradford trigger fires with its value and threshold', () => {
    // 2 spells, 40 + 10 = 50 duty days: 2 × 2 × 50 = 200.
    const spells = [spell('2026-01-05', '2026-02-27'), spell('2026-06-01', '2026-06-12')];
    expect(score(spells).bradfordScore).toBe(200);
    expect(triggers(spells)).toContainEqual({ code: 'bradford', value: 200, threshold: 200 });
  });

  it('when there are three spells in twelve months, then the spells trigger fires; two do not', () => {
    expect(triggers(shortSpells(3, 1, '2026-06-01')).map((t) => t.code)).toContain('spells');
    expect(triggers(shortSpells(2, 1, '2026-06-01')).map((t) => t.code)).not.toContain('spells');
  });

  it('when a spell lasts 28 calendar days, then the continuous trigger fires; 27 days does not', () => {
    expect(triggers([spell('2026-10-01', '2026-10-28')])).toContainEqual({
      code: 'continuous',
      value: 28,
      threshold: 28,
    });
    expect(triggers([spell('2026-10-01', '2026-10-27')]).map((t) => t.code)).not.toContain('continuous');
  });

  it('when an open spell has run 28 days by the as-of date, then it triggers', () => {
    expect(triggers([spell('2026-10-24', null)]).map((t) => t.code)).toContain('continuous');
  });

  it('when the only long absence is pregnancy-related, then nothing triggers (ATT-7)', () => {
    expect(triggers([spell('2026-09-01', '2026-10-30', { pregnancyRelated: true })])).toEqual([]);
  });
});

describe('scoring one person at once (ATT-15 … ATT-19)', () => {
  it('when a history is scored with attendanceScore, then it is what bradfordFactor and triggersReached say separately', () => {
    let state = 19;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const patterns: WorkingPattern[] = [
      MON_FRI,
      { kind: 'weekly', days: [2, 4] },
      { kind: 'rota', anchorDate: '2025-03-02', cycle: [true, true, true, true, false, false, false, false] },
    ];
    const disability = [
      { effectiveFrom: '2026-03-01' as const, discount: false },
      { effectiveFrom: '2026-08-15' as const, discount: true },
    ];
    for (let person = 0; person < 300; person++) {
      const spells: ScoredSpell[] = [];
      let day = addDays('2025-06-01', Math.floor(random() * 60));
      while (day < AS_OF) {
        const length = random() < 0.1 ? 20 + Math.floor(random() * 40) : 1 + Math.floor(random() * 5);
        const end = addDays(day, length - 1);
        spells.push(
          spell(day, end >= AS_OF && random() < 0.5 ? null : end, {
            countsAsSickness: random() > 0.05,
            pregnancyRelated: random() < 0.05,
            disabilityRelated: random() < 0.2,
          }),
        );
        day = addDays(end, 2 + Math.floor(random() * 60));
      }
      const context = {
        serviceStartDate: random() < 0.2 ? addDays(AS_OF, -Math.floor(random() * 300)) : ('2010-01-04' as const),
        pattern: patterns[person % patterns.length]!,
        calendar,
        policy: POLICY,
        disability: person % 2 ? disability : [],
      };
      const bradford = bradfordFactor({
        spells,
        asOf: AS_OF,
        serviceStartDate: context.serviceStartDate,
        pattern: context.pattern,
        calendar,
        windowWeeks: POLICY.bradfordWindowWeeks,
        disability: context.disability,
      });
      expect(attendanceScore(spells, AS_OF, context)).toEqual({
        bradford,
        triggers: triggersReached({ bradford, spells, asOf: AS_OF, policy: POLICY, disability: context.disability }),
      });
    }
  });
});
