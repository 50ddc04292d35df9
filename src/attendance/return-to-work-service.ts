import type { Knex } from 'knex';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import { londonDay, type IsoDate } from '../shared/dates.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { FieldMessages } from '../shared/error-messages.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { AuditService } from '../audit/audit-service.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { TaskSpec } from '../worklist/worklist-types.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AbsenceService } from './absence-service.js';
import { ATTENDANCE_PURPOSE as PURPOSE } from './attendance-types.js';
import {
  checkStrategyDates,
  dutiesTasks,
  returnToWorkDue,
  type RecordedInterview,
  type ReturnToWorkInput,
} from './return-to-work.js';
import type { AbsenceSpell } from './attendance-types.js';
import type { TriggerReviewService } from './trigger-review-service.js';

/** A return-to-work strategy of recuperative or restricted duties (ATT-14), from the day of return. */
interface DutiesStrategy {
  id: string;
  strategy: ReturnToWorkInput['strategy'];
  returnDate: IsoDate;
  reviewDate: IsoDate | null;
  endDate: IsoDate | null;
}

/**
 * The return to work (ATT-13, ATT-14): the interview after an absence, and the reviews of the
 * recuperative or restricted duties it sets.
 */
export class ReturnToWorkService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly absences: AbsenceService,
    private readonly policies: PolicyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly calendar: WorkingDayCalendar,
    private readonly worklist: WorklistService,
    private readonly triggerReview: TriggerReviewService,
  ) {}

  /** Records the return-to-work interview for a spell that has ended (ATT-13, ATT-14); completes its worklist task. */
  async recordReturnToWork(ctx: RequestContext, absenceId: string, input: ReturnToWorkInput): Promise<{ id: string }> {
    const { spell, person } = await this.absences.spellInReach(ctx, absenceId);
    // Sentences each page words in its reader's language (issue 15 §6); the API gives them in English.
    const fields: FieldMessages = {};
    if (spell.endDate === null) fields.interviewDate = 'rtw.refusals.notBackYet';
    else if (input.interviewDate <= spell.endDate) fields.interviewDate = 'rtw.refusals.duringAbsence';
    if (input.interviewDate > this.clock.today()) fields.interviewDate ??= 'rtw.refusals.future';
    if (await this.repository.interviewFor(absenceId)) fields.interviewDate ??= 'rtw.refusals.alreadyRecorded';
    const policy = await this.policies.inForce(person.organisationId, 'attendance', input.interviewDate);
    const returnDate = spell.endDate ? this.firstDayBack(spell.endDate, person) : input.interviewDate;
    Object.assign(fields, {
      ...checkStrategyDates({
        strategy: input.strategy,
        returnDate,
        reviewDate: input.strategyReviewDate,
        endDate: input.strategyEndDate,
        policy: policy.content.returnToWork,
      }),
      ...fields,
    });
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
          strategy_end_date: input.strategyEndDate,
          notes: input.notes,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
        trx,
      );
      // §13.6: the interview's disability and pregnancy answers are recorded on the absence too.
      await this.repository.update(
        absenceId,
        { disabilityRelated: input.disabilityRelated, pregnancyRelated: input.pregnancyRelated },
        now,
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'absence-spell',
          entityId: absenceId,
          subjectPersonId: person.id,
          purpose: PURPOSE,
          details: { fields: ['disabilityRelated', 'pregnancyRelated'], from: 'return-to-work-interview' },
        },
        trx,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'return-to-work-interview',
          entityId: id,
          subjectPersonId: person.id,
          purpose: PURPOSE,
        },
        trx,
      );
      // The interview task is done, the duties' reviews set, the triggers looked at again, all with it.
      await this.worklist.completeBySource(
        ctx,
        'absence-spell',
        absenceId,
        'return-to-work-interview',
        'Interview recorded',
        trx,
      );
      await this.syncDutiesTasks(
        {
          id,
          strategy: input.strategy,
          returnDate,
          reviewDate: input.strategyReviewDate,
          endDate: input.strategyEndDate,
        },
        person,
        londonDay(now),
        trx,
      );
      // The answers may discount the absence (ATT-7), so the triggers may have changed.
      await this.triggerReview.refresh(person, londonDay(now), trx);
    });
    return { id };
  }

  /** The return-to-work interview recorded for a spell within reach (ATT-13), audited as a read; not found when none is. */
  async interviewOf(
    ctx: RequestContext,
    absenceId: string,
  ): Promise<{ spell: AbsenceSpell; interview: RecordedInterview }> {
    const { spell } = await this.absences.spellInReach(ctx, absenceId);
    const interview = (await this.repository.interviewsOf([absenceId])).get(absenceId);
    if (!interview) throw new NotFoundError('interview');
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'return-to-work-interview',
      entityId: interview.id,
      subjectPersonId: spell.personId,
      purpose: PURPOSE,
    });
    return { spell, interview };
  }

  /** ATT-13: the person's first rostered day after the last day of absence. */
  private firstDayBack(lastDayOfAbsence: IsoDate, person: Person): IsoDate {
    return returnToWorkDue(lastDayOfAbsence, person.workingPattern, this.calendar, 0).dueDate;
  }

  /**
   * ATT-14: the monthly reviews of recuperative or restricted duties (line manager), the pay
   * reviews once the months on full pay end (HR), and the adviser's review before the
   * recuperative limit (OH), each created when it falls due.
   */
  private async syncDutiesTasks(
    strategy: DutiesStrategy,
    person: Person,
    asOf: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<void> {
    if (strategy.strategy === 'none') return;
    const policy = await this.policies.inForce(person.organisationId, 'attendance', asOf);
    const manager = person.lineManagerId ? { personId: person.lineManagerId } : { role: 'hr-manager' };
    const specs: TaskSpec[] = dutiesTasks({ ...strategy, asOf, policy: policy.content.returnToWork }).map((t) => ({
      organisationId: person.organisationId,
      subjectPersonId: person.id,
      sourceType: 'return-to-work-interview',
      sourceId: strategy.id,
      code: t.code,
      sequence: t.sequence,
      rule: 'ATT-14',
      dueDate: t.dueDate,
      assignee:
        t.owner === 'line-manager' ? manager : t.owner === 'hr' ? { role: 'hr-manager' } : { role: 'oh-administrator' },
    }));
    await this.worklist.sync('return-to-work-interview', strategy.id, { keep: specs, create: specs }, trx);
  }

  /** ATT-14: the reviews of a recuperative or restricted duties strategy still running that fell due (the daily run). */
  async syncRunningStrategy(
    strategy: Omit<DutiesStrategy, 'returnDate'> & { lastDayOfAbsence: IsoDate },
    person: Person,
    asOf: IsoDate,
  ): Promise<void> {
    await this.syncDutiesTasks(
      { ...strategy, returnDate: this.firstDayBack(strategy.lastDayOfAbsence, person) },
      person,
      asOf,
    );
  }
}
