import type { Knex } from 'knex';

/** The longest appointment place kept (fhir/partner-api/task-progress.ts `APPOINTMENT_PLACE_LENGTH` cuts it to this). */
const APPOINTMENT_PLACE_LENGTH = 300;

/**
 * Issue 15 §8: where an appointment at the partner is, as the partner said when it booked (the Task's
 * location), kept with its time on the referral's journey. Shown wherever the time is.
 *
 * Both directions are plain ALTER TABLE statements, on SQLite and PostgreSQL alike: knex's schema
 * builder drops a column on SQLite by copying the table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('referral_progress', (t) => {
    t.string('appointment_place', APPOINTMENT_PLACE_LENGTH).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE referral_progress DROP COLUMN appointment_place');
}
