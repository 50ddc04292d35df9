import type { Knex } from 'knex';

/**
 * Issue 14 defects 8 and 11: failed sign-in steps counted by what they were aimed at, not by address. One row
 * per key: an email address as typed at the password step (hashed, known or not, so a locked account and an
 * unknown one answer alike), an account's wrong MFA codes, and one pending sign-in's wrong MFA codes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sign_in_throttles', (t) => {
    t.string('key', 100).primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true }).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['updated_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sign_in_throttles');
}
