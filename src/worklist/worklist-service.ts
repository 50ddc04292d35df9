import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import { taskQueues } from '../auth/access-policy.js';
import type { Clock } from '../shared/clock.js';
import type { IsoDate } from '../shared/dates.js';
import { ConflictError } from '../shared/errors.js';
import type { AnyContext, RequestContext } from '../shared/request-context.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistRepository } from './worklist-repository.js';
import { deadlineOf, type Task, type TaskSpec } from './worklist-types.js';

/** Roles whose shared queue a role-assigned task may sit in. */

/**
 * Worklists: tasks with due dates on the right person's (or team's) list, completed with a
 * record, escalated up the line when overdue. Capabilities describe the tasks they need
 * (`sync`); the worklist keeps their state.
 */
export class WorklistService {
  constructor(
    private readonly repository: WorklistRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** Tasks completed only by recording the work itself (the interview form, the trigger decision), never with a note. */
    private readonly completedByTheirForm: ReadonlySet<string> = new Set(),
  ) {}

  /** Whether a task is done by its own form rather than with a note. */
  completedByForm(code: string): boolean {
    return this.completedByTheirForm.has(code);
  }

  /**
   * Brings a source's tasks in line: creates those in `create` that do not exist yet (and
   * reopens any that were cancelled when they stopped applying), and cancels its open tasks
   * that are not in `keep` (they no longer apply). With `trx`, on the caller's transaction, so the tasks
   * commit with the change they follow from.
   */
  async sync(
    sourceType: string,
    sourceId: string,
    tasks: { keep: readonly TaskSpec[]; create: readonly TaskSpec[] },
    trx?: Knex.Transaction,
  ): Promise<void> {
    const now = this.clock.now();
    await this.repository.ensure(tasks.create, now, trx);
    await this.repository.reopen(sourceType, sourceId, tasks.create, now, trx);
    await this.repository.cancelOthers(sourceType, sourceId, tasks.keep, now, trx);
  }

  /** The actor's open tasks: assigned to them, or to a queue their role works from. */
  async mine(ctx: RequestContext, limit = 200): Promise<Task[]> {
    return this.repository.openFor(taskQueues(ctx.actor), limit);
  }

  /** Completes a task on the actor's list, with what was done. Anything else is not found. */
  async complete(ctx: RequestContext, taskId: string, note: string | null): Promise<Task> {
    // Only a task on the actor's list is read at all (the access policy's queues, applied in the query).
    const task = await this.repository.findOpenOnList(taskId, taskQueues(ctx.actor));
    if (!task) throw await this.audit.outOfReach(ctx, { entityType: 'task', entityId: taskId });
    if (this.completedByTheirForm.has(task.code))
      throw new ConflictError(
        'task-needs-its-form',
        'This task is completed by recording the work itself (the interview or the decision), not with a note.',
      );
    await this.repository.complete(taskId, ctx.actor.userId, note, this.clock.now());
    await this.audit.record(ctx, {
      action: 'update',
      entityType: 'task',
      entityId: taskId,
      subjectPersonId: task.subjectPersonId,
      purpose: task.sourceType,
      details: { completed: task.code },
    });
    return (await this.repository.find(taskId))!;
  }

  /** Completes a source's open task when the work it stands for is recorded elsewhere (e.g. the interview form). */
  async completeBySource(
    ctx: AnyContext,
    sourceType: string,
    sourceId: string,
    code: string,
    note: string,
    /** The change's transaction: the task is completed with it (issue 14 §12). */
    trx?: Knex.Transaction,
  ): Promise<void> {
    for (const task of await this.repository.forSource(sourceType, sourceId, trx)) {
      if (task.code === code && task.status === 'open') {
        await this.repository.complete(task.id, ctx.actor?.userId ?? null, note, this.clock.now(), trx);
        await this.audit.record(
          ctx,
          {
            action: 'update',
            entityType: 'task',
            entityId: task.id,
            subjectPersonId: task.subjectPersonId,
            purpose: sourceType,
            details: { completed: code },
          },
          trx,
        );
      }
    }
  }

  /**
   * Escalates open tasks overdue by more than `afterWorkingDays` working days per level:
   * a person's task goes to their line manager (`nextUp`), and to the organisation's HR
   * queue when there is nobody above. Returns how many moved.
   */
  async escalateOverdue(input: {
    sourceType: string;
    asOf: IsoDate;
    calendar: WorkingDayCalendar;
    /** Working days overdue before each escalation, for the task's organisation (policy data). */
    afterWorkingDays: (organisationId: string) => Promise<number>;
    nextUp: (personId: string) => Promise<string | null>;
  }): Promise<number> {
    let moved = 0;
    const now = this.clock.now();
    const { asOf, calendar, nextUp } = input;
    for (const task of await this.repository.overdue(input.sourceType, asOf, 5_000)) {
      const late = calendar.workingDaysBetween(deadlineOf(task), asOf);
      if (late <= (await input.afterWorkingDays(task.organisationId)) * (task.escalationLevel + 1)) continue;
      if (!task.assigneePersonId) continue;
      const manager = await nextUp(task.assigneePersonId);
      await this.repository.reassign(
        task.id,
        manager ? { personId: manager } : { role: 'hr-manager' },
        task.escalationLevel + 1,
        now,
      );
      await this.audit.record(
        { actor: null, requestId: 'worklist-escalation', ip: null },
        {
          action: 'update',
          entityType: 'task',
          entityId: task.id,
          subjectPersonId: task.subjectPersonId,
          details: { escalatedTo: manager ? 'line-manager' : 'hr-manager', level: task.escalationLevel + 1 },
        },
      );
      moved += 1;
    }
    return moved;
  }

  /** Every open task of one code from one kind of source (for a capability's own sweeps). */
  async openOfCode(sourceType: string, code: string): Promise<Task[]> {
    return this.repository.openOfCode(sourceType, code);
  }

  /** Every task (any status) of some sources, for reports. */
  async tasksOfSources(sourceType: string, sourceIds: readonly string[]): Promise<Task[]> {
    return this.repository.forSources(sourceType, sourceIds);
  }
}
