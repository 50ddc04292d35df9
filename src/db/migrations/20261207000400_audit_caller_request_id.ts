import type { Knex } from 'knex';

/** The longest caller-supplied request id kept (web/middleware.ts `callerRequestId` bounds it to this). */
const CALLER_REQUEST_ID_LENGTH = 128;

/**
 * Issue 14 §11: the audit trail's request id is always ours; the X-Request-Id a caller sent, sanitised, is kept
 * beside it for correlation with their logs and never trusted as our id.
 *
 * Both directions are plain ALTER TABLE statements so the append-only triggers on audit_events stay in place:
 * knex's schema builder drops a column on SQLite by copying the table, which would lose them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_events', (t) => {
    t.string('caller_request_id', CALLER_REQUEST_ID_LENGTH).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE audit_events DROP COLUMN caller_request_id');
}
