import type { AuditService } from '../audit/audit-service.js';
import { mayDecideAboveManager, maySeeCaseDetail, personScope } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import type { IsoDate } from '../shared/dates.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { FieldMessage, FieldMessages } from '../shared/error-messages.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AttendanceScoring } from './attendance-scoring.js';
import {
  attendanceScore,
  disabilityDiscounted,
  triggeredSince,
  type ScoreContext,
  type ScoredSpell,
  type Trigger,
} from './bradford.js';
import {
  appealDeadline,
  appealDecisionDue,
  checkMeetingDate,
  checkPostponedDate,
  checkReviewPeriod,
  finalWarningExtensionAllowed,
  latestPostponedDate,
  reviewPeriodBounds,
  stageMayStart,
  warningState,
  type FormalProcedurePolicy,
  type Stage,
  type StageRefusal,
  type StepSoFar,
} from './formal-procedure.js';
import type { ProcedureRepository } from './procedure-repository.js';
import type { TriggerReviewService } from './trigger-review-service.js';
import {
  STAGE_OUTCOMES,
  type AppealInput,
  type DisabilityDecisionInput,
  type PostponementInput,
  type ProcedureStepInput,
  type StageInput,
  type StageOutcomeInput,
  type TriggerDecisionInput,
} from './procedure-schemas.js';
import {
  TRIGGER_REVIEW,
  type DisabilityDecision,
  type ProcedureStepRecord,
  type TriggerDecision,
} from './procedure-types.js';

const PURPOSE = 'attendance-management';

/** A step as the case page and the API show it: the record plus what follows from it on a date. */
export type ProcedureStepView = Omit<
  ProcedureStepRecord,
  'createdAt' | 'updatedAt' | 'recordedByUserId' | 'organisationId'
> & {
  recordedAt: string;
  stage: Stage | null;
  /** ATT-25 */
  warning: ReturnType<typeof warningState>;
  /** ATT-24: the appeal committee's written decision is due by this date. */
  appealDecisionDue: IsoDate | null;
  /** Which letters can be produced. */
  letters: Array<'invitation' | 'outcome'>;
};

/** Everything about a person's attendance case beyond the spells. */
export interface AttendanceCase {
  person: Person;
  asOf: IsoDate;
  steps: ProcedureStepView[];
  /** ATT-18: the review triggers reached on `asOf`. */
  triggers: Trigger[];
  triggerDecisions: TriggerDecision[];
  /** The reasons are for HR, OH and the person; a line manager sees only the decision (CONF-1). */
  disabilityDecisions: Array<Omit<DisabilityDecision, 'rationale'> & { rationale: string | null }>;
  /** ATT-7: whether disability-related absence starting on `asOf` would be discounted. */
  disabilityDiscountedNow: boolean;
  policyVersion: number;
}

/** What a stage letter needs (ATT-21 … ATT-24; seed 003 §19.4, §19.8, §19.15, §21, §23). */
export interface LetterModel {
  kind: 'invitation' | 'outcome';
  stage: Stage;
  organisationName: string;
  letterDate: IsoDate;
  reference: string;
  personId: string;
  person: { name: string; staffNumber: string };
  meeting: {
    date: IsoDate;
    time: string | null;
    location: string | null;
    chairName: string | null;
    postponedFrom: IsoDate | null;
  };
  ohReportRequestedOn: IsoDate | null;
  noticeWorkingDays: number;
  postponementWorkingDays: number;
  outcome: string | null;
  reviewEndDate: IsoDate | null;
  warningLifeMonths: number;
  isWarning: boolean;
  appealDeadline: IsoDate | null;
  appealWorkingDays: number;
  notes: string | null;
}

/** Why a stage may not start yet, as sentences each page words in its reader's language (issue 15 §6). */
const REFUSALS: Record<StageRefusal, (stage: Stage) => FieldMessage> = {
  // ATT-20
  'informal-action-first': () => ({ key: 'procedure.refusals.informalActionFirst' }),
  'stage-awaiting-outcome': () => ({ key: 'procedure.refusals.stageAwaitingOutcome' }),
  // seed 003 §19.1
  'previous-stage-first': (stage) => ({
    key: 'procedure.refusals.previousStageFirst',
    values: { stage, previous: stage - 1 },
  }),
  'previous-warning-not-live': (stage) => ({
    key: stage === 2 ? 'procedure.refusals.noticeNotLive' : 'procedure.refusals.finalWarningNotLive',
    values: { stage },
  }),
};

/**
 * The attendance procedure (ATT-18, ATT-20 … ATT-25) and the case decisions around it (ATT-7):
 * informal action, stages 1–3 with their notice, outcomes, review periods, postponements and
 * appeals; warnings and when they are disregarded; stage letters; trigger decisions.
 */
export class AttendanceProcedureService {
  constructor(
    private readonly repository: ProcedureRepository,
    private readonly spells: AttendanceRepository,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly scoring: AttendanceScoring,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
    private readonly worklist: WorklistService,
    private readonly triggerReview: TriggerReviewService,
  ) {}

  /** The person's case on `asOf`: steps with their warnings, trigger and disability decisions. Audited as a read. */
  async caseOf(ctx: RequestContext, personId: string, asOf: IsoDate): Promise<AttendanceCase> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const [records, triggerDecisions, spells, scored] = await Promise.all([
      this.repository.steps(personId),
      this.repository.triggerDecisions(personId, '9999-12-31'),
      this.spells.forPerson(personId),
      this.scoring.contextFor(person, asOf),
    ]);
    const steps = this.views(records, spells, asOf, scored.context, scored.policy.content.formalProcedure);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-procedure',
      subjectPersonId: personId,
      purpose: PURPOSE,
      details: { steps: steps.length },
    });
    return {
      person,
      asOf,
      steps,
      triggerDecisions,
      triggers: attendanceScore(spells, asOf, scored.context).triggers,
      disabilityDecisions: scored.decisions.map((d) => ({
        ...d,
        rationale: maySeeCaseDetail(ctx.actor, personId) ? d.rationale : null,
      })),
      disabilityDiscountedNow: disabilityDiscounted(asOf, scored.context.disability),
      policyVersion: scored.policy.version,
    };
  }

  /**
   * Records informal action (ATT-20) or invites to a formal stage (ATT-21 … ATT-23): informal
   * action first; the OH report requested first; stages in order unless the reason for
   * starting later is given (§19.1); at least the policy's working days' notice.
   */
  async recordStep(ctx: RequestContext, personId: string, input: ProcedureStepInput): Promise<ProcedureStepView> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    assertNotOwnCase(ctx, person);
    const today = this.clock.today();
    const { context, policy } = await this.scoring.contextFor(person, today);
    const rules = policy.content.formalProcedure;
    const [earlier, spells] = await Promise.all([this.repository.steps(personId), this.spells.forPerson(personId)]);
    const fields: FieldMessages = {};
    const now = this.clock.now();
    const record: ProcedureStepRecord = {
      id: newId(),
      personId,
      organisationId: person.organisationId,
      step: input.step,
      actionDate: null,
      ohReportRequestedOn: null,
      invitationDate: null,
      meetingDate: null,
      meetingTime: null,
      meetingLocation: null,
      chairName: null,
      originalMeetingDate: null,
      postponementReason: null,
      outcome: null,
      outcomeDate: null,
      reviewEndDate: null,
      appealDeadline: null,
      appealLodgedOn: null,
      appealHeardOn: null,
      appealOutcome: null,
      appealDecidedOn: null,
      notes: input.notes ?? null,
      policyVersion: policy.version,
      recordedByUserId: ctx.actor.userId,
      createdAt: now,
      updatedAt: now,
    };
    if (input.step === 'informal-action') {
      if (input.actionDate > today) fields.actionDate = 'procedure.refusals.informalFuture';
      record.actionDate = input.actionDate;
    } else {
      const stage = stageNumber(input.step);
      if (stage === 3 && !mayDecideAboveManager(ctx.actor)) fields.step = STAGE_3_BY_HR;
      this.checkStageStart(stage, input, this.views(earlier, spells, input.invitationDate, context, rules), fields);
      this.checkInvitation(input, today, rules, fields);
      Object.assign(record, {
        ohReportRequestedOn: input.ohReportRequestedOn,
        invitationDate: input.invitationDate,
        meetingDate: input.meetingDate,
        meetingTime: input.meetingTime,
        meetingLocation: input.meetingLocation,
        chairName: input.chairName,
        notes:
          [input.outOfOrderReason ? `Started at stage ${stage}: ${input.outOfOrderReason}` : null, input.notes]
            .filter(Boolean)
            .join('\n\n') || null,
      });
      if (input.outcome) {
        Object.assign(
          record,
          this.checkOutcome(
            stage,
            record,
            {
              outcome: input.outcome,
              outcomeDate: input.outcomeDate ?? null,
              reviewEndDate: input.reviewEndDate,
              notes: null,
            },
            earlier,
            today,
            rules,
            fields,
          ),
        );
      } else if (input.outcomeDate || input.reviewEndDate) {
        fields.outcome = 'procedure.refusals.outcomeWithDates';
      }
    }
    if (Object.keys(fields).length) throw new ValidationError(fields);
    await this.repository.transaction(async (trx) => {
      await this.repository.insertStep(record, trx);
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'attendance-procedure',
          entityId: record.id,
          subjectPersonId: personId,
          purpose: PURPOSE,
          details: { step: record.step },
        },
        trx,
      );
    });
    return this.views([...earlier, record], spells, today, context, rules).at(-1)!;
  }

  /** Records the outcome of a stage meeting (ATT-21 … ATT-24): allowed outcomes, review period bounds, appeal deadline. */
  async recordOutcome(ctx: RequestContext, stepId: string, input: StageOutcomeInput): Promise<ProcedureStepView> {
    return this.changeStage(ctx, stepId, 'outcome', (stage, step, earlier, today, rules, fields) => {
      if (step.outcome) fields.outcome = 'procedure.refusals.outcomeRecorded';
      if (stage === 3 && !mayDecideAboveManager(ctx.actor)) fields.outcome ??= STAGE_3_BY_HR;
      return this.checkOutcome(stage, step, input, earlier, today, rules, fields);
    });
  }

  /** ATT-24: postpones a stage meeting for the representative, within the policy's working days of the original date. */
  async postpone(ctx: RequestContext, stepId: string, input: PostponementInput): Promise<ProcedureStepView> {
    return this.changeStage(ctx, stepId, 'postponement', (_stage, step, _earlier, _today, rules, fields) => {
      if (step.outcome) fields.meetingDate = 'procedure.refusals.meetingHeld';
      const original = step.originalMeetingDate ?? step.meetingDate!;
      const check = checkPostponedDate(original, input.meetingDate, this.calendar, rules);
      if (input.meetingDate <= original)
        fields.meetingDate ??= { key: 'procedure.refusals.postponedAfterOriginal', values: { date: original } };
      else if (!check.ok)
        // ATT-24
        fields.meetingDate ??= {
          key: 'procedure.refusals.postponementWithin',
          values: { count: rules.postponementWorkingDays, date: original, latest: check.latest ?? '' },
        };
      return {
        originalMeetingDate: original,
        meetingDate: input.meetingDate,
        meetingTime: input.meetingTime ?? step.meetingTime,
        postponementReason: input.reason,
      };
    });
  }

  /** ATT-24: records an appeal against a stage outcome, lodged by the deadline; the decision is due in writing within the policy's working days of the hearing. */
  async recordAppeal(ctx: RequestContext, stepId: string, input: AppealInput): Promise<ProcedureStepView> {
    return this.changeStage(ctx, stepId, 'appeal', (_stage, step, _earlier, today, _rules, fields) => {
      if (!step.outcome || !step.outcomeDate || !step.appealDeadline)
        fields.lodgedOn = 'procedure.refusals.appealBeforeOutcome';
      else if (step.appealOutcome) fields.lodgedOn = 'procedure.refusals.appealDecided';
      else if (input.lodgedOn < step.outcomeDate) fields.lodgedOn = 'procedure.refusals.appealAfterLetter';
      else if (input.lodgedOn > step.appealDeadline)
        // ATT-24
        fields.lodgedOn = { key: 'procedure.refusals.appealDeadline', values: { date: step.appealDeadline } };
      // §21.1, §23: the appeal is heard above the manager who gave the outcome; HR records the decision.
      if (input.outcome && !mayDecideAboveManager(ctx.actor))
        fields.outcome =
          // §21.1
          'procedure.refusals.appealByHr';
      for (const [field, value] of [
        ['lodgedOn', input.lodgedOn],
        ['heardOn', input.heardOn],
        ['decidedOn', input.decidedOn],
      ] as const) {
        if (value && value > today) fields[field] ??= 'This date cannot be in the future';
      }
      if (input.heardOn && input.heardOn < input.lodgedOn) fields.heardOn ??= 'procedure.refusals.heardAfterLodged';
      if (input.decidedOn && input.heardOn && input.decidedOn < input.heardOn)
        fields.decidedOn ??= 'procedure.refusals.decisionAfterHearing';
      if (input.decidedOn && !input.heardOn) fields.heardOn ??= 'procedure.refusals.giveHearingDate';
      return {
        appealLodgedOn: input.lodgedOn,
        appealHeardOn: input.heardOn,
        appealOutcome: input.outcome,
        appealDecidedOn: input.decidedOn,
      };
    });
  }

  /**
   * Records what was decided about review triggers (ATT-18). A decision not to act must carry
   * its rationale; the triggers named must actually be reached on that date. Completes the
   * line manager's trigger review task.
   */
  async recordTriggerDecision(
    ctx: RequestContext,
    personId: string,
    input: TriggerDecisionInput,
  ): Promise<{ id: string }> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    assertNotOwnCase(ctx, person);
    if (input.asOf > this.clock.today())
      throw new ValidationError({ asOf: 'A decision is about triggers reached by today, not a future date' });
    const { triggers } = await this.scoring.score(person, await this.spells.forPerson(personId), input.asOf);
    const reached = new Set(triggers.map((t) => t.code));
    const notReached = input.triggerCodes.filter((c) => !reached.has(c));
    if (notReached.length)
      throw new ValidationError({ triggerCodes: `Not reached on ${input.asOf}: ${notReached.join(', ')}` });
    const id = newId();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertTriggerDecision(
        {
          id,
          personId,
          organisationId: person.organisationId,
          asOf: input.asOf,
          decision: input.decision,
          triggerCodes: input.triggerCodes,
          rationale: input.rationale,
          decidedByUserId: ctx.actor.userId,
          createdAt: this.clock.now(),
        },
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'trigger-decision',
          entityId: id,
          subjectPersonId: personId,
          purpose: PURPOSE,
          details: { decision: input.decision },
        },
        trx,
      );
      // The review task is done with the decision, and a trigger the decision did not name still needs
      // one: both commit with the decision (issue 14 §12).
      await this.worklist.completeBySource(
        ctx,
        'attendance-person',
        personId,
        TRIGGER_REVIEW,
        `Decision recorded: ${input.decision}`,
        trx,
      );
      await this.triggerReview.refresh(person, this.clock.today(), trx);
    });
    return { id };
  }

  /**
   * ATT-7: records from when the person's disability-related absence is discounted or, once all
   * reasonable adjustments have been made and attendance still cannot be maintained, counts.
   */
  async recordDisabilityDecision(
    ctx: RequestContext,
    personId: string,
    input: DisabilityDecisionInput,
  ): Promise<{ id: string }> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    assertNotOwnCase(ctx, person);
    if (input.effectiveFrom < person.serviceStartDate)
      throw new ValidationError({
        effectiveFrom: 'The decision cannot take effect before the person’s service start date',
      });
    const id = newId();
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertDisabilityDecision(
        {
          id,
          personId,
          organisationId: person.organisationId,
          effectiveFrom: input.effectiveFrom,
          discount: input.discount,
          rationale: input.rationale,
          decidedByUserId: ctx.actor.userId,
          createdAt: now,
        },
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'disability-discount-decision',
          entityId: id,
          subjectPersonId: personId,
          purpose: PURPOSE,
          details: { discount: input.discount, effectiveFrom: input.effectiveFrom },
        },
        trx,
      );
      // What counts has changed, so the triggers may have too: the review follows in the same transaction.
      await this.triggerReview.refresh(person, this.clock.today(), trx);
    });
    return { id };
  }

  /**
   * One step for a form about it, with what the form should say: the latest date a postponed
   * meeting may be held (ATT-24) and the review period's bounds (ATT-21, ATT-22).
   */
  async stepOf(
    ctx: RequestContext,
    stepId: string,
  ): Promise<{
    step: ProcedureStepView;
    person: Person;
    latestPostponedDate: IsoDate | null;
    reviewBounds: { earliest: IsoDate; latest: IsoDate } | null;
  }> {
    const { step, person } = await this.stepInReach(ctx, stepId);
    const today = this.clock.today();
    const { context, policy } = await this.scoring.contextFor(person, today);
    const rules = (await this.policies.inForce(person.organisationId, 'attendance', step.invitationDate ?? today))
      .content.formalProcedure;
    const [view] = this.views(
      [step],
      await this.spells.forPerson(person.id),
      today,
      context,
      policy.content.formalProcedure,
    );
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-procedure',
      entityId: step.id,
      subjectPersonId: person.id,
      purpose: PURPOSE,
    });
    const stage = step.step === 'informal-action' ? null : stageNumber(step.step);
    const original = step.originalMeetingDate ?? step.meetingDate;
    return {
      step: view!,
      person,
      latestPostponedDate: stage && original ? latestPostponedDate(original, this.calendar, rules) : null,
      reviewBounds: stage && step.meetingDate ? reviewPeriodBounds(stage, step.meetingDate, rules) : null,
    };
  }

  /** The content of a stage's invitation or outcome letter. Audited as a read. */
  async letter(ctx: RequestContext, stepId: string, kind: 'invitation' | 'outcome'): Promise<LetterModel> {
    const { step, person } = await this.stepInReach(ctx, stepId);
    if (step.step === 'informal-action' || (kind === 'outcome' && !step.outcome)) throw new NotFoundError('letter');
    const policy = await this.policies.inForce(person.organisationId, 'attendance', step.invitationDate!);
    const rules = policy.content.formalProcedure;
    const stage = stageNumber(step.step);
    const organisation = (await this.people.listOrganisations()).find((o) => o.id === person.organisationId);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-letter',
      entityId: step.id,
      subjectPersonId: person.id,
      purpose: PURPOSE,
      details: { kind },
    });
    return {
      kind,
      stage,
      organisationName: organisation?.name ?? '',
      letterDate: kind === 'invitation' ? step.invitationDate! : step.outcomeDate!,
      reference: `${step.step.toUpperCase()}-${step.id.slice(0, 8).toUpperCase()}`,
      personId: person.id,
      person: { name: `${person.givenName} ${person.familyName}`, staffNumber: person.staffNumber },
      meeting: {
        date: step.meetingDate!,
        time: step.meetingTime,
        location: step.meetingLocation,
        chairName: step.chairName,
        postponedFrom: step.originalMeetingDate,
      },
      ohReportRequestedOn: step.ohReportRequestedOn,
      noticeWorkingDays: rules.meetingNoticeWorkingDays,
      postponementWorkingDays: rules.postponementWorkingDays,
      outcome: step.outcome,
      reviewEndDate: step.reviewEndDate,
      warningLifeMonths: rules.warningLifeMonths,
      isWarning:
        warningState({
          outcome: step.outcome,
          outcomeDate: step.outcomeDate,
          appealOutcome: null,
          restartDates: [],
          asOf: step.outcomeDate ?? step.meetingDate!,
          policy: rules,
        }).kind === 'warning',
      appealDeadline: step.appealDeadline,
      appealWorkingDays: stage === 3 ? rules.appealStage3WorkingDays : rules.appealWarningWorkingDays,
      notes: kind === 'outcome' ? step.notes : null,
    };
  }

  private async changeStage(
    ctx: RequestContext,
    stepId: string,
    what: string,
    decide: (
      stage: Stage,
      step: ProcedureStepRecord,
      earlier: ProcedureStepRecord[],
      today: IsoDate,
      rules: FormalProcedurePolicy,
      fields: FieldMessages,
    ) => Partial<ProcedureStepRecord>,
  ): Promise<ProcedureStepView> {
    const { step, person } = await this.stepInReach(ctx, stepId);
    assertNotOwnCase(ctx, person);
    if (step.step === 'informal-action') throw new NotFoundError('procedure step');
    const today = this.clock.today();
    const { context, policy } = await this.scoring.contextFor(person, today);
    const rules = (await this.policies.inForce(person.organisationId, 'attendance', step.invitationDate!)).content
      .formalProcedure;
    const [all, spells] = await Promise.all([this.repository.steps(person.id), this.spells.forPerson(person.id)]);
    const fields: FieldMessages = {};
    const changes = decide(
      stageNumber(step.step),
      step,
      all.filter((s) => s.id !== step.id),
      today,
      rules,
      fields,
    );
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      await this.repository.updateStep(step.id, changes, now, trx);
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'attendance-procedure',
          entityId: step.id,
          subjectPersonId: person.id,
          purpose: PURPOSE,
          details: { change: what },
        },
        trx,
      );
    });
    const updated = all.map((s) => (s.id === step.id ? { ...s, ...changes, updatedAt: now } : s));
    return this.views(updated, spells, today, context, policy.content.formalProcedure).find((v) => v.id === step.id)!;
  }

  private checkStageStart(stage: Stage, input: StageInput, sofar: ProcedureStepView[], fields: FieldMessages): void {
    const allowed = stageMayStart(
      stage,
      sofar.map<StepSoFar>((s) => ({
        step: s.step,
        outcome: s.outcome,
        warningLive: s.warning.kind === 'warning' && s.warning.live,
      })),
    );
    if (allowed.ok) return;
    const skippable = allowed.reason === 'previous-stage-first' || allowed.reason === 'previous-warning-not-live';
    if (skippable && input.outOfOrderReason && input.outOfOrderReason.length >= 10) return;
    fields.step = REFUSALS[allowed.reason](stage);
  }

  private checkInvitation(
    input: StageInput,
    today: IsoDate,
    rules: FormalProcedurePolicy,
    fields: FieldMessages,
  ): void {
    if (!input.ohReportRequestedOn)
      fields.ohReportRequestedOn =
        // ATT-20, §19.3
        'procedure.refusals.ohReportFirst';
    else if (input.ohReportRequestedOn > input.invitationDate)
      // ATT-20
      fields.ohReportRequestedOn = 'procedure.refusals.ohReportBeforeInvitation';
    else if (input.ohReportRequestedOn > today) fields.ohReportRequestedOn = 'This date cannot be in the future';
    const notice = checkMeetingDate(input.invitationDate, input.meetingDate, this.calendar, rules);
    if (!notice.ok) {
      // ATT-21
      fields.meetingDate = {
        key: 'procedure.refusals.meetingNotice',
        values: { count: rules.meetingNoticeWorkingDays, date: input.invitationDate, earliest: notice.earliest ?? '' },
      };
    }
  }

  private checkOutcome(
    stage: Stage,
    step: ProcedureStepRecord,
    input: Omit<StageOutcomeInput, 'outcomeDate'> & { outcomeDate: IsoDate | null },
    earlier: readonly ProcedureStepRecord[],
    today: IsoDate,
    rules: FormalProcedurePolicy,
    fields: FieldMessages,
  ): Partial<ProcedureStepRecord> {
    const allowed: readonly string[] = STAGE_OUTCOMES[step.step as keyof typeof STAGE_OUTCOMES];
    if (!allowed.includes(input.outcome))
      fields.outcome ??= { key: 'procedure.refusals.outcomeNotForStage', values: { stage } };
    if (input.outcome === 'final-warning-extended' && !finalWarningExtensionAllowed(earlier))
      // ATT-23
      fields.outcome ??= 'procedure.refusals.finalWarningOnce';
    if (!input.outcomeDate) fields.outcomeDate ??= 'procedure.refusals.giveOutcomeDate';
    else if (input.outcomeDate < step.meetingDate!) fields.outcomeDate ??= 'procedure.refusals.outcomeAfterMeeting';
    else if (input.outcomeDate > today) fields.outcomeDate ??= 'procedure.refusals.outcomeFuture';
    if (input.reviewEndDate) {
      const review = checkReviewPeriod(stage, step.meetingDate!, input.reviewEndDate, rules);
      if (!review.ok)
        fields.reviewEndDate = {
          key: 'procedure.refusals.reviewPeriod',
          values: { earliest: review.earliest ?? '', latest: review.latest ?? '' },
        };
    }
    return {
      outcome: input.outcome,
      outcomeDate: input.outcomeDate || null,
      reviewEndDate: input.reviewEndDate,
      appealDeadline: input.outcomeDate ? appealDeadline(stage, input.outcomeDate, this.calendar, rules) : null,
      ...(input.notes ? { notes: [step.notes, input.notes].filter(Boolean).join('\n\n') } : {}),
    };
  }

  private views(
    records: readonly ProcedureStepRecord[],
    spells: readonly ScoredSpell[],
    asOf: IsoDate,
    context: ScoreContext,
    rules: FormalProcedurePolicy,
  ): ProcedureStepView[] {
    return records.map((r) => {
      const { createdAt, updatedAt: _u, recordedByUserId: _r, organisationId: _o, ...rest } = r;
      const restartDates = r.outcomeDate ? triggeredSince(spells, r.outcomeDate, asOf, context) : [];
      return {
        ...rest,
        recordedAt: createdAt.toISOString(),
        stage: r.step === 'informal-action' ? null : stageNumber(r.step),
        warning: warningState({
          outcome: r.outcome,
          outcomeDate: r.outcomeDate,
          appealOutcome: r.appealOutcome,
          restartDates,
          asOf,
          policy: rules,
        }),
        appealDecisionDue: r.appealHeardOn ? appealDecisionDue(r.appealHeardOn, this.calendar, rules) : null,
        letters: r.step === 'informal-action' ? [] : r.outcome ? ['invitation', 'outcome'] : ['invitation'],
      };
    });
  }

  private async stepInReach(
    ctx: RequestContext,
    stepId: string,
  ): Promise<{ step: ProcedureStepRecord; person: Person }> {
    const step = await this.repository.findStep(stepId, personScope(ctx.actor));
    if (!step)
      throw await this.audit.outOfReach(
        ctx,
        { entityType: 'attendance-procedure', entityId: stepId, purpose: PURPOSE },
        'procedure step',
      );
    return { step, person: await this.people.getPerson(ctx, step.personId, PURPOSE, 'procedure step') };
  }
}

const STAGE_3_BY_HR =
  // §19.13 – §19.16
  'procedure.refusals.stage3ByHr';

/** Nobody makes procedure or case decisions about their own attendance, whatever their role. */
export function assertNotOwnCase(ctx: RequestContext, person: Person): void {
  if (ctx.actor.personId === person.id)
    throw new ForbiddenError('own-attendance-case', 'You cannot record decisions about your own attendance.');
}

function stageNumber(step: ProcedureStepRecord['step']): Stage {
  return Number(step.slice(-1)) as Stage;
}
