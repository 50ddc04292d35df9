import { describe, expect, it } from 'vitest';
import { addDays } from '../shared/dates.js';
import {
  decide,
  decideSupply,
  earliestReleaseDate,
  newConsent,
  receiveReport,
  recordApplication,
  recordSeen,
  requestCorrection,
  supply,
  type Transition,
  type When,
} from './consent-rules.js';
import type { Consent, ConsentPeriods } from './consent-types.js';
import { releaseMessage, releaseWords } from './release-message.js';

const periods: ConsentPeriods = { amraAccessDays: 21, reportRetentionMonths: 6, ohReviewWorkingDays: 2 };
const day = (n: number): When => {
  const today = addDays('2026-12-01', n);
  return { today, now: `${today}T10:00:00.000Z` };
};
const ok = (t: Transition): Consent => {
  if (!t.ok) throw new Error(`expected the change to be allowed, got ${t.code}`);
  return t.consent;
};

function ohReport(wishesToSeeReport: boolean): Consent {
  const requested = newConsent(
    {
      id: 'c1',
      organisationId: 'o1',
      personId: 'p1',
      kind: 'oh-report-release',
      recipient: { type: 'employer', role: 'line-manager' },
      purpose: 'employment',
      description: 'Return to full duties',
      dataCategories: ['oh-report'],
      periodStart: null,
      periodEnd: null,
      doctor: null,
      noticeBy: 'letter',
      createdByUserId: null,
    },
    day(0),
  );
  return ok(
    decide(
      requested,
      { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport },
      day(0),
    ),
  );
}
const received = (c: Consent) =>
  ok(
    receiveReport(
      c,
      { text: 'Fit for full duties.', receivedOn: '2026-12-07', withheldParts: [] },
      '2026-12-09',
      day(6),
    ),
  );
/** The message for the consent as it stands on day n. */
const message = (c: Consent, n: number) => releaseMessage(c, earliestReleaseDate(c, periods), day(n).today);

describe('the release message (issue 15 §5): one thing, whatever the state', () => {
  it('when nothing is decided or no report has come, or it is a sharing consent, then there is no message', () => {
    const given = ohReport(true);
    expect(message(given, 1)).toBeNull();
    expect(message({ ...given, status: 'requested', decision: null }, 1)).toBeNull();
    expect(message({ ...given, kind: 'nhs-sharing' }, 1)).toBeNull();
  });

  it('when the person asked to see the report and has not read it, then it names the day it may go, and once that day comes it may go now', () => {
    const waiting = received(ohReport(true));
    expect(message(waiting, 6)).toEqual({ state: 'releaseOn', date: '2026-12-10' });
    expect(message(waiting, 9)).toEqual({ state: 'releaseNow', date: null });
  });

  it('when they have read it, then it waits for their decision, with no date at all', () => {
    const seen = ok(recordSeen(received(ohReport(true)), day(7)));
    expect(message(seen, 7)).toEqual({ state: 'waitingForDecision', date: null });
    expect(message(seen, 30)).toEqual({ state: 'waitingForDecision', date: null });
  });

  it('when a correction waits for an answer, then that is what holds it', () => {
    const seen = ok(recordSeen(received(ohReport(true)), day(7)));
    const asked = ok(requestCorrection(seen, 'My role is wrong.', day(7)));
    expect(message(asked, 7)).toEqual({ state: 'correctionOpen', date: null });
  });

  it('when they did not ask to see it, then it may go now', () => {
    expect(message(received(ohReport(false)), 6)).toEqual({ state: 'notAskedToSee', date: null });
  });

  it('when it has gone, or they refused it, then it says so', () => {
    const seen = ok(recordSeen(received(ohReport(true)), day(7)));
    expect(message(ok(decideSupply(seen, true, periods, day(8))), 8)).toEqual({
      state: 'released',
      date: '2026-12-09',
    });
    expect(message(ok(decideSupply(seen, false, periods, day(8))), 8)).toEqual({ state: 'withheld', date: null });
    expect(message(ok(supply(received(ohReport(false)), periods, day(6), 'not-asked-to-see')), 6)?.state).toBe(
      'released',
    );
  });

  it('when an AMRA report has been applied for but not received, then there is no message yet; received and not read, it names the 21st day', () => {
    const amra = { ...ohReport(true), kind: 'amra-report' as const, doctor: { name: 'Dr A', practice: null } };
    const applied = ok(recordApplication(amra, '2026-12-02', day(1)));
    expect(message(applied, 2)).toBeNull();
    const report = ok(
      receiveReport(applied, { text: 'Fit.', receivedOn: '2026-12-10', withheldParts: [] }, null, day(9)),
    );
    expect(message(report, 9)).toEqual({ state: 'releaseOn', date: '2026-12-23' });
  });

  it('gives the locale key and the date in the reader’s words', () => {
    expect(releaseWords({ state: 'releaseOn', date: '2026-12-10' }, (d) => `on ${d}`)).toEqual({
      key: 'consents.release.releaseOn',
      values: { date: 'on 2026-12-10' },
    });
    expect(releaseWords({ state: 'withheld', date: null }, String)).toEqual({
      key: 'consents.release.withheld',
      values: {},
    });
  });
});
