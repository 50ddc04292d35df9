import { describe, expect, it } from 'vitest';
import { headerProblem, parseImportRow } from './absence-import.js';

describe('absence import rows (issue 3 §9)', () => {
  it('when a row is complete, then it becomes a spell with the staff number upper-cased and flags read as booleans', () => {
    const row = parseImportRow(
      {
        staff_number: 'wp1',
        start_date: '2026-11-02',
        end_date: '',
        reason_category: 'cold-flu',
        duty_related: 'Yes',
        pregnancy_related: '0',
      },
      2,
    );
    expect(row).toMatchObject({
      line: 2,
      staffNumber: 'WP1',
      absence: {
        startDate: '2026-11-02',
        endDate: null,
        dutyRelated: true,
        pregnancyRelated: false,
        certification: 'none',
      },
    });
  });
  it('when values are wrong, then the reason names the column', () => {
    expect(parseImportRow({ staff_number: 'WP1', start_date: '2026-02-30', reason_category: 'gout-ish' }, 3)).toEqual({
      line: 3,
      reason: expect.stringMatching(/start_date: .*; reason_category: /),
    });
    expect(
      parseImportRow(
        { staff_number: 'WP1', start_date: '2026-02-03', reason_category: 'other', injury_on_duty: 'perhaps' },
        4,
      ),
    ).toEqual({ line: 4, reason: 'injury_on_duty: use yes or no' });
  });
  it('when the header lacks a required column or has an unknown one, then it says which', () => {
    expect(headerProblem(['staff_number', 'start_date'])).toBe('Missing column(s): reason_category');
    expect(headerProblem(['staff_number', 'start_date', 'reason_category', 'diagnosis'])).toMatch(
      /Unknown column\(s\): diagnosis/,
    );
    expect(headerProblem(['reason_category', 'start_date', 'staff_number'])).toBeNull();
  });
});
