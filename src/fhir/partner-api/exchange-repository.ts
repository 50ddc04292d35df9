import type { Resource } from '@medplum/fhirtypes';
import type { Knex } from 'knex';
import { z } from 'zod';
import { readJson, readOptionalIsoDate, readOptionalTimestamp, readTimestamp } from '../../db/knex.js';
import type { IsoDate } from '../../shared/dates.js';
import type { SearchFilter } from './fhir-search.js';
import type { ProgressStatus } from './task-progress.js';

/** A FHIR resource addressed to one partner (or sent by it), with the columns it is found by. */
export interface StoredResource<T extends Resource = Resource> {
  id: string;
  resourceType: string;
  partnerOrganisationId: string;
  version: number;
  lastUpdated: Date;
  pathwayReferralId: string | null;
  personId: string | null;
  pathwayId: string | null;
  consentId: string | null;
  identifierSystem: string | null;
  identifierValue: string | null;
  status: string | null;
  reference: string | null;
  withheldAt: Date | null;
  disclosableUntil: IsoDate | null;
  createdByClientId: string | null;
  content: T;
}

/** One step of a referral's journey at the partner (issue 6 §5). */
export interface ProgressEntry {
  id: number;
  pathwayReferralId: string;
  status: ProgressStatus;
  reason: string | null;
  appointmentAt: Date | null;
  /** Where the appointment is, in words, as the partner said when it booked (issue 15 §8). */
  appointmentPlace: string | null;
  source: 'task' | 'message';
  at: Date;
}

/**
 * A stored resource: checked against the R4 definitions (fhir-validation.ts) when it came in or was
 * built, so on reading it back only its shape as a resource is checked, not every element again.
 */
const storedResource = z
  .looseObject({ resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/), id: z.string().optional() })
  .transform((r) => r as unknown as Resource);

function toStored(r: Record<string, unknown>): StoredResource {
  return {
    id: r.id as string,
    resourceType: r.resource_type as string,
    partnerOrganisationId: r.partner_organisation_id as string,
    version: Number(r.version),
    lastUpdated: readTimestamp(r.last_updated),
    pathwayReferralId: (r.pathway_referral_id as string | null) ?? null,
    personId: (r.person_id as string | null) ?? null,
    pathwayId: (r.pathway_id as string | null) ?? null,
    consentId: (r.consent_id as string | null) ?? null,
    identifierSystem: (r.identifier_system as string | null) ?? null,
    identifierValue: (r.identifier_value as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    reference: (r.reference as string | null) ?? null,
    withheldAt: readOptionalTimestamp(r.withheld_at),
    disclosableUntil: readOptionalIsoDate(r.disclosable_until, 'fhir_resources.disclosable_until'),
    createdByClientId: (r.created_by_client_id as string | null) ?? null,
    content: readJson(r.content, storedResource, 'fhir_resources.content'),
  };
}

function columns(s: StoredResource) {
  return {
    resource_type: s.resourceType,
    partner_organisation_id: s.partnerOrganisationId,
    version: s.version,
    last_updated: s.lastUpdated.toISOString(),
    pathway_referral_id: s.pathwayReferralId,
    person_id: s.personId,
    pathway_id: s.pathwayId,
    consent_id: s.consentId,
    identifier_system: s.identifierSystem,
    identifier_value: s.identifierValue,
    status: s.status,
    reference: s.reference,
    withheld_at: s.withheldAt?.toISOString() ?? null,
    disclosable_until: s.disclosableUntil,
    created_by_client_id: s.createdByClientId,
    content: JSON.stringify(s.content),
  };
}

function toProgress(r: Record<string, unknown>): ProgressEntry {
  return {
    id: Number(r.id),
    pathwayReferralId: r.pathway_referral_id as string,
    status: r.status as ProgressStatus,
    reason: (r.reason as string | null) ?? null,
    appointmentAt: readOptionalTimestamp(r.appointment_at),
    appointmentPlace: (r.appointment_place as string | null) ?? null,
    source: r.source as ProgressEntry['source'],
    at: readTimestamp(r.at),
  };
}

/** The partner exchange's tables: resources addressed to partners, BaRS messages received, referral progress (knex). */
export class ExchangeRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Writes resources, many to a statement; one that exists (a retry) is replaced by the new version. */
  async save(resources: StoredResource[], trx: Knex.Transaction): Promise<void> {
    for (let i = 0; i < resources.length; i += 100) {
      const rows = resources
        .slice(i, i + 100)
        .map((r) => ({ id: r.id, ...columns(r), created_at: r.lastUpdated.toISOString() }));
      await trx('fhir_resources')
        .insert(rows)
        .onConflict('id')
        .merge(Object.keys(columns(resources[i]!)));
    }
  }

  /** Replaces a resource at the version it was read at; false when someone changed it meanwhile. */
  async replace(r: StoredResource, previousVersion: number, trx: Knex.Transaction): Promise<boolean> {
    return (await trx('fhir_resources').where({ id: r.id, version: previousVersion }).update(columns(r))) > 0;
  }

  async insert(resources: StoredResource[], trx: Knex.Transaction): Promise<void> {
    if (resources.length)
      await trx('fhir_resources').insert(
        resources.map((r) => ({ id: r.id, ...columns(r), created_at: r.lastUpdated.toISOString() })),
      );
  }

  /** One resource addressed to a partner, if it may see it on `today` (not withheld, its consent's period not over). */
  async findFor(
    partnerOrganisationId: string,
    resourceType: string,
    id: string,
    today: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<StoredResource | null> {
    const r = await this.visible((trx ?? this.db)('fhir_resources'), today)
      .where({ id, resource_type: resourceType, partner_organisation_id: partnerOrganisationId })
      .first();
    return r ? toStored(r) : null;
  }

  private visible(q: Knex.QueryBuilder, today: IsoDate): Knex.QueryBuilder {
    return q
      .whereNull('withheld_at')
      .andWhere((w) => w.whereNull('disclosable_until').orWhere('disclosable_until', '>=', today));
  }

  /** A search within what one partner may see; one row more than the page, to tell whether there is a next page. */
  async search(
    partnerOrganisationId: string,
    resourceType: string,
    filter: SearchFilter,
    today: IsoDate,
  ): Promise<StoredResource[]> {
    const q = this.visible(this.db('fhir_resources'), today).where({
      partner_organisation_id: partnerOrganisationId,
      resource_type: resourceType,
    });
    if (filter.ids) q.whereIn('id', filter.ids);
    if (filter.identifiers) {
      const identifiers = filter.identifiers;
      q.andWhere((w) => {
        for (const i of identifiers) {
          w.orWhere((x) => {
            if (i.system !== undefined) x.where('identifier_system', i.system);
            if (i.value !== undefined) x.where('identifier_value', i.value);
          });
        }
      });
    }
    if (filter.statuses) q.whereIn('status', filter.statuses);
    if (filter.references) q.whereIn('reference', filter.references);
    for (const d of filter.lastUpdated) q.where('last_updated', d.op, d.at.toISOString());
    return (
      await q
        .orderBy([
          { column: 'last_updated', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(filter.count + 1)
        .offset(filter.offset)
    ).map(toStored);
  }

  /** A partner's resource with this business identifier (conditional create). */
  async findByIdentifier(
    partnerOrganisationId: string,
    resourceType: string,
    identifier: { system: string; value: string },
    trx?: Knex.Transaction,
  ): Promise<StoredResource | null> {
    const r = await (trx ?? this.db)('fhir_resources')
      .where({
        partner_organisation_id: partnerOrganisationId,
        resource_type: resourceType,
        identifier_system: identifier.system,
        identifier_value: identifier.value,
      })
      .first();
    return r ? toStored(r) : null;
  }

  /** The referrals among these that already have a resource of this type (their Task, say). */
  async referralsWith(
    pathwayReferralIds: readonly string[],
    resourceType: string,
    trx: Knex.Transaction,
  ): Promise<Set<string>> {
    if (!pathwayReferralIds.length) return new Set();
    return new Set(
      (
        (await trx('fhir_resources')
          .whereIn('pathway_referral_id', [...pathwayReferralIds])
          .where({ resource_type: resourceType })
          .select('pathway_referral_id')) as Array<{ pathway_referral_id: string }>
      ).map((r) => r.pathway_referral_id),
    );
  }

  /** The resources of a referral (e.g. its Task, to revoke it). */
  async forReferral(
    pathwayReferralId: string,
    resourceType: string,
    trx?: Knex.Transaction,
  ): Promise<StoredResource[]> {
    return (
      await (trx ?? this.db)('fhir_resources').where({
        pathway_referral_id: pathwayReferralId,
        resource_type: resourceType,
      })
    ).map(toStored);
  }

  /** Resources of these types held for a pathway (the laboratory results OH sees). */
  async forPathway(pathwayId: string, resourceTypes: string[]): Promise<StoredResource[]> {
    return (
      await this.db('fhir_resources')
        .where({ pathway_id: pathwayId })
        .whereIn('resource_type', resourceTypes)
        .orderBy('last_updated')
    ).map(toStored);
  }

  /** Rows sent under a consent (the withdrawal decides what happens to each). */
  async underConsent(consentId: string, trx: Knex.Transaction): Promise<StoredResource[]> {
    return (await trx('fhir_resources').where({ consent_id: consentId })).map(toStored);
  }

  /** Records a BaRS message received; false when the partner sent this Bundle id before (FHIR-2: a duplicate). */
  async recordMessage(
    m: {
      id: string;
      partnerOrganisationId: string;
      bundleId: string;
      event: string;
      pathwayReferralId: string | null;
      at: Date;
    },
    trx: Knex.Transaction,
  ): Promise<boolean> {
    const seen = await trx('inbound_messages')
      .where({ partner_organisation_id: m.partnerOrganisationId, bundle_id: m.bundleId })
      .first();
    if (seen) return false;
    await trx('inbound_messages').insert({
      id: m.id,
      partner_organisation_id: m.partnerOrganisationId,
      bundle_id: m.bundleId,
      event: m.event,
      pathway_referral_id: m.pathwayReferralId,
      received_at: m.at.toISOString(),
    });
    return true;
  }

  async addProgress(p: Omit<ProgressEntry, 'id'>, trx: Knex.Transaction): Promise<void> {
    await trx('referral_progress').insert({
      pathway_referral_id: p.pathwayReferralId,
      status: p.status,
      reason: p.reason,
      appointment_at: p.appointmentAt?.toISOString() ?? null,
      appointment_place: p.appointmentPlace,
      source: p.source,
      at: p.at.toISOString(),
    });
  }

  /** The latest step of a referral's journey at the partner. */
  async latestProgress(pathwayReferralId: string, trx?: Knex.Transaction): Promise<ProgressEntry | null> {
    const r = await (trx ?? this.db)('referral_progress')
      .where({ pathway_referral_id: pathwayReferralId })
      .orderBy('id', 'desc')
      .first();
    return r ? toProgress(r) : null;
  }

  /** Every referral's journey at the partner, oldest first, in one read. */
  async progressOf(pathwayReferralIds: readonly string[]): Promise<Map<string, ProgressEntry[]>> {
    const out = new Map<string, ProgressEntry[]>(pathwayReferralIds.map((id) => [id, []]));
    if (!pathwayReferralIds.length) return out;
    for (const r of await this.db('referral_progress')
      .whereIn('pathway_referral_id', [...pathwayReferralIds])
      .orderBy('id'))
      out.get(r.pathway_referral_id as string)!.push(toProgress(r));
    return out;
  }
}
