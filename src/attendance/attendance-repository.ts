import type { PersonScope } from '../auth/access-policy.js';
import { withinReach } from '../db/reach.js';
import type { Knex } from 'knex';
import { z } from 'zod';
import {
  readBoolean,
  readIsoDate,
  readJson,
  readOptionalIsoDate,
  readOptionalTimestamp,
  readTimestamp,
} from '../db/knex.js';
import { addDays, type IsoDate } from '../shared/dates.js';
import type { AbsenceSpell, NewAbsenceSpell } from './attendance-types.js';
import type { ScoredSpell } from './bradford.js';
import { RECURRENCE, STRATEGIES, WORKPLACE_FACTORS, type RecordedInterview } from './return-to-work.js';

const workplaceFactors = z.array(z.enum(WORKPLACE_FACTORS));

const COLUMNS: Array<[keyof NewAbsenceSpell, string]> = [
  ['id', 'id'],
  ['personId', 'person_id'],
  ['organisationId', 'organisation_id'],
  ['startDate', 'start_date'],
  ['endDate', 'end_date'],
  ['reasonCategory', 'reason_category'],
  ['ohReasonText', 'oh_reason_text'],
  ['dutyRelated', 'duty_related'],
  ['injuryOnDuty', 'injury_on_duty'],
  ['pregnancyRelated', 'pregnancy_related'],
  ['disabilityRelated', 'disability_related'],
  ['countsAsSickness', 'counts_as_sickness'],
  ['notSicknessKind', 'not_sickness_kind'],
  ['certification', 'certification'],
  ['certificateFrom', 'certificate_from'],
  ['certificateTo', 'certificate_to'],
  ['expectedReturnDate', 'expected_return_date'],
  ['handoverNotes', 'handover_notes'],
  ['noDirectContact', 'no_direct_contact'],
  ['nominatedLiaison', 'nominated_liaison'],
  ['bbvIncidentId', 'bbv_incident_id'],
  ['importKey', 'import_key'],
  ['recordedByUserId', 'recorded_by_user_id'],
];

function toRow(spell: Partial<NewAbsenceSpell>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of COLUMNS) if (spell[key] !== undefined) row[column] = spell[key];
  if (spell.accidentReportDueAt !== undefined)
    row.accident_report_due_at = spell.accidentReportDueAt?.toISOString() ?? null;
  return row;
}

function toSpell(row: Record<string, unknown>): AbsenceSpell {
  return {
    id: row.id as string,
    personId: row.person_id as string,
    organisationId: row.organisation_id as string,
    startDate: readIsoDate(row.start_date, 'absence_spells.start_date'),
    endDate: readOptionalIsoDate(row.end_date, 'absence_spells.end_date'),
    reasonCategory: row.reason_category as AbsenceSpell['reasonCategory'],
    ohReasonText: (row.oh_reason_text as string | null) ?? null,
    dutyRelated: readBoolean(row.duty_related),
    injuryOnDuty: readBoolean(row.injury_on_duty),
    accidentReportDueAt: readOptionalTimestamp(row.accident_report_due_at),
    pregnancyRelated: readBoolean(row.pregnancy_related),
    disabilityRelated: readBoolean(row.disability_related),
    countsAsSickness: readBoolean(row.counts_as_sickness),
    notSicknessKind: (row.not_sickness_kind as AbsenceSpell['notSicknessKind']) ?? null,
    certification: row.certification as AbsenceSpell['certification'],
    certificateFrom: readOptionalIsoDate(row.certificate_from, 'absence_spells.certificate_from'),
    certificateTo: readOptionalIsoDate(row.certificate_to, 'absence_spells.certificate_to'),
    expectedReturnDate: readOptionalIsoDate(row.expected_return_date, 'absence_spells.expected_return_date'),
    handoverNotes: (row.handover_notes as string | null) ?? null,
    noDirectContact: readBoolean(row.no_direct_contact),
    nominatedLiaison: (row.nominated_liaison as string | null) ?? null,
    bbvIncidentId: (row.bbv_incident_id as string | null) ?? null,
    importKey: (row.import_key as string | null) ?? null,
    recordedByUserId: (row.recorded_by_user_id as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
    updatedAt: readTimestamp(row.updated_at),
  };
}

/** Spells of absence. Deleted spells are kept (soft delete) and never returned. */
export class AttendanceRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** A spell whose person is within `reach` (none outside it is read). */
  async find(id: string, reach: PersonScope): Promise<AbsenceSpell | null> {
    const q = this.db('absence_spells').where({ id }).whereNull('deleted_at');
    const row = await withinReach(q, reach, this.db, 'absence_spells.person_id').first();
    return row ? toSpell(row) : null;
  }

  /** A person's spells, oldest first. */
  async forPerson(personId: string, trx?: Knex.Transaction): Promise<AbsenceSpell[]> {
    const rows = await (trx ?? this.db)('absence_spells')
      .where({ person_id: personId })
      .whereNull('deleted_at')
      .orderBy('start_date');
    return rows.map(toSpell);
  }

  /** Spells running on `asOf`, or that ended on or after `endedSince` (across every organisation). */
  async currentOrEndedSince(asOf: IsoDate, endedSince: IsoDate): Promise<AbsenceSpell[]> {
    const rows = await this.db('absence_spells')
      .whereNull('deleted_at')
      .where('start_date', '<=', asOf)
      .andWhere((w) => w.whereNull('end_date').orWhere('end_date', '>=', endedSince));
    return rows.map(toSpell);
  }

  /** Spells of the person that overlap [start, end] (end null = open), other than `excludeId`. */
  async overlapping(
    personId: string,
    start: string,
    end: string | null,
    excludeId: string | null,
    trx?: Knex.Transaction,
  ): Promise<AbsenceSpell[]> {
    const q = (trx ?? this.db)('absence_spells')
      .where({ person_id: personId })
      .whereNull('deleted_at')
      .andWhere((w) => w.whereNull('end_date').orWhere('end_date', '>=', start));
    if (end !== null) q.andWhere('start_date', '<=', end);
    if (excludeId) q.andWhereNot('id', excludeId);
    return (await q).map(toSpell);
  }

  async insert(spell: NewAbsenceSpell, now: Date, trx: Knex.Transaction): Promise<void> {
    await trx('absence_spells').insert({
      ...toRow(spell),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  }

  /** Inserts many spells, a chunk of rows per statement (inside SQLite's limit on bound parameters): imports, seeding. */
  async insertMany(spells: readonly NewAbsenceSpell[], now: Date, trx: Knex.Transaction): Promise<void> {
    const stamp = now.toISOString();
    for (let i = 0; i < spells.length; i += 40) {
      // Every row names the same columns (the contact fields at their defaults), as a multi-row INSERT needs.
      await trx('absence_spells').insert(
        spells.slice(i, i + 40).map((spell) => ({
          ...toRow({ handoverNotes: null, noDirectContact: false, nominatedLiaison: null, ...spell }),
          created_at: stamp,
          updated_at: stamp,
        })),
      );
    }
  }

  async update(id: string, changes: Partial<NewAbsenceSpell>, now: Date, trx: Knex.Transaction): Promise<void> {
    await trx('absence_spells')
      .where({ id })
      .whereNull('deleted_at')
      .update({ ...toRow(changes), updated_at: now.toISOString() });
  }

  /** Spells of an organisation (optionally one unit) that may bear on a report for [from, to]. */
  async forReport(organisationId: string, unitId: string | null, from: IsoDate, to: IsoDate): Promise<AbsenceSpell[]> {
    const lookBack = addDays(from, -40);
    const q = this.db('absence_spells as s')
      .select('s.*')
      .where('s.organisation_id', organisationId)
      .whereNull('s.deleted_at')
      .where('s.start_date', '<=', to)
      .andWhere((w) => w.whereNull('s.end_date').orWhere('s.end_date', '>=', lookBack));
    if (unitId) q.join('people as p', 'p.id', 's.person_id').where('p.unit_id', unitId);
    return (await q).map(toSpell);
  }

  /** Every spell of an organisation (optionally one unit) overlapping [from, to]. */
  async inWindow(organisationId: string, unitId: string | null, from: string, to: string): Promise<AbsenceSpell[]> {
    const q = this.db('absence_spells as s')
      .select('s.*')
      .where('s.organisation_id', organisationId)
      .whereNull('s.deleted_at')
      .where('s.start_date', '<=', to)
      .andWhere((w) => w.whereNull('s.end_date').orWhere('s.end_date', '>=', from));
    if (unitId) q.join('people as p', 'p.id', 's.person_id').where('p.unit_id', unitId);
    return (await q).map(toSpell);
  }

  /**
   * The spells that can bear on a score on `asOf` looking back `lookBackDays`, grouped by
   * person, with the columns scoring needs (one organisation, optionally one unit; or all when
   * `scope` is null). Time off that is not sickness (ATT-6) and pregnancy-related absence
   * (ATT-7) never count, so they are not read: the trigger sweep reads a million-spell history
   * here, and every column and row left in the database is time saved. One plain SELECT: the
   * trigger sweep's floor is this read.
   */
  async scoringRows(
    scope: { organisationId: string; unitId: string | null } | null,
    asOf: IsoDate,
    lookBackDays: number,
  ): Promise<Map<string, ScoredSpell[]>> {
    const q = this.db('absence_spells as s')
      .select('s.person_id', 's.start_date', 's.end_date', 's.disability_related')
      .whereNull('s.deleted_at')
      .where('s.counts_as_sickness', true)
      .where('s.pregnancy_related', false)
      .where('s.start_date', '<=', asOf)
      .andWhere((w) => w.whereNull('s.end_date').orWhere('s.end_date', '>=', addDays(asOf, -lookBackDays)));
    if (scope) q.where('s.organisation_id', scope.organisationId);
    if (scope?.unitId) q.join('people as p', 'p.id', 's.person_id').where('p.unit_id', scope.unitId);
    const out = new Map<string, ScoredSpell[]>();
    for (const r of await q) {
      const spell: ScoredSpell = {
        startDate: r.start_date,
        endDate: r.end_date ?? null,
        countsAsSickness: true,
        pregnancyRelated: false,
        disabilityRelated: readBoolean(r.disability_related),
      };
      const list = out.get(r.person_id);
      if (list) list.push(spell);
      else out.set(r.person_id, [spell]);
    }
    return out;
  }

  /** Interview answers the compliance report needs, for some spells. */
  async interviewAnswers(
    absenceIds: readonly string[],
  ): Promise<Array<{ absenceId: string; notifiedFirstDayOfSickness: boolean; notifiedFirstDayOfFitness: boolean }>> {
    const out: Array<{ absenceId: string; notifiedFirstDayOfSickness: boolean; notifiedFirstDayOfFitness: boolean }> =
      [];
    for (let i = 0; i < absenceIds.length; i += 500) {
      const rows = await this.db('return_to_work_interviews')
        .whereIn('absence_id', absenceIds.slice(i, i + 500))
        .select('absence_id', 'notified_first_day_of_sickness', 'notified_first_day_of_fitness');
      for (const r of rows)
        out.push({
          absenceId: r.absence_id,
          notifiedFirstDayOfSickness: readBoolean(r.notified_first_day_of_sickness),
          notifiedFirstDayOfFitness: readBoolean(r.notified_first_day_of_fitness),
        });
    }
    return out;
  }

  /** Which of these import keys are already recorded. */
  async existingImportKeys(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      for (const r of await this.db('absence_spells')
        .whereIn('import_key', keys.slice(i, i + 500))
        .select('import_key'))
        found.add(r.import_key as string);
    }
    return found;
  }

  /** Saves the return-to-work interview for a spell (one per spell). */
  async insertInterview(row: Record<string, unknown>, trx: Knex.Transaction): Promise<void> {
    await trx('return_to_work_interviews').insert(row);
  }

  /** Which of these spells have a return-to-work interview. */
  async interviewedAbsenceIds(absenceIds: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < absenceIds.length; i += 500) {
      for (const r of await this.db('return_to_work_interviews')
        .whereIn('absence_id', absenceIds.slice(i, i + 500))
        .select('absence_id'))
        found.add(r.absence_id as string);
    }
    return found;
  }

  /** The return-to-work interviews recorded for these spells, with who held them (ATT-13). */
  async interviewsOf(absenceIds: readonly string[]): Promise<Map<string, RecordedInterview>> {
    const found = new Map<string, RecordedInterview>();
    for (let i = 0; i < absenceIds.length; i += 500) {
      const rows = await this.db('return_to_work_interviews as i')
        .leftJoin('users as u', 'u.id', 'i.interviewer_user_id')
        .whereIn('i.absence_id', absenceIds.slice(i, i + 500))
        .select('i.*', 'u.display_name as interviewer_name');
      for (const r of rows)
        found.set(r.absence_id as string, {
          id: r.id,
          absenceId: r.absence_id,
          interviewDate: readIsoDate(r.interview_date, 'return_to_work_interviews.interview_date'),
          interviewerName: (r.interviewer_name as string | null) ?? null,
          fitForFullDuties: readBoolean(r.fit_for_full_duties),
          adjustments: r.adjustments ?? null,
          recurrenceLikelihood: z.enum(RECURRENCE).parse(r.recurrence_likelihood),
          attendanceExpectationsDiscussed: readBoolean(r.attendance_expectations_discussed),
          certificationComplete: readBoolean(r.certification_complete),
          workplaceFactors: readJson(
            r.workplace_factors,
            workplaceFactors,
            'return_to_work_interviews.workplace_factors',
          ),
          workplaceNotes: r.workplace_notes ?? null,
          disabilityRelated: readBoolean(r.disability_related),
          pregnancyRelated: readBoolean(r.pregnancy_related),
          notifiedFirstDayOfSickness: readBoolean(r.notified_first_day_of_sickness),
          notifiedFirstDayOfFitness: readBoolean(r.notified_first_day_of_fitness),
          flexibleWorkingDiscussed: readBoolean(r.flexible_working_discussed),
          strategy: z.enum(STRATEGIES).parse(r.strategy),
          strategyReviewDate: readOptionalIsoDate(
            r.strategy_review_date,
            'return_to_work_interviews.strategy_review_date',
          ),
          strategyEndDate: readOptionalIsoDate(r.strategy_end_date, 'return_to_work_interviews.strategy_end_date'),
          notes: r.notes ?? null,
        });
    }
    return found;
  }

  async interviewFor(absenceId: string, trx?: Knex.Transaction): Promise<Record<string, unknown> | null> {
    return (await (trx ?? this.db)('return_to_work_interviews').where({ absence_id: absenceId }).first()) ?? null;
  }

  /** Discretionary sick pay extensions of a spell, added up (ATT-29). */
  async sickPayExtension(
    absenceId: string,
    trx?: Knex.Transaction,
  ): Promise<{ fullPayDays: number; halfPayDays: number }> {
    const row = await (trx ?? this.db)('sick_pay_extensions')
      .where({ absence_id: absenceId })
      .sum({ full: 'full_pay_extra_days', half: 'half_pay_extra_days' })
      .first();
    return { fullPayDays: Number(row?.full ?? 0), halfPayDays: Number(row?.half ?? 0) };
  }

  async insertSickPayExtension(
    e: {
      id: string;
      absenceId: string;
      personId: string;
      organisationId: string;
      fullPayExtraDays: number;
      halfPayExtraDays: number;
      reason: string;
      decidedOn: IsoDate;
      decidedByUserId: string;
      createdAt: Date;
    },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('sick_pay_extensions').insert({
      id: e.id,
      absence_id: e.absenceId,
      person_id: e.personId,
      organisation_id: e.organisationId,
      full_pay_extra_days: e.fullPayExtraDays,
      half_pay_extra_days: e.halfPayExtraDays,
      reason: e.reason,
      decided_on: e.decidedOn,
      decided_by_user_id: e.decidedByUserId,
      created_at: e.createdAt.toISOString(),
    });
  }

  /** Return-to-work strategies (ATT-14) whose duties end on or after `since`, with the absence's last day. */
  async runningStrategies(since: IsoDate): Promise<
    Array<{
      id: string;
      personId: string;
      strategy: 'recuperative' | 'restricted';
      lastDayOfAbsence: IsoDate;
      reviewDate: IsoDate | null;
      endDate: IsoDate | null;
    }>
  > {
    const rows = await this.db('return_to_work_interviews as i')
      .join('absence_spells as s', 's.id', 'i.absence_id')
      .whereNot('i.strategy', 'none')
      .whereNull('s.deleted_at')
      .where('i.strategy_end_date', '>=', since)
      .select(
        'i.id',
        'i.person_id',
        'i.strategy',
        'i.interview_date',
        'i.strategy_review_date',
        'i.strategy_end_date',
        's.end_date',
      );
    return rows.map((r) => ({
      id: r.id,
      personId: r.person_id,
      strategy: r.strategy,
      lastDayOfAbsence: readIsoDate(r.end_date, 'absence_spells.end_date'),
      reviewDate: readOptionalIsoDate(r.strategy_review_date, 'return_to_work_interviews.strategy_review_date'),
      endDate: readOptionalIsoDate(r.strategy_end_date, 'return_to_work_interviews.strategy_end_date'),
    }));
  }

  async softDelete(id: string, byUserId: string, reason: string, now: Date, trx: Knex.Transaction): Promise<void> {
    await trx('absence_spells').where({ id }).whereNull('deleted_at').update({
      deleted_at: now.toISOString(),
      deleted_by_user_id: byUserId,
      deleted_reason: reason,
      updated_at: now.toISOString(),
    });
  }
}
