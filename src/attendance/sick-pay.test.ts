import type { IsoDate } from '../shared/dates.js';
import { describe, expect, it } from 'vitest';
import { POLICY_KINDS } from '../policies/policy-kinds.js';
import { sickPayPosition, sickPayTasks, type SickPaySpell } from './sick-pay.js';

const policy = POLICY_KINDS.attendance.defaults.sickPay;
const spell = (startDate: IsoDate, endDate: IsoDate | null, overrides: Partial<SickPaySpell> = {}): SickPaySpell => ({
  startDate,
  endDate,
  countsAsSickness: true,
  injuryOnDuty: false,
  ...overrides,
});

describe('sick pay (ATT-29)', () => {
  it('when someone with six years’ service falls sick with no sickness in the year before, then 180 days on full pay and 180 on half', () => {
    const p = sickPayPosition({
      spell: spell('2026-01-01', null),
      earlier: [],
      serviceStartDate: '2020-01-01',
      asOf: '2026-03-01',
      policy,
    });
    expect(p).toMatchObject({
      entitlement: { fullPayDays: 180, halfPayDays: 180 },
      usedBefore: 0,
      fullPayUntil: '2026-06-29',
      halfPayUntil: '2026-12-26',
      band: 'full',
    });
  });

  it('when sickness in the twelve months before is counted, then it comes off full pay first, and only the part inside the twelve months counts', () => {
    // In the second year of service: 60 full + 60 half. Earlier: 10 days inside the look-back, and a spell straddling its start (5 of its days inside).
    const earlier = [spell('2025-09-01', '2025-09-10'), spell('2024-12-28', '2025-01-05')];
    const p = sickPayPosition({
      spell: spell('2026-01-01', null),
      earlier,
      serviceStartDate: '2024-09-01',
      asOf: '2026-02-15',
      policy,
    });
    expect(p.usedBefore).toBe(15);
    expect(p).toMatchObject({
      entitlement: { fullPayDays: 60, halfPayDays: 60 },
      fullPayUntil: '2026-02-14',
      halfPayUntil: '2026-04-15',
      band: 'half',
    });
  });

  it('when more was used than full pay allows, then the rest comes off half pay and pay can stop', () => {
    const p = sickPayPosition({
      spell: spell('2026-06-01', null),
      earlier: [spell('2025-08-01', '2025-10-09')],
      serviceStartDate: '2025-03-01',
      asOf: '2026-07-20',
      policy,
    });
    // In the second year of service on 1 June 2026: 60 + 60; 70 days used: full pay gone, 50 days of half pay left.
    expect(p).toMatchObject({ usedBefore: 70, fullPayUntil: null, halfPayUntil: '2026-07-20', band: 'half' });
    expect(
      sickPayPosition({
        spell: spell('2026-06-01', null),
        earlier: [spell('2025-08-01', '2025-10-09')],
        serviceStartDate: '2025-03-01',
        asOf: '2026-07-21',
        policy,
      }).band,
    ).toBe('none');
  });

  it('when the absence or earlier absence is an injury on duty, then it uses no entitlement and pay does not reduce (App D §3)', () => {
    const onDuty = sickPayPosition({
      spell: spell('2026-01-01', null, { injuryOnDuty: true }),
      earlier: [],
      serviceStartDate: '2025-10-01',
      asOf: '2026-12-01',
      policy,
    });
    expect(onDuty).toMatchObject({ excluded: true, band: 'full', fullPayUntil: null });
    const after = sickPayPosition({
      spell: spell('2026-06-01', null),
      earlier: [
        spell('2026-01-01', '2026-03-01', { injuryOnDuty: true }),
        spell('2026-04-01', '2026-04-02', { countsAsSickness: false }),
      ],
      serviceStartDate: '2020-01-01',
      asOf: '2026-06-02',
      policy,
    });
    expect(after.usedBefore).toBe(0);
  });

  it('when service is under four months, then one month on full pay and no half pay; a discretionary extension adds to both', () => {
    const p = sickPayPosition({
      spell: spell('2026-03-01', null),
      earlier: [],
      serviceStartDate: '2026-01-15',
      asOf: '2026-04-15',
      policy,
    });
    expect(p).toMatchObject({
      entitlement: { fullPayDays: 30, halfPayDays: 0 },
      fullPayUntil: '2026-03-30',
      halfPayUntil: null,
      band: 'none',
    });
    const extended = sickPayPosition({
      spell: spell('2026-03-01', null),
      earlier: [],
      serviceStartDate: '2026-01-15',
      asOf: '2026-04-15',
      policy,
      extension: { fullPayDays: 30, halfPayDays: 30 },
    });
    expect(extended).toMatchObject({ fullPayUntil: '2026-04-29', halfPayUntil: '2026-05-29', band: 'full' });
  });

  it('when pay is about to be cut, then HR is to warn 14 days before each cut and review monthly while pay is reduced (App D §6.2)', () => {
    const s = spell('2026-01-01', null);
    const p = sickPayPosition({
      spell: s,
      earlier: [spell('2025-09-01', '2025-09-10')],
      serviceStartDate: '2024-09-01',
      asOf: '2026-05-01',
      policy,
    });
    expect(p).toMatchObject({ fullPayUntil: '2026-02-19', halfPayUntil: '2026-04-20' });
    expect(sickPayTasks(p, s, '2026-05-01', policy)).toEqual([
      { code: 'sick-pay-half-pay-warning', sequence: 20260220, dueDate: '2026-02-06' },
      { code: 'sick-pay-no-pay-warning', sequence: 20260421, dueDate: '2026-04-07' },
      { code: 'sick-pay-review', sequence: 20260320, dueDate: '2026-03-20' },
      { code: 'sick-pay-review', sequence: 20260420, dueDate: '2026-04-20' },
    ]);
  });

  it('when the absence ends before pay would be cut, then no warning is due', () => {
    const s = spell('2026-01-01', '2026-01-20');
    const p = sickPayPosition({ spell: s, earlier: [], serviceStartDate: '2023-06-01', asOf: '2026-05-01', policy });
    expect(sickPayTasks(p, s, '2026-05-01', policy)).toEqual([]);
  });
});
