import type { AuditService } from '../audit/audit-service.js';
import { maySeeOhRecords, organisationReach } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { WorkingPattern } from '../people/people-schemas.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import { addDays, addMonths, daysBetween, toIsoDate, type IsoDate } from '../shared/dates.js';
import { NotFoundError, ValidationError, type FieldErrors } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { RequestContext, SystemContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { RecordAbsenceInput, UpdateAbsenceInput } from './attendance-schemas.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { TaskSpec } from '../worklist/worklist-types.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AbsenceSpell, NewAbsenceSpell } from './attendance-types.js';
import { bradfordFactor, triggersReached, type Trigger } from './bradford.js';
import { milestonesFor, type MilestoneCode } from './milestones.js';
import { returnToWorkDue, type ReturnToWorkInput } from './return-to-work.js';
import { complianceReport, type Measure } from './reports.js';
import { appealDeadline, checkMeetingDate, checkReviewPeriod, type Stage } from './formal-procedure.js';
import type { ProcedureStepInput, TriggerDecisionInput } from './procedure-schemas.js';
import type { ParsedImportRow, RejectedImportRow } from './absence-import.js';

/** A spell as one actor may see it: OH free text only for OH (CONF-1). */
export type AbsenceSpellView = Omit<AbsenceSpell, 'ohReasonText' | 'createdAt' | 'updatedAt' | 'accidentReportDueAt'> & {
  reasonText?: string | null;
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
  milestones: Array<{ code: MilestoneCode; sequence: number; dueDate: IsoDate; status: 'open' | 'overdue'; absenceId: string }>;
  policyVersion: number;
  /** ATT-18: the latest decision about triggers, if any. */
  lastDecision: { asOf: IsoDate; decision: string; triggerCodes: string[]; rationale: string } | null;
}

const PURPOSE = 'attendance-management';

/**
 * ATT-7: disability-related absence may be discounted (a reasonable adjustment) unless all
 * adjustments have been made. Until cases record that decision (issue 3), it is discounted.
 */
const DISCOUNT_DISABILITY_RELATED = true;

/** One line of the weekly HR report (ATT-26). */
export interface WeeklyReportRow {
  personId: string;
  name: string;
  staffNumber: string;
  unitId: string | null;
  absentSince: IsoDate | null;
  reasonCategory: string | null;
  calendarDaysAbsent: number | null;
  homeVisitOn: IsoDate | null;
  spells: number;
  bradfordScore: number;
  triggers: string[];
}

/** A recorded step of the attendance procedure. */
export interface ProcedureStep {
  id: string;
  personId: string;
  step: ProcedureStepInput['step'];
  actionDate: IsoDate | null;
  invitationDate: IsoDate | null;
  meetingDate: IsoDate | null;
  outcome: string | null;
  outcomeDate: IsoDate | null;
  reviewEndDate: IsoDate | null;
  /** ATT-24 */
  appealDeadline: IsoDate | null;
  notes: string | null;
  policyVersion: number;
}

/** Recording absences and computing scores, triggers and milestones for a date (issue 3). */
export class AttendanceService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
    private readonly worklist: WorklistService,
  ) {}

  viewFor(ctx: RequestContext, spell: AbsenceSpell): AbsenceSpellView {
    const { ohReasonText, createdAt, updatedAt, accidentReportDueAt, ...rest } = spell;
    return {
      ...rest,
      ...(maySeeOhRecords(ctx.actor) ? { reasonText: ohReasonText } : {}),
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
      importKey: null,
      recordedByUserId: ctx.actor.userId,
    };
    spell.accidentReportDueAt = accidentReportDue(spell);
    const now = this.clock.now();
    const saved = await this.repository.transaction(async (trx) => {
      this.check(ctx, person, spell, input.reasonText !== undefined && input.reasonText !== null, await this.repository.overlapping(personId, spell.startDate, spell.endDate, null, trx));
      await this.repository.insert(spell, now, trx);
      await this.audit.record(ctx, { action: 'create', entityType: 'absence-spell', entityId: spell.id, subjectPersonId: personId, purpose: PURPOSE }, trx);
      return { ...spell, createdAt: now, updatedAt: now };
    });
    await this.syncTasks(saved, person, toIsoDate(now));
    return saved;
  }

  /** Changes a spell (e.g. records the return with an end date). */
  async updateAbsence(ctx: RequestContext, id: string, input: UpdateAbsenceInput): Promise<AbsenceSpell> {
    const { spell: existing, person } = await this.spellInReach(ctx, id);
    const { reasonText, ...rest } = input;
    const merged: NewAbsenceSpell = { ...existing, ...rest, ...(reasonText !== undefined ? { ohReasonText: reasonText } : {}) };
    if (input.notSicknessKind) merged.countsAsSickness = false;
    merged.accidentReportDueAt = accidentReportDue(merged);
    const now = this.clock.now();
    const saved = await this.repository.transaction(async (trx) => {
      this.check(ctx, person, merged, reasonText !== undefined, await this.repository.overlapping(existing.personId, merged.startDate, merged.endDate, id, trx));
      await this.repository.update(id, merged, now, trx);
      await this.audit.record(ctx, { action: 'update', entityType: 'absence-spell', entityId: id, subjectPersonId: existing.personId, purpose: PURPOSE, details: { fields: Object.keys(input) } }, trx);
      return { ...merged, createdAt: existing.createdAt, updatedAt: now };
    });
    await this.syncTasks(saved, person, toIsoDate(now));
    return saved;
  }

  /** Removes a spell recorded in error (OH and HR only, with a reason; kept and audited). */
  async deleteAbsence(ctx: RequestContext, id: string, reason: string): Promise<void> {
    const { spell } = await this.spellInReach(ctx, id);
    await this.repository.transaction(async (trx) => {
      await this.repository.softDelete(id, ctx.actor.userId, reason, this.clock.now(), trx);
      await this.audit.record(ctx, { action: 'delete', entityType: 'absence-spell', entityId: id, subjectPersonId: spell.personId, purpose: PURPOSE, details: { reason } }, trx);
    });
    await this.worklist.sync('absence-spell', id, { keep: [], create: [] });
  }

  /**
   * The milestones of a spell as worklist tasks (issue 3 §4): created while the absence is
   * current, due dates from the policy; tasks that stop applying (the spell ended earlier or
   * stopped counting) are cancelled. Line-manager steps go to the person's line manager (or
   * the HR queue when they have none), the OH referral to the OH queue.
   */
  async syncTasks(spell: AbsenceSpell, person: Person, asOf: IsoDate): Promise<void> {
    const policy = await this.policies.inForce(person.organisationId, 'attendance', asOf);
    const current = spell.countsAsSickness && spell.startDate <= asOf && (spell.endDate === null || spell.endDate >= asOf);
    const reached = spell.countsAsSickness ? milestonesFor({ startDate: spell.startDate, endDate: spell.endDate, asOf, pattern: person.workingPattern, calendar: this.calendar, policy: policy.content.milestones }) : [];
    const specs: TaskSpec[] = reached.map((m) => ({
      organisationId: person.organisationId,
      subjectPersonId: person.id,
      sourceType: 'absence-spell',
      sourceId: spell.id,
      code: m.code,
      sequence: m.sequence,
      rule: m.rule,
      dueDate: m.dueDate,
      assignee: m.owner === 'oh' ? { role: 'oh-administrator' } : person.lineManagerId ? { personId: person.lineManagerId } : { role: 'hr-manager' },
    }));
    // ATT-13: once the person is back, the return-to-work interview is due on their first day
    // back. A spell recorded after the event gets that interview only, not past contact steps.
    const returned = spell.countsAsSickness && spell.endDate !== null && spell.endDate < asOf;
    const interview: TaskSpec[] = [];
    if (returned) {
      const due = returnToWorkDue(spell.endDate!, person.workingPattern, this.calendar, policy.content.milestones.returnToWorkWithinWorkingDays);
      interview.push({ ...this.taskBase(person, spell), code: 'return-to-work-interview', sequence: 1, rule: 'ATT-13', dueDate: due.dueDate, assignee: person.lineManagerId ? { personId: person.lineManagerId } : { role: 'hr-manager' } });
    }
    const recentlyReturned = returned && daysBetween(spell.endDate!, asOf) <= 30;
    await this.worklist.sync('absence-spell', spell.id, { keep: [...specs, ...interview], create: current ? specs : recentlyReturned ? interview : [] });
  }

  private taskBase(person: Person, spell: AbsenceSpell): Pick<TaskSpec, 'organisationId' | 'subjectPersonId' | 'sourceType' | 'sourceId'> {
    return { organisationId: person.organisationId, subjectPersonId: person.id, sourceType: 'absence-spell', sourceId: spell.id };
  }

  /** Records the return-to-work interview for a spell that has ended (ATT-13, ATT-14); completes its worklist task. */
  async recordReturnToWork(ctx: RequestContext, absenceId: string, input: ReturnToWorkInput): Promise<{ id: string }> {
    const { spell, person } = await this.spellInReach(ctx, absenceId);
    const fields: FieldErrors = {};
    if (spell.endDate === null) fields.interviewDate = 'Record the last day of absence first: the interview is held on the return';
    else if (input.interviewDate <= spell.endDate) fields.interviewDate = 'The interview is held after the absence, on or after the day of return';
    if (input.interviewDate > toIsoDate(this.clock.now())) fields.interviewDate ??= 'The interview date cannot be in the future';
    if (await this.repository.interviewFor(absenceId)) fields.interviewDate ??= 'A return-to-work interview is already recorded for this absence';
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const now = this.clock.now();
    const id = newId();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertInterview(
        {
          id,
          absence_id: absenceId,
          person_id: person.id,
          organisation_id: person.organisationId,
          interview_date: input.interviewDate,
          interviewer_user_id: ctx.actor.userId,
          fit_for_full_duties: input.fitForFullDuties,
          adjustments: input.adjustments,
          recurrence_likelihood: input.recurrenceLikelihood,
          attendance_expectations_discussed: input.attendanceExpectationsDiscussed,
          certification_complete: input.certificationComplete,
          workplace_factors: JSON.stringify(input.workplaceFactors),
          workplace_notes: input.workplaceNotes,
          disability_related: input.disabilityRelated,
          pregnancy_related: input.pregnancyRelated,
          notified_first_day_of_sickness: input.notifiedFirstDayOfSickness,
          notified_first_day_of_fitness: input.notifiedFirstDayOfFitness,
          flexible_working_discussed: input.flexibleWorkingDiscussed,
          strategy: input.strategy,
          strategy_review_date: input.strategyReviewDate,
          notes: input.notes,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
        trx,
      );
      // §13.6: the interview's disability and pregnancy answers are recorded on the absence too.
      await this.repository.update(absenceId, { disabilityRelated: input.disabilityRelated, pregnancyRelated: input.pregnancyRelated }, now, trx);
      await this.audit.record(ctx, { action: 'create', entityType: 'return-to-work-interview', entityId: id, subjectPersonId: person.id, purpose: PURPOSE }, trx);
    });
    await this.worklist.completeBySource(ctx, 'absence-spell', absenceId, 'return-to-work-interview', 'Interview recorded');
    return { id };
  }

  /**
   * The compliance report (ATT-27) for an organisation, or one of its units, over a period.
   * HR see their own organisation; OH administrators any they serve. Audited as a read.
   */
  async complianceReport(ctx: RequestContext, input: { organisationId: string; unitId: string | null; from: IsoDate; to: IsoDate }): Promise<Measure[]> {
    const reach = organisationReach(ctx.actor);
    if (reach.kind === 'own' && reach.organisationId !== input.organisationId) throw new NotFoundError('organisation');
    if (input.to < input.from) throw new ValidationError({ to: 'The end of the period must be on or after its start' });
    const spells = await this.repository.forReport(input.organisationId, input.unitId, input.from, input.to);
    const ids = spells.map((s) => s.id);
    const [tasks, interviews] = await Promise.all([this.worklist.tasksOfSources('absence-spell', ids), this.repository.interviewAnswers(ids)]);
    await this.audit.record(ctx, { action: 'read', entityType: 'attendance-report', purpose: PURPOSE, details: { report: 'compliance', ...input, spells: ids.length } });
    return complianceReport({ from: input.from, to: input.to, spells, tasks, interviews });
  }

  /**
   * Records a step of the attendance procedure (ATT-20 … ATT-24): informal action first;
   * a formal stage needs the one before it, a meeting date that gives the policy's notice in
   * working days, and a review period within the stage's bounds. The appeal deadline is
   * worked out from the outcome date.
   */
  async recordProcedureStep(ctx: RequestContext, personId: string, input: ProcedureStepInput): Promise<ProcedureStep> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const today = toIsoDate(this.clock.now());
    const policy = await this.policies.inForce(person.organisationId, 'attendance', today);
    const rules = policy.content.formalProcedure;
    const earlier = (await this.repository.procedureSteps(personId)).map((r) => r.step as string);
    const fields: FieldErrors = {};
    let appealDeadlineDate: IsoDate | null = null;
    if (input.step === 'informal-action') {
      if (input.actionDate > today) fields.actionDate = 'The informal action date cannot be in the future';
    } else {
      const stageNumber = Number(input.step.slice(-1)) as Stage;
      const before = stageNumber === 1 ? 'informal-action' : `stage-${stageNumber - 1}`;
      if (!earlier.includes(before)) {
        fields.step = stageNumber === 1 ? 'Informal action must be recorded before stage 1 (ATT-20)' : `Stage ${stageNumber - 1} must come before stage ${stageNumber}`;
      }
      const notice = checkMeetingDate(input.invitationDate, input.meetingDate, this.calendar, rules);
      if (!notice.ok) {
        fields.meetingDate = `The meeting must give at least ${rules.meetingNoticeWorkingDays} working days' notice: the earliest date for an invitation given on ${input.invitationDate} is ${notice.earliest} (ATT-21)`;
      }
      if (input.reviewEndDate) {
        const review = checkReviewPeriod(stageNumber, input.meetingDate, input.reviewEndDate, rules);
        if (!review.ok) fields.reviewEndDate = `The review period must end between ${review.earliest} and ${review.latest}`;
      }
      if (input.outcome && !input.outcomeDate) fields.outcomeDate = 'Give the date the outcome letter was sent';
      if (input.outcomeDate && input.outcomeDate < input.meetingDate) fields.outcomeDate = 'The outcome follows the meeting';
      if (input.outcomeDate) appealDeadlineDate = appealDeadline(stageNumber, input.outcomeDate, this.calendar, rules);
    }
    if (Object.keys(fields).length) throw new ValidationError(fields);
    const now = this.clock.now();
    const step: ProcedureStep = {
      id: newId(),
      personId,
      step: input.step,
      actionDate: input.step === 'informal-action' ? input.actionDate : null,
      invitationDate: input.step === 'informal-action' ? null : input.invitationDate,
      meetingDate: input.step === 'informal-action' ? null : input.meetingDate,
      outcome: input.step === 'informal-action' ? null : input.outcome,
      outcomeDate: input.step === 'informal-action' ? null : input.outcomeDate,
      reviewEndDate: input.step === 'informal-action' ? null : input.reviewEndDate,
      appealDeadline: appealDeadlineDate,
      notes: input.notes ?? null,
      policyVersion: policy.version,
    };
    await this.repository.transaction(async (trx) => {
      await this.repository.insertProcedureStep(
        {
          id: step.id,
          person_id: personId,
          organisation_id: person.organisationId,
          step: step.step,
          action_date: step.actionDate,
          invitation_date: step.invitationDate,
          meeting_date: step.meetingDate,
          outcome: step.outcome,
          outcome_date: step.outcomeDate,
          review_end_date: step.reviewEndDate,
          appeal_deadline: step.appealDeadline,
          notes: step.notes,
          policy_version: step.policyVersion,
          recorded_by_user_id: ctx.actor.userId,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
        trx,
      );
      await this.audit.record(ctx, { action: 'create', entityType: 'attendance-procedure', entityId: step.id, subjectPersonId: personId, purpose: PURPOSE, details: { step: step.step } }, trx);
    });
    return step;
  }

  /**
   * Imports spells from an HR system (issue 3 §9): every row is checked first (person, fields,
   * overlaps with recorded spells and with earlier rows of the file). Valid rows are saved in
   * one transaction, or — with `allOrNothing` — nothing is saved if any row is bad. A row
   * already imported (same organisation, staff number and start date) is skipped, so
   * re-importing a file creates no duplicates.
   */
  async importAbsences(
    ctx: SystemContext,
    input: { organisationId: string; rows: readonly ParsedImportRow[]; allOrNothing: boolean; onProgress?: (done: number, total: number) => void },
  ): Promise<{ imported: number; duplicates: number; rejects: RejectedImportRow[] }> {
    const people = await this.people.byStaffNumbersForSystem(input.organisationId, [...new Set(input.rows.map((r) => r.staffNumber))]);
    const existingKeys = await this.repository.existingImportKeys(input.rows.map((r) => importKey(input.organisationId, r.staffNumber, r.absence.startDate)));
    const rejects: RejectedImportRow[] = [];
    const accepted: Array<{ spell: NewAbsenceSpell; person: Person }> = [];
    const acceptedByPerson = new Map<string, NewAbsenceSpell[]>();
    let duplicates = 0;
    const recorded = new Map<string, AbsenceSpell[]>();
    for (const [i, row] of input.rows.entries()) {
      input.onProgress?.(i + 1, input.rows.length);
      const person = people.get(row.staffNumber);
      if (!person) {
        rejects.push({ line: row.line, reason: `staff_number: no person ${row.staffNumber} in this organisation` });
        continue;
      }
      const key = importKey(input.organisationId, row.staffNumber, row.absence.startDate);
      if (existingKeys.has(key)) {
        duplicates += 1;
        continue;
      }
      const spell: NewAbsenceSpell = {
        id: newId(),
        personId: person.id,
        organisationId: person.organisationId,
        startDate: row.absence.startDate,
        endDate: row.absence.endDate,
        reasonCategory: row.absence.reasonCategory,
        ohReasonText: null,
        dutyRelated: row.absence.dutyRelated,
        injuryOnDuty: row.absence.injuryOnDuty,
        accidentReportDueAt: null,
        pregnancyRelated: row.absence.pregnancyRelated,
        disabilityRelated: row.absence.disabilityRelated,
        countsAsSickness: row.absence.notSicknessKind ? false : row.absence.countsAsSickness,
        notSicknessKind: row.absence.notSicknessKind ?? null,
        certification: row.absence.certification,
        certificateFrom: null,
        certificateTo: null,
        expectedReturnDate: row.absence.expectedReturnDate ?? null,
        importKey: key,
        recordedByUserId: null,
      };
      spell.accidentReportDueAt = accidentReportDue(spell);
      if (!recorded.has(person.id)) recorded.set(person.id, await this.repository.forPerson(person.id));
      const overlaps = [...recorded.get(person.id)!, ...(acceptedByPerson.get(person.id) ?? [])].filter(
        (o) => o.startDate <= (spell.endDate ?? '9999-12-31') && (o.endDate ?? '9999-12-31') >= spell.startDate,
      );
      try {
        this.check(null, person, spell, false, overlaps);
      } catch (error) {
        if (error instanceof ValidationError && error.fields) {
          rejects.push({ line: row.line, reason: Object.entries(error.fields).map(([f, m]) => `${f}: ${m}`).join('; ') });
          continue;
        }
        throw error;
      }
      existingKeys.add(key);
      accepted.push({ spell, person });
      acceptedByPerson.set(person.id, [...(acceptedByPerson.get(person.id) ?? []), spell]);
    }
    if (input.allOrNothing && rejects.length > 0) return { imported: 0, duplicates, rejects };
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      for (const { spell } of accepted) await this.repository.insert(spell, now, trx);
      await this.audit.record(
        ctx,
        accepted.map(({ spell }) => ({ action: 'create' as const, entityType: 'absence-spell', entityId: spell.id, subjectPersonId: spell.personId, purpose: PURPOSE, details: { imported: true } })),
        trx,
      );
    });
    const today = toIsoDate(now);
    for (const { spell, person } of accepted) await this.syncTasks({ ...spell, createdAt: now, updatedAt: now }, person, today);
    return { imported: accepted.length, duplicates, rejects };
  }

  /**
   * Records what was decided about review triggers (ATT-18). A decision not to act must carry
   * its rationale; the triggers named must actually be reached on that date.
   */
  async recordTriggerDecision(ctx: RequestContext, personId: string, input: TriggerDecisionInput): Promise<{ id: string }> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const summary = await this.summarise(ctx, person, await this.repository.forPerson(personId), input.asOf);
    const reached = new Set(summary.triggers.map((t) => t.code));
    const notReached = input.triggerCodes.filter((c) => !reached.has(c));
    if (notReached.length) throw new ValidationError({ triggerCodes: `Not reached on ${input.asOf}: ${notReached.join(', ')}` });
    const id = newId();
    await this.repository.transaction(async (trx) => {
      await this.repository.insertTriggerDecision(
        {
          id,
          person_id: personId,
          organisation_id: person.organisationId,
          trigger_codes: JSON.stringify(input.triggerCodes),
          as_of: input.asOf,
          decision: input.decision,
          rationale: input.rationale,
          decided_by_user_id: ctx.actor.userId,
          created_at: this.clock.now().toISOString(),
        },
        trx,
      );
      await this.audit.record(ctx, { action: 'create', entityType: 'trigger-decision', entityId: id, subjectPersonId: personId, purpose: PURPOSE, details: { decision: input.decision } }, trx);
    });
    return { id };
  }

  /**
   * The weekly HR report (ATT-26) as of a date: for each person in the organisation or unit
   * who is absent now or has reached a review trigger — since when, the reason category,
   * spells and Bradford score over the window, triggers, and when the home visit was made.
   */
  async weeklyReport(ctx: RequestContext, input: { organisationId: string; unitId: string | null; asOf: IsoDate }): Promise<WeeklyReportRow[]> {
    const reach = organisationReach(ctx.actor);
    if (reach.kind === 'own' && reach.organisationId !== input.organisationId) throw new NotFoundError('organisation');
    const policy = await this.policies.inForce(input.organisationId, 'attendance', input.asOf);
    const p = policy.content;
    const windowStart = addDays(input.asOf, -(p.bradfordWindowWeeks * 7 - 1));
    const [people, spells] = await Promise.all([
      this.people.everyoneForReport(ctx, input.organisationId, input.unitId),
      this.repository.inWindow(input.organisationId, input.unitId, addMonths(windowStart, -1), input.asOf),
    ]);
    const byPerson = new Map<string, AbsenceSpell[]>();
    for (const s of spells) byPerson.set(s.personId, [...(byPerson.get(s.personId) ?? []), s]);
    const current = spells.filter((s) => s.countsAsSickness && s.startDate <= input.asOf && (s.endDate === null || s.endDate >= input.asOf));
    const visits = new Map(
      (await this.worklist.tasksOfSources('absence-spell', current.map((s) => s.id)))
        .filter((t) => t.code === 'home-visit' && t.status === 'completed' && t.completedAt)
        .map((t) => [t.sourceId, toIsoDate(t.completedAt!)]),
    );
    const rows: WeeklyReportRow[] = [];
    for (const person of people) {
      const own = byPerson.get(person.id) ?? [];
      if (own.length === 0) continue;
      const bradford = bradfordFactor({ spells: own, asOf: input.asOf, serviceStartDate: person.serviceStartDate, pattern: person.workingPattern, calendar: this.calendar, windowWeeks: p.bradfordWindowWeeks, discountDisabilityRelated: DISCOUNT_DISABILITY_RELATED });
      const triggers = triggersReached({ bradford, spells: own, asOf: input.asOf, policy: p, discountDisabilityRelated: DISCOUNT_DISABILITY_RELATED });
      const now = current.find((s) => s.personId === person.id);
      if (!now && triggers.length === 0) continue;
      rows.push({
        personId: person.id,
        name: `${person.familyName}, ${person.givenName}`,
        staffNumber: person.staffNumber,
        unitId: person.unitId,
        absentSince: now?.startDate ?? null,
        reasonCategory: now?.reasonCategory ?? null,
        calendarDaysAbsent: now ? daysBetween(now.startDate, input.asOf) + 1 : null,
        homeVisitOn: now ? (visits.get(now.id) ?? null) : null,
        spells: bradford.spells,
        bradfordScore: bradford.bradfordScore,
        triggers: triggers.map((t) => t.code),
      });
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The daily run: milestones that became due as days passed, then escalation of overdue ones. */
  async dailySweep(asOf: IsoDate): Promise<{ spells: number; escalated: number }> {
    const spells = await this.repository.currentOn(asOf);
    const people = await this.people.recordsForSystem([...new Set(spells.map((s) => s.personId))]);
    for (const spell of spells) {
      const person = people.get(spell.personId);
      if (person) await this.syncTasks(spell, person, asOf);
    }
    const periods = new Map<string, number>();
    const escalated = await this.worklist.escalateOverdue({
      sourceType: 'absence-spell',
      asOf,
      calendar: this.calendar,
      afterWorkingDays: async (organisationId) => {
        if (!periods.has(organisationId)) periods.set(organisationId, (await this.policies.inForce(organisationId, 'attendance', asOf)).content.milestones.escalateAfterWorkingDays);
        return periods.get(organisationId)!;
      },
      nextUp: async (personId) => (await this.people.recordsForSystem([personId])).get(personId)?.lineManagerId ?? null,
    });
    return { spells: spells.length, escalated };
  }

  /** One spell within the actor's reach (audited as a read). */
  async getAbsence(ctx: RequestContext, absenceId: string): Promise<AbsenceSpell> {
    const { spell } = await this.spellInReach(ctx, absenceId);
    await this.audit.record(ctx, { action: 'read', entityType: 'absence-spell', entityId: absenceId, subjectPersonId: spell.personId, purpose: PURPOSE });
    return spell;
  }

  /** A person's spells, newest first, within the actor's reach. */
  async listAbsences(ctx: RequestContext, personId: string): Promise<AbsenceSpell[]> {
    await this.people.getPerson(ctx, personId, PURPOSE);
    const spells = await this.repository.forPerson(personId);
    await this.audit.record(ctx, { action: 'read', entityType: 'absence-spell', subjectPersonId: personId, purpose: PURPOSE, details: { count: spells.length } });
    return spells.reverse();
  }

  /** The score, triggers and milestones as of a date (defaults to today), with the policy version used. */
  async summary(ctx: RequestContext, personId: string, asOfInput?: IsoDate): Promise<AttendanceSummary> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    return this.summarise(ctx, person, await this.repository.forPerson(personId), asOfInput ?? toIsoDate(this.clock.now()));
  }

  /**
   * Everything the attendance page shows, with one read of the person: the summary, the
   * spells newest first, and which of them already have a return-to-work interview.
   */
  async attendanceOf(ctx: RequestContext, personId: string, asOf: IsoDate): Promise<{ person: Person; summary: AttendanceSummary; spells: AbsenceSpell[]; interviewed: Set<string> }> {
    const person = await this.people.getPerson(ctx, personId, PURPOSE);
    const spells = await this.repository.forPerson(personId);
    const [summary, interviewed] = await Promise.all([this.summarise(ctx, person, spells, asOf), this.repository.interviewedAbsenceIds(spells.map((s) => s.id))]);
    await this.audit.record(ctx, { action: 'read', entityType: 'absence-spell', subjectPersonId: personId, purpose: PURPOSE, details: { count: spells.length } });
    return { person, summary, spells: [...spells].reverse(), interviewed };
  }

  private async summarise(ctx: RequestContext, person: Person, spells: AbsenceSpell[], asOf: IsoDate): Promise<AttendanceSummary> {
    const [policy, lastDecision] = await Promise.all([this.policies.inForce(person.organisationId, 'attendance', asOf), this.repository.latestTriggerDecision(person.id, asOf)]);
    const p = policy.content;
    const discountDisabilityRelated = DISCOUNT_DISABILITY_RELATED;
    const bradford = bradfordFactor({ spells, asOf, serviceStartDate: person.serviceStartDate, pattern: person.workingPattern, calendar: this.calendar, windowWeeks: p.bradfordWindowWeeks, discountDisabilityRelated });
    const triggers = triggersReached({ bradford, spells, asOf, policy: p, discountDisabilityRelated });
    const milestones = spells
      .filter((s) => s.countsAsSickness && s.startDate <= asOf && (s.endDate === null || s.endDate >= asOf))
      .flatMap((s) =>
        milestonesFor({ startDate: s.startDate, endDate: s.endDate, asOf, pattern: person.workingPattern, calendar: this.calendar, policy: p.milestones }).map((m) => ({
          code: m.code,
          sequence: m.sequence,
          dueDate: m.dueDate,
          status: (m.dueDate < asOf ? 'overdue' : 'open') as 'open' | 'overdue',
          absenceId: s.id,
        })),
      );
    await this.audit.record(ctx, { action: 'read', entityType: 'attendance', entityId: person.id, subjectPersonId: person.id, purpose: PURPOSE, details: { asOf, policyVersion: policy.version } });
    return {
      asOf,
      windowStart: bradford.windowStart,
      spells: bradford.spells,
      days: bradford.days,
      bradfordScore: bradford.bradfordScore,
      projected: bradford.projected,
      triggers,
      milestones,
      policyVersion: policy.version,
      lastDecision,
    };
  }

  /** Sets a person's working pattern (ATT-16). */
  async setWorkingPattern(ctx: RequestContext, personId: string, pattern: WorkingPattern): Promise<Person> {
    return this.people.updatePerson(ctx, personId, { workingPattern: pattern });
  }

  private async spellInReach(ctx: RequestContext, id: string): Promise<{ spell: AbsenceSpell; person: Person }> {
    const spell = await this.repository.find(id);
    if (!spell) throw new NotFoundError('absence');
    try {
      return { spell, person: await this.people.getPerson(ctx, spell.personId, PURPOSE) };
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('absence');
      throw error;
    }
  }

  /** Field checks that need the person, the clock or other spells. */
  private check(ctx: RequestContext | null, person: Person, spell: NewAbsenceSpell, givesReasonText: boolean, overlapping: ReadonlyArray<Pick<AbsenceSpell, 'startDate'>>): void {
    const fields: FieldErrors = {};
    const today = toIsoDate(this.clock.now());
    if (spell.endDate !== null && spell.endDate < spell.startDate) fields.endDate = 'The end date must be on or after the start date';
    if (spell.startDate < person.serviceStartDate) fields.startDate = 'The absence cannot start before the person’s service start date';
    if (spell.countsAsSickness && spell.startDate > today) fields.startDate = 'Sickness absence cannot start in the future';
    if (spell.certificateFrom && spell.certificateTo && spell.certificateTo < spell.certificateFrom) fields.certificateTo = 'The certificate must end on or after it starts';
    if ((spell.certificateFrom || spell.certificateTo) && spell.certification !== 'medical') fields.certification = 'Certificate dates go with a medical certificate';
    if (spell.notSicknessKind && spell.countsAsSickness) fields.countsAsSickness = 'Time off that is not sickness never counts as sickness (ATT-6)';
    if (givesReasonText && (!ctx || !maySeeOhRecords(ctx.actor))) fields.reasonText = 'Only occupational health records the reason in the person’s own words';
    if (spell.expectedReturnDate && spell.expectedReturnDate < spell.startDate) fields.expectedReturnDate = 'The expected return must be after the absence starts';
    if (overlapping.length > 0) fields.startDate ??= `This overlaps another absence recorded for this person (from ${overlapping[0]!.startDate})`;
    if (Object.keys(fields).length) throw new ValidationError(fields);
  }
}

/** The key that makes re-importing the same spell a no-op. */
function importKey(organisationId: string, staffNumber: string, startDate: string): string {
  return `${organisationId}:${staffNumber}:${startDate}`;
}

/** ATT-5: an injury on duty needs an accident report within 48 hours of the absence starting. */
function accidentReportDue(spell: Pick<NewAbsenceSpell, 'injuryOnDuty' | 'startDate'>): Date | null {
  return spell.injuryOnDuty ? new Date(`${addDays(spell.startDate, 2)}T00:00:00Z`) : null;
}
