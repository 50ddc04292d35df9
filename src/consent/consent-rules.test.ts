import { describe, expect, it } from 'vitest';
import { addDays, type IsoDate } from '../shared/dates.js';
import {
  answerCorrection,
  attachStatement,
  decide,
  decideSupply,
  earliestReleaseDate,
  fromLetter,
  letterRefusal,
  newConsent,
  personMayReadReport,
  receiveReport,
  recordApplication,
  recordSeen,
  requestAccess,
  requestCorrection,
  requestRetainedCopy,
  sharingInForce,
  supply,
  withdraw,
  type Transition,
  type When,
  type ReportInput,
} from './consent-rules.js';
import type { Consent, ConsentPeriods, WithdrawalStatement } from './consent-types.js';

const periods: ConsentPeriods = { amraAccessDays: 21, reportRetentionMonths: 6, ohReviewWorkingDays: 2 };
/** A fixed clock: day n after 1 December 2026. */
const day = (n: number): When => {
  const today = addDays('2026-12-01', n);
  return { today, now: `${today}T10:00:00.000Z` };
};

function buildConsent(overrides: Partial<Consent> = {}): Consent {
  const requested = newConsent(
    {
      id: 'c1',
      organisationId: 'o1',
      personId: 'p1',
      kind: 'amra-report',
      recipient: { type: 'employer', role: 'hr-manager' },
      purpose: 'employment',
      description: 'Fitness for firearms duties',
      dataCategories: ['medical-report'],
      periodStart: null,
      periodEnd: null,
      doctor: { name: 'Dr A Example', practice: 'Westshire Surgery' },
      noticeBy: 'letter',
      createdByUserId: null,
    },
    { today: '2026-12-01', now: '2026-12-01T09:00:00.000Z' },
  );
  return { ...requested, ...overrides };
}

/** Applies a transition that must succeed. */
function ok(t: Transition): Consent {
  if (!t.ok) throw new Error(`expected the change to be allowed, got ${t.code}`);
  return t.consent;
}
const codeOf = (t: Transition) => (t.ok ? 'allowed' : t.code);

const give = (c: Consent, wishesToSeeReport: boolean, when = day(0)) =>
  ok(
    decide(
      c,
      { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport },
      when,
    ),
  );
const report: ReportInput = {
  text: 'Fit for firearms duties with no restrictions.',
  receivedOn: '2026-12-10',
  withheldParts: [],
};

describe('AMRA medical report (domain brief §5a)', () => {
  it('when no consent has been given, then the application is refused with a code (AMRA-1)', () => {
    expect(codeOf(recordApplication(buildConsent(), '2026-12-02', day(1)))).toBe('consent-not-given');
    const refused = ok(
      decide(
        buildConsent(),
        { decision: 'refused', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
        day(0),
      ),
    );
    expect(refused.status).toBe('refused');
    expect(codeOf(recordApplication(refused, '2026-12-02', day(1)))).toBe('consent-refused');
  });

  it('when consent is given, then it must say whether the person wishes to see the report, paper consent needs its reference, and the application cannot predate it (AMRA-1, AMRA-3)', () => {
    expect(
      codeOf(
        decide(
          buildConsent(),
          { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
          day(0),
        ),
      ),
    ).toBe('wish-to-see-required');
    expect(
      codeOf(
        decide(
          buildConsent(),
          { decision: 'given', method: 'paper', witness: null, documentReference: null, wishesToSeeReport: true },
          day(0),
        ),
      ),
    ).toBe('document-reference-required');
    const given = give(buildConsent(), true, day(3));
    expect(codeOf(recordApplication(given, '2026-12-02', day(3)))).toBe('application-before-consent');
    const applied = recordApplication(given, '2026-12-04', day(3));
    expect(applied.ok && applied.event.details).toMatchObject({ doctorToldPersonWishesToSee: true });
    expect(
      codeOf(
        decide(
          given,
          { decision: 'refused', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
          day(4),
        ),
      ),
    ).toBe('consent-already-decided');
  });

  it('when an AMRA decision is verbal, then it is refused whether given or refused, even with a witness: it must be in writing (AMRA-1, s.9)', () => {
    for (const decision of ['given', 'refused'] as const) {
      const t = decide(
        buildConsent(),
        { decision, method: 'verbal', witness: 'Nurse J Jones', documentReference: null, wishesToSeeReport: true },
        day(0),
      );
      expect(codeOf(t)).toBe('verbal-not-allowed');
    }
    const onPaper = decide(
      buildConsent(),
      { decision: 'given', method: 'paper', witness: null, documentReference: 'SCAN-7', wishesToSeeReport: true },
      day(0),
    );
    expect(ok(onPaper).decision).toMatchObject({ method: 'paper', documentReference: 'SCAN-7' });
  });

  it('when the person asked to see the report and has not, then release is blocked before day 21 and allowed on day 21 with no contact (AMRA-4)', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const received = ok(receiveReport(applied, report, null, day(9)));
    expect(earliestReleaseDate(received, periods)).toBe('2026-12-23');
    expect(codeOf(supply(received, periods, day(21), 'period-ended'))).toBe('before-earliest-release-date');
    const supplied = ok(supply(received, periods, day(22), 'period-ended'));
    expect(supplied).toMatchObject({ status: 'supplied', suppliedOn: '2026-12-23', retainUntil: '2027-06-23' });
  });

  it('when the application is recorded late, then the 21 days run from the day it was recorded (the person is told then, AMRA-3); a future date is refused', () => {
    const given = give(buildConsent(), true);
    expect(codeOf(recordApplication(given, '2026-12-05', day(1)))).toBe('application-in-future');
    const late = ok(recordApplication(given, '2026-12-02', day(9)));
    expect(late).toMatchObject({ applicationDate: '2026-12-02', applicationRecordedOn: '2026-12-10' });
    expect(earliestReleaseDate(late, periods)).toBe('2026-12-31');
  });

  it('when consent is withdrawn after the report arrived, then the person can still read it for 6 months', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const withdrawn = ok(
      withdraw(ok(receiveReport(applied, report, null, day(9))), { cancelled: [], alreadySent: [] }, day(10), periods),
    );
    expect(withdrawn.retainUntil).toBe('2027-06-11');
    expect(personMayReadReport(withdrawn, '2027-06-11')).toBe(true);
  });

  it('when the person did not ask to see it, then the report may be supplied as soon as it arrives', () => {
    const applied = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(1)));
    const received = ok(receiveReport(applied, report, null, day(9)));
    expect(earliestReleaseDate(received, periods)).toBe('2026-12-02');
    expect(ok(supply(received, periods, day(9), 'not-asked-to-see')).status).toBe('supplied');
  });

  it('when the person asks to see it only after the application, then the 21 days run from that request (AMRA-4)', () => {
    const applied = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(1)));
    const asked = ok(requestAccess(applied, day(10)));
    expect(asked).toMatchObject({ wishesToSeeReport: true, accessRequestedOn: '2026-12-11' });
    const received = ok(receiveReport(asked, report, null, day(12)));
    expect(earliestReleaseDate(received, periods)).toBe('2027-01-01');
    expect(codeOf(supply(received, periods, day(22), 'period-ended'))).toBe('before-earliest-release-date');
    expect(ok(supply(received, periods, day(31), 'period-ended')).status).toBe('supplied');
  });

  it('when the person arranges access within the 21 days, then the report waits for them to see it and agree, and agreeing supplies it (AMRA-4)', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const arranged = ok(requestAccess(applied, day(5)));
    const received = ok(receiveReport(arranged, report, null, day(9)));
    expect(earliestReleaseDate(received, periods)).toBeNull();
    expect(codeOf(supply(received, periods, day(40), 'period-ended'))).toBe('report-held-for-person');
    expect(codeOf(decideSupply(received, true, periods, day(10)))).toBe('report-not-seen');
    const seen = ok(recordSeen(received, day(10)));
    expect(ok(decideSupply(seen, true, periods, day(11)))).toMatchObject({
      status: 'supplied',
      suppliedOn: '2026-12-12',
    });
  });

  it('when the person refuses supply after seeing the report, then it can never be supplied (AMRA-5)', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const seen = ok(recordSeen(ok(receiveReport(applied, report, null, day(9))), day(10)));
    const withheld = ok(decideSupply(seen, false, periods, day(11)));
    expect(withheld.status).toBe('withheld');
    expect(codeOf(supply(withheld, periods, day(60), 'period-ended'))).toBe('report-withheld');
    expect(codeOf(decideSupply(withheld, true, periods, day(12)))).toBe('report-withheld');
    expect(codeOf(withdraw(withheld, { cancelled: [], alreadySent: [] }, day(12)))).toBe('report-withheld');
  });

  it('when a correction is declined, then the person may attach a statement, and both travel with the report (AMRA-5)', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const seen = ok(recordSeen(ok(receiveReport(applied, report, null, day(9))), day(10)));
    expect(codeOf(attachStatement(seen, 'I disagree', day(10)))).toBe('no-declined-correction');
    const asked = ok(requestCorrection(seen, 'The report says I was off for six months; it was six weeks.', day(10)));
    // An unanswered correction holds the report.
    expect(codeOf(decideSupply(asked, true, periods, day(11)))).toBe('correction-open');
    const declined = ok(
      answerCorrection(
        asked,
        1,
        { response: 'declined', amendedText: null, note: 'The records show six months.' },
        day(12),
      ),
    );
    expect(codeOf(answerCorrection(declined, 1, { response: 'amended', amendedText: 'x', note: null }, day(12)))).toBe(
      'correction-already-answered',
    );
    const withStatement = ok(attachStatement(declined, 'My absence was six weeks; see my fit notes.', day(13)));
    const supplied = ok(decideSupply(withStatement, true, periods, day(14)));
    expect(supplied.corrections).toEqual([expect.objectContaining({ number: 1, response: 'declined' })]);
    expect(supplied.statement?.text).toBe('My absence was six weeks; see my fit notes.');
  });

  it('when a correction is accepted, then the report text is amended', () => {
    const applied = ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1)));
    const seen = ok(recordSeen(ok(receiveReport(applied, report, null, day(9))), day(10)));
    const amended = ok(
      answerCorrection(
        ok(requestCorrection(seen, 'Wrong date', day(10))),
        1,
        { response: 'amended', amendedText: 'Corrected text', note: null },
        day(11),
      ),
    );
    expect(amended.report).toMatchObject({ text: 'Corrected text', amendedAt: day(11).now });
  });

  it('when the report is supplied, then the person can read it for 6 months and not after (AMRA-6)', () => {
    const applied = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(1)));
    const supplied = ok(supply(ok(receiveReport(applied, report, null, day(9))), periods, day(9), 'not-asked-to-see'));
    expect(supplied.retainUntil).toBe('2027-06-10');
    expect(personMayReadReport(supplied, '2027-06-10')).toBe(true);
    expect(personMayReadReport(supplied, '2027-06-11')).toBe(false);
  });

  it('when the doctor withholds parts, then the grounds are recorded; withheld parts are a treating doctor’s only (AMRA-7)', () => {
    const applied = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(1)));
    const t = receiveReport(
      applied,
      { ...report, withheldParts: [{ ground: 'third-party', note: 'Information about a family member' }] },
      null,
      day(9),
    );
    expect(ok(t).report?.withheldParts).toEqual([{ ground: 'third-party', note: 'Information about a family member' }]);
    expect(t.ok && t.event.details).toMatchObject({ withheldParts: ['third-party'] });
    const oh = give(buildConsent({ kind: 'oh-report-release', doctor: null, dataCategories: ['oh-report'] }), true);
    expect(
      codeOf(
        receiveReport(oh, { ...report, withheldParts: [{ ground: 'serious-harm', note: null }] }, '2026-12-14', day(9)),
      ),
    ).toBe('withheld-parts-amra-only');
  });

  it('when the report arrives before the application is recorded, or consent is withdrawn before supply, then the rules refuse or stop it', () => {
    const given = give(buildConsent(), true);
    expect(codeOf(receiveReport(given, report, null, day(2)))).toBe('application-not-made');
    const withdrawn = ok(withdraw(given, { cancelled: [], alreadySent: [] }, day(2)));
    expect(codeOf(recordApplication(withdrawn, '2026-12-03', day(2)))).toBe('consent-withdrawn');
    expect(codeOf(withdraw(buildConsent(), { cancelled: [], alreadySent: [] }, day(2)))).toBe('consent-not-given');
  });
});

describe('letters from the person, recorded by OH (AMRA-4, AMRA-5, AMRA-6)', () => {
  const letter = (action: Parameters<typeof letterRefusal>[1]['action'], receivedOn: IsoDate) => ({
    action,
    receivedOn,
    documentReference: 'LTR-1',
  });
  const received = () =>
    ok(receiveReport(ok(recordApplication(give(buildConsent(), true), '2026-12-02', day(1))), report, null, day(9)));

  it('when a letter is dated in the future or before the step it answers, then it is refused with the date’s code', () => {
    const c = received();
    expect(codeOf(letterRefusal(c, letter('seen-report', '2026-12-12'), day(10).today)!)).toBe('letter-date-in-future');
    expect(codeOf(letterRefusal(c, letter('seen-report', '2026-12-09'), day(10).today)!)).toBe('letter-before-step');
    expect(codeOf(letterRefusal(c, letter('access-request', '2026-11-30'), day(10).today)!)).toBe('letter-before-step');
    expect(letterRefusal(c, letter('access-request', '2026-12-01'), day(10).today)).toBeNull();
    expect(letterRefusal(c, letter('correction', '2026-12-10'), day(10).today)).toBeNull();
    const declined = ok(
      answerCorrection(
        ok(requestCorrection(ok(recordSeen(c, day(10))), 'Wrong', day(10))),
        1,
        { response: 'declined', amendedText: null, note: null },
        day(14),
      ),
    );
    // An AMRA statement answers the declined correction (AMRA-5).
    expect(codeOf(letterRefusal(declined, letter('statement', '2026-12-14'), day(15).today)!)).toBe(
      'letter-before-step',
    );
    expect(letterRefusal(declined, letter('statement', '2026-12-15'), day(15).today)).toBeNull();
  });

  it('when a letter asking to see the report after the application is recorded late, then the 21 days run from the day it was received, never before the application was recorded (AMRA-4)', () => {
    const applied = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(1)));
    const asked = ok(requestAccess(applied, day(12), null, '2026-12-05'));
    expect(asked).toMatchObject({ wishesToSeeReport: true, accessRequestedOn: '2026-12-05' });
    expect(earliestReleaseDate(asked, periods)).toBe('2026-12-26');
    const lateApplication = ok(recordApplication(give(buildConsent(), false), '2026-12-02', day(9)));
    expect(ok(requestAccess(lateApplication, day(12), null, '2026-12-05')).accessRequestedOn).toBe('2026-12-10');
  });

  it('when the person’s agreement to supply is recorded from a letter, then it is dated the day received and the report goes today, kept 6 months from today (AMRA-4, AMRA-6)', () => {
    const seen = ok(recordSeen(received(), day(12), '2026-12-10'));
    expect(seen.accessArrangedOn).toBe('2026-12-10');
    const supplied = ok(decideSupply(seen, true, periods, day(14), '2026-12-11'));
    expect(supplied).toMatchObject({
      status: 'supplied',
      supplyAgreedOn: '2026-12-11',
      suppliedOn: '2026-12-15',
      retainUntil: '2027-06-15',
    });
  });

  it('when the person asks by letter for the report after supply, then it is recorded within the 6 months and refused after (AMRA-6)', () => {
    const supplied = ok(decideSupply(ok(recordSeen(received(), day(10))), true, periods, day(10)));
    expect(supplied.retainUntil).toBe('2027-06-11');
    const asked = requestRetainedCopy(supplied, '2027-06-11', day(200));
    expect(asked.ok && asked.event.type).toBe('copy-requested');
    expect(codeOf(requestRetainedCopy(supplied, '2027-06-12', day(200)))).toBe('report-no-longer-held');
  });

  it('when a step is recorded from a letter, then its history entry says so, with the day received and the reference', () => {
    const t = fromLetter(recordSeen(received(), day(10)), letter('seen-report', '2026-12-10'));
    expect(t.ok && t.event).toEqual({
      type: 'seen',
      details: { recordedOnBehalf: true, receivedOn: '2026-12-10', documentReference: 'LTR-1' },
    });
  });
});

describe('withdrawal recorded by OH (§5c)', () => {
  const given = () =>
    give(buildConsent({ kind: 'oh-report-release', doctor: null, dataCategories: ['oh-report'] }), true, day(2));
  const none = { cancelled: [], alreadySent: [] };

  it('when OH records a withdrawal, then it needs a real day, not before the consent, and a written one its reference', () => {
    const said: WithdrawalStatement = { method: 'written', saidOn: '2026-12-04', documentReference: null };
    expect(codeOf(withdraw(given(), none, day(4), periods, said))).toBe('document-reference-required');
    const ref = { ...said, documentReference: 'LTR-9' };
    expect(codeOf(withdraw(given(), none, day(4), periods, { ...ref, saidOn: '2026-12-06' }))).toBe(
      'withdrawal-date-in-future',
    );
    expect(codeOf(withdraw(given(), none, day(4), periods, { ...ref, saidOn: '2026-12-02' }))).toBe(
      'withdrawal-before-consent',
    );
    const byPhone = withdraw(given(), none, day(4), periods, {
      method: 'phone',
      saidOn: '2026-12-04',
      documentReference: null,
    });
    expect(byPhone.ok && byPhone.event.details).toMatchObject({ method: 'phone', saidOn: '2026-12-04' });
  });
});

describe('OH report release (domain brief §5b)', () => {
  const oh = () =>
    give(
      buildConsent({
        kind: 'oh-report-release',
        doctor: null,
        dataCategories: ['oh-report'],
        recipient: { type: 'employer', role: 'line-manager' },
      }),
      true,
    );

  it('when the person wishes to review the report, then release is blocked during the review period and allowed after it', () => {
    const ready = ok(receiveReport(oh(), report, '2026-12-14', day(9)));
    expect(ready.reviewUntil).toBe('2026-12-14');
    // The last day of the review is the person's: release from the day after.
    expect(earliestReleaseDate(ready, periods)).toBe('2026-12-15');
    expect(codeOf(supply(ready, periods, day(13), 'period-ended'))).toBe('before-earliest-release-date');
    expect(ok(supply(ready, periods, day(14), 'period-ended')).status).toBe('supplied');
  });

  it('when the person asks to see an OH report only after it was written, then it gets its review period from the request', () => {
    const notAsked = give(
      buildConsent({ kind: 'oh-report-release', doctor: null, dataCategories: ['oh-report'] }),
      false,
    );
    const ready = ok(receiveReport(notAsked, report, '2026-12-14', day(9)));
    expect(earliestReleaseDate(ready, periods)).toBe('2026-12-10');
    const asked = ok(requestAccess(ready, day(10), '2026-12-15'));
    expect(earliestReleaseDate(asked, periods)).toBe('2026-12-16');
  });

  it('when the report is dated in the future or before the consent, then it is refused', () => {
    expect(codeOf(receiveReport(oh(), { ...report, receivedOn: '2026-12-11' }, null, day(9)))).toBe(
      'report-date-in-future',
    );
    expect(codeOf(receiveReport(oh(), { ...report, receivedOn: '2026-11-30' }, null, day(9)))).toBe(
      'report-before-consent',
    );
  });

  it('when the person reads it, asks for a correction and refuses release, then it is withheld for good (AMRA-8)', () => {
    const seen = ok(recordSeen(ok(receiveReport(oh(), report, '2026-12-14', day(9))), day(10)));
    const corrected = ok(requestCorrection(seen, 'I work days, not nights.', day(10)));
    const refused = ok(decideSupply(corrected, false, periods, day(10)));
    expect(refused).toMatchObject({
      status: 'withheld',
      corrections: [expect.objectContaining({ text: 'I work days, not nights.' })],
    });
    expect(codeOf(supply(refused, periods, day(30), 'period-ended'))).toBe('report-withheld');
  });

  it('when the person has read it but not decided, then it waits for them even after the review period', () => {
    const seen = ok(recordSeen(ok(receiveReport(oh(), report, '2026-12-14', day(9))), day(10)));
    expect(codeOf(supply(seen, periods, day(20), 'period-ended'))).toBe('report-held-for-person');
  });

  it('when an OH report decision is verbal, then it needs a witness and is recorded with one (§5b)', () => {
    const fresh = buildConsent({ kind: 'oh-report-release', doctor: null, dataCategories: ['oh-report'] });
    const verbal = {
      decision: 'given' as const,
      method: 'verbal' as const,
      documentReference: null,
      wishesToSeeReport: true,
    };
    expect(codeOf(decide(fresh, { ...verbal, witness: null }, day(0)))).toBe('witness-required');
    expect(ok(decide(fresh, { ...verbal, witness: 'Nurse J Jones' }, day(0))).decision?.witness).toBe('Nurse J Jones');
  });

  it('when an OH report consent has no application, then recording one is refused', () => {
    expect(codeOf(recordApplication(oh(), '2026-12-02', day(1)))).toBe('not-amra');
  });
});

describe('consent to share with an NHS partner (domain brief §5c)', () => {
  const sharing = () =>
    buildConsent({
      kind: 'nhs-sharing',
      doctor: null,
      recipient: { type: 'nhs-partner', organisationId: 'nhs1', name: 'Westshire Health Board', odsCode: '7A9' },
      purpose: 'treatment',
      dataCategories: ['demographics', 'referral-details'],
      periodStart: '2026-12-01',
      periodEnd: '2027-05-31',
    });

  it('when given and then withdrawn, then the withdrawal records what was stopped; withdrawing twice is refused', () => {
    const given = ok(
      decide(
        sharing(),
        { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
        day(0),
      ),
    );
    expect(given.wishesToSeeReport).toBeNull();
    const outcome = {
      cancelled: [{ id: 'r1', description: 'Referral to NHS physiotherapy', at: day(0).now }],
      alreadySent: [],
    };
    const withdrawn = withdraw(given, outcome, day(3));
    expect(withdrawn.ok && withdrawn.consent).toMatchObject({
      status: 'withdrawn',
      withdrawal: outcome,
      closedOn: '2026-12-04',
    });
    expect(codeOf(withdraw(ok(withdrawn), outcome, day(4)))).toBe('consent-withdrawn');
  });

  it('when the period asked for starts before the decision, then the consent is in force only from the day it was given', () => {
    const backdated = buildConsent({
      kind: 'nhs-sharing',
      doctor: null,
      recipient: { type: 'nhs-partner', organisationId: 'nhs1', name: 'Westshire Health Board', odsCode: '7A9' },
      purpose: 'treatment',
      dataCategories: ['demographics'],
      periodStart: '2026-06-04',
      periodEnd: null,
    });
    const given = ok(
      decide(
        backdated,
        { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
        day(0),
      ),
    );
    expect(sharingInForce(given, '2026-09-02')).toBe(false);
    expect(sharingInForce(given, '2026-11-30')).toBe(false);
    expect(sharingInForce(given, '2026-12-01')).toBe(true);
  });

  it('when sharing consent has a report action applied to it, then it is refused', () => {
    const given = ok(
      decide(
        sharing(),
        { decision: 'given', method: 'platform', witness: null, documentReference: null, wishesToSeeReport: null },
        day(0),
      ),
    );
    expect(codeOf(requestAccess(given, day(1)))).toBe('not-a-report-consent');
    expect(codeOf(supply(given, periods, day(1), 'agreed'))).toBe('not-a-report-consent');
  });
});
