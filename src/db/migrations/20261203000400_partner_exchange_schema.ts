import type { Knex } from 'knex';

/**
 * The partner-facing FHIR API (issue 6 §4): the NHS partner systems that may call us (SMART
 * Backend Services clients with their public keys and scopes, FHIR-8), the access tokens we issue
 * and the client assertion ids already used (replays are refused); the FHIR resources addressed to
 * each partner (what we sent, the Task it updates, the laboratory results it sends back); the
 * BaRS messages received (a duplicate is refused); and each referral's progress at the partner.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  await knex.schema.createTable('partner_clients', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('name', 200).notNullable();
    // The SMART client_id the partner puts in iss and sub of its client assertions.
    t.string('client_id', 200).notNullable().unique();
    // The partner's public keys (a JWKS, JSON): no secret is held for a client.
    t.text('jwks').notNullable();
    // The scopes this client may be granted, space-separated (e.g. system/Task.rus).
    t.text('scopes').notNullable();
    t.boolean('enabled').notNullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['organisation_id']);
  });
  await knex.schema.createTable('partner_access_tokens', (t) => {
    // SHA-256 of the token: the token itself is never stored.
    t.string('digest', 64).primary();
    t.string('partner_client_id', 36).notNullable().references('id').inTable('partner_clients');
    t.text('scopes').notNullable();
    ts(t, 'expires_at').notNullable();
    ts(t, 'created_at').notNullable();
    t.index(['expires_at']);
  });
  await knex.schema.createTable('partner_assertion_jtis', (t) => {
    t.string('partner_client_id', 36).notNullable().references('id').inTable('partner_clients');
    t.string('jti', 200).notNullable();
    // Kept until the assertion would have expired anyway; housekeeping deletes it after.
    ts(t, 'expires_at').notNullable();
    t.primary(['partner_client_id', 'jti']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('fhir_resources', (t) => {
    t.string('id', 64).primary();
    t.string('resource_type', 40).notNullable();
    // The partner it is addressed to (or that sent it): no other partner ever sees it.
    t.string('partner_organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.integer('version').notNullable();
    ts(t, 'last_updated').notNullable();
    t.string('pathway_referral_id', 36).nullable().references('id').inTable('pathway_referrals');
    t.string('person_id', 36).nullable().references('id').inTable('people');
    t.string('pathway_id', 36).nullable().references('id').inTable('pathways');
    // The sharing consent it went under (§5c); a withdrawal that leaves it uncovered withholds it.
    t.string('consent_id', 36).nullable().references('id').inTable('consents');
    // Search columns: the first business identifier, the status and the one reference each type is searched by.
    t.string('identifier_system', 200).nullable();
    t.string('identifier_value', 200).nullable();
    t.string('status', 40).nullable();
    t.string('reference', 120).nullable();
    // Not shown to the partner from this moment (consent withdrawn) or after this UK day (consent period ended).
    ts(t, 'withheld_at').nullable();
    t.string('disclosable_until', 10).nullable();
    t.string('created_by_client_id', 36).nullable();
    t.text('content').notNullable();
    ts(t, 'created_at').notNullable();
    t.index(['partner_organisation_id', 'resource_type', 'identifier_value']);
    t.index(['partner_organisation_id', 'resource_type', 'last_updated']);
    t.index(['partner_organisation_id', 'resource_type', 'status', 'last_updated']);
    t.index(['partner_organisation_id', 'resource_type', 'reference']);
    t.index(['pathway_referral_id', 'resource_type']);
    t.index(['pathway_id', 'resource_type']);
    t.index(['consent_id']);
  });
  await knex.schema.createTable('inbound_messages', (t) => {
    t.string('id', 36).primary();
    t.string('partner_organisation_id', 36).notNullable().references('id').inTable('organisations');
    // FHIR-2: the message's Bundle id; the same id twice is a duplicate.
    t.string('bundle_id', 64).notNullable();
    t.string('event', 60).notNullable();
    t.string('pathway_referral_id', 36).nullable().references('id').inTable('pathway_referrals');
    ts(t, 'received_at').notNullable();
    t.unique(['partner_organisation_id', 'bundle_id']);
  });
  await knex.schema.createTable('referral_progress', (t) => {
    // In the order entries were written: several may share a moment.
    t.bigIncrements('id').primary();
    t.string('pathway_referral_id', 36).notNullable().references('id').inTable('pathway_referrals');
    // received | accepted | rejected | in-progress | booked | attended | did-not-attend | on-hold | completed | cancelled | failed
    t.string('status', 30).notNullable();
    // The partner's words (a rejection's reason): for OH clinicians only.
    t.text('reason').nullable();
    ts(t, 'appointment_at').nullable();
    // task | message
    t.string('source', 20).notNullable();
    ts(t, 'at').notNullable();
    t.index(['pathway_referral_id', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('referral_progress');
  await knex.schema.dropTableIfExists('inbound_messages');
  await knex.schema.dropTableIfExists('fhir_resources');
  await knex.schema.dropTableIfExists('partner_assertion_jtis');
  await knex.schema.dropTableIfExists('partner_access_tokens');
  await knex.schema.dropTableIfExists('partner_clients');
}
