import { PLATFORM_REACH } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { PolicyService } from '../policies/policy-service.js';
import { addDays, type IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AbsenceService } from './absence-service.js';
import type { ReturnToWorkService } from './return-to-work-service.js';
import type { TriggerReviewService } from './trigger-review-service.js';

/**
 * The attendance work that follows the calendar rather than a change (issue 3 §4): the daily
 * run over every running spell and duties strategy, the trigger sweep (ATT-18), escalation of
 * what is overdue, and the absences due an OH referral (ATT-12).
 */
export class AttendanceSweepService {
  constructor(
    private readonly repository: AttendanceRepository,
    private readonly absences: AbsenceService,
    private readonly returnToWork: ReturnToWorkService,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly worklist: WorklistService,
    private readonly calendar: WorkingDayCalendar,
    private readonly triggerReview: TriggerReviewService,
  ) {}

  /** Absences whose OH referral point has passed and whose referral is not made yet (ATT-12), for the referral service. */
  async absencesDueOhReferral(): Promise<Array<{ id: string; personId: string; reasonCategory: string }>> {
    const out: Array<{ id: string; personId: string; reasonCategory: string }> = [];
    for (const task of await this.worklist.openOfCode('absence-spell', 'oh-referral')) {
      const spell = await this.repository.find(task.sourceId, PLATFORM_REACH);
      if (spell) out.push({ id: spell.id, personId: spell.personId, reasonCategory: spell.reasonCategory });
    }
    return out;
  }

  /** Marks an absence's OH referral item done once the referral is made. */
  async ohReferralMade(absenceId: string, note: string): Promise<void> {
    await this.worklist.completeBySource(
      { actor: null, requestId: 'automatic-referral', ip: null },
      'absence-spell',
      absenceId,
      'oh-referral',
      note,
    );
  }

  /**
   * The daily run (issue 3 §4): milestones and sick pay tasks that became due as days passed;
   * reviews of recuperative and restricted duties (ATT-14); reviews of newly reached triggers
   * (ATT-18); then escalation of overdue tasks up the line.
   */
  async dailySweep(
    asOf: IsoDate,
  ): Promise<{ spells: number; strategies: number; triggerReviews: number; escalated: number }> {
    // Running spells, and those ended in the last 30 days (their return-to-work interview).
    const spells = await this.repository.currentOrEndedSince(asOf, addDays(asOf, -30));
    const strategies = await this.repository.runningStrategies(addDays(asOf, -31));
    const people = await this.people.recordsForSystem([
      ...new Set([...spells.map((s) => s.personId), ...strategies.map((s) => s.personId)]),
    ]);
    for (const spell of spells) {
      const person = people.get(spell.personId);
      if (person) await this.absences.syncTasks(spell, person, asOf);
    }
    for (const strategy of strategies) {
      const person = people.get(strategy.personId);
      if (person) await this.returnToWork.syncRunningStrategy(strategy, person, asOf);
    }
    const triggerReviews = await this.triggerReviews(asOf);
    const periods = new Map<string, number>();
    let escalated = 0;
    for (const sourceType of ['absence-spell', 'return-to-work-interview', 'attendance-person']) {
      escalated += await this.worklist.escalateOverdue({
        sourceType,
        asOf,
        calendar: this.calendar,
        afterWorkingDays: async (organisationId) => {
          if (!periods.has(organisationId))
            periods.set(
              organisationId,
              (await this.policies.inForce(organisationId, 'attendance', asOf)).content.milestones
                .escalateAfterWorkingDays,
            );
          return periods.get(organisationId)!;
        },
        nextUp: async (personId) =>
          (await this.people.recordsForSystem([personId])).get(personId)?.lineManagerId ?? null,
      });
    }
    return { spells: spells.length, strategies: strategies.length, triggerReviews, escalated };
  }

  /** The trigger sweep (ATT-18): reviews where triggers are newly reached, cancelled where none is needed. */
  async triggerReviews(asOf: IsoDate): Promise<number> {
    return this.triggerReview.sweep(asOf);
  }
}
