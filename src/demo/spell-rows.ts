import type { Knex } from 'knex';
import { AttendanceRepository } from '../attendance/attendance-repository.js';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';

/**
 * Inserts many spells in `trx`, a chunk of rows a statement, through the attendance
 * repository's own column mapping: the demo's few thousand spells one INSERT at a time took
 * over a second on PostgreSQL. The benchmark loads its million spells the same way.
 */
export async function insertSpellsInBulk(
  trx: Knex.Transaction,
  spells: readonly NewAbsenceSpell[],
  now: Date,
): Promise<void> {
  await new AttendanceRepository(trx).insertMany(spells, now, trx);
}
