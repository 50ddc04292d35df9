import type { Knex } from 'knex';

/** Spells of absence (issue 3: ATT-1, ATT-5, ATT-6, ATT-7). Schema only. */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('absence_spells', (t) => {
    t.string('id', 36).primary();
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.date('start_date').notNullable();
    // null while the person is still absent
    t.date('end_date').nullable();
    t.string('reason_category', 40).notNullable();
    // OH only (CONF-1): the reason in the person's words.
    t.text('oh_reason_text').nullable();
    t.boolean('duty_related').notNullable().defaultTo(false);
    t.boolean('injury_on_duty').notNullable().defaultTo(false);
    ts(t, 'accident_report_due_at').nullable();
    t.boolean('pregnancy_related').notNullable().defaultTo(false);
    t.boolean('disability_related').notNullable().defaultTo(false);
    // ATT-6: false for disability-related treatment, statutory medicals, pre-arranged treatment.
    t.boolean('counts_as_sickness').notNullable().defaultTo(true);
    t.string('not_sickness_kind', 40).nullable();
    // self | medical | none
    t.string('certification', 10).notNullable().defaultTo('none');
    t.date('certificate_from').nullable();
    t.date('certificate_to').nullable();
    t.date('expected_return_date').nullable();
    // Re-importing the same file must not create duplicates (issue 3 §9).
    t.string('import_key', 200).nullable().unique();
    t.string('recorded_by_user_id', 36).nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    ts(t, 'deleted_at').nullable();
    t.string('deleted_by_user_id', 36).nullable();
    t.string('deleted_reason', 500).nullable();
    t.index(['person_id', 'start_date']);
    t.index(['organisation_id', 'start_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('absence_spells');
}
