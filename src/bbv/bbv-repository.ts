import type { Knex } from 'knex';
import { z } from 'zod';
import type { PersonScope } from '../auth/access-policy.js';
import { readIsoDate, readJson, readOptionalTimestamp, readTimestamp } from '../db/knex.js';
import { withinReach } from '../db/reach.js';
import {
  BBV_TESTS,
  HBV_VACCINATIONS,
  PEP_DECISIONS,
  RESULT_SOURCES,
  RESULT_VALUES,
  TIMEPOINTS,
  type BbvIncident,
  type BbvResult,
  type BodyFluid,
  type ExposureType,
} from './bbv-types.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const instant = z.string().transform((s) => new Date(s));
const assessmentSchema = z.object({
  assessedAt: instant,
  assessedByUserId: z.string().nullable(),
  highRiskHcv: z.boolean(),
  knownHbvResponder: z.boolean().nullable(),
  followUpIndicated: z.boolean(),
  baselineStoredAt: instant.nullable(),
  otherPartyAssessed: z.boolean().nullable(),
  note: z.string().nullable(),
});
const pepSchema = z.object({ decision: z.enum(PEP_DECISIONS), decidedAt: instant, startedAt: instant.nullable() });
const hbvSchema = z.object({
  vaccination: z.enum(HBV_VACCINATIONS),
  vaccinationDate: isoDate.nullable(),
  hbigGiven: z.boolean(),
  hbigDate: isoDate.nullable(),
  recordedAt: instant,
});
const otherPartySchema = z.object({
  description: z.string(),
  consentedToTesting: z.boolean().nullable(),
  assessmentArrangedWith: z.string().nullable(),
});

const bool = (v: unknown): boolean | null =>
  v === null || v === undefined ? null : v === true || v === 1 || v === '1';
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

function toIncident(row: Record<string, unknown>): BbvIncident {
  const parse = <S extends z.ZodType>(column: string, schema: S) =>
    row[column] === null || row[column] === undefined ? null : readJson(row[column], schema, `bbv_incidents.${column}`);
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    personId: row.person_id as string,
    pathwayId: row.pathway_id as string,
    occurredAt: readTimestamp(row.occurred_at),
    exposureDate: readIsoDate(row.exposure_date, 'bbv_incidents.exposure_date'),
    exposureType: row.exposure_type as ExposureType,
    skinBroken: bool(row.skin_broken),
    bloodInMouth: bool(row.blood_in_mouth),
    bodyFluid: (row.body_fluid as BodyFluid | null) ?? null,
    firstAidGiven: bool(row.first_aid_given),
    sourceKnown: bool(row.source_known) === true,
    sourceRiskFactors: (row.source_risk_factors as string | null) ?? null,
    sourceConsentedToTesting: bool(row.source_consented_to_testing),
    otherPartyPersonId: (row.other_party_person_id as string | null) ?? null,
    otherParty: parse('other_party', otherPartySchema),
    linkedIncidentId: (row.linked_incident_id as string | null) ?? null,
    accidentReportRef: (row.accident_report_ref as string | null) ?? null,
    toleranceDays: row.tolerance_days === null || row.tolerance_days === undefined ? null : Number(row.tolerance_days),
    assessment: parse('assessment', assessmentSchema),
    pep: parse('pep', pepSchema),
    hbv: parse('hbv', hbvSchema) as BbvIncident['hbv'],
    recordedByUserId: (row.recorded_by_user_id as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
    updatedAt: readTimestamp(row.updated_at),
    revision: Number(row.revision),
  };
}

function incidentRow(i: BbvIncident): Record<string, unknown> {
  return {
    id: i.id,
    organisation_id: i.organisationId,
    person_id: i.personId,
    pathway_id: i.pathwayId,
    occurred_at: i.occurredAt.toISOString(),
    exposure_date: i.exposureDate,
    exposure_type: i.exposureType,
    skin_broken: i.skinBroken,
    blood_in_mouth: i.bloodInMouth,
    body_fluid: i.bodyFluid,
    first_aid_given: i.firstAidGiven,
    source_known: i.sourceKnown,
    source_risk_factors: i.sourceRiskFactors,
    source_consented_to_testing: i.sourceConsentedToTesting,
    other_party_person_id: i.otherPartyPersonId,
    other_party: json(i.otherParty),
    linked_incident_id: i.linkedIncidentId,
    accident_report_ref: i.accidentReportRef,
    tolerance_days: i.toleranceDays,
    assessment: json(i.assessment),
    pep: json(i.pep),
    hbv: json(i.hbv),
    recorded_by_user_id: i.recordedByUserId,
    created_at: i.createdAt.toISOString(),
    updated_at: i.updatedAt.toISOString(),
    revision: i.revision,
  };
}

function toResult(row: Record<string, unknown>): BbvResult {
  return {
    id: row.id as string,
    incidentId: row.incident_id as string,
    timepoint: z.enum(TIMEPOINTS).parse(row.timepoint),
    test: z.enum(BBV_TESTS).parse(row.test),
    result: z.enum(RESULT_VALUES).parse(row.result),
    sampleTakenAt: readTimestamp(row.sample_taken_at),
    source: z.enum(RESULT_SOURCES).parse(row.source),
    resourceId: (row.resource_id as string | null) ?? null,
    recordedByUserId: (row.recorded_by_user_id as string | null) ?? null,
    recordedAt: readOptionalTimestamp(row.recorded_at) ?? new Date(0),
  };
}

/** knex: blood-borne virus incidents and their results (issue 16). Reads of a person's record take the reach. */
export class BbvRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(incident: BbvIncident, trx: Knex.Transaction): Promise<void> {
    await trx('bbv_incidents').insert(incidentRow(incident));
  }

  /**
   * Takes the incident's row lock for the rest of the transaction (a no-op update): on PostgreSQL a second
   * change waits here and then reads what the first committed (results posted at once each see the others).
   */
  async lock(id: string, trx: Knex.Transaction): Promise<boolean> {
    return (
      (await trx('bbv_incidents')
        .where({ id })
        .update({ revision: trx.raw('revision') })) === 1
    );
  }

  /** Saves a changed incident if nobody changed it meanwhile (its revision); false otherwise. */
  async update(incident: BbvIncident, trx: Knex.Transaction): Promise<boolean> {
    const row = incidentRow({ ...incident, revision: incident.revision + 1 });
    const n = await trx('bbv_incidents').where({ id: incident.id, revision: incident.revision }).update(row);
    return n === 1;
  }

  /** An incident whose person is within `reach`, or null. */
  async find(id: string, reach: PersonScope, trx?: Knex.Transaction): Promise<BbvIncident | null> {
    const db = trx ?? this.db;
    const row = await withinReach(
      db('bbv_incidents').where('bbv_incidents.id', id),
      reach,
      db,
      'bbv_incidents.person_id',
    )
      .select('bbv_incidents.*')
      .first();
    return row ? toIncident(row) : null;
  }

  async findByPathway(pathwayId: string, trx?: Knex.Transaction): Promise<BbvIncident | null> {
    const row = await (trx ?? this.db)('bbv_incidents').where({ pathway_id: pathwayId }).first();
    return row ? toIncident(row) : null;
  }

  /** A person's incidents, newest first, when the person is within `reach`. */
  async forPerson(personId: string, reach: PersonScope): Promise<BbvIncident[]> {
    const rows = await withinReach(
      this.db('bbv_incidents').where('bbv_incidents.person_id', personId),
      reach,
      this.db,
      'bbv_incidents.person_id',
    )
      .select('bbv_incidents.*')
      .orderBy('bbv_incidents.occurred_at', 'desc');
    return rows.map(toIncident);
  }

  /** Incidents by id (the platform's own work: the manager's appointment dates, reminders). */
  async byIds(ids: readonly string[]): Promise<BbvIncident[]> {
    if (!ids.length) return [];
    return (await this.db('bbv_incidents').whereIn('id', [...ids])).map(toIncident);
  }

  /** Incidents of these people whose pathways are still open (the manager's worklist: appointment dates only). */
  async openFor(personIds: readonly string[]): Promise<BbvIncident[]> {
    if (!personIds.length) return [];
    const rows = await this.db('bbv_incidents')
      .join('pathways', 'pathways.id', 'bbv_incidents.pathway_id')
      .whereIn('bbv_incidents.person_id', [...personIds])
      .whereNot('pathways.status', 'closed')
      .select('bbv_incidents.*');
    return rows.map(toIncident);
  }

  /** Every incident whose pathway is open (the daily reminders). */
  async open(): Promise<BbvIncident[]> {
    const rows = await this.db('bbv_incidents')
      .join('pathways', 'pathways.id', 'bbv_incidents.pathway_id')
      .whereNot('pathways.status', 'closed')
      .select('bbv_incidents.*');
    return rows.map(toIncident);
  }

  /** The status of each pathway an incident runs (one read for a list of incidents). */
  async pathwayStatuses(pathwayIds: readonly string[]): Promise<Map<string, string>> {
    if (!pathwayIds.length) return new Map();
    const rows = await this.db('pathways')
      .whereIn('id', [...pathwayIds])
      .select('id', 'status');
    return new Map(rows.map((r: { id: string; status: string }) => [r.id, r.status]));
  }

  async results(incidentId: string, trx?: Knex.Transaction): Promise<BbvResult[]> {
    return (
      await (trx ?? this.db)('bbv_results')
        .where({ incident_id: incidentId })
        .orderBy([
          { column: 'sample_taken_at', order: 'asc' },
          { column: 'recorded_at', order: 'asc' },
        ])
    ).map(toResult);
  }

  async resultsFor(incidentIds: readonly string[]): Promise<Map<string, BbvResult[]>> {
    const out = new Map<string, BbvResult[]>();
    if (!incidentIds.length) return out;
    const rows = await this.db('bbv_results')
      .whereIn('incident_id', [...incidentIds])
      .orderBy([
        { column: 'sample_taken_at', order: 'asc' },
        { column: 'recorded_at', order: 'asc' },
      ]);
    for (const r of rows.map(toResult)) out.set(r.incidentId, [...(out.get(r.incidentId) ?? []), r]);
    return out;
  }

  /** Stores results; one from a partner's Observation already stored is not stored twice. Returns those stored. */
  async insertResults(results: readonly BbvResult[], trx: Knex.Transaction): Promise<BbvResult[]> {
    const stored: BbvResult[] = [];
    for (const r of results) {
      if (r.resourceId && (await trx('bbv_results').where({ resource_id: r.resourceId }).first())) continue;
      await trx('bbv_results').insert({
        id: r.id,
        incident_id: r.incidentId,
        timepoint: r.timepoint,
        test: r.test,
        result: r.result,
        sample_taken_at: r.sampleTakenAt.toISOString(),
        source: r.source,
        resource_id: r.resourceId,
        recorded_by_user_id: r.recordedByUserId,
        recorded_at: r.recordedAt.toISOString(),
      });
      stored.push(r);
    }
    return stored;
  }
}
