import type { Knex } from 'knex';

/** The formal attendance procedure: informal action and stages 1–3 (ATT-20 … ATT-25). Schema only. */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('attendance_procedure_steps', (t) => {
    t.string('id', 36).primary();
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    // informal-action | stage-1 | stage-2 | stage-3
    t.string('step', 20).notNullable();
    t.date('action_date').nullable();
    t.date('invitation_date').nullable();
    t.date('meeting_date').nullable();
    t.date('outcome_date').nullable();
    t.string('outcome', 40).nullable();
    t.date('review_end_date').nullable();
    t.date('appeal_deadline').nullable();
    t.text('notes').nullable();
    t.integer('policy_version').notNullable();
    t.string('recorded_by_user_id', 36).notNullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['person_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('attendance_procedure_steps');
}
