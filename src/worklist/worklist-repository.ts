import type { WorkQueues } from '../auth/access-policy.js';
import type { Knex } from 'knex';
import { readIsoDate, readOptionalIsoDate, readOptionalTimestamp, readTimestamp } from '../db/knex.js';
import { newId } from '../shared/ids.js';
import type { Task, TaskSpec } from './worklist-types.js';

function toTask(row: Record<string, unknown>): Task {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    subjectPersonId: row.subject_person_id as string,
    sourceType: row.source_type as string,
    sourceId: row.source_id as string,
    code: row.code as string,
    sequence: Number(row.sequence),
    rule: (row.rule as string | null) ?? null,
    dueDate: readIsoDate(row.due_date, 'tasks.due_date'),
    overdueAfter: readOptionalIsoDate(row.overdue_after, 'tasks.overdue_after'),
    assigneePersonId: (row.assignee_person_id as string | null) ?? null,
    assigneeRole: (row.assignee_role as string | null) ?? null,
    status: row.status as Task['status'],
    escalationLevel: Number(row.escalation_level),
    escalatedAt: readOptionalTimestamp(row.escalated_at),
    completedAt: readOptionalTimestamp(row.completed_at),
    completedByUserId: (row.completed_by_user_id as string | null) ?? null,
    completionNote: (row.completion_note as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
    updatedAt: readTimestamp(row.updated_at),
  };
}

/** Worklist tasks. A task is created once per (source, code, sequence); later syncs leave its state alone. */
/**
 * Tasks on a worklist: assigned to the person (a line manager's), or in a queue the access policy gives the
 * actor (a queue of one organisation, or of all of OH).
 */
function onList(q: Knex.QueryBuilder, queues: WorkQueues): Knex.QueryBuilder {
  return q.andWhere((w) => {
    if (queues.personId) w.orWhere('assignee_person_id', queues.personId);
    for (const r of queues.roles)
      w.orWhere((x) =>
        r.organisationId
          ? x.where({ assignee_role: r.role, organisation_id: r.organisationId })
          : x.where({ assignee_role: r.role }),
      );
    if (!queues.personId && queues.roles.length === 0) w.whereRaw('1 = 0');
  });
}

export class WorklistRepository {
  constructor(private readonly db: Knex) {}

  /** Creates the tasks that do not exist yet; returns how many were created. */
  async ensure(specs: readonly TaskSpec[], now: Date, trx?: Knex.Transaction): Promise<number> {
    if (specs.length === 0) return 0;
    const rows = specs.map((s) => ({
      id: newId(),
      organisation_id: s.organisationId,
      subject_person_id: s.subjectPersonId,
      source_type: s.sourceType,
      source_id: s.sourceId,
      code: s.code,
      sequence: s.sequence,
      rule: s.rule,
      due_date: s.dueDate,
      overdue_after: s.overdueAfter ?? null,
      assignee_person_id: 'personId' in s.assignee ? s.assignee.personId : null,
      assignee_role: 'role' in s.assignee ? s.assignee.role : null,
      status: 'open',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }));
    let created = 0;
    for (let i = 0; i < rows.length; i += 40) {
      const result = await (trx ?? this.db)('tasks')
        .insert(rows.slice(i, i + 40))
        .onConflict(['source_type', 'source_id', 'code', 'sequence'])
        .ignore()
        .returning('id');
      created += result.length;
    }
    return created;
  }

  /**
   * Reopens cancelled tasks among `specs` (one source): a task cancelled when it stopped
   * applying — an absence ended, then its end date was taken off again — applies once more,
   * with the due date it has now. Returns how many were reopened.
   */
  async reopen(
    sourceType: string,
    sourceId: string,
    specs: readonly TaskSpec[],
    now: Date,
    trx?: Knex.Transaction,
  ): Promise<number> {
    if (specs.length === 0) return 0;
    const db = trx ?? this.db;
    const cancelled = await db('tasks')
      .where({ source_type: sourceType, source_id: sourceId, status: 'cancelled' })
      .select('id', 'code', 'sequence');
    if (cancelled.length === 0) return 0;
    const wanted = new Map(specs.map((s) => [`${s.code}#${s.sequence}`, s]));
    let reopened = 0;
    for (const row of cancelled) {
      const spec = wanted.get(`${row.code}#${Number(row.sequence)}`);
      if (!spec) continue;
      await db('tasks')
        .where({ id: row.id, status: 'cancelled' })
        .update({
          status: 'open',
          due_date: spec.dueDate,
          overdue_after: spec.overdueAfter ?? null,
          updated_at: now.toISOString(),
        });
      reopened += 1;
    }
    return reopened;
  }

  /** Cancels open tasks of a source that are not in `keep` (e.g. the absence ended before they applied). */
  async cancelOthers(
    sourceType: string,
    sourceId: string,
    keep: ReadonlyArray<{ code: string; sequence: number }>,
    now: Date,
    trx?: Knex.Transaction,
  ): Promise<number> {
    const open = await (trx ?? this.db)('tasks')
      .where({ source_type: sourceType, source_id: sourceId, status: 'open' })
      .select('id', 'code', 'sequence');
    const keepKeys = new Set(keep.map((k) => `${k.code}#${k.sequence}`));
    const cancel = open.filter((r) => !keepKeys.has(`${r.code}#${Number(r.sequence)}`)).map((r) => r.id as string);
    if (cancel.length)
      await (trx ?? this.db)('tasks')
        .whereIn('id', cancel)
        .update({ status: 'cancelled', updated_at: now.toISOString() });
    return cancel.length;
  }

  async find(id: string): Promise<Task | null> {
    const row = await this.db('tasks').where({ id }).first();
    return row ? toTask(row) : null;
  }

  /** An open task on the list of whoever works from `queues` (none elsewhere is read). */
  async findOpenOnList(id: string, queues: WorkQueues): Promise<Task | null> {
    const row = await onList(this.db('tasks').where({ id, status: 'open' }), queues).first();
    return row ? toTask(row) : null;
  }

  /** Open tasks on the list of whoever works from `queues`, soonest first. */
  async openFor(queues: WorkQueues, limit: number): Promise<Task[]> {
    const q = onList(this.db('tasks').where({ status: 'open' }), queues)
      .orderBy([{ column: 'due_date' }, { column: 'code' }])
      .limit(limit);
    return (await q).map(toTask);
  }

  /** Open tasks from one kind of source that were overdue before `date` (past their due date, or their later overdue date), oldest first. */
  async overdue(sourceType: string, date: string, limit: number): Promise<Task[]> {
    const rows = await this.db('tasks')
      .where({ status: 'open', source_type: sourceType })
      .where('due_date', '<', date)
      .andWhere((w) => w.whereNull('overdue_after').orWhere('overdue_after', '<', date))
      .orderBy('due_date')
      .limit(limit);
    return rows.map(toTask);
  }

  async complete(
    id: string,
    byUserId: string | null,
    note: string | null,
    now: Date,
    trx?: Knex.Transaction,
  ): Promise<boolean> {
    const n = await (trx ?? this.db)('tasks').where({ id, status: 'open' }).update({
      status: 'completed',
      completed_at: now.toISOString(),
      completed_by_user_id: byUserId,
      completion_note: note,
      updated_at: now.toISOString(),
    });
    return n === 1;
  }

  async reassign(id: string, assignee: TaskSpec['assignee'], level: number, now: Date): Promise<void> {
    await this.db('tasks')
      .where({ id, status: 'open' })
      .update({
        assignee_person_id: 'personId' in assignee ? assignee.personId : null,
        assignee_role: 'role' in assignee ? assignee.role : null,
        escalation_level: level,
        escalated_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
  }

  async forSources(sourceType: string, sourceIds: readonly string[]): Promise<Task[]> {
    const out: Task[] = [];
    for (let i = 0; i < sourceIds.length; i += 500) {
      out.push(
        ...(
          await this.db('tasks')
            .where({ source_type: sourceType })
            .whereIn('source_id', sourceIds.slice(i, i + 500))
        ).map(toTask),
      );
    }
    return out;
  }

  /** Every open task of one code from one kind of source. */
  async openOfCode(sourceType: string, code: string): Promise<Task[]> {
    return (await this.db('tasks').where({ source_type: sourceType, code, status: 'open' })).map(toTask);
  }

  async forSource(sourceType: string, sourceId: string, trx?: Knex.Transaction): Promise<Task[]> {
    return (
      await (trx ?? this.db)('tasks').where({ source_type: sourceType, source_id: sourceId }).orderBy('due_date')
    ).map(toTask);
  }
}
