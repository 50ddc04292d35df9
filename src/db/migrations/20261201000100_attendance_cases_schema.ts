import type { Knex } from 'knex';

/**
 * Attendance cases, beyond the spells (issue 3). Schema only:
 * - ATT-1, ATT-11: work to hand over; a person who wants no direct contact and their nominated liaison;
 * - ATT-7: per-case decisions on discounting disability-related absence;
 * - ATT-20 … ATT-24: what a stage meeting's letters need (OH report requested first, time,
 *   place, chair), postponement, and the appeal;
 * - ATT-14: the end of a recuperative or restricted duties period;
 * - ATT-29: sick pay extended at the force's discretion;
 * - ATT-13: a task that is due on one day but only overdue later (the interview is due on the
 *   day of return and reaches HR within 5 working days).
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.alterTable('absence_spells', (t) => {
    t.text('handover_notes').nullable();
    t.boolean('no_direct_contact').notNullable().defaultTo(false);
    t.string('nominated_liaison', 200).nullable();
  });

  await knex.schema.createTable('disability_discount_decisions', (t) => {
    t.string('id', 36).primary();
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.date('effective_from').notNullable();
    // false: all reasonable adjustments made, disability-related absence counts from effective_from
    t.boolean('discount').notNullable();
    t.text('rationale').notNullable();
    t.string('decided_by_user_id', 36).notNullable();
    ts(t, 'created_at').notNullable();
    t.index(['person_id', 'effective_from']);
  });

  await knex.schema.alterTable('attendance_procedure_steps', (t) => {
    // ATT-20: formal stages need an OH report to be requested first (§19.3).
    t.date('oh_report_requested_on').nullable();
    t.string('meeting_time', 5).nullable();
    t.string('meeting_location', 200).nullable();
    t.string('chair_name', 120).nullable();
    // ATT-24: a meeting postponed for a representative keeps its original date.
    t.date('original_meeting_date').nullable();
    t.string('postponement_reason', 500).nullable();
    t.date('appeal_lodged_on').nullable();
    t.date('appeal_heard_on').nullable();
    // upheld | dismissed | varied
    t.string('appeal_outcome', 20).nullable();
    t.date('appeal_decided_on').nullable();
  });

  await knex.schema.alterTable('return_to_work_interviews', (t) => {
    // ATT-14: recuperative duties last less than 6 months; restricted duties may be fixed periods.
    t.date('strategy_end_date').nullable();
  });

  await knex.schema.alterTable('tasks', (t) => {
    t.date('overdue_after').nullable();
  });

  await knex.schema.createTable('sick_pay_extensions', (t) => {
    t.string('id', 36).primary();
    t.string('absence_id', 36).notNullable().references('id').inTable('absence_spells');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.integer('full_pay_extra_days').notNullable().defaultTo(0);
    t.integer('half_pay_extra_days').notNullable().defaultTo(0);
    t.text('reason').notNullable();
    t.date('decided_on').notNullable();
    t.string('decided_by_user_id', 36).notNullable();
    ts(t, 'created_at').notNullable();
    t.index(['absence_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sick_pay_extensions');
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('overdue_after');
  });
  await knex.schema.alterTable('return_to_work_interviews', (t) => {
    t.dropColumn('strategy_end_date');
  });
  await knex.schema.alterTable('attendance_procedure_steps', (t) => {
    for (const c of [
      'oh_report_requested_on',
      'meeting_time',
      'meeting_location',
      'chair_name',
      'original_meeting_date',
      'postponement_reason',
      'appeal_lodged_on',
      'appeal_heard_on',
      'appeal_outcome',
      'appeal_decided_on',
    ])
      t.dropColumn(c);
  });
  await knex.schema.dropTableIfExists('disability_discount_decisions');
  await knex.schema.alterTable('absence_spells', (t) => {
    for (const c of ['handover_notes', 'no_direct_contact', 'nominated_liaison']) t.dropColumn(c);
  });
}
