import type { Knex } from 'knex';

/**
 * Blood-borne virus exposures (issue 16; domain brief §3): the incident with its risk assessment,
 * PEP and hepatitis B decisions, the test results of its schedule, and the absences linked to it
 * (time off for tests is not sickness; sickness after the exposure is duty-related, ATT-5).
 */
export async function up(knex: Knex): Promise<void> {
  const ts = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

  await knex.schema.createTable('bbv_incidents', (t) => {
    t.string('id', 36).primary();
    t.string('organisation_id', 36).notNullable().references('id').inTable('organisations');
    t.string('person_id', 36).notNullable().references('id').inTable('people');
    // The incident's own pathway (definition bbv): one per incident.
    t.string('pathway_id', 36).notNullable().unique().references('id').inTable('pathways');
    ts(t, 'occurred_at').notNullable();
    // The UK date of the exposure, which the schedule counts from (BBV-7).
    t.date('exposure_date').notNullable();
    // needlestick | sharp | bite | splash | spit | other
    t.string('exposure_type', 20).notNullable();
    t.boolean('skin_broken').nullable();
    t.boolean('blood_in_mouth').nullable();
    t.string('body_fluid', 30).nullable();
    t.boolean('first_aid_given').nullable();
    t.boolean('source_known').notNullable();
    t.text('source_risk_factors').nullable();
    t.boolean('source_consented_to_testing').nullable();
    // A bite's other person: staff (with their own incident) or not (minimum data, JSON).
    t.string('other_party_person_id', 36).nullable().references('id').inTable('people');
    t.text('other_party').nullable();
    t.string('linked_incident_id', 36).nullable();
    // ATT-5: the accident report's reference.
    t.string('accident_report_ref', 100).nullable();
    t.integer('tolerance_days').nullable();
    // The risk assessment, PEP and hepatitis B decisions (JSON), once recorded.
    t.text('assessment').nullable();
    t.text('pep').nullable();
    t.text('hbv').nullable();
    t.string('recorded_by_user_id', 36).nullable().references('id').inTable('users');
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    t.integer('revision').notNullable().defaultTo(1);
    t.index(['person_id', 'occurred_at']);
  });

  await knex.schema.createTable('bbv_results', (t) => {
    t.string('id', 36).primary();
    t.string('incident_id', 36).notNullable().references('id').inTable('bbv_incidents');
    // 4-6-weeks | 3-months | 6-months
    t.string('timepoint', 20).notNullable();
    // HBsAg | HCV-Ag-PCR | HCV-Ab | HIV-Ag-Ab
    t.string('test', 20).notNullable();
    // negative | positive | indeterminate
    t.string('result', 20).notNullable();
    ts(t, 'sample_taken_at').notNullable();
    // oh | laboratory
    t.string('source', 20).notNullable();
    // The partner's stored Observation it came from: one result per Observation.
    t.string('resource_id', 36).nullable().unique();
    t.string('recorded_by_user_id', 36).nullable().references('id').inTable('users');
    ts(t, 'recorded_at').notNullable();
    t.index(['incident_id', 'timepoint']);
  });

  // One open pathway of each kind per person, except exposures: each BBV incident runs its own six months.
  await knex.raw('DROP INDEX pathways_one_open_per_definition');
  await knex.raw(
    "CREATE UNIQUE INDEX pathways_one_open_per_definition ON pathways (person_id, definition_code) WHERE status <> 'closed' AND definition_code <> 'bbv'",
  );

  // Issue 16 §5: an absence linked to an exposure (time off for tests and PEP is not sickness;
  // sickness after it is duty-related).
  await knex.schema.alterTable('absence_spells', (t) => {
    t.string('bbv_incident_id', 36).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE absence_spells DROP COLUMN bbv_incident_id');
  await knex.raw('DROP INDEX pathways_one_open_per_definition');
  await knex.raw(
    "CREATE UNIQUE INDEX pathways_one_open_per_definition ON pathways (person_id, definition_code) WHERE status <> 'closed'",
  );
  await knex.schema.dropTable('bbv_results');
  await knex.schema.dropTable('bbv_incidents');
}
