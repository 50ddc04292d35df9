import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../shared/dates.js';
import {
  deadlinesOf,
  exposureDateOf,
  followUpByDefault,
  pepStillPossible,
  planSchedule,
  testsFor,
  timepointForSample,
  windowsOf,
  type RecordedResult,
} from './schedule.js';

const d = (s: string) => s as IsoDate;
const policy = { toleranceDays: 14 };
const windows = (exposure: string) =>
  Object.fromEntries(windowsOf(d(exposure), policy).map((w) => [w.timepoint, [w.windowStart, w.dueDate, w.windowEnd]]));

describe('BBV-6: the tests of each timepoint', () => {
  it('BBV-6: at 4–6 weeks HBsAg, HCV Ag/PCR and HIV Ag/Ab, whatever the HCV risk', () => {
    expect(testsFor('4-6-weeks', false, [])).toEqual(['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab']);
    expect(testsFor('4-6-weeks', true, [])).toEqual(['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab']);
  });

  it('BBV-6: at 3 months HBsAg, HCV antibody and HIV Ag/Ab; a high HCV risk adds HCV Ag/PCR there only', () => {
    expect(testsFor('3-months', false, [])).toEqual(['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab']);
    expect(testsFor('3-months', true, [])).toEqual(['HBsAg', 'HCV-Ab', 'HCV-Ag-PCR', 'HIV-Ag-Ab']);
    expect(testsFor('6-months', true, [])).not.toContain('HCV-Ag-PCR');
    expect(testsFor('6-months', true, [])).toEqual(testsFor('6-months', false, []));
  });

  it('BBV-6: at 6 months HIV Ag/Ab only when there is no 3-month HIV result; any 3-month HIV result takes it off', () => {
    expect(testsFor('6-months', false, [])).toEqual(['HBsAg', 'HCV-Ab', 'HIV-Ag-Ab']);
    // Other 3-month results, or an HIV result at another timepoint, do not count.
    const others: RecordedResult[] = [
      { timepoint: '3-months', test: 'HBsAg', result: 'negative' },
      { timepoint: '4-6-weeks', test: 'HIV-Ag-Ab', result: 'negative' },
    ];
    expect(testsFor('6-months', false, others)).toContain('HIV-Ag-Ab');
    for (const result of ['negative', 'positive', 'indeterminate'] as const)
      expect(testsFor('6-months', false, [{ timepoint: '3-months', test: 'HIV-Ag-Ab', result }])).toEqual([
        'HBsAg',
        'HCV-Ab',
      ]);
  });
});

describe('BBV-7: the windows', () => {
  it('BBV-7: 4–6 weeks is day 28 to day 42 after the exposure, due on day 28', () => {
    expect(windows('2027-03-01')['4-6-weeks']).toEqual(['2027-03-29', '2027-03-29', '2027-04-12']);
    // Across a clock change the days are still calendar days.
    expect(windows('2026-10-01')['4-6-weeks']).toEqual(['2026-10-29', '2026-10-29', '2026-11-12']);
  });

  it('BBV-7: 3 and 6 months are the same date 3 and 6 calendar months on, with the tolerance either side', () => {
    expect(windows('2027-01-15')).toMatchObject({
      '3-months': ['2027-04-01', '2027-04-15', '2027-04-29'],
      '6-months': ['2027-07-01', '2027-07-15', '2027-07-29'],
    });
    // The tolerance is policy data.
    const narrow = windowsOf(d('2027-01-15'), { toleranceDays: 3 }).find((w) => w.timepoint === '3-months')!;
    expect([narrow.windowStart, narrow.windowEnd]).toEqual(['2027-04-12', '2027-04-18']);
  });

  it('BBV-7: an exposure on 31 January: 3 months clamps to 30 April, 6 months is 31 July', () => {
    expect(windows('2027-01-31')).toMatchObject({
      '3-months': ['2027-04-16', '2027-04-30', '2027-05-14'],
      '6-months': ['2027-07-17', '2027-07-31', '2027-08-14'],
    });
  });

  it('BBV-7: an exposure on 29 February 2028 (leap year): 29 May and 29 August', () => {
    expect(windows('2028-02-29')).toMatchObject({
      '3-months': ['2028-05-15', '2028-05-29', '2028-06-12'],
      '6-months': ['2028-08-15', '2028-08-29', '2028-09-12'],
    });
  });

  it('BBV-7: an exposure on 31 August: 3 months clamps to 30 November, 6 months to 28 February, or 29 in a leap year', () => {
    expect(windows('2026-08-31')).toMatchObject({
      '3-months': ['2026-11-16', '2026-11-30', '2026-12-14'],
      '6-months': ['2027-02-14', '2027-02-28', '2027-03-14'],
    });
    expect(windows('2027-08-31')).toMatchObject({
      '6-months': ['2028-02-15', '2028-02-29', '2028-03-14'],
    });
  });

  it('BBV-7: the schedule counts from the UK date: 23:30 UTC on a summer evening is already the next day', () => {
    expect(exposureDateOf(new Date('2026-07-14T23:30:00Z'))).toBe('2026-07-15');
    // In winter UTC and UK time agree.
    expect(exposureDateOf(new Date('2026-12-14T23:30:00Z'))).toBe('2026-12-14');
  });
});

describe('BBV-1, BBV-3: the deadlines in elapsed hours', () => {
  it('BBV-3: the risk assessment at 1 hour, the PEP alert at 24 hours and the PEP deadline at 72 hours', () => {
    const at = new Date('2026-11-10T14:20:00Z');
    expect(deadlinesOf(at)).toEqual({
      riskAssessmentDueAt: new Date('2026-11-10T15:20:00Z'),
      pepAlertAt: new Date('2026-11-11T14:20:00Z'),
      pepDeadlineAt: new Date('2026-11-13T14:20:00Z'),
    });
  });

  it('BBV-3: the night the clocks go forward (28 March 2027, 01:30 UTC) the deadlines are 24 and 72 elapsed hours, and the UK date is right', () => {
    const at = new Date('2027-03-28T01:30:00Z'); // 02:30 BST, just after the change
    const d1 = deadlinesOf(at);
    expect(d1.pepAlertAt.getTime() - at.getTime()).toBe(24 * 3_600_000);
    expect(d1.pepDeadlineAt.getTime() - at.getTime()).toBe(72 * 3_600_000);
    expect(d1.pepAlertAt).toEqual(new Date('2027-03-29T01:30:00Z'));
    expect(exposureDateOf(at)).toBe('2027-03-28');
    // Just before the change, at 00:30 UTC (00:30 GMT), it is the same UK day.
    expect(exposureDateOf(new Date('2027-03-28T00:30:00Z'))).toBe('2027-03-28');
    // The evening before at 23:30 UTC it is still 27 March in the UK (GMT).
    expect(exposureDateOf(new Date('2027-03-27T23:30:00Z'))).toBe('2027-03-27');
  });

  it('BBV-3: the night the clocks go back (25 October 2026, 00:30 and 01:30 UTC): elapsed hours, and both are 25 October in the UK', () => {
    for (const iso of ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']) {
      const at = new Date(iso);
      const dl = deadlinesOf(at);
      expect(dl.riskAssessmentDueAt.getTime() - at.getTime()).toBe(3_600_000);
      expect(dl.pepAlertAt.getTime() - at.getTime()).toBe(24 * 3_600_000);
      expect(dl.pepDeadlineAt.getTime() - at.getTime()).toBe(72 * 3_600_000);
      expect(exposureDateOf(at)).toBe('2026-10-25');
    }
    // 23:30 UTC on 24 October is 00:30 BST on the 25th.
    expect(exposureDateOf(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25');
  });

  it('BBV-3: PEP can still start at 71:59 after the exposure, and not at 72:01', () => {
    const at = new Date('2026-11-10T14:20:00Z');
    const after = (h: number, m: number) => new Date(at.getTime() + (h * 60 + m) * 60_000);
    expect(pepStillPossible(at, after(0, 0))).toBe(true);
    expect(pepStillPossible(at, after(71, 59))).toBe(true);
    expect(pepStillPossible(at, after(72, 1))).toBe(false);
    // Across the clock change it is still elapsed hours: 72:01 after 01:30 UTC on 25 October.
    const autumn = new Date('2026-10-25T01:30:00Z');
    expect(pepStillPossible(autumn, new Date('2026-10-28T01:29:00Z'))).toBe(true);
    expect(pepStillPossible(autumn, new Date('2026-10-28T01:31:00Z'))).toBe(false);
  });
});

describe('BBV-5: whether follow-up is needed by default', () => {
  it('BBV-5: a bite that did not break the skin needs none; with blood in the mouth it does', () => {
    expect(followUpByDefault({ exposureType: 'bite', skinBroken: false })).toBe(false);
    expect(followUpByDefault({ exposureType: 'bite', skinBroken: false, bloodInMouth: true })).toBe(true);
    expect(followUpByDefault({ exposureType: 'bite', skinBroken: true })).toBe(true);
    // Not known whether the skin was broken: followed up.
    expect(followUpByDefault({ exposureType: 'bite', skinBroken: null })).toBe(true);
  });

  it('BBV-5: spit with saliva needs none; with blood it does; a needlestick always does', () => {
    expect(followUpByDefault({ exposureType: 'spit', bodyFluid: 'saliva' })).toBe(false);
    expect(followUpByDefault({ exposureType: 'spit', bodyFluid: 'blood' })).toBe(true);
    expect(followUpByDefault({ exposureType: 'spit', bodyFluid: 'blood-stained-fluid' })).toBe(true);
    expect(followUpByDefault({ exposureType: 'needlestick' })).toBe(true);
    expect(followUpByDefault({ exposureType: 'needlestick', bodyFluid: 'saliva' })).toBe(true);
  });
});

describe('BBV-6, BBV-7: the schedule on a day', () => {
  // Exposure 15 January 2027: 4–6 weeks 12–26 February; 3 months 1–29 April (15th); 6 months 1–29 July (15th).
  const plan = (today: string, results: RecordedResult[] = [], highRiskHcv = false) =>
    Object.fromEntries(
      planSchedule({ exposureDate: d('2027-01-15'), highRiskHcv, policy, results, today: d(today) }).map((s) => [
        s.timepoint,
        s.status,
      ]),
    );
  const neg = (timepoint: RecordedResult['timepoint'], ...tests: RecordedResult['test'][]): RecordedResult[] =>
    tests.map((test) => ({ timepoint, test, result: 'negative' }));
  const firstAll = neg('4-6-weeks', 'HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab');

  it('BBV-7: before a window opens it is upcoming; from its first day to its last it is due; the day after, overdue', () => {
    expect(plan('2027-02-11')['4-6-weeks']).toBe('upcoming');
    expect(plan('2027-02-12')['4-6-weeks']).toBe('due');
    expect(plan('2027-02-26')['4-6-weeks']).toBe('due');
    expect(plan('2027-02-27')['4-6-weeks']).toBe('overdue');
    expect(plan('2027-02-27')['3-months']).toBe('upcoming');
    expect(plan('2027-04-29')['3-months']).toBe('due');
    expect(plan('2027-04-30')['3-months']).toBe('overdue');
  });

  it('BBV-6: some results in the window is partial; every test negative is complete (before, in or after the window)', () => {
    expect(plan('2027-02-20', neg('4-6-weeks', 'HBsAg'))['4-6-weeks']).toBe('partial');
    expect(plan('2027-02-27', neg('4-6-weeks', 'HBsAg'))['4-6-weeks']).toBe('overdue');
    expect(plan('2027-02-20', firstAll)['4-6-weeks']).toBe('complete');
    expect(plan('2027-06-01', firstAll)['4-6-weeks']).toBe('complete');
    // A high HCV risk asks for one more test at 3 months: without it the timepoint is not complete.
    const threeStandard = neg('3-months', 'HBsAg', 'HCV-Ab', 'HIV-Ag-Ab');
    expect(plan('2027-04-20', threeStandard)['3-months']).toBe('complete');
    expect(plan('2027-04-20', threeStandard, true)['3-months']).toBe('partial');
  });

  it('BBV-9: a positive or indeterminate result needs review, whatever the day; the latest result of a test counts', () => {
    const positive: RecordedResult[] = [{ timepoint: '4-6-weeks', test: 'HIV-Ag-Ab', result: 'positive' }];
    expect(plan('2027-02-20', positive)['4-6-weeks']).toBe('needs-review');
    expect(plan('2027-09-01', positive)['4-6-weeks']).toBe('needs-review');
    expect(plan('2027-02-20', [{ timepoint: '4-6-weeks', test: 'HBsAg', result: 'indeterminate' }])['4-6-weeks']).toBe(
      'needs-review',
    );
    // A repeat test that came back negative replaces the indeterminate one.
    expect(
      plan('2027-02-20', [{ timepoint: '4-6-weeks', test: 'HBsAg', result: 'indeterminate' }, ...firstAll])[
        '4-6-weeks'
      ],
    ).toBe('complete');
  });

  it('BBV-6: a 3-month HIV result takes HIV off the 6-month tests in the schedule', () => {
    const items = (results: RecordedResult[]) =>
      planSchedule({ exposureDate: d('2027-01-15'), highRiskHcv: false, policy, results, today: d('2027-04-20') });
    expect(items([]).find((s) => s.timepoint === '6-months')!.tests).toContain('HIV-Ag-Ab');
    expect(items(neg('3-months', 'HIV-Ag-Ab')).find((s) => s.timepoint === '6-months')!.tests).toEqual([
      'HBsAg',
      'HCV-Ab',
    ]);
  });
});

describe('BBV-7: the timepoint a laboratory sample belongs to', () => {
  const schedule = (today: string, results: RecordedResult[] = []) =>
    planSchedule({ exposureDate: d('2027-01-15'), highRiskHcv: false, policy, results, today: d(today) });

  it('BBV-7: a sample in a window counts for that window', () => {
    expect(timepointForSample(schedule('2027-02-15'), d('2027-02-12'))).toBe('4-6-weeks');
    expect(timepointForSample(schedule('2027-02-26'), d('2027-02-26'))).toBe('4-6-weeks');
    expect(timepointForSample(schedule('2027-04-01'), d('2027-04-01'))).toBe('3-months');
    expect(timepointForSample(schedule('2027-07-29'), d('2027-07-29'))).toBe('6-months');
  });

  it('BBV-7: a late sample counts for the timepoint it missed; once that one is complete, a sample between windows counts for none', () => {
    expect(timepointForSample(schedule('2027-03-10'), d('2027-03-10'))).toBe('4-6-weeks');
    const done = schedule('2027-03-10', [
      { timepoint: '4-6-weeks', test: 'HBsAg', result: 'negative' },
      { timepoint: '4-6-weeks', test: 'HCV-Ag-PCR', result: 'negative' },
      { timepoint: '4-6-weeks', test: 'HIV-Ag-Ab', result: 'negative' },
    ]);
    expect(timepointForSample(done, d('2027-03-10'))).toBeNull();
    // After the 3-month window, the 3-month tests were missed.
    expect(timepointForSample(done, d('2027-05-10'))).toBe('3-months');
  });

  it('BBV-8: a sample before any window opens (a baseline) counts for no timepoint', () => {
    expect(timepointForSample(schedule('2027-01-15'), d('2027-01-15'))).toBeNull();
    expect(timepointForSample(schedule('2027-02-11'), d('2027-02-11'))).toBeNull();
  });
});
