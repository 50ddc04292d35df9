import { addDays, addMonths, londonDay, type IsoDate } from '../shared/dates.js';
import type {
  Consent,
  ConsentDecision,
  ConsentPeriods,
  ConsentStatus,
  DecisionMethod,
  LetterReceived,
  OnBehalfAction,
  WithheldPart,
  WithdrawalOutcome,
  WithdrawalStatement,
} from './consent-types.js';

/**
 * The consent state machines, in pure code (domain brief §5). Each change takes the consent,
 * what happened and when, and returns the changed consent with the event for its history,
 * or a refusal with a stable code. Nothing here reads a clock: `when` is given.
 *
 *   amra-report        requested → given | refused (AMRA-1, AMRA-8) → applied (AMRA-3)
 *                      → report-received → supplied | withheld (AMRA-4, AMRA-5); withdrawn before supply
 *   oh-report-release  requested → given | refused → report-received (review period, §5b)
 *                      → supplied | withheld; withdrawn before release
 *   nhs-sharing        requested → given | refused → withdrawn (§5c); the period limits it by date
 */
export const RULE_CODES = [
  'consent-already-decided',
  'consent-not-given',
  'consent-refused',
  'consent-withdrawn',
  'consent-closed',
  'not-amra',
  'not-a-report-consent',
  'application-before-consent',
  'application-in-future',
  'report-date-in-future',
  'report-before-consent',
  'application-not-made',
  'report-not-received',
  'report-already-received',
  'report-not-seen',
  'report-held-for-person',
  'before-earliest-release-date',
  'report-supplied',
  'report-withheld',
  'correction-not-found',
  'correction-already-answered',
  'correction-open',
  'no-declined-correction',
  'statement-already-attached',
  'witness-required',
  'document-reference-required',
  'wish-to-see-required',
  'withheld-parts-amra-only',
  'verbal-not-allowed',
  'letter-date-in-future',
  'letter-before-step',
  'report-no-longer-held',
  'withdrawal-date-in-future',
  'withdrawal-before-consent',
] as const;
export type RuleCode = (typeof RULE_CODES)[number];

export interface When {
  /** The instant (ISO 8601). */
  now: string;
  /** The UK calendar day it falls on. */
  today: IsoDate;
}

export type RuleEvent = { type: string; details: Record<string, unknown> | null };
export type Transition =
  { ok: true; consent: Consent; event: RuleEvent } | { ok: false; code: RuleCode; message: string };

/** What a new consent request names; everything else starts empty. */
export type ConsentRequestFields = Pick<
  Consent,
  | 'id'
  | 'organisationId'
  | 'personId'
  | 'kind'
  | 'recipient'
  | 'purpose'
  | 'description'
  | 'dataCategories'
  | 'periodStart'
  | 'periodEnd'
  | 'doctor'
  | 'noticeBy'
  | 'createdByUserId'
>;

/** A consent as first requested (AMRA-1: the written notice goes the day it is made). */
export function newConsent(fields: ConsentRequestFields, when: When): Consent {
  return {
    ...fields,
    status: 'requested',
    notifiedOn: when.today,
    decision: null,
    wishesToSeeReport: null,
    applicationDate: null,
    applicationRecordedOn: null,
    accessRequestedOn: null,
    accessArrangedOn: null,
    seenAt: null,
    reviewUntil: null,
    report: null,
    corrections: [],
    statement: null,
    supplyAgreedOn: null,
    suppliedOn: null,
    retainUntil: null,
    closedOn: null,
    withdrawal: null,
    createdAt: when.now,
    updatedAt: when.now,
    version: 1,
  };
}

const refuse = (code: RuleCode, message: string): Transition => ({ ok: false, code, message });
const change = (
  consent: Consent,
  patch: Partial<Consent>,
  when: When,
  type: string,
  details: Record<string, unknown> | null = null,
): Transition => ({
  ok: true,
  consent: { ...consent, ...patch, updatedAt: when.now },
  event: { type, details },
});

const isReport = (c: Consent) => c.kind === 'amra-report' || c.kind === 'oh-report-release';
const later = (a: IsoDate, b: IsoDate): IsoDate => (a > b ? a : b);

/** Why a consent that is past its decision cannot change further, if it cannot. */
function closedReason(status: ConsentStatus): Transition | null {
  switch (status) {
    case 'refused':
      return refuse(
        'consent-refused',
        'Consent was refused; nothing more can happen under it (AMRA-8). Ask again with a new request if circumstances change.',
      );
    case 'withdrawn':
      return refuse('consent-withdrawn', 'Consent was withdrawn; nothing more can happen under it.');
    case 'supplied':
      return refuse('report-supplied', 'The report has already been supplied.');
    case 'withheld':
      return refuse('report-withheld', 'The person refused supply of this report; it can never be supplied (AMRA-5).');
    default:
      return null;
  }
}

export interface DecisionInput {
  decision: 'given' | 'refused';
  method: DecisionMethod;
  witness: string | null;
  documentReference: string | null;
  /** Report kinds: whether the person wishes to see the report before it is supplied (AMRA-3, §5b). */
  wishesToSeeReport: boolean | null;
}

/** The person gives or refuses consent (AMRA-1, AMRA-3, AMRA-8, §5b, §5c). Once only. */
export function decide(c: Consent, input: DecisionInput, when: When): Transition {
  if (c.status !== 'requested')
    return closedReason(c.status) ?? refuse('consent-already-decided', 'This consent has already been decided.');
  // AMRA-1, s.9: the person's consent to an application to their doctor is given in writing.
  if (input.method === 'verbal' && c.kind === 'amra-report')
    return refuse(
      'verbal-not-allowed',
      'A decision about a medical report from a doctor must be in writing (AMRA-1): record the signed form instead.',
    );
  if (input.method === 'verbal' && !input.witness)
    return refuse('witness-required', 'Verbal consent needs the name of the witness.');
  if (input.method === 'paper' && !input.documentReference)
    return refuse('document-reference-required', 'Paper consent needs the reference of the scanned form.');
  if (input.decision === 'given' && isReport(c) && input.wishesToSeeReport === null) {
    return refuse(
      'wish-to-see-required',
      'Say whether the person wishes to see the report before it is supplied (AMRA-3).',
    );
  }
  const decision: ConsentDecision = {
    decision: input.decision,
    method: input.method,
    witness: input.witness,
    documentReference: input.documentReference,
    on: when.today,
    at: when.now,
  };
  if (input.decision === 'refused') {
    // AMRA-8: recorded, and the person is told decisions will be made on the facts available.
    return change(c, { status: 'refused', decision, closedOn: when.today }, when, 'refused', { method: input.method });
  }
  return change(
    c,
    { status: 'given', decision, wishesToSeeReport: isReport(c) ? input.wishesToSeeReport : null },
    when,
    'given',
    {
      method: input.method,
      ...(isReport(c) ? { wishesToSeeReport: input.wishesToSeeReport } : {}),
    },
  );
}

/** AMRA-1, AMRA-3: the application to the doctor, only after consent; the doctor is told if the person wishes to see the report. */
export function recordApplication(c: Consent, applicationDate: IsoDate, when: When): Transition {
  if (c.kind !== 'amra-report')
    return refuse('not-amra', 'Only a medical report from a treating doctor has an application (AMRA).');
  if (c.status === 'requested')
    return refuse(
      'consent-not-given',
      'No application may be made to the doctor until the person has consented (AMRA-1).',
    );
  if (c.status !== 'given')
    return closedReason(c.status) ?? refuse('consent-already-decided', 'The application has already been recorded.');
  if (applicationDate < c.decision!.on)
    return refuse(
      'application-before-consent',
      'The application cannot be dated before the person consented (AMRA-1).',
    );
  if (applicationDate > when.today)
    return refuse('application-in-future', 'Record the application once it has been made.');
  return change(c, { status: 'applied', applicationDate, applicationRecordedOn: when.today }, when, 'applied', {
    applicationDate,
    doctorToldPersonWishesToSee: c.wishesToSeeReport === true,
  });
}

/**
 * The person asks to see the report (AMRA-4). Made only after the application by someone who had
 * not asked before, the 21 days then run from this request; made by someone who had already
 * asked, it arranges access, and the report then waits until they have seen it and agreed.
 * `on` is the day they asked: today in the platform, the day their letter was received when OH
 * records it; the 21 days never start before the day the application was recorded (AMRA-3).
 */
export function requestAccess(
  c: Consent,
  when: When,
  reviewFromToday: IsoDate | null = null,
  on: IsoDate = when.today,
): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to see.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status === 'requested') return refuse('consent-not-given', 'The person has not yet consented.');
  if (!c.wishesToSeeReport) {
    const afterApplication = c.status === 'applied' || c.status === 'report-received';
    // §5b: an OH report already written gets its review period from the request.
    const reviewUntil = c.kind === 'oh-report-release' && c.report ? reviewFromToday : c.reviewUntil;
    const applied = c.applicationRecordedOn ?? c.applicationDate ?? on;
    return change(
      c,
      { wishesToSeeReport: true, accessRequestedOn: afterApplication ? later(on, applied) : null, reviewUntil },
      when,
      'access-requested',
      { afterApplication },
    );
  }
  return change(c, { accessArrangedOn: c.accessArrangedOn ?? on }, when, 'access-arranged', null);
}

/**
 * AMRA-6: after the report was supplied (or its supply refused, or the consent withdrawn) the
 * person may ask for access to it while it is kept, that is until `retainUntil`; `on` is the day
 * they asked (their letter received). Nothing changes but the history.
 */
export function requestRetainedCopy(c: Consent, on: IsoDate, when: When): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to see.');
  if (!c.report) return refuse('report-not-received', 'There is no report yet.');
  if (!personMayReadReport(c, on))
    return refuse(
      'report-no-longer-held',
      `The report was kept for the person to read until ${c.retainUntil} (AMRA-6); it is no longer held.`,
    );
  return change(c, {}, when, 'copy-requested', null);
}

export interface ReportInput {
  text: string;
  receivedOn: IsoDate;
  withheldParts: WithheldPart[];
}

/**
 * The report arrives (AMRA: from the doctor, after the application; OH release: written by the
 * OH clinician after consent). AMRA-7: parts the doctor withheld are recorded, and the person is
 * told. §5b: an OH report the person wishes to see waits for the review period, whose last day
 * (`reviewUntil`) the caller counts from the day the person is told (today), never earlier.
 */
export function receiveReport(c: Consent, input: ReportInput, reviewUntil: IsoDate | null, when: When): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status === 'requested') return refuse('consent-not-given', 'The person has not yet consented.');
  if (c.status === 'report-received')
    return refuse(
      'report-already-received',
      'The report has already been recorded; answer a correction request to amend it.',
    );
  if (c.kind === 'amra-report' && c.status !== 'applied')
    return refuse('application-not-made', 'Record the application to the doctor before the report (AMRA-3).');
  if (c.kind === 'oh-report-release' && input.withheldParts.length)
    return refuse('withheld-parts-amra-only', 'Withheld parts are recorded for a treating doctor’s report (AMRA-7).');
  if (input.receivedOn > when.today)
    return refuse('report-date-in-future', 'The report cannot be dated in the future.');
  if (input.receivedOn < (c.applicationDate ?? c.decision!.on))
    return refuse(
      'report-before-consent',
      'The report cannot be dated before the consent (or the application) it was asked for under.',
    );
  return change(
    c,
    {
      status: 'report-received',
      report: { text: input.text, receivedOn: input.receivedOn, withheldParts: input.withheldParts, amendedAt: null },
      reviewUntil: c.kind === 'oh-report-release' && c.wishesToSeeReport ? reviewUntil : null,
    },
    when,
    'report-received',
    { receivedOn: input.receivedOn, withheldParts: input.withheldParts.map((p) => p.ground) },
  );
}

/** The person has read the report: in the platform today, or on paper by `on` (the day their letter was received). */
export function recordSeen(c: Consent, when: When, on: IsoDate = when.today): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report.');
  if (!c.report) return refuse('report-not-received', 'There is no report yet.');
  // Read again: nothing changes (the read itself is audited by the caller).
  if (c.seenAt) return { ok: true, consent: c, event: { type: 'read', details: null } };
  return change(c, { seenAt: when.now, accessArrangedOn: c.accessArrangedOn ?? on }, when, 'seen', null);
}

/**
 * The first day the report may be passed on, or null while it must wait for the person (they
 * arranged to see it, or a correction is unanswered) or cannot go at all.
 *  - AMRA-4: not wishing to see it, at once; wishing to see it, once they have seen it and
 *    agreed, or 21 days after the application (or after their later request) if they have not
 *    arranged access by then.
 *  - §5b: an OH report they wish to review, once they agree or when the review period ends.
 */
export function earliestReleaseDate(c: Consent, periods: ConsentPeriods): IsoDate | null {
  if (!isReport(c)) return null;
  if (c.status === 'supplied') return c.suppliedOn;
  if (c.status !== 'applied' && c.status !== 'report-received') return null;
  if (c.corrections.some((r) => r.response === null)) return null;
  if (c.supplyAgreedOn) return c.supplyAgreedOn;
  if (c.kind === 'amra-report') {
    if (!c.wishesToSeeReport) return c.applicationDate;
    if (c.accessArrangedOn) return null;
    // The 21 days run from the application, or a later request (AMRA-4), and never from before
    // the day the application was recorded and the person told of it (AMRA-3).
    const recorded = c.applicationRecordedOn ?? c.applicationDate!;
    const from = c.accessRequestedOn ?? (recorded > c.applicationDate! ? recorded : c.applicationDate!);
    return addDays(from, periods.amraAccessDays);
  }
  if (!c.report) return null;
  if (!c.wishesToSeeReport) return c.report.receivedOn;
  if (c.seenAt || !c.reviewUntil) return null;
  // The review period's last day is theirs: release from the day after (§5b).
  return addDays(c.reviewUntil, 1);
}

/** Why the report may not be supplied today, or null when it may (the guard on supply). */
export function supplyRefusal(c: Consent, periods: ConsentPeriods, today: IsoDate): Transition | null {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to supply.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status === 'requested') return refuse('consent-not-given', 'The person has not consented.');
  if (c.status !== 'report-received') return refuse('report-not-received', 'There is no report to supply yet.');
  const earliest = earliestReleaseDate(c, periods);
  if (earliest === null) {
    return c.corrections.some((r) => r.response === null)
      ? refuse(
          'correction-open',
          'A correction request is waiting for an answer; the report cannot go until it is answered.',
        )
      : refuse(
          'report-held-for-person',
          'The person has asked to see the report first; it cannot be supplied until they have seen it and agreed (AMRA-4).',
        );
  }
  if (today < earliest)
    return refuse('before-earliest-release-date', `The report cannot be supplied before ${earliest} (AMRA-4, §5b).`);
  return null;
}

/** Supply (release) the report: AMRA-6, the person may read it for the retention period after. */
export function supply(
  c: Consent,
  periods: ConsentPeriods,
  when: When,
  how: 'agreed' | 'period-ended' | 'not-asked-to-see',
): Transition {
  const refused = supplyRefusal(c, periods, when.today);
  if (refused) return refused;
  return change(
    c,
    {
      status: 'supplied',
      suppliedOn: when.today,
      retainUntil: addMonths(when.today, periods.reportRetentionMonths),
      closedOn: when.today,
    },
    when,
    'supplied',
    { how },
  );
}

/**
 * The person's decision on supply after seeing the report (AMRA-4, AMRA-5): agreeing
 * supplies it at once; refusing withholds it for good. `on` is the day they decided (their
 * letter received); the report goes, and the 6 months of AMRA-6 run, from today.
 */
export function decideSupply(
  c: Consent,
  agree: boolean,
  periods: ConsentPeriods,
  when: When,
  on: IsoDate = when.today,
): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to supply.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status !== 'report-received') return refuse('report-not-received', 'There is no report yet.');
  if (!c.seenAt) return refuse('report-not-seen', 'The person decides on supply after seeing the report (AMRA-4).');
  if (!agree) {
    return change(
      c,
      { status: 'withheld', closedOn: when.today, retainUntil: addMonths(when.today, periods.reportRetentionMonths) },
      when,
      'supply-refused',
      null,
    );
  }
  const agreed = { ...c, supplyAgreedOn: on };
  const supplied = supply(agreed, periods, when, 'agreed');
  if (!supplied.ok) return supplied;
  return { ok: true, consent: supplied.consent, event: { type: 'supply-agreed', details: { supplied: true } } };
}

/** AMRA-5 / §5b: the person asks in writing for something incorrect or misleading to be corrected. */
export function requestCorrection(c: Consent, text: string, when: When): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to correct.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status !== 'report-received') return refuse('report-not-received', 'There is no report yet.');
  if (!c.seenAt) return refuse('report-not-seen', 'A correction is asked for after seeing the report.');
  const number = c.corrections.length + 1;
  return change(
    c,
    {
      corrections: [
        ...c.corrections,
        { number, requestedAt: when.now, text, response: null, respondedAt: null, responseNote: null },
      ],
    },
    when,
    'correction-requested',
    { number },
  );
}

/** The author answers a correction request: amend the report, or decline (the person may then attach a statement, AMRA-5). */
export function answerCorrection(
  c: Consent,
  number: number,
  answer: { response: 'amended' | 'declined'; amendedText: string | null; note: string | null },
  when: When,
): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report to correct.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  const found = c.corrections.find((r) => r.number === number);
  if (!found) return refuse('correction-not-found', 'There is no such correction request.');
  if (found.response !== null)
    return refuse('correction-already-answered', 'This correction request has already been answered.');
  const corrections = c.corrections.map((r) =>
    r.number === number ? { ...r, response: answer.response, respondedAt: when.now, responseNote: answer.note } : r,
  );
  const report =
    answer.response === 'amended' && answer.amendedText && c.report
      ? { ...c.report, text: answer.amendedText, amendedAt: when.now }
      : c.report;
  return change(c, { corrections, report }, when, `correction-${answer.response}`, { number });
}

/** AMRA-5: where the doctor declined to amend, the person's statement of their views travels with the report. */
export function attachStatement(c: Consent, text: string, when: When): Transition {
  if (!isReport(c)) return refuse('not-a-report-consent', 'Only a report consent has a report.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (c.status !== 'report-received') return refuse('report-not-received', 'There is no report yet.');
  if (c.statement) return refuse('statement-already-attached', 'A statement is already attached.');
  if (c.kind === 'amra-report' && !c.corrections.some((r) => r.response === 'declined')) {
    return refuse(
      'no-declined-correction',
      'A statement is attached when the doctor has declined a correction you asked for (AMRA-5).',
    );
  }
  return change(c, { statement: { text, at: when.now } }, when, 'statement-attached', null);
}

/**
 * Withdrawal (§5c; a report consent before its report is supplied). Takes effect at once; the
 * caller passes what it cancelled and what had already gone, which the person is shown. `said`
 * is how and when the person told OH (null: they withdrew in the platform themselves).
 */
export function withdraw(
  c: Consent,
  outcome: WithdrawalOutcome,
  when: When,
  periods?: ConsentPeriods,
  said: WithdrawalStatement | null = null,
): Transition {
  if (c.status === 'requested')
    return refuse('consent-not-given', 'This consent was never given, so it cannot be withdrawn; refuse it instead.');
  if (c.status === 'refused')
    return refuse('consent-not-given', 'This consent was refused, so there is nothing to withdraw.');
  const closed = closedReason(c.status);
  if (closed) return closed;
  if (said) {
    if (said.method === 'written' && !said.documentReference)
      return refuse('document-reference-required', 'A written withdrawal needs the reference of the scanned letter.');
    if (said.saidOn > when.today)
      return refuse('withdrawal-date-in-future', 'The person cannot have withdrawn on a day still to come.');
    if (c.decision && said.saidOn < c.decision.on)
      return refuse(
        'withdrawal-before-consent',
        `The person cannot have withdrawn before they consented on ${c.decision.on}.`,
      );
  }
  // A report already received stays readable by the person for the retention period (AMRA-6).
  const retainUntil = c.report && periods ? addMonths(when.today, periods.reportRetentionMonths) : c.retainUntil;
  return change(c, { status: 'withdrawn', withdrawal: outcome, closedOn: when.today, retainUntil }, when, 'withdrawn', {
    cancelled: outcome.cancelled.length,
    alreadySent: outcome.alreadySent.length,
    // Recorded by OH from what the person said, never as the person's own act.
    ...(said
      ? { recordedOnBehalf: true, method: said.method, saidOn: said.saidOn, documentReference: said.documentReference }
      : {}),
  });
}

/** The day a letter's step answers: it cannot have been written before it (issue 14 §4). */
function answeredOn(c: Consent, action: OnBehalfAction): { on: IsoDate; what: string } | null {
  if (action === 'access-request') return c.decision ? { on: c.decision.on, what: 'the person consented' } : null;
  const declined = c.corrections.filter((r) => r.response === 'declined' && r.respondedAt);
  if (action === 'statement' && c.kind === 'amra-report' && declined.length)
    return { on: londonDay(new Date(declined[0]!.respondedAt!)), what: 'the correction was declined' };
  return c.report ? { on: c.report.receivedOn, what: 'the report was received' } : null;
}

/**
 * Why a letter from the person cannot be recorded with the day it was received, if it cannot:
 * not a day still to come, nor before the step it answers (the consent for an access request,
 * the declined correction for an AMRA statement, the report for the rest).
 */
export function letterRefusal(
  c: Consent,
  letter: Pick<LetterReceived, 'action' | 'receivedOn'>,
  today: IsoDate,
): Transition | null {
  if (letter.receivedOn > today)
    return refuse('letter-date-in-future', 'A letter cannot have been received on a day still to come.');
  const answered = answeredOn(c, letter.action);
  if (answered && letter.receivedOn < answered.on)
    return refuse(
      'letter-before-step',
      `The letter cannot have been received before ${answered.what}, on ${answered.on}.`,
    );
  return null;
}

/** Marks a step as recorded by OH from the person's letter, in its history entry (never as the person's own act). */
export function fromLetter(t: Transition, letter: LetterReceived): Transition {
  if (!t.ok) return t;
  const details = {
    ...(t.event.details ?? {}),
    recordedOnBehalf: true,
    receivedOn: letter.receivedOn,
    documentReference: letter.documentReference,
  };
  return { ...t, event: { ...t.event, details } };
}

/** May the person still read the report (AMRA-6: during the retention period after supply or refusal; before that, whenever it is held)? */
export function personMayReadReport(c: Consent, today: IsoDate): boolean {
  if (!c.report) return false;
  if (c.retainUntil) return today <= c.retainUntil;
  return c.status === 'report-received';
}

/**
 * The first day a sharing consent allows anything: its period's start, but never before the day
 * the decision was recorded (§5c: a consent allows nothing from before it was given, whatever
 * period was asked for); null while there is no decision.
 */
export function sharingStart(c: Consent): IsoDate | null {
  if (!c.decision) return null;
  return c.periodStart === null ? c.decision.on : later(c.periodStart, c.decision.on);
}

/** Is a sharing consent in force on `asOf`? */
export function sharingInForce(c: Consent, asOf: IsoDate): boolean {
  const start = sharingStart(c);
  return (
    c.kind === 'nhs-sharing' &&
    c.status === 'given' &&
    start !== null &&
    start <= asOf &&
    (c.periodEnd === null || asOf <= c.periodEnd)
  );
}
