import type { Knex } from 'knex';
import { z } from 'zod';
import type { OhReferralReach, PersonScope } from '../auth/access-policy.js';
import { withinReach } from '../db/reach.js';
import { isPostgres, jsonObject, readJson, readOptionalTimestamp, readTimestamp } from '../db/knex.js';
import { SHARING_CATEGORIES } from '../consent/consent-types.js';
import { answersSchema, referralDetailsSchema } from './referral-details.js';
import type { StepPlan } from './engine.js';
import type {
  Assignee,
  DefinitionRecord,
  NewPathwayEvent,
  OhReferral,
  Pathway,
  PathwayEvent,
  PathwayReferral,
  PathwayStep,
} from './pathway-types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const pausesSchema = z.array(z.object({ from: z.string(), to: z.string().nullable(), reason: z.string() }));
/** A referral into OH: the referrer's answers (text, yes/no, or not given). */
const ohReferralDetailsSchema = z.record(z.string(), z.union([z.string(), z.boolean(), z.null()]));

function toDefinition(row: Record<string, unknown>): DefinitionRecord {
  return {
    id: row.id as string,
    code: row.code as string,
    version: Number(row.version),
    title: row.title as string,
    // Checked against the definition format when the catalogue loads it.
    resource: readJson(row.resource, jsonObject, 'pathway_definitions.resource'),
    publishedAt: readTimestamp(row.published_at),
    publishedByUserId: (row.published_by_user_id as string | null) ?? null,
  };
}

function toPathway(row: Record<string, unknown>): Pathway {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    personId: row.person_id as string,
    definitionId: row.definition_id as string,
    definitionCode: row.definition_code as string,
    definitionVersion: Number(row.definition_version),
    status: row.status as Pathway['status'],
    startedAt: readTimestamp(row.started_at),
    enrolmentSource: row.enrolment_source as Pathway['enrolmentSource'],
    referralId: (row.referral_id as string | null) ?? null,
    enrolledByUserId: (row.enrolled_by_user_id as string | null) ?? null,
    leadClinicianUserId: (row.lead_clinician_user_id as string | null) ?? null,
    facts: readJson(row.facts, answersSchema, 'pathways.facts'),
    pauses: readJson(row.pauses, pausesSchema, 'pathways.pauses').map((p) => ({
      from: new Date(p.from),
      to: p.to ? new Date(p.to) : null,
      reason: p.reason,
    })),
    outcome: (row.outcome as Pathway['outcome']) ?? null,
    closedAt: readOptionalTimestamp(row.closed_at),
    fitness: (row.fitness as Pathway['fitness']) ?? null,
    expectedDuration: (row.expected_duration as string | null) ?? null,
    adjustments: (row.adjustments as string | null) ?? null,
    adviceGivenAt: readOptionalTimestamp(row.advice_given_at),
    revision: Number(row.revision),
    createdAt: readTimestamp(row.created_at),
    updatedAt: readTimestamp(row.updated_at),
  };
}

function pathwayRow(p: Pathway): Record<string, unknown> {
  return {
    id: p.id,
    organisation_id: p.organisationId,
    person_id: p.personId,
    definition_id: p.definitionId,
    definition_code: p.definitionCode,
    definition_version: p.definitionVersion,
    status: p.status,
    started_at: p.startedAt.toISOString(),
    enrolment_source: p.enrolmentSource,
    referral_id: p.referralId,
    enrolled_by_user_id: p.enrolledByUserId,
    lead_clinician_user_id: p.leadClinicianUserId,
    facts: JSON.stringify(p.facts),
    pauses: JSON.stringify(p.pauses.map((x) => ({ from: x.from.toISOString(), to: iso(x.to), reason: x.reason }))),
    outcome: p.outcome,
    closed_at: iso(p.closedAt),
    fitness: p.fitness,
    expected_duration: p.expectedDuration,
    adjustments: p.adjustments,
    advice_given_at: iso(p.adviceGivenAt),
    revision: p.revision,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

function toAssignee(row: Record<string, unknown>): Assignee | null {
  if (row.assignee_user_id) return { userId: row.assignee_user_id as string };
  if (row.assignee_person_id) return { personId: row.assignee_person_id as string };
  if (row.assignee_role) return { role: row.assignee_role as Extract<Assignee, { role: string }>['role'] };
  return null;
}

function assigneeColumns(a: Assignee | null) {
  return {
    assignee_user_id: a && 'userId' in a ? a.userId : null,
    assignee_person_id: a && 'personId' in a ? a.personId : null,
    assignee_role: a && 'role' in a ? a.role : null,
  };
}

function toStep(row: Record<string, unknown>): PathwayStep {
  return {
    id: row.id as string,
    pathwayId: row.pathway_id as string,
    organisationId: row.organisation_id as string,
    personId: row.person_id as string,
    definitionCode: row.definition_code as string,
    stepCode: row.step_code as string,
    status: row.status as PathwayStep['status'],
    dueFrom: readOptionalTimestamp(row.due_from),
    dueBy: readOptionalTimestamp(row.due_by),
    escalateAt: readOptionalTimestamp(row.escalate_at),
    resolvedAt: readOptionalTimestamp(row.resolved_at),
    assignee: toAssignee(row),
    escalationLevel: Number(row.escalation_level),
    dueFiredAt: readOptionalTimestamp(row.due_fired_at),
    overdueFiredAt: readOptionalTimestamp(row.overdue_fired_at),
    escalatedAt: readOptionalTimestamp(row.escalated_at),
    answers: row.answers ? readJson(row.answers, answersSchema, 'pathway_steps.answers') : null,
    note: (row.note as string | null) ?? null,
    completedByUserId: (row.completed_by_user_id as string | null) ?? null,
  };
}

function stepRow(s: PathwayStep): Record<string, unknown> {
  return {
    id: s.id,
    pathway_id: s.pathwayId,
    organisation_id: s.organisationId,
    person_id: s.personId,
    definition_code: s.definitionCode,
    step_code: s.stepCode,
    status: s.status,
    due_from: iso(s.dueFrom),
    due_by: iso(s.dueBy),
    escalate_at: iso(s.escalateAt),
    resolved_at: iso(s.resolvedAt),
    ...assigneeColumns(s.assignee),
    escalation_level: s.escalationLevel,
    due_fired_at: iso(s.dueFiredAt),
    overdue_fired_at: iso(s.overdueFiredAt),
    escalated_at: iso(s.escalatedAt),
    answers: s.answers ? JSON.stringify(s.answers) : null,
    note: s.note,
    completed_by_user_id: s.completedByUserId,
  };
}

function toEvent(row: Record<string, unknown>): PathwayEvent {
  return {
    id: Number(row.id),
    pathwayId: row.pathway_id as string,
    stepId: (row.step_id as string | null) ?? null,
    kind: row.kind as PathwayEvent['kind'],
    at: readTimestamp(row.at),
    actorUserId: (row.actor_user_id as string | null) ?? null,
    actorRole: (row.actor_role as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    details: row.details ? readJson(row.details, jsonObject, 'pathway_events.details') : null,
  };
}

function eventRow(e: NewPathwayEvent): Record<string, unknown> {
  return {
    pathway_id: e.pathwayId,
    step_id: e.stepId,
    kind: e.kind,
    at: e.at.toISOString(),
    actor_user_id: e.actorUserId,
    actor_role: e.actorRole,
    reason: e.reason,
    details: e.details ? JSON.stringify(e.details) : null,
    dedupe_key: e.dedupeKey ?? null,
  };
}

function toReferral(row: Record<string, unknown>): OhReferral {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    personId: row.person_id as string,
    source: row.source as OhReferral['source'],
    referredByUserId: (row.referred_by_user_id as string | null) ?? null,
    referrerRole: (row.referrer_role as string | null) ?? null,
    absenceId: (row.absence_id as string | null) ?? null,
    details: readJson(row.details, ohReferralDetailsSchema, 'oh_referrals.details'),
    status: row.status as OhReferral['status'],
    pathwayId: (row.pathway_id as string | null) ?? null,
    triageNote: (row.triage_note as string | null) ?? null,
    triagedByUserId: (row.triaged_by_user_id as string | null) ?? null,
    triagedAt: readOptionalTimestamp(row.triaged_at),
    createdAt: readTimestamp(row.created_at),
  };
}

function toPathwayReferral(row: Record<string, unknown>): PathwayReferral {
  return {
    id: row.id as string,
    pathwayId: row.pathway_id as string,
    stepId: (row.step_id as string | null) ?? null,
    organisationId: row.organisation_id as string,
    personId: row.person_id as string,
    serviceType: row.service_type as PathwayReferral['serviceType'],
    kind: row.kind as PathwayReferral['kind'],
    priority: row.priority as PathwayReferral['priority'],
    details: readJson(row.details, referralDetailsSchema, 'pathway_referrals.details'),
    status: row.status as PathwayReferral['status'],
    partnerOrganisationId: (row.partner_organisation_id as string | null) ?? null,
    dataCategories:
      row.data_categories == null
        ? null
        : readJson(row.data_categories, z.array(z.enum(SHARING_CATEGORIES)), 'pathway_referrals.data_categories'),
    consentId: (row.consent_id as string | null) ?? null,
    createdByUserId: (row.created_by_user_id as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
  };
}

/** Whose steps a worklist shows: a user's own, a person's own (managers, staff), and role queues. */
export interface StepListFilter {
  userId: string | null;
  personId: string | null;
  roles: ReadonlyArray<{ role: string; organisationId: string | null }>;
  definitionCode?: string;
  unitId?: string;
  /** Person-assigned steps only about the person themselves or people who report to them (directly, or one level further for escalated steps). */
  currentTeamOnly?: boolean;
}

/** The three timers a step has for its current window. */
export type TimerKind = 'due' | 'overdue' | 'escalate';
const TIMER: Record<TimerKind, { at: string; fired: string }> = {
  due: { at: 'due_from', fired: 'due_fired_at' },
  overdue: { at: 'due_by', fired: 'overdue_fired_at' },
  escalate: { at: 'escalate_at', fired: 'escalated_at' },
};

/** Pathways, their steps and history, and referrals into and out of them. */
/** Referrals into OH within `reach`: about a person its people scope covers, or management referrals its user made. */
function ohReferralsWithin(
  q: Knex.QueryBuilder,
  reach: OhReferralReach,
  db: Knex | Knex.Transaction,
): Knex.QueryBuilder {
  return q.andWhere((w) => {
    w.where((own) => withinReach(own, reach.people, db, 'oh_referrals.person_id'));
    if (reach.referredByUserId) w.orWhere({ referred_by_user_id: reach.referredByUserId, source: 'management' });
  });
}

export class PathwayRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  // Definitions

  async insertDefinition(d: DefinitionRecord, trx?: Knex.Transaction): Promise<boolean> {
    const inserted = await (trx ?? this.db)('pathway_definitions')
      .insert({
        id: d.id,
        code: d.code,
        version: d.version,
        title: d.title,
        resource: JSON.stringify(d.resource),
        published_at: d.publishedAt.toISOString(),
        published_by_user_id: d.publishedByUserId,
      })
      .onConflict(['code', 'version'])
      .ignore()
      .returning('id');
    return inserted.length === 1;
  }

  async definitions(): Promise<DefinitionRecord[]> {
    return (await this.db('pathway_definitions').orderBy([{ column: 'code' }, { column: 'version' }])).map(
      toDefinition,
    );
  }

  async definition(code: string, version?: number): Promise<DefinitionRecord | null> {
    const q = this.db('pathway_definitions').where({ code });
    const row = version === undefined ? await q.orderBy('version', 'desc').first() : await q.where({ version }).first();
    return row ? toDefinition(row) : null;
  }

  async definitionById(id: string): Promise<DefinitionRecord | null> {
    const row = await this.db('pathway_definitions').where({ id }).first();
    return row ? toDefinition(row) : null;
  }

  // Pathways

  async insertPathway(p: Pathway, steps: readonly PathwayStep[], trx: Knex.Transaction): Promise<void> {
    await trx('pathways').insert(pathwayRow(p));
    for (let i = 0; i < steps.length; i += 50) await trx('pathway_steps').insert(steps.slice(i, i + 50).map(stepRow));
  }

  /**
   * Takes the pathway for a change: the first statement of the transaction is a write, so on
   * SQLite the transaction holds the write lock from the start (a read first could not be
   * upgraded once another writer had committed) and on PostgreSQL the row is locked.
   */
  async lockPathway(id: string, trx: Knex.Transaction): Promise<boolean> {
    return (
      (await trx('pathways')
        .where({ id })
        .update({ revision: trx.raw('revision') })) === 1
    );
  }

  /** Saves a changed pathway if nobody changed it meanwhile (its revision); false when they did. */
  async updatePathway(p: Pathway, trx: Knex.Transaction): Promise<boolean> {
    const row = pathwayRow({ ...p, revision: p.revision + 1 });
    const n = await trx('pathways').where({ id: p.id, revision: p.revision }).update(row);
    return n === 1;
  }

  /** One whose person is within `reach` (none outside it is read). */
  async findPathway(id: string, reach: PersonScope, trx?: Knex.Transaction): Promise<Pathway | null> {
    const db = trx ?? this.db;
    const row = await withinReach(db('pathways').where({ id }), reach, db, 'pathways.person_id').first();
    return row ? toPathway(row) : null;
  }

  async pathwaysOf(personId: string): Promise<Pathway[]> {
    return (await this.db('pathways').where({ person_id: personId }).orderBy('started_at', 'desc')).map(toPathway);
  }

  async pathwaysByIds(ids: readonly string[], trx?: Knex.Transaction): Promise<Map<string, Pathway>> {
    const out = new Map<string, Pathway>();
    for (let i = 0; i < ids.length; i += 500)
      for (const row of await (trx ?? this.db)('pathways').whereIn('id', ids.slice(i, i + 500)))
        out.set(row.id, toPathway(row));
    return out;
  }

  /** An open pathway of one definition for a person, if any (a person is on each pathway once at a time). */
  async openPathwayOf(personId: string, definitionCode: string, trx?: Knex.Transaction): Promise<Pathway | null> {
    const row = await (trx ?? this.db)('pathways')
      .where({ person_id: personId, definition_code: definitionCode })
      .whereNot('status', 'closed')
      .first();
    return row ? toPathway(row) : null;
  }

  // Steps

  async stepsOf(pathwayId: string, trx?: Knex.Transaction): Promise<PathwayStep[]> {
    return (await (trx ?? this.db)('pathway_steps').where({ pathway_id: pathwayId })).map(toStep);
  }

  /**
   * Writes the steps whose calculated state changed. When a window moves (a resume), a due or
   * overdue timer that has fired is cleared only if its new moment is still ahead, so it fires
   * again then and never twice for a moment already past; escalation happens once.
   */
  async saveStepPlans(
    steps: ReadonlyMap<string, PathwayStep>,
    plans: readonly StepPlan[],
    now: Date,
    trx: Knex.Transaction,
  ): Promise<void> {
    for (const plan of plans) {
      const step = steps.get(plan.stepId);
      if (!step) continue;
      const moved = iso(step.dueFrom) !== iso(plan.dueFrom) || iso(step.dueBy) !== iso(plan.dueBy);
      const changed =
        moved ||
        step.status !== plan.status ||
        iso(step.resolvedAt) !== iso(plan.resolvedAt) ||
        iso(step.escalateAt) !== iso(plan.escalateAt);
      if (!changed) continue;
      await trx('pathway_steps')
        .where({ id: step.id })
        .update({
          status: plan.status,
          due_from: iso(plan.dueFrom),
          due_by: iso(plan.dueBy),
          escalate_at: iso(plan.escalateAt),
          resolved_at: iso(plan.resolvedAt),
          ...(moved && plan.dueFrom && plan.dueFrom > now ? { due_fired_at: null } : {}),
          ...(moved && plan.dueBy && plan.dueBy >= now ? { overdue_fired_at: null } : {}),
        });
    }
  }

  /** Records a step done (with its answers or note) or skipped (the note is the reason). */
  async finishStep(
    stepId: string,
    work: {
      status: 'completed' | 'skipped';
      at: Date;
      answers: Record<string, unknown> | null;
      note: string | null;
      byUserId: string | null;
    },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('pathway_steps')
      .where({ id: stepId })
      .update({
        status: work.status,
        resolved_at: work.at.toISOString(),
        answers: work.answers ? JSON.stringify(work.answers) : null,
        note: work.note,
        completed_by_user_id: work.byUserId,
      });
  }

  async assign(
    stepId: string,
    assignee: Assignee | null,
    escalationLevel: number | null,
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('pathway_steps')
      .where({ id: stepId })
      .update({
        ...assigneeColumns(assignee),
        ...(escalationLevel === null ? {} : { escalation_level: escalationLevel }),
      });
  }

  private listQuery(filter: StepListFilter) {
    const q = this.db('pathway_steps as s').where('s.status', 'open');
    q.andWhere((w) => {
      if (filter.userId) w.orWhere('s.assignee_user_id', filter.userId);
      if (filter.personId && filter.currentTeamOnly) {
        const me = filter.personId;
        w.orWhere((x) =>
          x
            .where('s.assignee_person_id', me)
            .andWhere((y) =>
              y
                .whereIn('s.person_id', this.db('people').select('id').where('line_manager_id', me))
                .orWhereIn(
                  's.person_id',
                  this.db('people as p2')
                    .join('people as m', 'p2.line_manager_id', 'm.id')
                    .select('p2.id')
                    .where('m.line_manager_id', me),
                ),
            ),
        );
      } else if (filter.personId) w.orWhere('s.assignee_person_id', filter.personId);
      for (const r of filter.roles)
        w.orWhere((x) =>
          r.organisationId
            ? x.where({ 's.assignee_role': r.role, 's.organisation_id': r.organisationId })
            : x.where({ 's.assignee_role': r.role }),
        );
      if (!filter.userId && !filter.personId && filter.roles.length === 0) w.whereRaw('1 = 0');
    });
    if (filter.definitionCode) q.where('s.definition_code', filter.definitionCode);
    if (filter.unitId) q.whereIn('s.person_id', this.db('people').select('id').where({ unit_id: filter.unitId }));
    return q;
  }

  /**
   * Open steps on a list, the soonest deadline first. Each branch (the user's own steps, a
   * person's, each queue) is read in deadline order from its own index and the first `limit`
   * of them merged, rather than one OR that would gather and sort a whole large queue.
   */
  async openSteps(filter: StepListFilter, limit: number): Promise<PathwayStep[]> {
    const parts: StepListFilter[] = [
      ...(filter.userId ? [{ ...filter, personId: null, roles: [] }] : []),
      ...(filter.personId ? [{ ...filter, userId: null, roles: [] }] : []),
      ...filter.roles.map((r) => ({ ...filter, userId: null, personId: null, roles: [r] })),
    ];
    const lists = await Promise.all(
      parts.map((f) =>
        this.listQuery(f)
          .select('s.*')
          .orderBy([{ column: 's.due_by' }, { column: 's.id' }])
          .limit(limit),
      ),
    );
    const key = (row: Record<string, unknown>) =>
      `${row.due_by === null || row.due_by === undefined ? '~' : new Date(row.due_by as string).toISOString()}|${row.id as string}`;
    return lists
      .flat()
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
      .slice(0, limit)
      .map(toStep);
  }

  /**
   * How many open steps a list has, how many are due and how many overdue at `asOf`. Each of
   * the list's branches (a user, a person, a queue) is counted on its own index range: an OR
   * across them would read every row of a large queue to add up two dates.
   */
  async countSteps(filter: StepListFilter, asOf: Date): Promise<{ open: number; due: number; overdue: number }> {
    const at = asOf.toISOString();
    const totals = { open: 0, due: 0, overdue: 0 };
    // A person's own (or their team's) steps: a short list, counted in one pass.
    if (filter.personId) {
      const row = (await this.listQuery({ ...filter, userId: null, roles: [] })
        .select(
          this.db.raw('count(*) as open'),
          this.db.raw('sum(case when s.due_from <= ? then 1 else 0 end) as due', [at]),
          this.db.raw('sum(case when s.due_by < ? then 1 else 0 end) as overdue', [at]),
        )
        .first()) as Record<string, unknown>;
      totals.open += Number(row.open ?? 0);
      totals.due += Number(row.due ?? 0);
      totals.overdue += Number(row.overdue ?? 0);
    }
    // A user's own steps and each queue: one pass each over its own index, which holds both dates.
    const branches: Array<(q: Knex.QueryBuilder) => Knex.QueryBuilder> = [];
    if (filter.userId) branches.push((q) => q.where('s.assignee_user_id', filter.userId));
    for (const r of filter.roles)
      branches.push((q) =>
        r.organisationId
          ? q.where({ 's.assignee_role': r.role, 's.organisation_id': r.organisationId })
          : q.where('s.assignee_role', r.role),
      );
    const counts = await Promise.all(
      branches.map(async (branch) => {
        const q = branch(this.db('pathway_steps as s').where('s.status', 'open'));
        if (filter.definitionCode) q.where('s.definition_code', filter.definitionCode);
        if (filter.unitId) q.whereIn('s.person_id', this.db('people').select('id').where({ unit_id: filter.unitId }));
        return (await q
          .select(
            this.db.raw('count(*) as open'),
            this.db.raw('sum(case when s.due_from <= ? then 1 else 0 end) as due', [at]),
            this.db.raw('sum(case when s.due_by < ? then 1 else 0 end) as overdue', [at]),
          )
          .first()) as Record<string, unknown>;
      }),
    );
    for (const row of counts) {
      totals.open += Number(row.open ?? 0);
      totals.due += Number(row.due ?? 0);
      totals.overdue += Number(row.overdue ?? 0);
    }
    return totals;
  }

  /**
   * Claims up to `limit` open steps whose `kind` timer is due at `now` and has not fired,
   * marking it fired, and hands them to `work` in the same transaction (which records the
   * events). Two workers never claim the same step: PostgreSQL skips rows another
   * transaction holds; SQLite has one writer at a time. A crash before commit leaves the
   * steps unclaimed for the next sweep.
   */
  async claimTimers(
    kind: TimerKind,
    now: Date,
    limit: number,
    work: (steps: PathwayStep[], trx: Knex.Transaction) => Promise<void>,
  ): Promise<number> {
    const { at, fired } = TIMER[kind];
    const nowIso = now.toISOString();
    return this.db.transaction(async (trx) => {
      let rows: Record<string, unknown>[];
      const compare = kind === 'overdue' ? '<' : '<=';
      if (isPostgres(this.db)) {
        const result = (await trx.raw(
          `WITH next AS MATERIALIZED (
             SELECT id FROM pathway_steps
              WHERE status = 'open' AND ${at} ${compare} ? AND ${fired} IS NULL
              ORDER BY ${at}, id
              LIMIT ?
              FOR UPDATE SKIP LOCKED
           )
           UPDATE pathway_steps SET ${fired} = ? FROM next WHERE pathway_steps.id = next.id
           RETURNING pathway_steps.*`,
          [nowIso, limit, nowIso],
        )) as { rows: Record<string, unknown>[] };
        rows = result.rows;
      } else {
        const ids = trx('pathway_steps')
          .select('id')
          .where('status', 'open')
          .where(at, compare, nowIso)
          .whereNull(fired)
          .orderBy([{ column: at }, { column: 'id' }])
          .limit(limit);
        rows = (await trx('pathway_steps')
          .whereIn('id', ids)
          .whereNull(fired)
          .update({ [fired]: nowIso })
          .returning('*')) as Record<string, unknown>[];
      }
      const steps = rows.map(toStep);
      if (steps.length) await work(steps, trx);
      return steps.length;
    });
  }

  // Events

  /** Appends history; an event whose dedupe key is already recorded is left out. */
  async insertEvents(events: readonly NewPathwayEvent[], trx: Knex.Transaction): Promise<void> {
    if (events.length === 0) return;
    for (let i = 0; i < events.length; i += 50)
      await trx('pathway_events')
        .insert(events.slice(i, i + 50).map(eventRow))
        .onConflict('dedupe_key')
        .ignore();
  }

  async history(pathwayId: string): Promise<PathwayEvent[]> {
    return (await this.db('pathway_events').where({ pathway_id: pathwayId }).orderBy('id')).map(toEvent);
  }

  // Referrals out of a pathway

  async insertPathwayReferral(r: PathwayReferral, trx: Knex.Transaction): Promise<void> {
    await trx('pathway_referrals').insert({
      id: r.id,
      pathway_id: r.pathwayId,
      step_id: r.stepId,
      organisation_id: r.organisationId,
      person_id: r.personId,
      service_type: r.serviceType,
      kind: r.kind,
      priority: r.priority,
      details: JSON.stringify(r.details),
      status: r.status,
      partner_organisation_id: r.partnerOrganisationId,
      data_categories: r.dataCategories ? JSON.stringify(r.dataCategories) : null,
      consent_id: r.consentId,
      created_by_user_id: r.createdByUserId,
      created_at: r.createdAt.toISOString(),
    });
  }

  /** One whose person is within `reach` (none outside it is read). */
  async findPathwayReferral(id: string, reach: PersonScope, trx?: Knex.Transaction): Promise<PathwayReferral | null> {
    const db = trx ?? this.db;
    const row = await withinReach(
      db('pathway_referrals').where({ id }),
      reach,
      db,
      'pathway_referrals.person_id',
    ).first();
    return row ? toPathwayReferral(row) : null;
  }

  /** Referrals with the definition code of the pathway each came from, in one read (the delivery worker's batch). */
  async pathwayReferralsForDelivery(
    ids: readonly string[],
  ): Promise<Array<{ referral: PathwayReferral; definitionCode: string }>> {
    if (!ids.length) return [];
    const rows = (await this.db('pathway_referrals as r')
      .join('pathways as p', 'p.id', 'r.pathway_id')
      .whereIn('r.id', [...ids])
      .select('r.*', 'p.definition_code as definition_code')) as Array<Record<string, unknown>>;
    return rows.map((row) => ({ referral: toPathwayReferral(row), definitionCode: row.definition_code as string }));
  }

  /** Moves several referrals from one status to the next; returns those that moved (the rest had moved on already). */
  async setReferralStatuses(
    ids: readonly string[],
    from: PathwayReferral['status'],
    to: PathwayReferral['status'],
    trx: Knex.Transaction,
  ): Promise<string[]> {
    if (!ids.length) return [];
    return (
      (await trx('pathway_referrals')
        .whereIn('id', [...ids])
        .where({ status: from })
        .update({ status: to }, ['id'])) as Array<{ id: string }>
    ).map((r) => r.id);
  }

  /** Shares a referral waiting for consent: its partner, what goes, the consent allowing it. False if it was no longer waiting. */
  async shareReferral(
    id: string,
    share: {
      partnerOrganisationId: string;
      dataCategories: string[];
      consentId: string;
      details: Record<string, unknown>;
    },
    trx: Knex.Transaction,
  ): Promise<boolean> {
    const n = await trx('pathway_referrals')
      .where({ id, status: 'awaiting-consent' })
      .update({
        status: 'ready',
        partner_organisation_id: share.partnerOrganisationId,
        data_categories: JSON.stringify(share.dataCategories),
        consent_id: share.consentId,
        details: JSON.stringify(share.details),
      });
    return n > 0;
  }

  /** The referrals shared under a consent (queued or sent). */
  async referralsUnderConsent(consentId: string, trx: Knex.Transaction): Promise<PathwayReferral[]> {
    return (
      await trx('pathway_referrals')
        .where({ consent_id: consentId })
        .whereIn('status', ['ready', 'sent'])
        .orderBy('created_at')
    ).map(toPathwayReferral);
  }

  /** Moves a referral from one status to the next; nothing happens if it has moved on already. */
  async setReferralStatus(
    id: string,
    from: PathwayReferral['status'],
    to: PathwayReferral['status'],
    trx?: Knex.Transaction,
  ): Promise<boolean> {
    return (await (trx ?? this.db)('pathway_referrals').where({ id, status: from }).update({ status: to })) > 0;
  }

  /** Moves a queued referral to another consent that still covers it, or cancels it. */
  async requeueOrCancelReferral(
    id: string,
    next: { consentId: string } | { cancelled: true },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('pathway_referrals')
      .where({ id, status: 'ready' })
      .update('consentId' in next ? { consent_id: next.consentId } : { status: 'cancelled' });
  }

  async pathwayReferrals(pathwayId: string): Promise<PathwayReferral[]> {
    return (await this.db('pathway_referrals').where({ pathway_id: pathwayId }).orderBy('created_at')).map(
      toPathwayReferral,
    );
  }

  // Referrals into OH

  async insertOhReferral(r: OhReferral, trx?: Knex.Transaction): Promise<boolean> {
    const inserted = await (trx ?? this.db)('oh_referrals')
      .insert({
        id: r.id,
        organisation_id: r.organisationId,
        person_id: r.personId,
        source: r.source,
        referred_by_user_id: r.referredByUserId,
        referrer_role: r.referrerRole,
        absence_id: r.absenceId,
        details: JSON.stringify(r.details),
        status: r.status,
        pathway_id: r.pathwayId,
        created_at: r.createdAt.toISOString(),
      })
      .onConflict('absence_id')
      .ignore()
      .returning('id');
    return inserted.length === 1;
  }

  async ohReferralForAbsence(absenceId: string): Promise<OhReferral | null> {
    const row = await this.db('oh_referrals').where({ absence_id: absenceId }).first();
    return row ? toReferral(row) : null;
  }

  /**
   * A referral into OH within `reach`: one about a person the reach's people scope covers, or a management
   * referral its user made (none outside it is read).
   */
  async findOhReferral(id: string, reach: OhReferralReach, trx?: Knex.Transaction): Promise<OhReferral | null> {
    const db = trx ?? this.db;
    const row = await ohReferralsWithin(db('oh_referrals').where({ id }), reach, db).first();
    return row ? toReferral(row) : null;
  }

  /** A person's referrals into OH within `reach`, newest first. */
  async ohReferralsOf(personId: string, reach: OhReferralReach): Promise<OhReferral[]> {
    const q = ohReferralsWithin(this.db('oh_referrals').where({ person_id: personId }), reach, this.db);
    return (await q.orderBy('created_at', 'desc')).map(toReferral);
  }

  async ohReferralsAwaitingTriage(limit: number): Promise<OhReferral[]> {
    return (await this.db('oh_referrals').where({ status: 'awaiting-triage' }).orderBy('created_at').limit(limit)).map(
      toReferral,
    );
  }

  /** Records OH's triage if the referral is still waiting for it; false when someone got there first. */
  async triageOhReferral(
    id: string,
    result: {
      status: 'accepted' | 'declined';
      pathwayId: string | null;
      note: string | null;
      byUserId: string | null;
      at: Date;
    },
    trx: Knex.Transaction,
  ): Promise<boolean> {
    const n = await trx('oh_referrals').where({ id, status: 'awaiting-triage' }).update({
      status: result.status,
      pathway_id: result.pathwayId,
      triage_note: result.note,
      triaged_by_user_id: result.byUserId,
      triaged_at: result.at.toISOString(),
    });
    return n === 1;
  }

  // Bulk loading

  /**
   * Inserts many pathways with their steps, and optionally their history, in `trx`: many
   * rows a statement, mapped exactly as insertPathway and insertEvents map them. For loading
   * data in bulk (the pathways benchmark), where enrolling one pathway at a time would take
   * minutes. Each statement binds at most 999 values on SQLite (the limit of older builds)
   * and 30,000 on PostgreSQL (which allows 65,535). Events are inserted as given: their
   * dedupe keys must not be recorded already.
   */
  async insertPathwaysBulk(
    pathways: readonly Pathway[],
    steps: readonly PathwayStep[],
    trx: Knex.Transaction,
    events: readonly NewPathwayEvent[] = [],
  ): Promise<void> {
    const maxValues = isPostgres(this.db) ? 30_000 : 999;
    const insert = async (table: string, rows: Record<string, unknown>[]) => {
      if (rows.length === 0) return;
      const perStatement = Math.max(1, Math.floor(maxValues / Object.keys(rows[0]!).length));
      for (let i = 0; i < rows.length; i += perStatement) await trx(table).insert(rows.slice(i, i + perStatement));
    };
    await insert('pathways', pathways.map(pathwayRow));
    await insert('pathway_steps', steps.map(stepRow));
    await insert('pathway_events', events.map(eventRow));
  }
}
