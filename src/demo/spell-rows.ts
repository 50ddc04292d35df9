import type { Knex } from 'knex';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';

/**
 * The column of every spell field, as AttendanceRepository writes them. Typed over every key
 * of NewAbsenceSpell, so a field added there does not compile here until it is mapped.
 */
const COLUMN: { readonly [K in keyof NewAbsenceSpell]-?: string } = {
  id: 'id',
  personId: 'person_id',
  organisationId: 'organisation_id',
  startDate: 'start_date',
  endDate: 'end_date',
  reasonCategory: 'reason_category',
  ohReasonText: 'oh_reason_text',
  dutyRelated: 'duty_related',
  injuryOnDuty: 'injury_on_duty',
  accidentReportDueAt: 'accident_report_due_at',
  pregnancyRelated: 'pregnancy_related',
  disabilityRelated: 'disability_related',
  countsAsSickness: 'counts_as_sickness',
  notSicknessKind: 'not_sickness_kind',
  certification: 'certification',
  certificateFrom: 'certificate_from',
  certificateTo: 'certificate_to',
  expectedReturnDate: 'expected_return_date',
  importKey: 'import_key',
  recordedByUserId: 'recorded_by_user_id',
};
const FIELDS = Object.keys(COLUMN) as Array<keyof NewAbsenceSpell>;

/** Rows a statement: 40 × 22 columns stays well inside SQLite's limit on bound parameters. */
const CHUNK = 40;

/**
 * Inserts many spells in `trx`, a chunk of rows a statement: the demo's few thousand spells
 * one INSERT at a time (AttendanceRepository.insert) took over a second on PostgreSQL.
 */
export async function insertSpellsInBulk(trx: Knex.Transaction, spells: readonly NewAbsenceSpell[], now: Date): Promise<void> {
  const stamp = now.toISOString();
  for (let i = 0; i < spells.length; i += CHUNK) {
    const rows = spells.slice(i, i + CHUNK).map((spell) => {
      const row: Record<string, unknown> = { created_at: stamp, updated_at: stamp };
      for (const field of FIELDS) row[COLUMN[field]] = spell[field];
      row.accident_report_due_at = spell.accidentReportDueAt?.toISOString() ?? null;
      return row;
    });
    await trx('absence_spells').insert(rows);
  }
}
