import type { Knex } from 'knex';

/** Worklist tasks: milestones and steps with a due date on the right person's list (issue 3 §4; pathways reuse them). */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('tasks', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('subject_person_id', 36).notNullable().references('id').inTable('people');
    // What the task comes from, e.g. absence-spell + its id; with code and sequence it is unique.
    t.string('source_type', 40).notNullable();
    t.string('source_id', 36).notNullable();
    t.string('code', 60).notNullable();
    t.integer('sequence').notNullable().defaultTo(1);
    t.string('rule', 20).nullable();
    t.date('due_date').notNullable();
    // Either a person (a line manager) or a role in the organisation (the OH team, HR).
    t.string('assignee_person_id', 36).nullable().references('id').inTable('people');
    t.string('assignee_role', 40).nullable();
    // open | completed | cancelled
    t.string('status', 20).notNullable();
    t.integer('escalation_level').notNullable().defaultTo(0);
    ts(t, 'escalated_at').nullable();
    ts(t, 'completed_at').nullable();
    t.string('completed_by_user_id', 36).nullable();
    t.text('completion_note').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['source_type', 'source_id', 'code', 'sequence']);
    t.index(['assignee_person_id', 'status', 'due_date']);
    t.index(['organisation_id', 'assignee_role', 'status', 'due_date']);
    t.index(['status', 'due_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tasks');
}
