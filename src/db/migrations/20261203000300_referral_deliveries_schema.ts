import type { Knex } from 'knex';

/**
 * Delivery of referrals to NHS partners (issue 6 §3): one row per message (its id is the BaRS
 * Bundle id, the same on every retry), written in the transaction that queues it with its job.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('referral_deliveries', (t) => {
    t.string('id', 36).primary();
    t.string('pathway_referral_id', 36).notNullable().references('id').inTable('pathway_referrals');
    // referral | cancellation
    t.string('kind', 20).notNullable();
    // queued | sent | failed | cancelled
    t.string('status', 20).notNullable();
    t.string('partner_service_id', 36).nullable().references('id').inTable('partner_services');
    t.integer('attempts').notNullable();
    // What the partner said when it refused (its OperationOutcome), or why we could not send: for OH clinicians only.
    t.text('outcome').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    ts(t, 'sent_at').nullable();
    t.unique(['pathway_referral_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('referral_deliveries');
}
