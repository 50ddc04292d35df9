import type { Knex } from 'knex';
import * as foundationSchema from './20261122000100_foundation_schema.js';
import * as referenceRoles from './20261122000200_reference_roles.js';
import * as attendanceSchema from './20261122000300_attendance_schema.js';
import * as worklistSchema from './20261122000400_worklist_schema.js';
import * as returnToWorkSchema from './20261122000500_return_to_work_schema.js';
import * as procedureSchema from './20261122000600_attendance_procedure_schema.js';
import * as triggerDecisionsSchema from './20261122000700_trigger_decisions_schema.js';
import * as attendanceCasesSchema from './20261201000100_attendance_cases_schema.js';
import * as pathwaysSchema from './20261201000200_pathways_schema.js';
import * as consentSchema from './20261203000100_consent_schema.js';
import * as partnerDirectorySchema from './20261203000200_partner_directory_schema.js';
import * as referralDeliveriesSchema from './20261203000300_referral_deliveries_schema.js';
import * as partnerExchangeSchema from './20261203000400_partner_exchange_schema.js';
import * as signInThrottles from './20261207000300_sign_in_throttles.js';
import * as auditCallerRequestId from './20261207000400_audit_caller_request_id.js';
import * as appointmentPlace from './20261207000500_appointment_place.js';
import * as bbvSchema from './20261207000600_bbv_schema.js';
import * as needsAssessmentSchema from './20261207000700_needs_assessment_schema.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Every migration, in order. Listed explicitly (rather than read from the directory) so
 * the same source works under tsx, vitest and compiled output. Migrations are immutable
 * once landed: add a new file, never edit an old one.
 */
const MIGRATIONS: ReadonlyArray<[name: string, migration: Migration]> = [
  ['20261122000100_foundation_schema', foundationSchema],
  ['20261122000200_reference_roles', referenceRoles],
  ['20261122000300_attendance_schema', attendanceSchema],
  ['20261122000400_worklist_schema', worklistSchema],
  ['20261122000500_return_to_work_schema', returnToWorkSchema],
  ['20261122000600_attendance_procedure_schema', procedureSchema],
  ['20261122000700_trigger_decisions_schema', triggerDecisionsSchema],
  ['20261201000100_attendance_cases_schema', attendanceCasesSchema],
  ['20261201000200_pathways_schema', pathwaysSchema],
  ['20261203000100_consent_schema', consentSchema],
  ['20261203000200_partner_directory_schema', partnerDirectorySchema],
  ['20261203000300_referral_deliveries_schema', referralDeliveriesSchema],
  ['20261203000400_partner_exchange_schema', partnerExchangeSchema],
  ['20261207000300_sign_in_throttles', signInThrottles],
  ['20261207000400_audit_caller_request_id', auditCallerRequestId],
  ['20261207000500_appointment_place', appointmentPlace],
  ['20261207000600_bbv_schema', bbvSchema],
  ['20261207000700_needs_assessment_schema', needsAssessmentSchema],
];

export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
