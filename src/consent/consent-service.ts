import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import {
  consentScope,
  ownScope,
  employerRecipientRole,
  mayReadHeldReport,
  mayRecordForPerson,
  maySeeClinicalDetail,
  maySeeOhRecords,
  PLATFORM_REACH,
} from '../auth/access-policy.js';
import type { NotificationService } from '../notifications/index.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import { londonDay, type IsoDate } from '../shared/dates.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { AnyContext, RequestContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { TaskSpec } from '../worklist/worklist-types.js';
import {
  applicationLetter,
  letterText,
  noticeLetter,
  reviewLetter,
  type Letter,
  type LetterLanguage,
} from './consent-letters.js';
import type { ConsentRepository } from './consent-repository.js';
import * as rules from './consent-rules.js';
import {
  CLINICAL_ON_BEHALF_ACTIONS,
  type Consent,
  type ConsentEvent,
  type ConsentPeriods,
  type DataCategory,
  type DecisionMethod,
  type DisclosureItem,
  type EmployerRecipientRole,
  type LetterReceived,
  type ReportDoctor,
  type SharingCategory,
  type SharingPurpose,
  type WithdrawalStatement,
  type WithheldPart,
} from './consent-types.js';
import { decideDisclosure, type DisclosureRequest, type GateDecision } from './gate.js';

/** What a consent request asks for, by kind. */
export type ConsentRequestInput =
  | {
      kind: 'amra-report';
      recipientRole: EmployerRecipientRole;
      description: string;
      doctor: ReportDoctor;
      noticeBy: 'email' | 'letter';
    }
  | {
      kind: 'oh-report-release';
      recipientRole: EmployerRecipientRole;
      description: string;
      noticeBy: 'email' | 'letter';
    }
  | {
      kind: 'nhs-sharing';
      partnerOrganisationId: string;
      purpose: SharingPurpose;
      dataCategories: SharingCategory[];
      periodStart: IsoDate;
      periodEnd: IsoDate | null;
      description: string;
      noticeBy: 'email' | 'letter';
    };

/**
 * A step the person took in writing, as OH records it from their letter (issue 14 §4), with the
 * step's own fields as the person's endpoint takes them.
 */
export type LetterInput = LetterReceived &
  (
    | { action: 'seen-report' | 'access-request' }
    | { action: 'supply-decision'; agree: boolean }
    | { action: 'correction' | 'statement'; text: string }
  );

export interface DecisionRequest {
  decision: 'given' | 'refused';
  /** Recorded by OH from a paper form or a conversation; the person themselves decides in the platform. */
  method: DecisionMethod;
  witness: string | null;
  documentReference: string | null;
  wishesToSeeReport: boolean | null;
}

/**
 * Something queued to go to a partner under consent (a pathway referral, later the FHIR outbox).
 * On withdrawal each queue cancels what only the withdrawn consent allowed, in the same
 * transaction, and says what had already gone (§5c).
 */
export interface DisclosureQueue {
  withdrawn(
    consent: Consent,
    stillAllowed: (request: DisclosureRequest) => GateDecision,
    now: Date,
    trx: Knex.Transaction,
  ): Promise<{ cancelled: DisclosureItem[]; alreadySent: DisclosureItem[] }>;
}

/** A consent with its history, as the service returns it. */
export interface ConsentRecord {
  consent: Consent;
  history: ConsentEvent[];
  earliestReleaseDate: IsoDate | null;
}

/** The report and everything that travels with it (AMRA-5, AMRA-7). */
export interface ReportView {
  consent: Consent;
  text: string;
  receivedOn: IsoDate;
  amended: boolean;
  withheldGrounds: string[];
  corrections: Consent['corrections'];
  statement: string | null;
}

/**
 * What a manager or HR learns about a report addressed to them (AMRA-8, CONF-1): once released,
 * what it is and what it says; until then only that it was asked for and is not available, not
 * even what it is about (the kind would tell them the person has a treating doctor).
 */
export interface RecipientReport {
  id: string;
  requestedOn: IsoDate;
  available: boolean;
  kind: Consent['kind'] | null;
  description: string | null;
  report: {
    text: string;
    statement: string | null;
    corrections: Array<{ text: string; response: string | null }>;
    suppliedOn: IsoDate;
  } | null;
  notice: string | null;
}

const TASK_SOURCE = 'consent';

/** OH's work on consents, as worklist tasks; each is done by its own form on the consent's page. */
export const CONSENT_TASKS = [
  'consent-apply',
  'consent-write-report',
  'consent-answer-correction',
  'consent-release-report',
] as const;

/**
 * What a consent is waiting for OH to do now (pure): apply to the doctor once consent is given
 * (AMRA-3, administrators); write the OH report (clinicians); answer each correction request
 * (clinicians, AMRA-5); release the report from its earliest release date (administrators, AMRA-4).
 */
export function consentTasks(c: Consent, earliestRelease: IsoDate | null): TaskSpec[] {
  const task = (
    code: (typeof CONSENT_TASKS)[number],
    dueDate: IsoDate,
    role: 'oh-administrator' | 'oh-clinician',
    sequence = 1,
    rule: string | null = null,
  ): TaskSpec => ({
    organisationId: c.organisationId,
    subjectPersonId: c.personId,
    sourceType: TASK_SOURCE,
    sourceId: c.id,
    code,
    sequence,
    rule,
    dueDate,
    assignee: { role },
  });
  const tasks: TaskSpec[] = [];
  if (c.kind === 'amra-report' && c.status === 'given')
    tasks.push(task('consent-apply', c.decision!.on, 'oh-administrator', 1, 'AMRA-3'));
  if (c.kind === 'oh-report-release' && c.status === 'given')
    tasks.push(task('consent-write-report', c.decision!.on, 'oh-clinician', 1, '§5b'));
  if (c.status === 'report-received') {
    for (const r of c.corrections.filter((x) => x.response === null))
      tasks.push(
        task('consent-answer-correction', londonDay(new Date(r.requestedAt)), 'oh-clinician', r.number, 'AMRA-5'),
      );
    if (earliestRelease) tasks.push(task('consent-release-report', earliestRelease, 'oh-administrator', 1, 'AMRA-4'));
  }
  return tasks;
}
const NO_REPORT = 'No report is available. Decisions will be made on the facts available (AMRA-8).';
const NOT_YET = 'No report is available yet.';

/** Refusals that are about what was entered, not the consent's state: 422 beside the field. */
const INPUT_REFUSALS: Partial<Record<rules.RuleCode, string>> = {
  'witness-required': 'witness',
  'document-reference-required': 'documentReference',
  'wish-to-see-required': 'wishesToSeeReport',
  'application-before-consent': 'applicationDate',
  'application-in-future': 'applicationDate',
  'report-date-in-future': 'receivedOn',
  'report-before-consent': 'receivedOn',
  'verbal-not-allowed': 'method',
  'letter-date-in-future': 'receivedOn',
  'letter-before-step': 'receivedOn',
  'withdrawal-date-in-future': 'saidOn',
  'withdrawal-before-consent': 'saidOn',
};

/** Refusals with a status of their own: the report is no longer held (AMRA-6), as when the person reads it. */
const REFUSAL_STATUS: Partial<Record<rules.RuleCode, number>> = { 'report-no-longer-held': 410 };

/** How the audit trail records a change OH made for the person from what they said or wrote (issue 14 §4). */
interface OnBehalf {
  purpose: 'recorded-on-behalf';
  details: Record<string, unknown>;
}

/**
 * A refusal from the rules: a 409 with its code (an illegal transition conflicts with the
 * consent's state), or a 422 on the field for a refusal of what was entered; never a 500.
 */
function refusal(t: Extract<rules.Transition, { ok: false }>): AppError {
  const field = INPUT_REFUSALS[t.code];
  const status = REFUSAL_STATUS[t.code];
  if (status) return new AppError({ code: t.code, status, publicMessage: t.message });
  return field ? new ValidationError({ [field]: t.message }, t.message, t.code) : new ConflictError(t.code, t.message);
}

/**
 * Consent (issue 5, domain brief §5): requests and decisions, the AMRA and OH report
 * timelines, sharing with NHS partners, withdrawal, and the gate every disclosure calls.
 * Reach: OH staff every consent; the person their own; nobody else (a manager or HR learns
 * only what `reportsForRecipient` says). Every read and change is audited, and the gate's
 * every decision too.
 */
/** Whose consents a read may reach: all the actor's role reaches, or only their own (the person's pages). */
export type ConsentReach = 'role' | 'own';

export class ConsentService {
  private readonly queues: DisclosureQueue[] = [];

  constructor(
    private readonly repository: ConsentRepository,
    private readonly people: PeopleService,
    private readonly policy: PolicyService,
    private readonly notifications: NotificationService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
    private readonly worklist: WorklistService,
    private readonly publicUrl: string,
    /** The language emails are written in (the person has no language of their own on record). */
    private readonly emailLanguage: LetterLanguage,
  ) {}

  /** Brings OH's tasks for a consent in line with where it stands. */
  /** OH's tasks follow the consent as it is written, in the change's transaction (issue 14 §12). */
  private async syncTasks(c: Consent, periods: ConsentPeriods, trx: Knex.Transaction): Promise<void> {
    const tasks = consentTasks(c, rules.earliestReleaseDate(c, periods));
    await this.worklist.sync(TASK_SOURCE, c.id, { keep: tasks, create: tasks }, trx);
  }

  /** Another capability's queue of disclosures made under consent (the composition root wires them). */
  registerQueue(queue: DisclosureQueue): void {
    this.queues.push(queue);
  }

  /** Now, and the UK calendar day it falls on: the statutory periods count UK days. */
  private when(): rules.When {
    const now = this.clock.now();
    return { now: now.toISOString(), today: londonDay(now) };
  }

  private async periods(organisationId: string, asOf: IsoDate): Promise<ConsentPeriods> {
    return (await this.policyInForce(organisationId, asOf)).content;
  }

  /** The consent policy version in force; results that depend on it record its version. */
  private policyInForce(organisationId: string, asOf: IsoDate) {
    return this.policy.inForce(organisationId, 'consent', asOf);
  }

  /** The last day of an OH report's review period, counted from the day the person is told: today, never earlier (§5b). */
  private reviewUntil(periods: ConsentPeriods, from: IsoDate, today: IsoDate): IsoDate {
    return this.calendar.addWorkingDays(from > today ? from : today, periods.ohReviewWorkingDays);
  }

  private link(c: Consent): string {
    return `${this.publicUrl}/me/consents/${c.id}`;
  }

  /** OH asks for consent: the written notice goes to the person (AMRA-1, AMRA-2, §5b, §5c). */
  async request(ctx: RequestContext, personId: string, input: ConsentRequestInput): Promise<ConsentRecord> {
    const person = await this.people.getPerson(ctx, personId, 'consent');
    const when = this.when();
    let recipient: Consent['recipient'];
    if (input.kind === 'nhs-sharing') {
      const partner = await this.people.nhsPartner(input.partnerOrganisationId, 'partnerOrganisationId');
      if (input.periodEnd !== null && input.periodEnd < input.periodStart)
        throw new ValidationError({ periodEnd: 'The end must be on or after the start.' });
      // §5c: a consent allows nothing from before it is given, and it cannot be given before it is asked for.
      if (input.periodStart < when.today)
        throw new ValidationError(
          { periodStart: 'The period cannot start before today: a consent allows nothing from before it is given.' },
          'The period cannot start before today.',
          'period-before-consent',
        );
      recipient = { type: 'nhs-partner', organisationId: partner.id, name: partner.name, odsCode: partner.odsCode };
    } else {
      recipient = { type: 'employer', role: input.recipientRole };
    }
    const address = this.addressOf(person);
    if (input.noticeBy === 'email' && !address) {
      throw new ValidationError({
        noticeBy: person.protectedIdentity
          ? 'No personal email address is recorded, and a protected-identity officer is never written to at work (CONF-3). Print the letter instead.'
          : 'No email address is recorded. Print the letter instead.',
      });
    }
    const consent = rules.newConsent(
      {
        id: newId(),
        organisationId: person.organisationId,
        personId: person.id,
        kind: input.kind,
        recipient,
        purpose: input.kind === 'nhs-sharing' ? input.purpose : 'employment',
        description: input.description,
        dataCategories:
          input.kind === 'nhs-sharing'
            ? [...new Set(input.dataCategories)]
            : [input.kind === 'amra-report' ? 'medical-report' : 'oh-report'],
        periodStart: input.kind === 'nhs-sharing' ? input.periodStart : null,
        periodEnd: input.kind === 'nhs-sharing' ? input.periodEnd : null,
        doctor: input.kind === 'amra-report' ? input.doctor : null,
        noticeBy: input.noticeBy,
        createdByUserId: ctx.actor.userId,
      },
      when,
    );
    await this.repository.transaction(async (trx) => {
      await this.repository.insert(
        {
          consent,
          event: {
            type: 'requested',
            details: { noticeBy: input.noticeBy },
            byUserId: ctx.actor.userId,
            byRole: ctx.actor.role,
          },
        },
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'consent',
          entityId: consent.id,
          subjectPersonId: person.id,
          purpose: 'consent',
          details: { kind: consent.kind },
        },
        trx,
      );
      // The written notice (AMRA-1, s.9) commits with the request.
      if (input.noticeBy === 'email')
        await this.send(
          person,
          consent,
          noticeLetter(consent, person, { consent: this.link(consent) }, this.emailLanguage),
          'notice',
          trx,
        );
    });
    return this.record(consent);
  }

  /** Where the person is written to: their personal email, or work email unless their identity is protected (CONF-3). */
  private addressOf(person: Person): string | null {
    return person.personalEmail ?? (person.protectedIdentity ? null : person.workEmail);
  }

  private async send(
    person: Person,
    consent: Consent,
    letter: Letter,
    what: string,
    trx: Knex.Transaction,
  ): Promise<void> {
    const to = this.addressOf(person);
    if (!to || consent.noticeBy !== 'email') return;
    await this.notifications.enqueueEmail({ to, subject: letter.title, text: letterText(letter) }, trx, {
      dedupeKey: `consent-${what}:${consent.id}:${consent.version}`,
    });
  }

  private async record(consent: Consent, history?: ConsentEvent[]): Promise<ConsentRecord> {
    const periods = await this.periods(consent.organisationId, londonDay(this.clock.now()));
    return {
      consent,
      history: history ?? (await this.repository.history(consent.id)),
      earliestReleaseDate: rules.earliestReleaseDate(consent, periods),
    };
  }

  /**
   * A consent within reach (OH, or the person), read only if it is; not audited: callers audit what they do
   * with it. `own` reads within the actor's own records only: the person's pages, whatever their role.
   */
  private async load(ctx: RequestContext, id: string, reach: ConsentReach = 'role'): Promise<Consent> {
    const consent = await this.repository.find(id, reach === 'own' ? ownScope(ctx.actor) : consentScope(ctx.actor));
    if (!consent) throw await this.audit.outOfReach(ctx, { entityType: 'consent', entityId: id });
    return consent;
  }

  /** One consent and its history (`own`: only if it is the actor's own, for the person's pages). */
  async get(ctx: RequestContext, id: string, reach: ConsentReach = 'role'): Promise<ConsentRecord> {
    const consent = await this.load(ctx, id, reach);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'consent',
      entityId: id,
      subjectPersonId: consent.personId,
      purpose: 'consent',
    });
    return this.record(consent);
  }

  /** Every consent a person has (the person's own list, or OH's). */
  async forPerson(ctx: RequestContext, personId: string): Promise<ConsentRecord[]> {
    if (consentScope(ctx.actor).kind === 'none') throw new NotFoundError('person');
    await this.people.getPerson(ctx, personId, 'consent');
    const list = await this.repository.forPerson(personId);
    if (list.length)
      await this.audit.record(
        ctx,
        list.map((c) => ({
          action: 'read' as const,
          entityType: 'consent',
          entityId: c.id,
          subjectPersonId: personId,
          purpose: 'consent',
        })),
      );
    const histories = await this.repository.histories(list.map((c) => c.id));
    return Promise.all(list.map((c) => this.record(c, histories.get(c.id) ?? [])));
  }

  /**
   * Applies one rule to a consent and stores it, with its history entry and audit record, in
   * one transaction; `also` runs in it too (an email, a cancelled referral). A refusal from
   * the rules is a 409 with its code; a concurrent change, 409 `consent-changed`.
   */
  private async apply(
    ctx: RequestContext,
    consent: Consent,
    decide: (c: Consent) => rules.Transition,
    also?: (changed: Consent, trx: Knex.Transaction) => Promise<void>,
    onBehalf?: OnBehalf,
  ): Promise<ConsentRecord> {
    const t = decide(consent);
    const purpose = onBehalf?.purpose ?? 'consent';
    if (!t.ok) {
      await this.audit.record(ctx, {
        action: 'update',
        entityType: 'consent',
        entityId: consent.id,
        subjectPersonId: consent.personId,
        purpose,
        outcome: 'denied',
        reason: t.code,
        details: onBehalf?.details ?? null,
      });
      throw refusal(t);
    }
    if (t.consent === consent) {
      await this.audit.record(ctx, {
        action: 'read',
        entityType: 'consent',
        entityId: consent.id,
        subjectPersonId: consent.personId,
        purpose,
        details: { event: t.event.type, ...onBehalf?.details },
      });
      return this.record(consent);
    }
    const changed = { ...t.consent, version: consent.version + 1 };
    const periods = await this.periods(consent.organisationId, this.clock.today());
    await this.repository.transaction(async (trx) => {
      const stored = await this.repository.update(
        { consent: changed, event: { ...t.event, byUserId: ctx.actor.userId, byRole: ctx.actor.role } },
        trx,
      );
      if (!stored)
        throw new ConflictError(
          'consent-changed',
          'Someone else changed this consent at the same time. Reload it and try again.',
        );
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'consent',
          entityId: consent.id,
          subjectPersonId: consent.personId,
          purpose,
          details: { event: t.event.type, ...onBehalf?.details },
        },
        trx,
      );
      await also?.(changed, trx);
      await this.syncTasks(changed, periods, trx);
    });
    return this.afterChange(changed);
  }

  /** The consent as it stands after a change commits (read again: another change may have followed it). */
  private async afterChange(changed: Consent): Promise<ConsentRecord> {
    return this.record((await this.repository.find(changed.id, PLATFORM_REACH)) ?? changed);
  }

  private async personOf(consent: Consent): Promise<Person> {
    return (await this.people.recordsForSystem([consent.personId])).get(consent.personId)!;
  }

  /**
   * The person's decision: theirs alone in the platform (method `platform`); OH records one
   * made on paper (with the scanned form's reference) or verbally (with a witness).
   */
  async decide(ctx: RequestContext, id: string, input: DecisionRequest): Promise<ConsentRecord> {
    const consent = await this.load(ctx, id);
    const self = ctx.actor.personId === consent.personId;
    if (input.method === 'platform' && !self)
      throw new ValidationError({
        method: 'Only the person can decide in the platform; record a paper or verbal decision instead.',
      });
    if (input.method !== 'platform' && !maySeeOhRecords(ctx.actor))
      throw new ValidationError({ method: 'Decide here in the platform.' });
    return this.apply(ctx, consent, (c) => rules.decide(c, input, this.when()));
  }

  /** AMRA-3: OH records the application to the doctor; the person is told it was made, and when. */
  async recordApplication(ctx: RequestContext, id: string, applicationDate: IsoDate): Promise<ConsentRecord> {
    this.requireOh(ctx);
    const consent = await this.load(ctx, id);
    const person = await this.personOf(consent);
    return this.apply(
      ctx,
      consent,
      (c) => rules.recordApplication(c, applicationDate, this.when()),
      (c, trx) =>
        this.send(
          person,
          c,
          applicationLetter(c, person, { consent: this.link(c) }, this.emailLanguage),
          'application',
          trx,
        ),
    );
  }

  /** AMRA-4: the person asks to see the report (or arranges to). */
  async requestAccess(ctx: RequestContext, id: string): Promise<ConsentRecord> {
    const consent = this.thePersons(ctx, await this.load(ctx, id));
    const when = this.when();
    const periods = await this.periods(consent.organisationId, when.today);
    return this.apply(ctx, consent, (c) =>
      rules.requestAccess(c, when, this.reviewUntil(periods, when.today, when.today)),
    );
  }

  /** The report arrives (AMRA) or is written (OH release); OH clinicians only: it is clinical. The person is told it waits for them. */
  async recordReport(
    ctx: RequestContext,
    id: string,
    input: { text: string; receivedOn: IsoDate; withheldParts: WithheldPart[] },
  ): Promise<ConsentRecord> {
    if (!maySeeClinicalDetail(ctx.actor)) throw new NotFoundError('consent');
    const consent = await this.load(ctx, id);
    const when = this.when();
    const policy = await this.policyInForce(consent.organisationId, when.today);
    const reviewUntil = this.reviewUntil(policy.content, input.receivedOn, when.today);
    const person = await this.personOf(consent);
    return this.apply(
      ctx,
      consent,
      (c) => withPolicy(rules.receiveReport(c, input, reviewUntil, when), policy.version),
      async (c, trx) => {
        if (c.wishesToSeeReport)
          await this.send(
            person,
            c,
            reviewLetter(
              c,
              person,
              { consent: this.link(c) },
              rules.earliestReleaseDate(c, policy.content),
              when.today,
              this.emailLanguage,
            ),
            'review',
            trx,
          );
      },
    );
  }

  /**
   * The report with what travels with it: for the person (while it is held, and for the
   * retention period after, AMRA-6; reading it in the platform is seeing it, AMRA-4) and OH
   * clinicians. Everyone else: not found.
   */
  async readReport(ctx: RequestContext, id: string, reach: ConsentReach = 'role'): Promise<ReportView> {
    const consent = await this.load(ctx, id, reach);
    const self = ctx.actor.personId === consent.personId;
    if (!mayReadHeldReport(ctx.actor, consent.personId) || !consent.report) throw new NotFoundError('report');
    const today = londonDay(this.clock.now());
    if (self && !rules.personMayReadReport(consent, today)) {
      throw new AppError({
        code: 'report-no-longer-held',
        status: 410,
        publicMessage: `The report was kept for you to read until ${consent.retainUntil} (AMRA-6); it is no longer held.`,
      });
    }
    let current = consent;
    if (self && consent.status === 'report-received' && !consent.seenAt)
      current = (await this.apply(ctx, consent, (c) => rules.recordSeen(c, this.when()))).consent;
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'consent-report',
      entityId: id,
      subjectPersonId: consent.personId,
      purpose: self ? 'own-report' : 'consent',
    });
    return reportView(current);
  }

  /** AMRA-5, §5b: the person's written request to correct the report (OH records a letter with `recordOnBehalf`). */
  async requestCorrection(ctx: RequestContext, id: string, text: string): Promise<ConsentRecord> {
    const consent = this.thePersons(ctx, await this.load(ctx, id));
    return this.apply(ctx, consent, (c) => rules.requestCorrection(c, text, this.when()));
  }

  /** The author's answer to a correction request (OH clinicians). */
  async answerCorrection(
    ctx: RequestContext,
    id: string,
    number: number,
    answer: { response: 'amended' | 'declined'; amendedText: string | null; note: string | null },
  ): Promise<ConsentRecord> {
    if (!maySeeClinicalDetail(ctx.actor)) throw new NotFoundError('consent');
    if (answer.response === 'amended' && !answer.amendedText)
      throw new ValidationError({ amendedText: 'Give the amended report.' });
    return this.apply(ctx, await this.load(ctx, id), (c) => rules.answerCorrection(c, number, answer, this.when()));
  }

  /** AMRA-5: the person's statement of their views, attached to the report. */
  async attachStatement(ctx: RequestContext, id: string, text: string): Promise<ConsentRecord> {
    const consent = this.thePersons(ctx, await this.load(ctx, id));
    return this.apply(ctx, consent, (c) => rules.attachStatement(c, text, this.when()));
  }

  /** The person agrees to supply (it goes at once) or refuses it (withheld for good, AMRA-5, AMRA-8). */
  async decideSupply(ctx: RequestContext, id: string, agree: boolean): Promise<ConsentRecord> {
    const consent = this.thePersons(ctx, await this.load(ctx, id));
    const when = this.when();
    const policy = await this.policyInForce(consent.organisationId, when.today);
    return this.apply(ctx, consent, (c) =>
      withPolicy(rules.decideSupply(c, agree, policy.content, when), policy.version),
    );
  }

  /**
   * The person's own steps are theirs alone (AMRA-4, AMRA-5): OH cannot take them for the person,
   * only record the person's letter (`recordOnBehalf`), so the trail never shows OH's act as theirs.
   */
  private thePersons(ctx: RequestContext, consent: Consent): Consent {
    if (ctx.actor.personId !== consent.personId)
      throw new ForbiddenError(
        'person-decides',
        'Only the person takes this step here. To record a letter from them, use the on-behalf endpoint.',
      );
    return consent;
  }

  /**
   * OH records a step the person took in a letter (issue 14 §4): they have seen the report, agree
   * to or refuse its supply, ask for a correction or attach a statement, or ask to see it. The same
   * rules as when the person acts, through `apply`; the day the letter was received is the day the
   * person acted, for the statutory periods that count from their act (README: "Letters from the
   * person"). Audited as recorded on the person's behalf by the OH user, never as the person.
   */
  async recordOnBehalf(ctx: RequestContext, id: string, letter: LetterInput): Promise<ConsentRecord> {
    // A correction's or statement's words are clinical (CONF-1): an OH administrator could not read them back.
    if (!mayRecordForPerson(ctx.actor, CLINICAL_ON_BEHALF_ACTIONS.has(letter.action))) {
      await this.audit.recordRefusal(ctx, 'consent', 'clinical-content', { consentId: id, action: letter.action });
      throw new ForbiddenError(
        'clinical-content',
        'Only an OH clinician records what the person wrote about their report; pass the letter to a clinician.',
      );
    }
    const consent = await this.load(ctx, id);
    const when = this.when();
    const policy = await this.policyInForce(consent.organisationId, when.today);
    const on = letter.receivedOn;
    const step = (c: Consent): rules.Transition => {
      switch (letter.action) {
        case 'seen-report':
          return rules.recordSeen(c, when, on);
        case 'supply-decision':
          return withPolicy(rules.decideSupply(c, letter.agree, policy.content, when, on), policy.version);
        case 'correction':
          return rules.requestCorrection(c, letter.text, when);
        case 'statement':
          return rules.attachStatement(c, letter.text, when);
        case 'access-request':
          // After supply, refusal or withdrawal the report is kept for the person to see (AMRA-6); before, AMRA-4.
          return c.retainUntil
            ? rules.requestRetainedCopy(c, on, when)
            : rules.requestAccess(c, when, this.reviewUntil(policy.content, when.today, when.today), on);
      }
    };
    const record = { action: letter.action, receivedOn: on, documentReference: letter.documentReference };
    return this.apply(
      ctx,
      consent,
      (c) => rules.letterRefusal(c, letter, when.today) ?? rules.fromLetter(step(c), record),
      undefined,
      { purpose: 'recorded-on-behalf', details: { recordedOnBehalf: true, ...record } },
    );
  }

  /** OH releases the report once the rules allow it: never before the earliest release date (AMRA-4, §5b). */
  async release(ctx: RequestContext, id: string): Promise<ConsentRecord> {
    this.requireOh(ctx);
    const consent = await this.load(ctx, id);
    const when = this.when();
    const policy = await this.policyInForce(consent.organisationId, when.today);
    const how = consent.wishesToSeeReport ? 'period-ended' : 'not-asked-to-see';
    return this.apply(ctx, consent, (c) => withPolicy(rules.supply(c, policy.content, when, how), policy.version));
  }

  /**
   * Withdrawal, at once (§5c): in the same transaction every queue cancels what only this
   * consent allowed, and the person is shown what was stopped and what had already gone. The
   * person withdraws for themselves with nothing to add; OH records how and when the person told
   * them (`told`: in writing, in person or by phone), audited as recorded on their behalf.
   */
  async withdraw(ctx: RequestContext, id: string, told: Partial<WithdrawalStatement> = {}): Promise<ConsentRecord> {
    const consent = await this.load(ctx, id);
    const said = this.withdrawalStatement(ctx, consent, told);
    const onBehalf: OnBehalf | undefined = said
      ? { purpose: 'recorded-on-behalf', details: { recordedOnBehalf: true, ...said } }
      : undefined;
    const check = rules.withdraw(consent, { cancelled: [], alreadySent: [] }, this.when(), undefined, said);
    if (!check.ok) return this.apply(ctx, consent, () => check, undefined, onBehalf);
    const now = this.clock.now();
    const when = this.when();
    const periods = await this.periods(consent.organisationId, when.today);
    const changed = await this.repository.transaction(async (trx) => {
      // Holds the person's consents until this commits, so a disclosure the gate is deciding
      // at the same moment waits and then sees the withdrawal (or we see what it shared).
      await this.repository.lockPerson(consent.personId, trx);
      const all = await this.repository.forPerson(consent.personId, trx);
      const current = all.find((c) => c.id === id)!;
      const others = all.filter((c) => c.id !== id);
      const stillAllowed = (request: DisclosureRequest) => decideDisclosure(others, request, when.today);
      const outcome = { cancelled: [] as DisclosureItem[], alreadySent: [] as DisclosureItem[] };
      for (const queue of this.queues) {
        const r = await queue.withdrawn(current, stillAllowed, now, trx);
        outcome.cancelled.push(...r.cancelled);
        outcome.alreadySent.push(...r.alreadySent);
      }
      const t = rules.withdraw(current, outcome, when, periods, said);
      if (!t.ok) throw refusal(t);
      const next = { ...t.consent, version: current.version + 1 };
      if (
        !(await this.repository.update(
          { consent: next, event: { ...t.event, byUserId: ctx.actor.userId, byRole: ctx.actor.role } },
          trx,
        ))
      ) {
        throw new ConflictError(
          'consent-changed',
          'Someone else changed this consent at the same time. Reload it and try again.',
        );
      }
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'consent',
          entityId: id,
          subjectPersonId: consent.personId,
          purpose: onBehalf?.purpose ?? 'consent',
          details: { event: 'withdrawn', cancelled: outcome.cancelled.length, ...onBehalf?.details },
        },
        trx,
      );
      await this.syncTasks(next, periods, trx);
      return next;
    });
    return this.afterChange(changed);
  }

  /**
   * How and when the person said they withdraw (§5c): nothing when they withdraw for themselves; when
   * OH records it, both, or a 422 naming what is missing.
   */
  private withdrawalStatement(
    ctx: RequestContext,
    consent: Consent,
    told: Partial<WithdrawalStatement>,
  ): WithdrawalStatement | null {
    const saidAnything = told.method !== undefined || told.saidOn !== undefined || !!told.documentReference;
    if (ctx.actor.personId === consent.personId) {
      if (saidAnything) throw new ValidationError({ method: 'You withdraw here yourself: there is nothing to add.' });
      return null;
    }
    const missing = {
      ...(told.method
        ? {}
        : { method: 'Say how the person told you they withdraw: in writing, in person or by phone.' }),
      ...(told.saidOn ? {} : { saidOn: 'Give the day the person told you.' }),
    };
    if (Object.keys(missing).length)
      throw new ValidationError(
        missing,
        'Record how and when the person withdrew their consent.',
        'withdrawal-statement-required',
      );
    return { method: told.method!, saidOn: told.saidOn!, documentReference: told.documentReference ?? null };
  }

  /**
   * THE gate (issue 5 §2): every disclosure asks it. Decides over all the person's consents as
   * they stand on `asOf`, and audits the decision whichever way it goes. Pass the transaction that
   * makes the disclosure (queues it), so the decision and the disclosure commit together.
   */
  async mayDisclose(
    ctx: AnyContext,
    personId: string,
    request: DisclosureRequest,
    asOf: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<GateDecision> {
    // Inside the caller's transaction the person's consents are held until it commits, so a
    // withdrawal cannot slip in between this decision and the disclosure it allows.
    if (trx) await this.repository.lockPerson(personId, trx);
    const [decision] = await this.decideAndAudit(
      ctx,
      personId,
      await this.repository.forPerson(personId, trx),
      [request],
      asOf,
      trx,
    );
    return decision!;
  }

  /**
   * The gate for many people at once (the delivery worker's batch): each person's consents read
   * in one query, every decision audited in one write, whichever way each goes.
   */
  async mayDiscloseMany(
    ctx: AnyContext,
    asks: ReadonlyArray<{ personId: string; request: DisclosureRequest }>,
    asOf: IsoDate,
  ): Promise<GateDecision[]> {
    const consents = await this.repository.forPeople([...new Set(asks.map((a) => a.personId))]);
    return this.auditDecisions(
      ctx,
      asks.map((a) => ({ ...a, decision: decideDisclosure(consents.get(a.personId) ?? [], a.request, asOf) })),
      asOf,
    );
  }

  /** Consents by id for the platform's own work (no actor), in one read. */
  async findManyForSystem(ids: readonly string[]): Promise<Map<string, Consent>> {
    return new Map((await this.repository.findMany(ids)).map((c) => [c.id, c]));
  }

  /** The gate's decisions for several proposed disclosures over consents already read, audited in one write, whichever way each goes. */
  private async decideAndAudit(
    ctx: AnyContext,
    personId: string,
    consents: readonly Consent[],
    requests: readonly DisclosureRequest[],
    asOf: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<GateDecision[]> {
    return this.auditDecisions(
      ctx,
      requests.map((request) => ({ personId, request, decision: decideDisclosure(consents, request, asOf) })),
      asOf,
      trx,
    );
  }

  private async auditDecisions(
    ctx: AnyContext,
    decided: ReadonlyArray<{ personId: string; request: DisclosureRequest; decision: GateDecision }>,
    asOf: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<GateDecision[]> {
    if (decided.length) {
      await this.audit.record(
        ctx,
        decided.map(({ personId, request, decision }) => ({
          action: 'access' as const,
          entityType: 'disclosure',
          subjectPersonId: personId,
          purpose: request.purpose,
          outcome: decision.allow ? ('success' as const) : ('denied' as const),
          reason: decision.allow ? null : decision.reason,
          details: {
            recipient: request.recipient,
            dataCategories: request.dataCategories,
            asOf,
            ...(decision.allow ? { consentIds: decision.consentIds } : {}),
          },
        })),
        trx,
      );
    }
    return decided.map((d) => d.decision);
  }

  /** The gate's answer for a proposed disclosure (OH), for a person within reach. */
  async check(ctx: RequestContext, personId: string, request: DisclosureRequest, asOf: IsoDate): Promise<GateDecision> {
    await this.people.getPerson(ctx, personId, 'consent');
    if (request.recipient.type === 'nhs-partner')
      await this.people.nhsPartner(request.recipient.organisationId, 'recipient.organisationId');
    return this.mayDisclose(ctx, personId, request, asOf);
  }

  /**
   * What a line manager or HR may know of reports addressed to them about someone in reach:
   * a supplied report, through the gate; otherwise only that none is available (AMRA-8, CONF-1).
   */
  async reportsForRecipient(ctx: RequestContext, personId: string): Promise<RecipientReport[]> {
    const role = employerRecipientRole(ctx.actor);
    if (!role) throw new NotFoundError('person');
    await this.people.getPerson(ctx, personId, 'oh-report');
    const today = londonDay(this.clock.now());
    // One read of the person's consents; the gate decides for each report addressed to this role.
    const consents = await this.repository.forPerson(personId);
    const reports = consents.filter(
      (c) => c.recipient.type === 'employer' && c.recipient.role === role && c.decision !== null,
    );
    const category = (c: Consent): DataCategory => (c.kind === 'amra-report' ? 'medical-report' : 'oh-report');
    const decisions = await this.decideAndAudit(
      ctx,
      personId,
      consents,
      reports.map((c) => ({
        recipient: { type: 'employer' as const, role },
        purpose: 'employment' as const,
        dataCategories: [category(c)],
        consentId: c.id,
      })),
      today,
    );
    return reports.map((c, i) => {
      const gate = decisions[i]!;
      const available = gate.allow && c.report !== null;
      return {
        id: c.id,
        requestedOn: c.notifiedOn,
        available,
        kind: available ? c.kind : null,
        description: available ? c.description : null,
        report: available
          ? {
              text: c.report!.text,
              statement: c.statement?.text ?? null,
              corrections: c.corrections.map((r) => ({ text: r.text, response: r.response })),
              suppliedOn: c.suppliedOn!,
            }
          : null,
        notice: available ? null : !gate.allow && gate.reason === 'report-withheld' ? NO_REPORT : NOT_YET,
      };
    });
  }

  private requireOh(ctx: RequestContext): void {
    if (!maySeeOhRecords(ctx.actor)) throw new NotFoundError('consent');
  }

  /**
   * A letter of a consent, for printing (OH and the person): the notice (AMRA-1, AMRA-2), the
   * application letter once applied (AMRA-3), or the review letter once a report waits (§5b).
   */
  async letter(
    ctx: RequestContext,
    id: string,
    which: 'notice' | 'application' | 'review',
    language: LetterLanguage,
  ): Promise<Letter> {
    const consent = await this.load(ctx, id);
    const person = await this.personOf(consent);
    const links = { consent: this.link(consent) };
    if (which === 'application' && !consent.applicationDate) throw new NotFoundError('letter');
    if (which === 'review' && !consent.report) throw new NotFoundError('letter');
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'consent-letter',
      entityId: id,
      subjectPersonId: consent.personId,
      purpose: 'consent',
      details: { which },
    });
    if (which === 'application') return applicationLetter(consent, person, links, language);
    const today = londonDay(this.clock.now());
    if (which === 'review')
      return reviewLetter(
        consent,
        person,
        links,
        rules.earliestReleaseDate(consent, await this.periods(consent.organisationId, today)),
        today,
        language,
      );
    return noticeLetter(consent, person, links, language);
  }

  /** A consent by id for the platform's own work (the FHIR exchange's Consent in a referral); no reach check, no actor. */
  async findForSystem(id: string): Promise<Consent | null> {
    return this.repository.find(id, PLATFORM_REACH);
  }

  /** A consent for FHIR export: the consent and its person (OH). */
  async forExport(ctx: RequestContext, id: string): Promise<{ consent: Consent; person: Person }> {
    this.requireOh(ctx);
    const consent = await this.load(ctx, id);
    await this.audit.record(ctx, {
      action: 'export',
      entityType: 'consent',
      entityId: id,
      subjectPersonId: consent.personId,
      purpose: 'consent',
    });
    return { consent, person: await this.personOf(consent) };
  }
}

function reportView(c: Consent): ReportView {
  const r = c.report!;
  return {
    consent: c,
    text: r.text,
    receivedOn: r.receivedOn,
    amended: r.amendedAt !== null,
    withheldGrounds: r.withheldParts.map((p) => p.ground),
    corrections: c.corrections,
    statement: c.statement?.text ?? null,
  };
}

/** Adds the consent policy version a result depended on to its history entry (the style guide: results say which version produced them). */
function withPolicy(t: rules.Transition, version: number): rules.Transition {
  return t.ok ? { ...t, event: { ...t.event, details: { ...(t.event.details ?? {}), policyVersion: version } } } : t;
}
