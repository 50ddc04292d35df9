import type { Knex } from 'knex';

/**
 * Needs assessment (issue 17; domain brief §6, CONF-5): campaigns of a questionnaire to a population, the
 * invitations they send, answers in progress, submitted answers, team facilitators and action plans.
 *
 * Anonymous answers are unlinkable (NA-2). What makes that so lives here, in the shape of the tables:
 * - an invitation holds who was invited and the SHA-256 digest of their token, and is deleted when it is
 *   first used: the table never records when, or in what order, invitations were used;
 * - answers in progress (survey_drafts) are sealed with a key derived from the respondent's own secret,
 *   which the platform does not keep, and are found again only by a digest of that secret;
 * - a submitted anonymous response (survey_responses) holds no person, user, invitation, token or digest,
 *   no IP or session, and only the UK day it was submitted; its id is random, and on SQLite the table is
 *   WITHOUT ROWID, so its rows are stored in the order of those random ids, not the order of submission.
 * - a submitted response first waits, sealed with the platform's secrets key, in survey_pool; once a campaign's
 *   pool holds as many as the disclosure threshold, they are published together into survey_responses in a
 *   random order, in one transaction. Row order, PostgreSQL's xmin and ctid, and SQLite's storage order can
 *   then place a response at best among the threshold-sized batch it was published with, never nearer.
 * Confidential (identified) answers, for clinical questionnaires, are a separate table OH alone reads.
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });
  const sqlite = knex.client.config.client !== 'pg';

  await knex.schema.createTable('survey_campaigns', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('questionnaire_id', 60).notNullable();
    t.string('questionnaire_version', 20).notNullable();
    t.string('title', 200).notNullable();
    // anonymous | confidential
    t.string('mode', 20).notNullable();
    // organisation | unit | team | role, and what it names (a unit, a line manager, a workforce role)
    t.string('population_kind', 20).notNullable();
    t.string('population_ref', 60).notNullable();
    // unit | role | none: the one dimension answers may be broken down by (each group has enough people)
    t.string('breakdown', 10).notNullable();
    // JSON [{ key, invited }]: the groups made at launch, none smaller than the disclosure threshold
    t.text('groups').notNullable();
    t.integer('invited_count').notNullable();
    t.integer('threshold').notNullable();
    t.date('opens_on').notNullable();
    t.date('closes_on').notNullable();
    t.string('owner_user_id', 36).notNullable().references('id').inTable('users');
    // The last campaign of the same questionnaire to the same population, for the change since then.
    t.string('previous_campaign_id', 36).nullable().references('id').inTable('survey_campaigns');
    t.date('last_reminded_on').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['organisation_id', 'questionnaire_id', 'population_kind', 'population_ref']);
    t.index(['closes_on']);
  });

  await knex.schema.createTable('survey_invitations', (t) => {
    t.string('id', 36).primary();
    t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('token_digest', 64).notNullable().unique();
    t.string('group_key', 60).nullable();
    t.unique(['campaign_id', 'person_id']);
    t.index(['person_id']);
  });

  await knex.schema.createTable('survey_drafts', (t) => {
    t.string('id', 36).primary();
    t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
    t.string('resume_digest', 64).notNullable().unique();
    // AES-256-GCM under a key derived from the respondent's secret: the answers so far and the page reached.
    t.text('sealed').notNullable();
    t.string('group_key', 60).nullable();
    // Confidential campaigns only: whose answers these are. Always null in an anonymous campaign.
    t.string('person_id', 36).nullable().references('id').inTable('people');
    t.date('expires_on').notNullable();
    t.index(['campaign_id']);
  });

  if (sqlite)
    await knex.raw(`create table survey_pool (
      id varchar(36) not null primary key,
      campaign_id varchar(36) not null references survey_campaigns(id) on delete cascade,
      sealed text not null
    ) without rowid`);
  else
    await knex.schema.createTable('survey_pool', (t) => {
      t.string('id', 36).primary();
      t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
      t.text('sealed').notNullable();
    });
  await knex.schema.alterTable('survey_pool', (t) => t.index(['campaign_id']));

  if (sqlite) {
    // WITHOUT ROWID: rows are kept in the order of their random ids, never in the order they were written.
    await knex.raw(`create table survey_responses (
      id varchar(36) not null primary key,
      campaign_id varchar(36) not null references survey_campaigns(id) on delete cascade,
      group_key varchar(60) null,
      submitted_on date not null,
      answers text not null,
      scores text not null
    ) without rowid`);
  } else {
    await knex.schema.createTable('survey_responses', (t) => {
      t.string('id', 36).primary();
      t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
      t.string('group_key', 60).nullable();
      t.date('submitted_on').notNullable();
      t.text('answers').notNullable();
      t.text('scores').notNullable();
    });
  }
  await knex.schema.alterTable('survey_responses', (t) => t.index(['campaign_id', 'group_key']));

  // Running totals per campaign and reporting group ('' for none), updated as each batch is published: results of
  // a large campaign are read from these few rows. They hold only sums over whole batches.
  await knex.schema.createTable('survey_tallies', (t) => {
    t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
    t.string('group_key', 60).notNullable();
    t.integer('responses').notNullable();
    t.text('tally').notNullable();
    t.primary(['campaign_id', 'group_key']);
  });

  // Free-text comments, published with their batch and kept apart from the rest of their answers' row.
  if (sqlite)
    await knex.raw(`create table survey_comments (
      id varchar(36) not null primary key,
      campaign_id varchar(36) not null references survey_campaigns(id) on delete cascade,
      group_key varchar(60) null,
      body text not null
    ) without rowid`);
  else
    await knex.schema.createTable('survey_comments', (t) => {
      t.string('id', 36).primary();
      t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
      t.string('group_key', 60).nullable();
      t.text('body').notNullable();
    });
  await knex.schema.alterTable('survey_comments', (t) => t.index(['campaign_id']));

  await knex.schema.createTable('survey_identified_responses', (t) => {
    t.string('id', 36).primary();
    t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns').onDelete('CASCADE');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    t.string('group_key', 60).nullable();
    ts(t, 'submitted_at').notNullable();
    t.text('answers').notNullable();
    t.text('scores').notNullable();
    // NA-8: no-further-action | structured-interview | further-intervention
    t.string('review_outcome', 30).nullable();
    t.text('review_note').nullable();
    t.string('reviewed_by_user_id', 36).nullable().references('id').inTable('users');
    ts(t, 'reviewed_at').nullable();
    t.unique(['campaign_id', 'person_id']);
    t.index(['person_id']);
  });

  await knex.schema.createTable('survey_facilitators', (t) => {
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('unit_id', 36).notNullable().references('id').inTable('units');
    t.string('appointed_by_user_id', 36).notNullable().references('id').inTable('users');
    ts(t, 'created_at').notNullable();
    t.primary(['user_id', 'unit_id']);
  });

  await knex.schema.createTable('survey_actions', (t) => {
    t.string('id', 36).primary();
    t.string('campaign_id', 36).notNullable().references('id').inTable('survey_campaigns');
    t.string('group_key', 60).nullable();
    // An HSE domain, or what the action is about in the needs assessment (a barrier, wellbeing …).
    t.string('topic', 40).notNullable();
    t.text('description').notNullable();
    t.string('owner_person_id', 36).notNullable().references('id').inTable('people');
    t.date('due_on').notNullable();
    // open | done
    t.string('status', 10).notNullable();
    t.string('created_by_user_id', 36).notNullable().references('id').inTable('users');
    ts(t, 'completed_at').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.index(['campaign_id']);
    t.index(['owner_person_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'survey_actions',
    'survey_facilitators',
    'survey_identified_responses',
    'survey_comments',
    'survey_tallies',
    'survey_responses',
    'survey_pool',
    'survey_drafts',
    'survey_invitations',
    'survey_campaigns',
  ])
    await knex.schema.dropTableIfExists(table);
}
