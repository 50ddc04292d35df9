import type { Knex } from 'knex';

/**
 * Consent (issue 5): one row per consent of any kind (AMRA report, OH report release,
 * sharing with an NHS partner), its history, and what a pathway referral to an NHS service
 * is shared under (partner, categories, the consent the gate allowed it by).
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

  await knex.schema.createTable('consents', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    // amra-report | oh-report-release | nhs-sharing
    t.string('kind', 30).notNullable();
    t.string('status', 30).notNullable();
    // employer | nhs-partner, and the role or partner organisation id: who the consent lets receive.
    t.string('recipient_type', 20).notNullable();
    t.string('recipient_key', 40).notNullable();
    // The consent as the rules see it (JSON); its report is clinical content, read only through the service (audited).
    t.text('state').notNullable();
    t.integer('version').notNullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['person_id', 'kind']);
    t.index(['recipient_type', 'recipient_key', 'status']);
  });

  await knex.schema.createTable('consent_events', (t) => {
    t.string('id', 36).primary();
    t.string('consent_id', 36).notNullable().references('id').inTable('consents');
    t.integer('sequence').notNullable();
    t.string('type', 40).notNullable();
    ts(t, 'at').notNullable();
    t.string('by_user_id', 36).nullable();
    t.string('by_role', 40).nullable();
    t.text('details').nullable();
    t.unique(['consent_id', 'sequence']);
  });

  await knex.schema.alterTable('pathway_referrals', (t) => {
    t.string('partner_organisation_id', 36).nullable().references('id').inTable('organisations');
    // What is shared with the partner (JSON list of data categories, §5c).
    t.text('data_categories').nullable();
    // The sharing consent the gate allowed it under; withdrawal cancels it unless another covers it.
    t.string('consent_id', 36).nullable().references('id').inTable('consents');
    t.index(['consent_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pathway_referrals', (t) => {
    t.dropIndex(['consent_id', 'status']);
    t.dropForeign(['consent_id']);
    t.dropForeign(['partner_organisation_id']);
  });
  await knex.schema.alterTable('pathway_referrals', (t) => {
    t.dropColumn('consent_id');
    t.dropColumn('data_categories');
    t.dropColumn('partner_organisation_id');
  });
  await knex.schema.dropTableIfExists('consent_events');
  await knex.schema.dropTableIfExists('consents');
}
