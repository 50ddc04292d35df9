import type { Knex } from 'knex';

/**
 * Pathways (issue 4): published definition versions, running pathways with one row per
 * step, their history, the referral requests they create, and referrals into OH
 * (management, self and automatic) waiting for triage.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

  await knex.schema.createTable('pathway_definitions', (t) => {
    t.string('id', 36).primary();
    t.string('code', 40).notNullable();
    t.integer('version').notNullable();
    t.string('title', 200).notNullable();
    // The PlanDefinition as published (JSON).
    t.text('resource').notNullable();
    ts(t, 'published_at').notNullable();
    t.string('published_by_user_id', 36).nullable().references('id').inTable('users');
    t.unique(['code', 'version']);
  });

  await knex.schema.createTable('oh_referrals', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    // management | self | automatic
    t.string('source', 20).notNullable();
    t.string('referred_by_user_id', 36).nullable().references('id').inTable('users');
    t.string('referrer_role', 40).nullable();
    // The absence that passed the OH referral point (automatic referrals; one per absence).
    t.string('absence_id', 36).nullable().unique().references('id').inTable('absence_spells');
    // The structured form (JSON): reason, questions for OH, adjustments tried; or the person's own words.
    t.text('details').notNullable();
    // awaiting-triage | accepted | declined
    t.string('status', 20).notNullable();
    t.string('pathway_id', 36).nullable();
    t.text('triage_note').nullable();
    t.string('triaged_by_user_id', 36).nullable().references('id').inTable('users');
    ts(t, 'triaged_at').nullable();
    ts(t, 'created_at').notNullable();
    t.index(['person_id', 'created_at']);
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('pathways', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('definition_id', 36).notNullable().references('id').inTable('pathway_definitions');
    t.string('definition_code', 40).notNullable();
    t.integer('definition_version').notNullable();
    // active | paused | closed
    t.string('status', 20).notNullable();
    ts(t, 'started_at').notNullable();
    // clinician | self-referral | management-referral | automatic
    t.string('enrolment_source', 30).notNullable();
    t.string('referral_id', 36).nullable().references('id').inTable('oh_referrals');
    t.string('enrolled_by_user_id', 36).nullable().references('id').inTable('users');
    // The OH clinician responsible; their steps go on their own list (else the OH queue).
    t.string('lead_clinician_user_id', 36).nullable().references('id').inTable('users');
    t.text('facts').notNullable();
    t.text('pauses').notNullable();
    t.string('outcome', 40).nullable();
    ts(t, 'closed_at').nullable();
    // Functional advice for managers (CONF-1): fit | adjusted-duties | unfit, and how long.
    t.string('fitness', 20).nullable();
    t.string('expected_duration', 200).nullable();
    t.text('adjustments').nullable();
    ts(t, 'advice_given_at').nullable();
    // Optimistic locking: each change checks and bumps it.
    t.integer('revision').notNullable().defaultTo(1);
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['person_id', 'status']);
    t.index(['status', 'definition_code']);
  });

  // A person is on each pathway once at a time (both databases support partial indexes).
  await knex.raw(
    "CREATE UNIQUE INDEX pathways_one_open_per_definition ON pathways (person_id, definition_code) WHERE status <> 'closed'",
  );

  await knex.schema.createTable('pathway_steps', (t) => {
    t.string('id', 36).primary();
    t.string('pathway_id', 36).notNullable().references('id').inTable('pathways');
    t.string('organisation_id', 36).notNullable();
    t.string('person_id', 36).notNullable();
    t.string('definition_code', 40).notNullable();
    t.string('step_code', 60).notNullable();
    // waiting | open | held | completed | skipped | not-applicable | cancelled
    t.string('status', 20).notNullable();
    ts(t, 'due_from').nullable();
    ts(t, 'due_by').nullable();
    ts(t, 'escalate_at').nullable();
    ts(t, 'resolved_at').nullable();
    // Whose list: a user (the lead clinician), a person (line manager, the person), or a role's queue.
    t.string('assignee_user_id', 36).nullable();
    t.string('assignee_person_id', 36).nullable();
    t.string('assignee_role', 40).nullable();
    t.integer('escalation_level').notNullable().defaultTo(0);
    // Timers that have fired for the current window (cleared when the window moves).
    ts(t, 'due_fired_at').nullable();
    ts(t, 'overdue_fired_at').nullable();
    ts(t, 'escalated_at').nullable();
    t.text('answers').nullable();
    t.text('note').nullable();
    t.string('completed_by_user_id', 36).nullable();
    t.unique(['pathway_id', 'step_code']);
    // Worklists: each list's open steps in deadline order, and its counts read from the index alone.
    t.index(['assignee_user_id', 'status', 'due_by', 'due_from']);
    t.index(['assignee_person_id', 'status', 'due_by']);
    t.index(['assignee_role', 'status', 'due_by', 'due_from']);
  });
  // The sweep's claims: only timers not yet fired are in these (partial) indexes, so a claim
  // never walks past the many that fired on earlier runs.
  await knex.raw(
    "CREATE INDEX pathway_steps_due_unfired ON pathway_steps (due_from) WHERE status = 'open' AND due_fired_at IS NULL",
  );
  await knex.raw(
    "CREATE INDEX pathway_steps_overdue_unfired ON pathway_steps (due_by) WHERE status = 'open' AND overdue_fired_at IS NULL",
  );
  await knex.raw(
    "CREATE INDEX pathway_steps_escalation_unfired ON pathway_steps (escalate_at) WHERE status = 'open' AND escalated_at IS NULL",
  );

  await knex.schema.createTable('pathway_events', (t) => {
    t.bigIncrements('id').primary();
    t.string('pathway_id', 36).notNullable().references('id').inTable('pathways');
    t.string('step_id', 36).nullable();
    // enrolled | step-completed | step-skipped | step-reassigned | step-due | step-overdue | step-escalated | paused | resumed | closed | transferred | advice | facts
    t.string('kind', 30).notNullable();
    ts(t, 'at').notNullable();
    t.string('actor_user_id', 36).nullable();
    t.string('actor_role', 40).nullable();
    t.text('reason').nullable();
    t.text('details').nullable();
    // Timer events carry a key so that one can never be recorded twice, whichever worker fires it.
    t.string('dedupe_key', 120).nullable().unique();
    t.index(['pathway_id', 'id']);
  });

  await knex.schema.createTable('pathway_referrals', (t) => {
    t.string('id', 36).primary();
    t.string('pathway_id', 36).notNullable().references('id').inTable('pathways');
    t.string('step_id', 36).nullable();
    t.string('organisation_id', 36).notNullable();
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('service_type', 40).notNullable();
    // step (a referral step) | handover (the pathway transferred to an NHS service)
    t.string('kind', 20).notNullable();
    t.string('priority', 20).notNullable();
    // Details for the receiving service (JSON): reason, venue and confidentiality preferences (CONF-4), the history it needs.
    t.text('details').notNullable();
    // awaiting-consent | ready | cancelled (the FHIR exchange takes it from here)
    t.string('status', 20).notNullable();
    t.string('created_by_user_id', 36).nullable();
    ts(t, 'created_at').notNullable();
    t.unique(['pathway_id', 'step_id']);
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pathway_referrals');
  await knex.schema.dropTableIfExists('pathway_events');
  await knex.schema.dropTableIfExists('pathway_steps');
  await knex.schema.dropTableIfExists('pathways');
  await knex.schema.dropTableIfExists('oh_referrals');
  await knex.schema.dropTableIfExists('pathway_definitions');
}
