import type { PersonScope } from '../auth/access-policy.js';
import { withinReach } from '../db/reach.js';
import type { Knex } from 'knex';
import { z } from 'zod';
import { readBoolean, readJson, readTimestamp } from '../db/knex.js';
import { TRIGGER_CODES } from './bradford.js';
import type { DisabilityDecision, ProcedureStepRecord, TriggerDecision } from './procedure-types.js';

const triggerCodes = z.array(z.enum(TRIGGER_CODES));

const STEP_COLUMNS: Array<[keyof ProcedureStepRecord, string]> = [
  ['id', 'id'],
  ['personId', 'person_id'],
  ['organisationId', 'organisation_id'],
  ['step', 'step'],
  ['actionDate', 'action_date'],
  ['ohReportRequestedOn', 'oh_report_requested_on'],
  ['invitationDate', 'invitation_date'],
  ['meetingDate', 'meeting_date'],
  ['meetingTime', 'meeting_time'],
  ['meetingLocation', 'meeting_location'],
  ['chairName', 'chair_name'],
  ['originalMeetingDate', 'original_meeting_date'],
  ['postponementReason', 'postponement_reason'],
  ['outcome', 'outcome'],
  ['outcomeDate', 'outcome_date'],
  ['reviewEndDate', 'review_end_date'],
  ['appealDeadline', 'appeal_deadline'],
  ['appealLodgedOn', 'appeal_lodged_on'],
  ['appealHeardOn', 'appeal_heard_on'],
  ['appealOutcome', 'appeal_outcome'],
  ['appealDecidedOn', 'appeal_decided_on'],
  ['notes', 'notes'],
  ['policyVersion', 'policy_version'],
  ['recordedByUserId', 'recorded_by_user_id'],
];

function toStep(row: Record<string, unknown>): ProcedureStepRecord {
  const step = {} as Record<string, unknown>;
  for (const [key, column] of STEP_COLUMNS) step[key] = row[column] ?? null;
  step.policyVersion = Number(row.policy_version);
  step.createdAt = readTimestamp(row.created_at);
  step.updatedAt = readTimestamp(row.updated_at);
  return step as unknown as ProcedureStepRecord;
}

function stepRow(step: Partial<ProcedureStepRecord>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of STEP_COLUMNS) if (step[key] !== undefined) row[column] = step[key];
  return row;
}

/**
 * The attendance case beyond the spells: procedure steps (ATT-20 … ATT-25), trigger
 * decisions (ATT-18) and decisions on discounting disability-related absence (ATT-7).
 */
export class ProcedureRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** A person's procedure steps, oldest first. */
  async steps(personId: string, trx?: Knex.Transaction): Promise<ProcedureStepRecord[]> {
    return (
      await (trx ?? this.db)('attendance_procedure_steps').where({ person_id: personId }).orderBy('created_at')
    ).map(toStep);
  }

  /** A step of a case whose person is within `reach` (none outside it is read). */
  async findStep(id: string, reach: PersonScope): Promise<ProcedureStepRecord | null> {
    const q = this.db('attendance_procedure_steps').where({ id });
    const row = await withinReach(q, reach, this.db, 'attendance_procedure_steps.person_id').first();
    return row ? toStep(row) : null;
  }

  async insertStep(step: ProcedureStepRecord, trx: Knex.Transaction): Promise<void> {
    await trx('attendance_procedure_steps').insert({
      ...stepRow(step),
      created_at: step.createdAt.toISOString(),
      updated_at: step.updatedAt.toISOString(),
    });
  }

  async updateStep(id: string, changes: Partial<ProcedureStepRecord>, now: Date, trx: Knex.Transaction): Promise<void> {
    await trx('attendance_procedure_steps')
      .where({ id })
      .update({ ...stepRow(changes), updated_at: now.toISOString() });
  }

  async insertTriggerDecision(
    decision: TriggerDecision & { organisationId: string; decidedByUserId: string; createdAt: Date },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('trigger_decisions').insert({
      id: decision.id,
      person_id: decision.personId,
      organisation_id: decision.organisationId,
      trigger_codes: JSON.stringify(decision.triggerCodes),
      as_of: decision.asOf,
      decision: decision.decision,
      rationale: decision.rationale,
      decided_by_user_id: decision.decidedByUserId,
      created_at: decision.createdAt.toISOString(),
    });
  }

  /** A person's trigger decisions on or before a date, newest first. */
  async triggerDecisions(personId: string, asOf: string, trx?: Knex.Transaction): Promise<TriggerDecision[]> {
    const rows = await (trx ?? this.db)('trigger_decisions')
      .where({ person_id: personId })
      .where('as_of', '<=', asOf)
      .orderBy([
        { column: 'as_of', order: 'desc' },
        { column: 'created_at', order: 'desc' },
      ]);
    return rows.map((r) => ({
      id: r.id,
      personId: r.person_id,
      asOf: r.as_of,
      decision: r.decision,
      triggerCodes: readJson(r.trigger_codes, triggerCodes, 'trigger_decisions.trigger_codes'),
      rationale: r.rationale,
    }));
  }

  /** Trigger decisions dated on or after `since` for some people, newest first per person (for the daily trigger reviews). */
  async triggerDecisionsSince(personIds: readonly string[], since: string): Promise<Map<string, TriggerDecision[]>> {
    const out = new Map<string, TriggerDecision[]>();
    for (let i = 0; i < personIds.length; i += 500) {
      const rows = await this.db('trigger_decisions')
        .whereIn('person_id', personIds.slice(i, i + 500))
        .where('as_of', '>=', since)
        .orderBy([{ column: 'as_of', order: 'desc' }]);
      for (const r of rows) {
        const list = out.get(r.person_id) ?? [];
        list.push({
          id: r.id,
          personId: r.person_id,
          asOf: r.as_of,
          decision: r.decision,
          triggerCodes: readJson(r.trigger_codes, triggerCodes, 'trigger_decisions.trigger_codes'),
          rationale: r.rationale,
        });
        out.set(r.person_id, list);
      }
    }
    return out;
  }

  async insertDisabilityDecision(
    decision: DisabilityDecision & { organisationId: string },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('disability_discount_decisions').insert({
      id: decision.id,
      person_id: decision.personId,
      organisation_id: decision.organisationId,
      effective_from: decision.effectiveFrom,
      discount: decision.discount,
      rationale: decision.rationale,
      decided_by_user_id: decision.decidedByUserId,
      created_at: decision.createdAt.toISOString(),
    });
  }

  /** Decisions on discounting disability-related absence for some people (ATT-7), oldest first per person. */
  async disabilityDecisions(
    personIds: readonly string[],
    trx?: Knex.Transaction,
  ): Promise<Map<string, DisabilityDecision[]>> {
    const out = new Map<string, DisabilityDecision[]>();
    for (let i = 0; i < personIds.length; i += 500) {
      const rows = await (trx ?? this.db)('disability_discount_decisions')
        .whereIn('person_id', personIds.slice(i, i + 500))
        .orderBy(['effective_from', 'created_at']);
      for (const r of rows) {
        const list = out.get(r.person_id) ?? [];
        list.push({
          id: r.id,
          personId: r.person_id,
          effectiveFrom: r.effective_from,
          discount: readBoolean(r.discount),
          rationale: r.rationale,
          decidedByUserId: r.decided_by_user_id,
          createdAt: readTimestamp(r.created_at),
        });
        out.set(r.person_id, list);
      }
    }
    return out;
  }
}
