import type { Knex } from 'knex';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { IsoDate } from '../shared/dates.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { TaskSpec } from '../worklist/worklist-types.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AttendanceScoring } from './attendance-scoring.js';
import { countedSpells, type TriggerCode } from './bradford.js';
import type { ProcedureRepository } from './procedure-repository.js';
import { TRIGGER_REVIEW } from './procedure-types.js';
import { triggerReviewNeeded } from './trigger-review.js';

const SOURCE = 'attendance-person';

/**
 * ATT-18: keeps each person's trigger review on their line manager's list (the HR queue when
 * they have none) while a reached trigger has not been decided on, and takes it off when no
 * review is needed any more — the absence was corrected, discounted, or fell out of the window.
 */
export class TriggerReviewService {
  constructor(
    private readonly spells: AttendanceRepository,
    private readonly cases: ProcedureRepository,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly scoring: AttendanceScoring,
    private readonly worklist: WorklistService,
    private readonly calendar: WorkingDayCalendar,
  ) {}

  /**
   * The daily sweep: everyone in post is scored as of `asOf`. Only changes are written: a new
   * review where one is needed and not yet asked; open reviews no longer needed are
   * cancelled. Returns how many people need a review.
   */
  async sweep(asOf: IsoDate): Promise<number> {
    const people = (await this.people.everyoneForSystem()).filter(
      (p) => p.serviceStartDate <= asOf && (p.leavingDate === null || p.leavingDate >= asOf),
    );
    const scores = await this.scoring.sweep(people, asOf, null);
    const triggered = people.filter((p) => (scores.get(p.id)?.triggers.length ?? 0) > 0);
    const earliest = triggered.map((p) => scores.get(p.id)!.latestCountedStart!).sort()[0];
    const [decisions, open] = await Promise.all([
      earliest
        ? this.cases.triggerDecisionsSince(
            triggered.map((p) => p.id),
            earliest,
          )
        : Promise.resolve(new Map()),
      this.worklist.openOfCode(SOURCE, TRIGGER_REVIEW),
    ]);
    const openSequence = new Map(open.map((t) => [t.sourceId, t.sequence]));
    const needed = new Set<string>();
    const withinDays = new Map<string, number>();
    for (const person of triggered) {
      const score = scores.get(person.id)!;
      const need = triggerReviewNeeded({
        reached: score.triggers.map((t) => t.code),
        episode: score.latestCountedStart,
        decisions: decisions.get(person.id) ?? [],
      });
      if (!need) continue;
      needed.add(person.id);
      if (openSequence.get(person.id) === need.sequence) continue;
      if (!withinDays.has(person.organisationId))
        withinDays.set(
          person.organisationId,
          (await this.policies.inForce(person.organisationId, 'attendance', asOf)).content
            .triggerReviewWithinWorkingDays,
        );
      await this.ask(person, need.sequence, asOf, withinDays.get(person.organisationId)!);
    }
    for (const task of open)
      if (!needed.has(task.sourceId)) await this.worklist.sync(SOURCE, task.sourceId, { keep: [], create: [] });
    return needed.size;
  }

  /** One person's review after their absence or case changed (a spell recorded, corrected or removed; an interview; a decision). */
  async refresh(person: Person, asOf: IsoDate, trx?: Knex.Transaction): Promise<void> {
    // Inside the change's transaction (issue 14 §12): its spells as changed, its review task with it.
    const spells = (await this.spells.forPerson(person.id, trx)).filter((s) => s.startDate <= asOf);
    const score = await this.scoring.score(person, spells, asOf, trx);
    const episode = countedSpells(spells, score.context.disability).reduce<IsoDate | null>(
      (latest, s) => (latest === null || s.startDate > latest ? s.startDate : latest),
      null,
    );
    const need = triggerReviewNeeded({
      reached: score.triggers.map((t) => t.code as TriggerCode),
      episode,
      decisions: await this.cases.triggerDecisions(person.id, '9999-12-31', trx),
    });
    if (!need) return void (await this.worklist.sync(SOURCE, person.id, { keep: [], create: [] }, trx));
    const policy = await this.policies.inForce(person.organisationId, 'attendance', asOf);
    await this.ask(person, need.sequence, asOf, policy.content.triggerReviewWithinWorkingDays, trx);
  }

  /** The review task; a newer one supersedes (cancels) an older open one. */
  private async ask(
    person: Person,
    sequence: number,
    asOf: IsoDate,
    withinWorkingDays: number,
    trx?: Knex.Transaction,
  ): Promise<void> {
    const spec: TaskSpec = {
      organisationId: person.organisationId,
      subjectPersonId: person.id,
      sourceType: SOURCE,
      sourceId: person.id,
      code: TRIGGER_REVIEW,
      sequence,
      rule: 'ATT-18',
      dueDate: this.calendar.addWorkingDays(asOf, withinWorkingDays),
      assignee: person.lineManagerId ? { personId: person.lineManagerId } : { role: 'hr-manager' },
    };
    await this.worklist.sync(SOURCE, person.id, { keep: [spec], create: [spec] }, trx);
  }
}
