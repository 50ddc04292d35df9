import type { Knex } from 'knex';
import type { JobRepository } from '../../jobs/index.js';
import type { ReferralOutbox } from '../../pathways/pathway-referral-service.js';
import type { PathwayReferral } from '../../pathways/pathway-types.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { Delivery, DeliveryRepository } from './delivery-repository.js';

/** The job that delivers one referral message. */
export const DELIVER_REFERRAL = 'fhir.referral.deliver';
/** With the default backoff (30 s doubling to an hour, jittered), 16 attempts cover most of a day's outage. */
export const MAX_ATTEMPTS = 16;

/**
 * The outbound half of the FHIR exchange as the pathways see it (issue 6 §3, issue 14 §15): a
 * shared referral, or the cancellation of one already sent, becomes a delivery row and its job in
 * the caller's transaction, so the referral and its delivery commit together or not at all. A
 * second call for the same referral and kind adds nothing (the delivery row is unique).
 * `ReferralDeliveryService` then sends what is queued here.
 */
export class DeliveryOutbox implements ReferralOutbox {
  constructor(
    private readonly deliveries: Pick<DeliveryRepository, 'insert'>,
    private readonly jobs: Pick<JobRepository, 'enqueue'>,
    private readonly clock: Clock,
  ) {}

  async enqueue(referral: PathwayReferral, kind: Delivery['kind'], trx: Knex.Transaction): Promise<void> {
    const id = newId();
    const now = this.clock.now();
    if (!(await this.deliveries.insert({ id, pathwayReferralId: referral.id, kind, now }, trx))) return;
    await this.jobs.enqueue(
      {
        kind: DELIVER_REFERRAL,
        payload: { deliveryId: id },
        runAt: now,
        now,
        maxAttempts: MAX_ATTEMPTS,
        dedupeKey: `deliver:${id}`,
      },
      trx,
    );
  }
}
