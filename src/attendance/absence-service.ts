import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import { maySeeCaseDetail, maySeeOhRecords, personScope } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import { addDays, daysBetween, londonDay, startOfLondonDay, type IsoDate } from '../shared/dates.js';
import { ValidationError } from '../shared/errors.js';
import type { FieldMessages } from '../shared/error-messages.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { RecordAbsenceInput, UpdateAbsenceInput } from './attendance-schemas.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { TaskSpec } from '../worklist/worklist-types.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AttendanceScoring } from './attendance-scoring.js';
import { asSaved, ATTENDANCE_PURPOSE as PURPOSE, type AbsenceSpell, type NewAbsenceSpell } from './attendance-types.js';
import { countedSpells, type ScoreContext, type Trigger } from './bradford.js';
import { milestonesFor, type MilestoneCode } from './milestones.js';
import { returnToWorkDue, type RecordedInterview } from './return-to-work.js';
import type { ProcedureRepository } from './procedure-repository.js';
import { sickPayPosition, sickPayTasks, type SickPayPosition } from './sick-pay.js';
import type { TriggerReviewService } from './trigger-review-service.js';

/** A spell as one actor may see it: OH free text only for OH (CONF-1). */
export type AbsenceSpellView = Omit<
  AbsenceSpell,
  'ohReasonText' | 'createdAt' | 'updatedAt' | 'accidentReportDueAt' | 'bbvIncidentId'
> & {
  reasonText?: string | null;
  /** OH and the person only (issue 16 §6). */
  bbvIncidentId?: string | null;
  accidentReportDueAt: string | null;
  createdAt: string;
  updatedAt: string;
};

/** GET /api/v1/people/{personId}/attendance */
export interface AttendanceSummary {
  asOf: IsoDate;
  windowStart: IsoDate;
  spells: number;
  days: number;
  bradfordScore: number;
  projected: boolean;
  triggers: Trigger[];
  milestones: Array<{
    code: MilestoneCode;
    sequence: number;
    dueDate: IsoDate;
    status: 'open' | 'overdue';
    absenceId: string;
  }>;
  policyVersion: number;
  /** The policy in force on `asOf`: what the score and triggers were measured against, for the page to explain them. */
  thresholds: {
    bradfordWindowWeeks: number;
    bradfordThreshold: number;
    spellsThreshold: number;
    spellsWindowMonths: number;
    continuousDaysThreshold: number;
  };
  /** ATT-18: the latest decision about triggers, if any. */
  lastDecision: { asOf: IsoDate; decision: string; triggerCodes: string[]; rationale: string } | null;
  /** ATT-29: sick pay for an absence running on `asOf` — for the person, HR and OH only (not line managers). */
  sickPay?: (SickPayPosition & { absenceId: string }) | null;
}

/**
 * Spells of absence (issue 3): recording, changing and removing them, each with its worklist
 * tasks and the trigger review in the same transaction; reading one, a person's spells, the
 * score, triggers and milestones as of a date, and the attendance page; working patterns.
 */
export class AbsenceService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly cases: ProcedureRepository,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly scoring: AttendanceScoring,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
    private readonly worklist: WorklistService,
    private readonly triggerReview: TriggerReviewService,
  ) {}

  viewFor(ctx: RequestContext, spell: AbsenceSpell): AbsenceSpellView {
    const { ohReasonText, createdAt, updatedAt, accidentReportDueAt, bbvIncidentId, ...rest } = spell;
    return {
      ...rest,
      ...(maySeeOhRecords(ctx.actor) ? { reasonText: ohReasonText } : {}),
      // Issue 16 §6: which exposure is OH's and the person's to know; others see only that it is duty-related.
      ...(maySeeOhRecords(ctx.actor) || ctx.actor.personId === spell.personId ? { bbvIncidentId } : {}),
      accidentReportDueAt: accidentReportDueAt?.toISOString() ?? null,
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    };
  }

  /** Records a spell of absence for a person within the actor's reach (ATT-1, ATT-5, ATT-6, ATT-7). */
  async recordAbsence(ctx: RequestContext, personId: string, input: RecordAbsenceInput): Promise<AbsenceSpell> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const spell: NewAbsenceSpell = {
      id: newId(),
      personId,
      organisationId: person.organisationId,
      startDate: input.startDate,
      endDate: input.endDate,
      reasonCategory: input.reasonCategory,
      ohReasonText: input.reasonText ?? null,
      dutyRelated: input.dutyRelated,
      injuryOnDuty: input.injuryOnDuty,
      accidentReportDueAt: null,
      pregnancyRelated: input.pregnancyRelated,
      disabilityRelated: input.disabilityRelated,
      countsAsSickness: input.notSicknessKind ? false : input.countsAsSickness,
      notSicknessKind: input.notSicknessKind ?? null,
      certification: input.certification,
      certificateFrom: input.certificateFrom ?? null,
      certificateTo: input.certificateTo ?? null,
      expectedReturnDate: input.expectedReturnDate ?? null,
      handoverNotes: input.handoverNotes ?? null,
      noDirectContact: input.noDirectContact,
      nominatedLiaison: input.nominatedLiaison ?? null,
      bbvIncidentId: input.bbvIncidentId ?? null,
      importKey: null,
      recordedByUserId: ctx.actor.userId,
    };
    linkedToExposure(spell);
    spell.accidentReportDueAt = await this.accidentReportDueAt(person, spell);
    const now = this.clock.now();
    const saved = await this.repository.transaction(async (trx) => {
      this.checkSpell(
        ctx,
        person,
        spell,
        input.reasonText !== undefined && input.reasonText !== null,
        await this.repository.overlapping(personId, spell.startDate, spell.endDate, null, trx),
      );
      await this.repository.insert(spell, now, trx);
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'absence-spell',
          entityId: spell.id,
          subjectPersonId: personId,
          purpose: PURPOSE,
        },
        trx,
      );
      // Its tasks and the trigger review commit with it (issue 14 §12).
      const recorded = asSaved(spell, now, now);
      await this.syncTasks(recorded, person, londonDay(now), undefined, trx);
      await this.triggerReview.refresh(person, londonDay(now), trx);
      return recorded;
    });
    return saved;
  }

  /** Changes a spell (e.g. records the return with an end date). */
  async updateAbsence(ctx: RequestContext, id: string, input: UpdateAbsenceInput): Promise<AbsenceSpell> {
    const { spell: existing, person } = await this.spellInReach(ctx, id);
    const { reasonText, ...rest } = input;
    const merged: NewAbsenceSpell = {
      ...existing,
      ...rest,
      ...(reasonText !== undefined ? { ohReasonText: reasonText } : {}),
    };
    if (input.notSicknessKind) merged.countsAsSickness = false;
    linkedToExposure(merged);
    merged.accidentReportDueAt = await this.accidentReportDueAt(person, merged);
    const now = this.clock.now();
    const saved = await this.repository.transaction(async (trx) => {
      this.checkSpell(
        ctx,
        person,
        merged,
        reasonText !== undefined,
        await this.repository.overlapping(existing.personId, merged.startDate, merged.endDate, id, trx),
      );
      await this.repository.update(id, merged, now, trx);
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'absence-spell',
          entityId: id,
          subjectPersonId: existing.personId,
          purpose: PURPOSE,
          details: { fields: Object.keys(input) },
        },
        trx,
      );
      const changed = asSaved(merged, existing.createdAt, now);
      await this.syncTasks(changed, person, londonDay(now), undefined, trx);
      await this.triggerReview.refresh(person, londonDay(now), trx);
      return changed;
    });
    return saved;
  }

  /** Removes a spell recorded in error (OH and HR only, with a reason; kept and audited). */
  async deleteAbsence(ctx: RequestContext, id: string, reason: string): Promise<void> {
    const { spell, person } = await this.spellInReach(ctx, id);
    await this.repository.transaction(async (trx) => {
      await this.repository.softDelete(id, ctx.actor.userId, reason, this.clock.now(), trx);
      await this.audit.record(
        ctx,
        {
          action: 'delete',
          entityType: 'absence-spell',
          entityId: id,
          subjectPersonId: spell.personId,
          purpose: PURPOSE,
          details: { reason },
        },
        trx,
      );
      // Its tasks, the reviews of its return-to-work strategy and the trigger review go with it.
      await this.worklist.sync('absence-spell', id, { keep: [], create: [] }, trx);
      const interview = await this.repository.interviewFor(id, trx);
      if (interview)
        await this.worklist.sync('return-to-work-interview', interview.id as string, { keep: [], create: [] }, trx);
      await this.triggerReview.refresh(person, this.clock.today(), trx);
    });
  }

  /**
   * The tasks of a spell (issue 3 §4): its milestones, created while the absence is current
   * with due dates from the policy, on the line manager's list (the HR queue when there is no
   * manager; the OH referral on the OH queue); HR's sick pay warnings and reviews (ATT-29);
   * and, once the person is back, the return-to-work interview (ATT-13). Tasks that stop
   * applying (the spell ended earlier, stopped counting, was removed) are cancelled.
   */
  async syncTasks(
    spell: AbsenceSpell,
    person: Person,
    asOf: IsoDate,
    others?: readonly AbsenceSpell[],
    /** The change's transaction: the tasks commit with it, read from it (issue 14 §12). */
    trx?: Knex.Transaction,
  ): Promise<void> {
    const policy = await this.policies.inForce(person.organisationId, 'attendance', asOf);
    const current =
      spell.countsAsSickness && spell.startDate <= asOf && (spell.endDate === null || spell.endDate >= asOf);
    const manager = person.lineManagerId ? { personId: person.lineManagerId } : { role: 'hr-manager' };
    const base = {
      organisationId: person.organisationId,
      subjectPersonId: person.id,
      sourceType: 'absence-spell',
      sourceId: spell.id,
    };
    const reached = spell.countsAsSickness
      ? milestonesFor({
          startDate: spell.startDate,
          endDate: spell.endDate,
          asOf,
          pattern: person.workingPattern,
          calendar: this.calendar,
          policy: policy.content.milestones,
          injuryOnDuty: spell.injuryOnDuty,
        })
      : [];
    const owners = {
      oh: { role: 'oh-administrator' },
      hr: { role: 'hr-manager' },
      'line-manager': manager,
      staff: manager,
    } as const;
    const specs: TaskSpec[] = reached.map((m) => ({
      ...base,
      code: m.code,
      sequence: m.sequence,
      rule: m.rule,
      dueDate: m.dueDate,
      assignee: owners[m.owner],
    }));
    if (spell.countsAsSickness) {
      const position = await this.sickPayOf(spell, person, asOf, others, trx);
      for (const t of sickPayTasks(position, spell, asOf, policy.content.sickPay))
        specs.push({
          ...base,
          code: t.code,
          sequence: t.sequence,
          rule: 'ATT-29',
          dueDate: t.dueDate,
          assignee: { role: 'hr-manager' },
        });
    }
    // ATT-13: once the person is back, the return-to-work interview is due on their first day
    // back. A spell recorded after the event gets that interview only, not past contact steps.
    const returned = spell.countsAsSickness && spell.endDate !== null && spell.endDate < asOf;
    const interview: TaskSpec[] = [];
    if (returned && !(await this.repository.interviewFor(spell.id, trx))) {
      const due = returnToWorkDue(
        spell.endDate!,
        person.workingPattern,
        this.calendar,
        policy.content.milestones.returnToWorkWithinWorkingDays,
      );
      interview.push({
        ...base,
        code: 'return-to-work-interview',
        sequence: 1,
        rule: 'ATT-13',
        dueDate: due.dueDate,
        overdueAfter: due.overdueAfter,
        assignee: manager,
      });
    }
    const recentlyReturned = returned && daysBetween(spell.endDate!, asOf) <= 30;
    await this.worklist.sync(
      'absence-spell',
      spell.id,
      { keep: [...specs, ...interview], create: current ? specs : recentlyReturned ? interview : [] },
      trx,
    );
  }

  /** ATT-29: sick pay for a spell on `asOf`, from the person's other spells and any discretionary extension. */
  async sickPayOf(
    spell: AbsenceSpell,
    person: Person,
    asOf: IsoDate,
    others?: readonly AbsenceSpell[],
    trx?: Knex.Transaction,
  ): Promise<SickPayPosition> {
    const [policy, earlier, extension] = await Promise.all([
      this.policies.inForce(person.organisationId, 'attendance', spell.startDate),
      others ? Promise.resolve(others) : this.repository.forPerson(person.id, trx),
      this.repository.sickPayExtension(spell.id, trx),
    ]);
    return sickPayPosition({
      spell,
      earlier: earlier.filter((e) => e.id !== spell.id),
      serviceStartDate: person.serviceStartDate,
      asOf,
      policy: policy.content.sickPay,
      extension,
    });
  }

  /**
   * ATT-5: an injury on duty needs an accident report within the days (48 hours) the policy in
   * force when the absence began allows, from its start; other absences need none.
   */
  async accidentReportDueAt(
    person: Person,
    spell: Pick<NewAbsenceSpell, 'injuryOnDuty' | 'startDate'>,
  ): Promise<Date | null> {
    const withinDays = (await this.policies.inForce(person.organisationId, 'attendance', spell.startDate)).content
      .milestones.accidentReportWithinDays;
    // Due from the start of the UK day (GMT or BST), never UTC midnight.
    return spell.injuryOnDuty ? startOfLondonDay(addDays(spell.startDate, withinDays)) : null;
  }

  /** One spell within the actor's reach (audited as a read). */
  async getAbsence(ctx: RequestContext, absenceId: string): Promise<AbsenceSpell> {
    const { spell } = await this.spellInReach(ctx, absenceId);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'absence-spell',
      entityId: absenceId,
      subjectPersonId: spell.personId,
      purpose: PURPOSE,
    });
    return spell;
  }

  /** A person's spells, newest first, within the actor's reach. */
  async listAbsences(ctx: RequestContext, personId: string): Promise<AbsenceSpell[]> {
    await this.people.getPerson(ctx, personId, PURPOSE);
    const spells = await this.repository.forPerson(personId);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'absence-spell',
      subjectPersonId: personId,
      purpose: PURPOSE,
      details: { count: spells.length },
    });
    return spells.reverse();
  }

  /** The score, triggers and milestones as of a date (defaults to today), with the policy version used. */
  async summary(ctx: RequestContext, personId: string, asOfInput?: IsoDate): Promise<AttendanceSummary> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    return this.summarise(ctx, person, await this.repository.forPerson(personId), asOfInput ?? this.clock.today());
  }

  /**
   * Everything the attendance page shows, with one read of the person: the summary, the
   * spells newest first, and which of them already have a return-to-work interview.
   */
  async attendanceOf(
    ctx: RequestContext,
    personId: string,
    asOf: IsoDate,
  ): Promise<{
    person: Person;
    summary: AttendanceSummary;
    spells: AbsenceSpell[];
    interviewed: Set<string>;
    /** The return-to-work interviews recorded, by absence (ATT-13). */
    interviews: Map<string, RecordedInterview>;
    discounted: Set<string>;
  }> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const spells = await this.repository.forPerson(personId);
    const [{ summary, context }, interviews] = await Promise.all([
      this.evaluate(ctx, person, spells, asOf),
      this.repository.interviewsOf(spells.map((s) => s.id)),
    ]);
    const interviewed = new Set(interviews.keys());
    // ATT-7: which sickness absences the score leaves out (pregnancy, and disability where the case says so).
    const counted = new Set(countedSpells(spells, context.disability).map((s) => s.id));
    const discounted = new Set(spells.filter((s) => s.countsAsSickness && !counted.has(s.id)).map((s) => s.id));
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'absence-spell',
      subjectPersonId: personId,
      purpose: PURPOSE,
      details: { count: spells.length },
    });
    return { person, summary, spells: [...spells].reverse(), interviewed, interviews, discounted };
  }

  private async summarise(
    ctx: RequestContext,
    person: Person,
    spells: AbsenceSpell[],
    asOf: IsoDate,
  ): Promise<AttendanceSummary> {
    return (await this.evaluate(ctx, person, spells, asOf)).summary;
  }

  /** The summary, with the case facts it was scored with (audited as a read). */
  private async evaluate(
    ctx: RequestContext,
    person: Person,
    spells: AbsenceSpell[],
    asOf: IsoDate,
  ): Promise<{ summary: AttendanceSummary; context: ScoreContext }> {
    const [score, decisions] = await Promise.all([
      this.scoring.score(person, spells, asOf),
      this.cases.triggerDecisions(person.id, asOf),
    ]);
    const { policy } = score;
    const running = spells.filter(
      (s) => s.countsAsSickness && s.startDate <= asOf && (s.endDate === null || s.endDate >= asOf),
    );
    const milestones = running.flatMap((s) =>
      milestonesFor({
        startDate: s.startDate,
        endDate: s.endDate,
        asOf,
        pattern: person.workingPattern,
        calendar: this.calendar,
        policy: policy.content.milestones,
        injuryOnDuty: s.injuryOnDuty,
      }).map((m) => ({
        code: m.code,
        sequence: m.sequence,
        dueDate: m.dueDate,
        status: (m.dueDate < asOf ? 'overdue' : 'open') as 'open' | 'overdue',
        absenceId: s.id,
      })),
    );
    // ATT-29: pay is for the person, HR and OH; a line manager sees the absence, not the pay.
    const maySeePay = maySeeCaseDetail(ctx.actor, person.id);
    const sickPay =
      maySeePay && running[0]
        ? { ...(await this.sickPayOf(running[0], person, asOf, spells)), absenceId: running[0].id }
        : null;
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance',
      entityId: person.id,
      subjectPersonId: person.id,
      purpose: PURPOSE,
      details: { asOf, policyVersion: score.policyVersion },
    });
    const last = decisions[0];
    const summary: AttendanceSummary = {
      asOf,
      windowStart: score.bradford.windowStart,
      spells: score.bradford.spells,
      days: score.bradford.days,
      bradfordScore: score.bradford.bradfordScore,
      projected: score.bradford.projected,
      triggers: score.triggers,
      milestones,
      policyVersion: score.policyVersion,
      thresholds: {
        bradfordWindowWeeks: policy.content.bradfordWindowWeeks,
        bradfordThreshold: policy.content.bradfordThreshold,
        spellsThreshold: policy.content.spellsThreshold,
        spellsWindowMonths: policy.content.spellsWindowMonths,
        continuousDaysThreshold: policy.content.continuousDaysThreshold,
      },
      lastDecision: last
        ? { asOf: last.asOf, decision: last.decision, triggerCodes: last.triggerCodes, rationale: last.rationale }
        : null,
      ...(maySeePay ? { sickPay } : {}),
    };
    return { summary, context: score.context };
  }

  /** Sets a person's working pattern (ATT-16). */
  async setWorkingPattern(ctx: RequestContext, personId: string, pattern: WorkingPattern): Promise<Person> {
    return this.people.updatePerson(ctx, personId, { workingPattern: pattern });
  }

  /** A spell and its person, when the person is within the actor's reach; otherwise the absence is not found. */
  async spellInReach(ctx: RequestContext, id: string): Promise<{ spell: AbsenceSpell; person: Person }> {
    const spell = await this.repository.find(id, personScope(ctx.actor));
    if (!spell)
      throw await this.audit.outOfReach(
        ctx,
        { entityType: 'absence-spell', entityId: id, purpose: PURPOSE },
        'absence',
      );
    return { spell, person: await this.people.getPerson(ctx, spell.personId, PURPOSE, 'absence') };
  }

  /** Field checks that need the person, the clock or other spells (a recorded, changed or imported spell). */
  checkSpell(
    ctx: RequestContext | null,
    person: Person,
    spell: NewAbsenceSpell,
    givesReasonText: boolean,
    overlapping: ReadonlyArray<Pick<AbsenceSpell, 'startDate'>>,
  ): void {
    // Locale keys: pages word them in the reader's language, the API and the import in English (issue 15 §6).
    const fields: FieldMessages = {};
    const today = this.clock.today();
    if (spell.endDate !== null && spell.endDate < spell.startDate)
      fields.endDate = 'attendance.refusals.endBeforeStart';
    if (spell.startDate < person.serviceStartDate) fields.startDate = 'attendance.refusals.beforeService';
    if (spell.countsAsSickness && spell.startDate > today) fields.startDate = 'attendance.refusals.futureSickness';
    if (spell.certificateFrom && spell.certificateTo && spell.certificateTo < spell.certificateFrom)
      fields.certificateTo = 'attendance.refusals.certificateEnd';
    if ((spell.certificateFrom || spell.certificateTo) && spell.certification !== 'medical')
      fields.certification = 'attendance.refusals.certificateDates';
    if (spell.notSicknessKind && spell.countsAsSickness)
      // ATT-6
      fields.countsAsSickness = 'attendance.refusals.notSickness';
    if (givesReasonText && (!ctx || !maySeeOhRecords(ctx.actor))) fields.reasonText = 'attendance.refusals.ohOwnWords';
    if (spell.expectedReturnDate && spell.expectedReturnDate < spell.startDate)
      fields.expectedReturnDate = 'attendance.refusals.expectedReturn';
    if (overlapping.length > 0)
      fields.startDate ??= { key: 'attendance.refusals.overlaps', values: { date: overlapping[0]!.startDate } };
    if (Object.keys(fields).length) throw new ValidationError(fields);
  }
}

/**
 * Issue 16 §5: sickness after a blood-borne virus exposure is duty-related (the exposure is a duty
 * incident, ATT-5). Time off for its tests and PEP appointments is recorded as not sickness.
 */
function linkedToExposure(spell: NewAbsenceSpell): void {
  if (spell.bbvIncidentId && spell.countsAsSickness) spell.dutyRelated = true;
}
