import type { Knex } from 'knex';
import { readOptionalTimestamp, readTimestamp } from '../../db/knex.js';

export type DeliveryStatus = 'queued' | 'sent' | 'failed' | 'cancelled';

/** One message to a partner about a referral (issue 6 §3). */
export interface Delivery {
  id: string;
  pathwayReferralId: string;
  kind: 'referral' | 'cancellation';
  status: DeliveryStatus;
  partnerServiceId: string | null;
  attempts: number;
  outcome: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

function toDelivery(r: Record<string, unknown>): Delivery {
  return {
    id: r.id as string,
    pathwayReferralId: r.pathway_referral_id as string,
    kind: r.kind as Delivery['kind'],
    status: r.status as DeliveryStatus,
    partnerServiceId: (r.partner_service_id as string | null) ?? null,
    attempts: Number(r.attempts),
    outcome: (r.outcome as string | null) ?? null,
    createdAt: readTimestamp(r.created_at),
    updatedAt: readTimestamp(r.updated_at),
    sentAt: readOptionalTimestamp(r.sent_at),
  };
}

/** Deliveries (knex). */
export class DeliveryRepository {
  constructor(private readonly db: Knex) {}

  /** Queues a delivery; false when the referral already has one of that kind (sharing twice sends once). */
  async insert(
    d: { id: string; pathwayReferralId: string; kind: Delivery['kind']; now: Date },
    trx: Knex.Transaction,
  ): Promise<boolean> {
    // The unique index on (referral, kind) makes a second one nothing, in the same statement.
    const made = (await trx('referral_deliveries')
      .insert(
        {
          id: d.id,
          pathway_referral_id: d.pathwayReferralId,
          kind: d.kind,
          status: 'queued',
          partner_service_id: null,
          attempts: 0,
          outcome: null,
          created_at: d.now.toISOString(),
          updated_at: d.now.toISOString(),
          sent_at: null,
        },
        ['id'],
      )
      .onConflict(['pathway_referral_id', 'kind'])
      .ignore()) as Array<{ id: string }>;
    return made.length > 0;
  }

  async find(id: string): Promise<Delivery | null> {
    const r = await this.db('referral_deliveries').where({ id }).first();
    return r ? toDelivery(r) : null;
  }

  async findMany(ids: readonly string[]): Promise<Delivery[]> {
    return ids.length ? (await this.db('referral_deliveries').whereIn('id', [...ids])).map(toDelivery) : [];
  }

  /** Several deliveries reached their partner, in one write (only those still queued move). */
  async sentMany(ids: readonly string[], partnerServiceId: string, now: Date, trx: Knex.Transaction): Promise<void> {
    if (!ids.length) return;
    await trx('referral_deliveries')
      .whereIn('id', [...ids])
      .where({ status: 'queued' })
      .update({
        status: 'sent',
        partner_service_id: partnerServiceId,
        outcome: null,
        attempts: trx.raw('attempts + 1'),
        updated_at: now.toISOString(),
        sent_at: now.toISOString(),
      });
  }

  async forReferral(pathwayReferralId: string): Promise<Delivery[]> {
    return (
      await this.db('referral_deliveries').where({ pathway_referral_id: pathwayReferralId }).orderBy('created_at')
    ).map(toDelivery);
  }

  /** Records an attempt; only a queued delivery moves (a late worker cannot overwrite a finished one). */
  async attempted(
    id: string,
    change: { status: DeliveryStatus; partnerServiceId: string | null; outcome: string | null; now: Date },
    trx?: Knex.Transaction,
  ): Promise<boolean> {
    const n = await (trx ?? this.db)('referral_deliveries')
      .where({ id, status: 'queued' })
      .update({
        status: change.status,
        partner_service_id: change.partnerServiceId,
        outcome: change.outcome,
        attempts: (trx ?? this.db).raw('attempts + 1'),
        updated_at: change.now.toISOString(),
        ...(change.status === 'sent' ? { sent_at: change.now.toISOString() } : {}),
      });
    return n > 0;
  }
}
