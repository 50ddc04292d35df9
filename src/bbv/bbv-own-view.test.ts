import { describe, expect, it } from 'vitest';
import { nextTestOf, ownSchedule } from './bbv-own-view.js';
import type { IsoDate } from '../shared/dates.js';
import { planSchedule } from './schedule.js';

const plan = (today: IsoDate, results: Parameters<typeof planSchedule>[0]['results'] = []) =>
  planSchedule({ exposureDate: '2026-11-20', highRiskHcv: false, policy: { toleranceDays: 14 }, results, today });

describe('the officer’s own schedule (issue 16 §8)', () => {
  it('never carries a result, and a result that needs a clinician shows as done', () => {
    const schedule = plan('2026-12-20', [
      { timepoint: '4-6-weeks', test: 'HBsAg', result: 'positive' },
      { timepoint: '4-6-weeks', test: 'HCV-Ag-PCR', result: 'negative' },
      { timepoint: '4-6-weeks', test: 'HIV-Ag-Ab', result: 'negative' },
    ]);
    expect(schedule[0]!.status).toBe('needs-review');
    const own = ownSchedule(schedule);
    expect(own[0]!.status).toBe('complete');
    expect(own.every((s) => !('results' in s))).toBe(true);
  });

  it('the next test is the one open now, else the next to come; none once all are done or missed', () => {
    expect(nextTestOf(plan('2026-11-22'))).toMatchObject({ timepoint: '4-6-weeks', status: 'upcoming' });
    expect(nextTestOf(plan('2026-12-20'))).toMatchObject({ timepoint: '4-6-weeks', status: 'due' });
    // The 4–6 week window closed without a sample: the 3-month test is next.
    expect(nextTestOf(plan('2027-01-10'))).toMatchObject({ timepoint: '3-months', status: 'upcoming' });
    expect(nextTestOf(plan('2027-12-01'))).toBeNull();
  });
});
