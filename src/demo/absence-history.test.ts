import { describe, expect, it } from 'vitest';
import { NOT_SICKNESS_KINDS, REASON_CATEGORIES } from '../attendance/attendance-schemas.js';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';
import { addDays, addMonths, daysBetween } from '../shared/dates.js';
import {
  CURRENTLY_ABSENT_SHARE,
  generateAbsenceHistory,
  OPEN_SPELL_WITHIN_DAYS,
  type HistoryPerson,
} from './absence-history.js';

const AS_OF = '2026-11-22';
const ROTA = [true, true, true, true, true, true, false, false, false, false];

/** A person with sensible defaults: an officer in post since 2012 on a Monday–Friday week. */
function buildHistoryPerson(n: number, overrides: Partial<HistoryPerson> = {}): HistoryPerson {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    organisationId: 'org-1',
    role: 'officer',
    serviceStartDate: '2012-04-01',
    leavingDate: null,
    workingPattern: { kind: 'weekly', days: [1, 2, 3, 4, 5] },
    ...overrides,
  };
}

/** A mixed workforce: warranted officers and staff, rotas and weekly patterns, new starters, recent leavers and people who left long ago. */
function workforce(size: number): HistoryPerson[] {
  return Array.from({ length: size }, (_, n) => {
    const kind = n % 20;
    return buildHistoryPerson(n, {
      role: n % 3 === 0 ? 'police-staff' : n % 7 === 0 ? 'pcso' : 'officer',
      workingPattern:
        n % 2 === 0
          ? { kind: 'rota', anchorDate: '2026-11-15', cycle: ROTA }
          : { kind: 'weekly', days: n % 5 === 0 ? [1, 2, 3] : [1, 2, 3, 4, 5] },
      serviceStartDate: kind === 1 ? addDays(AS_OF, -(20 + n)) : kind === 2 ? '2025-03-10' : '2004-09-01',
      leavingDate:
        kind === 3
          ? addDays(AS_OF, -(30 + (n % 500)))
          : kind === 4
            ? '2019-01-31'
            : kind === 5
              ? addDays(AS_OF, 40)
              : null,
    });
  });
}

const PEOPLE = workforce(3000);
const SPELLS = generateAbsenceHistory({ people: PEOPLE, asOf: AS_OF, years: 3, seed: 1988 });
const byPerson = new Map<string, NewAbsenceSpell[]>();
for (const s of SPELLS) byPerson.set(s.personId, [...(byPerson.get(s.personId) ?? []), s]);
const lengthOf = (s: NewAbsenceSpell) => daysBetween(s.startDate, s.endDate ?? AS_OF) + 1;
const inPost = (p: HistoryPerson) => p.leavingDate === null || p.leavingDate > AS_OF;

describe('generateAbsenceHistory', () => {
  it('when generated twice with the same seed and date, then the spells are the same; with another seed, then they differ', () => {
    expect(generateAbsenceHistory({ people: PEOPLE, asOf: AS_OF, years: 3, seed: 1988 })).toEqual(SPELLS);
    const other = generateAbsenceHistory({ people: PEOPLE, asOf: AS_OF, years: 3, seed: 1989 });
    expect(other.map((s) => s.startDate)).not.toEqual(SPELLS.map((s) => s.startDate));
  });

  it('when a person is added, then everyone else keeps their history', () => {
    const more = generateAbsenceHistory({
      people: [buildHistoryPerson(99_999), ...PEOPLE],
      asOf: AS_OF,
      years: 3,
      seed: 1988,
    });
    const strip = (list: NewAbsenceSpell[]) =>
      list.filter((s) => s.personId !== buildHistoryPerson(99_999).id).map(({ id: _id, ...rest }) => rest);
    expect(strip(more)).toEqual(strip(SPELLS));
  });

  it('when generated, then each person’s spells end on or after they start, never overlap, and lie within their service, the history window and today', () => {
    const windowStart = addMonths(AS_OF, -36);
    for (const person of PEOPLE) {
      const own = (byPerson.get(person.id) ?? []).slice().sort((a, b) => (a.startDate < b.startDate ? -1 : 1));
      const lastDay = person.leavingDate !== null && person.leavingDate <= AS_OF ? person.leavingDate : AS_OF;
      own.forEach((s, i) => {
        expect(s.endDate === null || s.endDate >= s.startDate, s.id).toBe(true);
        expect(s.startDate >= person.serviceStartDate && s.startDate >= windowStart, s.id).toBe(true);
        expect((s.endDate ?? s.startDate) <= lastDay, s.id).toBe(true);
        const next = own[i + 1];
        if (next) expect(s.endDate !== null && s.endDate < next.startDate, `${s.id} then ${next.id}`).toBe(true);
      });
    }
    expect(byPerson.has(PEOPLE[4]!.id), 'someone who left before the window').toBe(false);
  });

  it('when generated, then past spells are closed and about 3 % of the people in post are absent today, since at most 60 days, with a return expected after today', () => {
    const open = SPELLS.filter((s) => s.endDate === null);
    const current = PEOPLE.filter(inPost);
    expect(open.length / current.length).toBeGreaterThan(CURRENTLY_ABSENT_SHARE * 0.6);
    expect(open.length / current.length).toBeLessThan(CURRENTLY_ABSENT_SHARE * 1.5);
    expect(new Set(open.map((s) => s.personId)).size).toBe(open.length);
    for (const s of open) {
      expect(daysBetween(s.startDate, AS_OF)).toBeGreaterThanOrEqual(0);
      expect(daysBetween(s.startDate, AS_OF)).toBeLessThan(OPEN_SPELL_WITHIN_DAYS);
      expect(s.countsAsSickness).toBe(true);
      expect(s.expectedReturnDate! > AS_OF).toBe(true);
    }
    for (const s of SPELLS.filter((x) => x.endDate !== null)) {
      expect(s.endDate! < AS_OF, s.id).toBe(true);
      expect(s.expectedReturnDate).toBeNull();
    }
    const leavers = new Set(PEOPLE.filter((p) => !inPost(p)).map((p) => p.id));
    expect(open.some((s) => leavers.has(s.personId))).toBe(false);
  });

  it('when generated, then the flags, certificates and the accident report follow from the reason and the length (ATT-4, ATT-5, ATT-6, ATT-7)', () => {
    for (const s of SPELLS) {
      expect(REASON_CATEGORIES).toContain(s.reasonCategory);
      const onDuty = s.reasonCategory === 'injury-on-duty' || s.reasonCategory === 'assault-on-duty';
      expect(s.injuryOnDuty, s.id).toBe(onDuty);
      expect(s.dutyRelated, s.id).toBe(onDuty);
      expect(s.accidentReportDueAt, s.id).toEqual(onDuty ? new Date(`${addDays(s.startDate, 2)}T00:00:00Z`) : null);
      expect(s.pregnancyRelated, s.id).toBe(s.reasonCategory === 'pregnancy-related');
      expect({ ohReasonText: s.ohReasonText, importKey: s.importKey, recordedByUserId: s.recordedByUserId }).toEqual({
        ohReasonText: null,
        importKey: null,
        recordedByUserId: null,
      });
      if (!s.countsAsSickness) {
        expect(NOT_SICKNESS_KINDS).toContain(s.notSicknessKind);
        expect({
          certification: s.certification,
          certificateFrom: s.certificateFrom,
          injuryOnDuty: s.injuryOnDuty,
        }).toEqual({ certification: 'none', certificateFrom: null, injuryOnDuty: false });
        continue;
      }
      expect(s.notSicknessKind).toBeNull();
      if (lengthOf(s) <= 7) {
        expect(
          { certification: s.certification, certificateFrom: s.certificateFrom, certificateTo: s.certificateTo },
          s.id,
        ).toEqual({ certification: 'self', certificateFrom: null, certificateTo: null });
      } else {
        expect(s.certification, s.id).toBe('medical');
        expect([s.startDate, addDays(s.startDate, 7)], s.id).toContain(s.certificateFrom);
        if (s.endDate) expect(s.certificateTo, s.id).toBe(s.endDate);
        else
          expect(s.certificateTo! >= AS_OF && s.expectedReturnDate === addDays(s.certificateTo!, 1), s.id).toBe(true);
      }
    }
    const share = (test: (s: NewAbsenceSpell) => boolean) => SPELLS.filter(test).length / SPELLS.length;
    expect(share((s) => !s.countsAsSickness)).toBeGreaterThan(0.01);
    expect(share((s) => !s.countsAsSickness)).toBeLessThan(0.06);
    expect(share((s) => s.pregnancyRelated)).toBeGreaterThan(0.002);
    expect(share((s) => s.pregnancyRelated)).toBeLessThan(0.03);
    expect(share((s) => s.disabilityRelated)).toBeGreaterThan(0.002);
    expect(share((s) => s.disabilityRelated)).toBeLessThan(0.05);
  });

  it('when generated, then most spells are short and self-certified, some run 4–7 days, some 8+ and a few are long-term, mostly mental health and musculo-skeletal', () => {
    const sickness = SPELLS.filter((s) => s.countsAsSickness);
    const share = (test: (s: NewAbsenceSpell) => boolean) => sickness.filter(test).length / sickness.length;
    expect(share((s) => lengthOf(s) <= 3)).toBeGreaterThan(0.5);
    expect(share((s) => lengthOf(s) >= 4 && lengthOf(s) <= 7)).toBeGreaterThan(0.12);
    expect(share((s) => lengthOf(s) >= 8)).toBeGreaterThan(0.06);
    expect(share((s) => lengthOf(s) >= 29)).toBeGreaterThan(0.01);
    expect(share((s) => lengthOf(s) >= 29)).toBeLessThan(0.06);
    const longTerm = sickness.filter((s) => lengthOf(s) >= 29);
    const mentalOrMsk = longTerm.filter(
      (s) => s.reasonCategory.startsWith('mental-health') || s.reasonCategory.startsWith('musculoskeletal'),
    );
    expect(mentalOrMsk.length / longTerm.length).toBeGreaterThan(0.5);
    expect(Math.max(...sickness.map(lengthOf))).toBeLessThanOrEqual(120);
    const reasons = new Map<string, number>();
    for (const s of sickness) reasons.set(s.reasonCategory, (reasons.get(s.reasonCategory) ?? 0) + 1);
    const top = [...reasons].sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('cold-flu');
  });

  it('when officers and police staff are compared, then officers are injured or assaulted on duty more often', () => {
    const roleOf = new Map(PEOPLE.map((p) => [p.id, p.role]));
    const rate = (staff: boolean) => {
      const own = SPELLS.filter((s) => (roleOf.get(s.personId) === 'police-staff') === staff);
      return own.filter((s) => s.injuryOnDuty).length / own.length;
    };
    expect(rate(false)).toBeGreaterThan(2 * rate(true));
  });

  it('when a year of a long-serving workforce is counted, then many people have no spell and a minority have many', () => {
    const longServing = PEOPLE.filter((p) => inPost(p) && p.serviceStartDate < '2020-01-01');
    const yearStart = addDays(AS_OF, -364);
    const counts = longServing.map(
      (p) => (byPerson.get(p.id) ?? []).filter((s) => s.countsAsSickness && (s.endDate ?? AS_OF) >= yearStart).length,
    );
    const share = (test: (n: number) => boolean) => counts.filter(test).length / counts.length;
    expect(share((n) => n === 0)).toBeGreaterThan(0.25);
    expect(share((n) => n >= 6)).toBeGreaterThan(0.02);
    expect(share((n) => n >= 6)).toBeLessThan(0.2);
  });

  it('when generated, then every id is unique and UUID-shaped (36 characters)', () => {
    const ids = SPELLS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('when 2,000 people over 3 years are generated at 6.7 spells a person-year, then there are about 40,000 spells', () => {
    const people = Array.from({ length: 2000 }, (_, n) =>
      buildHistoryPerson(n, n % 2 ? {} : { workingPattern: { kind: 'rota', anchorDate: '2026-01-05', cycle: ROTA } }),
    );
    const spells = generateAbsenceHistory({ people, asOf: AS_OF, years: 3, seed: 7, spellsPerPersonYear: 6.7 });
    expect(spells.length).toBeGreaterThan(36_000);
    expect(spells.length).toBeLessThan(44_000);
  });
});
