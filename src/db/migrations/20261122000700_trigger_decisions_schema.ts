import type { Knex } from 'knex';

/** ATT-18: a manager's decision not to act on a review trigger, with its rationale. Schema only. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trigger_decisions', (t) => {
    t.string('id', 36).primary();
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    // JSON list of trigger codes the decision covers: bradford, spells, continuous
    t.text('trigger_codes').notNullable();
    t.date('as_of').notNullable();
    // no-action | informal-action | formal-procedure
    t.string('decision', 30).notNullable();
    t.text('rationale').notNullable();
    t.string('decided_by_user_id', 36).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['person_id', 'as_of']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trigger_decisions');
}
