import type { Knex } from 'knex';

/** Return-to-work interviews (ATT-13, ATT-14; seed 003 §13.9, §15). Schema only. */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('return_to_work_interviews', (t) => {
    t.string('id', 36).primary();
    t.string('absence_id', 36).notNullable().unique().references('id').inTable('absence_spells');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.date('interview_date').notNullable();
    t.string('interviewer_user_id', 36).notNullable();
    t.boolean('fit_for_full_duties').notNullable();
    t.text('adjustments').nullable();
    // unlikely | possible | likely
    t.string('recurrence_likelihood', 20).notNullable();
    t.boolean('attendance_expectations_discussed').notNullable();
    t.boolean('certification_complete').notNullable();
    // JSON list: stress, hazards, bullying-harassment, staff-shortages, workload, job-design, other
    t.text('workplace_factors').notNullable();
    t.text('workplace_notes').nullable();
    t.boolean('disability_related').notNullable();
    t.boolean('pregnancy_related').notNullable();
    t.boolean('notified_first_day_of_sickness').notNullable();
    t.boolean('notified_first_day_of_fitness').notNullable();
    t.boolean('flexible_working_discussed').notNullable();
    // none | recuperative | restricted (ATT-14)
    t.string('strategy', 20).notNullable();
    t.date('strategy_review_date').nullable();
    t.text('notes').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['organisation_id', 'interview_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('return_to_work_interviews');
}
