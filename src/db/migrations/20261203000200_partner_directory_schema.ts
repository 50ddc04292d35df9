import type { Knex } from 'knex';

/**
 * The partner directory (issue 6 §1): each NHS partner organisation's services, where their FHIR
 * server is, how it speaks (BaRS messages or REST transactions), how we authenticate to it, the
 * pathways it serves, and the last connectivity check.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('partner_services', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('name', 200).notNullable();
    t.string('service_type', 40).notNullable();
    t.string('base_url', 500).notNullable();
    // bars | rest
    t.string('mode', 10).notNullable();
    // none | bearer | smart-backend; the configuration (JSON) holds secrets: never shown or logged.
    t.string('auth_kind', 20).notNullable();
    t.text('auth_config').notNullable();
    // JSON list of pathway definition codes it serves.
    t.text('pathways').notNullable();
    t.boolean('enabled').notNullable();
    ts(t, 'last_checked_at').nullable();
    t.boolean('last_check_ok').nullable();
    t.string('last_check_message', 500).nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['organisation_id']);
    t.index(['service_type', 'enabled']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('partner_services');
}
