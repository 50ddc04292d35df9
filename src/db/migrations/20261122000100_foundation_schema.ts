import type { Knex } from 'knex';

/**
 * The foundation schema: organisations, units, the workforce, users and roles, sessions,
 * API tokens, the audit trail, versioned policies, background jobs and settings.
 * Schema only; reference data lives in its own migration.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

  await knex.schema.createTable('organisations', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    // host-force | partner-agency | nhs-partner
    t.string('kind', 30).notNullable();
    t.string('ods_code', 20).nullable();
    t.string('host_organisation_id', 36).nullable().references('id').inTable('organisations');
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['name']);
  });

  await knex.schema.createTable('units', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('name', 200).notNullable();
    t.string('code', 30).nullable();
    t.string('parent_unit_id', 36).nullable().references('id').inTable('units');
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['organisation_id', 'name']);
  });

  await knex.schema.createTable('people', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('staff_number', 30).notNullable();
    t.string('collar_number', 20).nullable();
    t.string('given_name', 100).notNullable();
    t.string('family_name', 100).notNullable();
    // Lower-cased "family given" for case-insensitive search on both databases.
    t.string('search_name', 201).notNullable();
    t.date('date_of_birth').nullable();
    t.string('nhs_number', 10).nullable();
    // officer | police-staff | pcso | special-constable | volunteer
    t.string('workforce_role', 30).notNullable();
    t.string('unit_id', 36).nullable().references('id').inTable('units');
    t.string('line_manager_id', 36).nullable().references('id').inTable('people');
    t.date('service_start_date').notNullable();
    t.date('leaving_date').nullable();
    t.text('working_pattern').notNullable();
    // CONF-3: contact only through OH, no address sent to partners, records restricted.
    t.boolean('protected_identity').notNullable().defaultTo(false);
    t.string('work_email', 254).nullable();
    t.string('personal_email', 254).nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.unique(['organisation_id', 'staff_number']);
    t.index(['organisation_id', 'search_name']);
    t.index(['unit_id']);
    t.index(['line_manager_id']);
  });

  await knex.schema.createTable('roles', (t) => {
    t.string('slug', 40).primary();
    t.string('name', 100).notNullable();
    t.boolean('requires_mfa').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('email', 254).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.string('password_hash', 255).nullable();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('person_id', 36).nullable().unique().references('id').inTable('people');
    t.string('totp_secret', 64).nullable();
    ts(t, 'mfa_enrolled_at').nullable();
    // The last TOTP time-step accepted, so a code cannot be replayed.
    t.bigInteger('totp_last_step').nullable();
    t.integer('failed_login_count').notNullable().defaultTo(0);
    ts(t, 'locked_until').nullable();
    // Incremented by "sign out everywhere": sessions carrying an older epoch are void.
    t.integer('session_epoch').notNullable().defaultTo(0);
    t.string('locale', 5).notNullable().defaultTo('en');
    ts(t, 'last_login_at').nullable();
    ts(t, 'disabled_at').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['organisation_id']);
  });

  await knex.schema.createTable('user_roles', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('role_slug', 40).notNullable().references('slug').inTable('roles');
    t.primary(['user_id', 'role_slug']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('sid', 255).primary();
    t.json('sess').notNullable();
    ts(t, 'expired').notNullable().index();
  });

  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('role_slug', 40).notNullable().references('slug').inTable('roles');
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    ts(t, 'created_at').notNullable();
    ts(t, 'last_used_at').nullable();
    ts(t, 'expires_at').nullable();
    ts(t, 'revoked_at').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    ts(t, 'occurred_at').notNullable();
    t.string('request_id', 64).nullable();
    // No foreign keys: the trail outlives the users and records it mentions.
    t.string('actor_user_id', 36).nullable();
    t.string('actor_role', 40).nullable();
    t.string('actor_organisation_id', 36).nullable();
    t.string('action', 30).notNullable();
    t.string('entity_type', 50).notNullable();
    t.string('entity_id', 64).nullable();
    t.string('subject_person_id', 36).nullable();
    t.string('purpose', 60).nullable();
    t.string('outcome', 20).notNullable();
    t.string('reason', 60).nullable();
    t.text('details').nullable();
    t.string('ip', 64).nullable();
    t.index(['occurred_at']);
    t.index(['actor_user_id', 'occurred_at']);
    t.index(['subject_person_id', 'occurred_at']);
    t.index(['entity_type', 'entity_id']);
  });

  await knex.schema.createTable('policies', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('kind', 50).notNullable();
    t.integer('version').notNullable();
    t.text('content').notNullable();
    t.date('effective_from').notNullable();
    t.string('note', 500).nullable();
    t.string('created_by_user_id', 36).nullable();
    ts(t, 'created_at').notNullable();
    t.unique(['organisation_id', 'kind', 'version']);
  });

  await knex.schema.createTable('jobs', (t) => {
    t.string('id', 36).primary();
    t.string('kind', 60).notNullable();
    t.text('payload').notNullable();
    // queued | running | succeeded | failed | cancelled
    t.string('status', 20).notNullable();
    ts(t, 'run_at').notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.string('locked_by', 100).nullable();
    ts(t, 'locked_until').nullable();
    t.string('last_error', 500).nullable();
    t.string('dedupe_key', 200).nullable().unique();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    ts(t, 'finished_at').nullable();
    t.index(['status', 'run_at']);
  });

  await knex.schema.createTable('one_time_links', (t) => {
    t.string('id', 36).primary();
    // first-administrator | password-reset
    t.string('purpose', 30).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.string('user_id', 36).nullable().references('id').inTable('users').onDelete('CASCADE');
    ts(t, 'created_at').notNullable();
    ts(t, 'expires_at').notNullable();
    ts(t, 'used_at').nullable();
  });

  await knex.schema.createTable('app_settings', (t) => {
    t.string('key', 100).primary();
    t.text('value').notNullable();
  });

  // The audit trail is append-only, enforced by the database itself.
  if (knex.client.config.client === 'pg') {
    await knex.raw(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END;
      $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  } else {
    await knex.raw(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
    await knex.raw(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events');
    await knex.raw('DROP FUNCTION IF EXISTS audit_events_append_only()');
  }
  for (const table of [
    'app_settings',
    'one_time_links',
    'jobs',
    'policies',
    'audit_events',
    'api_tokens',
    'sessions',
    'user_roles',
    'users',
    'roles',
    'people',
    'units',
    'organisations',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
