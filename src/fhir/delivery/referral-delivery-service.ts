import { setImmediate } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { AuditService } from '../../audit/audit-service.js';
import type { ConsentService } from '../../consent/consent-service.js';
import { PermanentJobError, RetryLaterError, type JobRunner } from '../../jobs/index.js';
import type { PathwayReferralService } from '../../pathways/pathway-referral-service.js';
import type { PathwayReferral } from '../../pathways/pathway-types.js';
import type { PeopleService } from '../../people/people-service.js';
import type { Organisation, Person } from '../../people/people-types.js';
import type { Clock } from '../../shared/clock.js';
import { londonDay } from '../../shared/dates.js';
import type { SystemContext } from '../../shared/request-context.js';
import type { Bundle } from '@medplum/fhirtypes';
import type { Consent } from '../../consent/index.js';
import type { PartnerService } from '../directory/partner-types.js';
import { consentToFhir } from '../core/consent-resource.js';
import type { Delivery, DeliveryRepository } from './delivery-repository.js';
import { PartnerConnectionError, type PartnerSignIn } from '../directory/partner-connection.js';
import { fhirClient } from '../core/fhir-client.js';
import type { PartnerRepository } from '../directory/partner-repository.js';
import { DELIVER_REFERRAL, type DeliveryOutbox } from './referral-outbox.js';
import { buildReferralBundle, referralProblems, type OutboundReferral } from './referral-bundle.js';

const TIMEOUT_MS = 15_000;
const SYSTEM: SystemContext = { actor: null, requestId: 'fhir-delivery', ip: null };

/** The partner's refusal in its own words (its OperationOutcome), shortened; for the clinician's view only, never logged. */
function partnerWords(data: unknown, status: number | 'fatal-error'): string {
  const issues = (
    data as { issue?: Array<{ details?: { text?: string }; diagnostics?: string; code?: string }> } | null
  )?.issue;
  const words = issues
    ?.map((i) => i.details?.text ?? i.diagnostics ?? i.code)
    .filter(Boolean)
    .join('; ');
  return `The partner refused the referral (${typeof status === 'number' ? `HTTP ${status}` : status})${words ? `: ${words.slice(0, 900)}` : '.'}`;
}

/** The response a BaRS partner put in its synchronous reply (FHIR-2: `MessageHeader.response`), with any OperationOutcome it carried. */
function replyOf(reply: unknown): { code: string; outcome: unknown } | null {
  const entries = (
    reply as {
      resourceType?: string;
      entry?: Array<{ resource?: { resourceType?: string; response?: { code?: unknown } } }>;
    } | null
  )?.entry;
  const header = entries?.[0]?.resource;
  if (header?.resourceType !== 'MessageHeader' || typeof header.response?.code !== 'string') return null;
  return {
    code: header.response.code,
    outcome: entries?.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource ?? null,
  };
}

function retryAfterMs(headers: unknown, now: Date): number {
  const value = headers instanceof Headers ? headers.get('retry-after') : null;
  if (!value) return 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : 0;
}

export interface DeliveryDeps {
  deliveries: DeliveryRepository;
  partners: PartnerRepository;
  /** Where a cancellation found while sending is queued (the same outbox the pathways share into). */
  outbox: Pick<DeliveryOutbox, 'enqueue'>;
  referrals: Pick<PathwayReferralService, 'forDeliveries' | 'disclosureFor' | 'markSentMany' | 'markCancelled'>;
  consent: Pick<ConsentService, 'mayDiscloseMany' | 'findManyForSystem'>;
  people: Pick<PeopleService, 'recordsForSystem' | 'listOrganisations'>;
  /** Display names of users, by id. */
  userNames: (userIds: readonly string[]) => Promise<Map<string, string>>;
  /** A transaction of the platform's database, for queueing outside a caller's. */
  transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;
  audit: AuditService;
  clock: Clock;
  /** Our sign-in to partners (SMART tokens kept while they last). */
  signIn: PartnerSignIn;
  /** What partners may read back of what they were sent (the partner-facing API). */
  exchange: SentReferralLedger;
  /** Our `$process-message` endpoint, where partners' responses go. */
  senderEndpoint: string;
}

/** A referral as it reached its partner: the Bundle sent, and the consent it went under. */
export interface SentReferral {
  referral: PathwayReferral;
  bundle: Bundle;
  partnerOrganisationId: string;
  consent: Consent | null;
}

/**
 * Where what reached a partner is recorded, in the sending transaction, so the partner may read it back
 * (the partner-facing API's exchange implements it; delivery does not depend on the API).
 */
export interface SentReferralLedger {
  recordSent(sent: ReadonlyArray<SentReferral>, trx: Knex.Transaction): Promise<void>;
  /** A sent referral was cancelled: what the partner reads of it shows it revoked. */
  recordRevoked(referralId: string, trx: Knex.Transaction): Promise<void>;
}

/** Deliveries worked together: their reads and writes are shared. */
const BATCH_SIZE = 50;
/** Messages a worker has in flight to partners at once. */
export const MAX_IN_FLIGHT = 8;

/** One delivery on its way: what it is, where it goes, what it sends. */
interface Prepared {
  index: number;
  delivery: Delivery;
  referral: PathwayReferral;
  service: PartnerService;
  consent: Consent | null;
  consentIds: string[];
  bundle: Bundle;
  lastAttempt: boolean;
}

/** How one send went. */
type SendOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; what: string; code: string; afterMs: number }
  | { kind: 'refused'; words: string; code: string };

/** What building referrals needs beyond the referrals themselves, read once for a batch. */
interface OutboundContext {
  people: Map<string, Person>;
  consents: Map<string, Consent>;
  organisations: Map<string, Organisation>;
  names: Map<string, string>;
}

/** Runs `work` over `items`, `limit` at a time, keeping the results in order. */
async function inTurn<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

/**
 * Reliable delivery of referrals to NHS partners (issue 6 §3). Sharing a referral queues a
 * delivery and its job in the same transaction; workers take the due deliveries in batches: the
 * gate is asked again for each (one read and one audit write for the batch), each Bundle is built
 * and checked, and sent with fhir-kit-client, several at a time: network errors, 5xx, 408 and 429
 * retry with backoff (and Retry-After); any other 4xx fails with the partner's words; a BaRS
 * duplicate (409) means the partner already has it. What arrived is recorded in one transaction.
 * A retry resends the same Bundle id (BaRS) or the same conditional creates (REST), so a crash
 * never makes a second referral.
 */
export class ReferralDeliveryService {
  constructor(private readonly deps: DeliveryDeps) {}

  registerHandlers(runner: Pick<JobRunner, 'registerBatch'>): void {
    runner.registerBatch(
      DELIVER_REFERRAL,
      (items) =>
        this.deliverMany(
          items.map(({ payload, job }) => ({
            deliveryId: String((payload as { deliveryId?: unknown }).deliveryId),
            lastAttempt: job.attempts >= job.maxAttempts,
          })),
        ),
      { size: BATCH_SIZE },
    );
  }

  /**
   * The Bundle a queued delivery sends, under the consent the referral was shared under, exactly
   * as the worker builds it (the same ids and timestamp on every call). For inspection and the
   * benchmark's direct baseline; the worker itself asks the gate first.
   */
  async bundleFor(
    deliveryId: string,
  ): Promise<{ bundle: Bundle; baseUrl: string; mode: PartnerService['mode'] } | null> {
    const [delivery] = await this.deps.deliveries.findMany([deliveryId]);
    const found = delivery
      ? (await this.deps.referrals.forDeliveries([delivery.pathwayReferralId])).get(delivery.pathwayReferralId)
      : undefined;
    if (!delivery || !found?.referral.consentId) return null;
    const service = this.serviceFor(found.referral, await this.deps.partners.enabled());
    if (!service) return null;
    const context = await this.context([{ referral: found.referral, consentId: found.referral.consentId }]);
    return {
      bundle: this.bundleOf(delivery, found.referral, found.definitionCode, found.referral.consentId, service, context)
        .bundle,
      baseUrl: service.baseUrl,
      mode: service.mode,
    };
  }

  /** The deliveries of a referral, oldest first (the clinician's view of its journey). */
  async forReferral(pathwayReferralId: string): Promise<Delivery[]> {
    return this.deps.deliveries.forReferral(pathwayReferralId);
  }

  /** One attempt at one delivery (as the worker makes it). Throws to retry; returns when it is finished one way or another. */
  async deliver(deliveryId: string, attempt: { lastAttempt: boolean } = { lastAttempt: false }): Promise<void> {
    const [error] = await this.deliverMany([{ deliveryId, lastAttempt: attempt.lastAttempt }]);
    if (error) throw error;
  }

  /**
   * The job, for a batch of deliveries: one attempt at each. Returns, in order, null for each
   * finished one way or another, or the error that says to try it again (or never).
   */
  async deliverMany(items: ReadonlyArray<{ deliveryId: string; lastAttempt: boolean }>): Promise<Array<Error | null>> {
    const results: Array<Error | null> = items.map(() => null);
    const now = this.deps.clock.now();
    const deliveries = new Map(
      (await this.deps.deliveries.findMany(items.map((i) => i.deliveryId))).map((d) => [d.id, d]),
    );
    const referrals = await this.deps.referrals.forDeliveries([
      ...new Set([...deliveries.values()].map((d) => d.pathwayReferralId)),
    ]);
    type Candidate = {
      index: number;
      delivery: Delivery;
      referral: PathwayReferral;
      definitionCode: string;
      consentId: string | null;
      consentIds: string[];
      lastAttempt: boolean;
    };
    const candidates: Candidate[] = [];
    for (const [index, item] of items.entries()) {
      const delivery = deliveries.get(item.deliveryId);
      if (!delivery || delivery.status !== 'queued') continue;
      const found = referrals.get(delivery.pathwayReferralId);
      if (!found) {
        await this.finish(delivery, 'failed', null, 'The referral no longer exists.');
        continue;
      }
      const { referral } = found;
      if (!referral.consentId) {
        await this.finish(delivery, 'failed', null, 'The referral was never shared under consent.');
        continue;
      }
      if (delivery.kind === 'referral') {
        if (referral.status === 'cancelled') {
          // An earlier attempt may have reached the partner before its answer was lost: tell it to stop.
          if (delivery.attempts > 0) await this.queueCancellation(referral);
          await this.finish(delivery, 'cancelled', null, 'Cancelled before it was sent.');
          continue;
        }
        if (referral.status === 'sent') {
          await this.finish(delivery, 'sent', null, null);
          continue;
        }
      }
      candidates.push({
        index,
        delivery,
        referral,
        definitionCode: found.definitionCode,
        consentId: referral.consentId,
        consentIds: referral.consentId ? [referral.consentId] : [],
        lastAttempt: item.lastAttempt,
      });
    }

    // The gate again, just before sending: consent may have been withdrawn or have ended since. A cancellation carries only what the referral carried.
    const asking = candidates.filter((c) => c.delivery.kind === 'referral');
    const decisions = await this.deps.consent.mayDiscloseMany(
      SYSTEM,
      asking.map((c) => ({ personId: c.referral.personId, request: this.deps.referrals.disclosureFor(c.referral) })),
      londonDay(now),
    );
    const refused = new Set<Candidate>();
    for (const [i, c] of asking.entries()) {
      const gate = decisions[i]!;
      if (!gate.allow) {
        await this.deps.referrals.markCancelled(c.referral.id);
        await this.finish(c.delivery, 'cancelled', null, `Not sent: ${gate.message}`);
        refused.add(c);
        continue;
      }
      c.consentIds = gate.consentIds;
      // The consent it was shared under while it still allows it, so a retry sends the same Consent.
      c.consentId =
        c.referral.consentId && gate.consentIds.includes(c.referral.consentId)
          ? c.referral.consentId
          : gate.consentIds[0]!;
    }
    const going = candidates.filter((c) => !refused.has(c));

    // Each Bundle, from one read each of the people, consents, organisations, services and users involved.
    const [services, context] = await Promise.all([
      this.deps.partners.enabled(),
      this.context(going.map((c) => ({ referral: c.referral, consentId: c.consentId! }))),
    ]);
    const prepared: Prepared[] = [];
    for (const c of going) {
      const service = this.serviceFor(c.referral, services);
      if (!service) {
        await this.finish(
          c.delivery,
          'failed',
          null,
          'No partner service of this kind is set up for the partner organisation in the directory.',
        );
        continue;
      }
      const { outbound, bundle } = this.bundleOf(
        c.delivery,
        c.referral,
        c.definitionCode,
        c.consentId!,
        service,
        context,
      );
      const problems = referralProblems(bundle, outbound.categories, outbound.person);
      // Checking takes a millisecond or so of CPU: let requests, and the other lane's partner replies, in between.
      await setImmediate();
      if (problems.length) {
        await this.finish(c.delivery, 'failed', service.id, `Not sent: ${problems.join(' ')}`);
        results[c.index] = new PermanentJobError('invalid-referral');
        continue;
      }
      prepared.push({
        index: c.index,
        delivery: c.delivery,
        referral: c.referral,
        service,
        consent: context.consents.get(c.consentId!) ?? null,
        consentIds: c.consentIds,
        bundle,
        lastAttempt: c.lastAttempt,
      });
    }

    // Sent several at a time; what arrived is recorded together.
    const outcomes = await inTurn(prepared, MAX_IN_FLIGHT, (p) => this.send(p, now));
    const delivered = prepared.filter((_, i) => outcomes[i]!.kind === 'delivered');
    const lateCancellations = await this.recordDelivered(delivered);
    for (const referral of lateCancellations) await this.queueCancellation(referral);
    for (const [i, p] of prepared.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.kind === 'retry') {
        await this.retryOrGiveUp(p.delivery, p.service.id, outcome.what, p.lastAttempt);
        results[p.index] = new RetryLaterError(outcome.code, outcome.afterMs);
      } else if (outcome.kind === 'refused') {
        await this.refusedByPartner(p.delivery, p.referral, p.service.id, outcome.words, outcome.code);
        results[p.index] = new PermanentJobError(outcome.code);
      }
    }
    return results;
  }

  /** The enabled partner service of the referral's partner organisation that provides its kind of service. */
  private serviceFor(referral: PathwayReferral, services: readonly PartnerService[]): PartnerService | null {
    return (
      services.find(
        (s) => s.organisationId === referral.partnerOrganisationId && s.serviceType === referral.serviceType,
      ) ?? null
    );
  }

  /** One send: sign in, post, and say how it went (FHIR-2 BaRS response codes, HTTP statuses). */
  private async send(p: Prepared, now: Date): Promise<SendOutcome> {
    const { service, bundle } = p;
    const signIn = async (): Promise<Record<string, string> | SendOutcome> => {
      try {
        return await this.deps.signIn.headers(service.auth, now, TIMEOUT_MS);
      } catch (error) {
        if (!(error instanceof PartnerConnectionError)) throw error;
        return {
          kind: 'retry',
          what: `Could not sign in to the partner: ${error.message}`,
          code: `partner-${error.reason}`,
          afterMs: 0,
        };
      }
    };
    const post = async (headers: Record<string, string>) => {
      const client = fhirClient(service.baseUrl, headers);
      const options = { signal: AbortSignal.timeout(TIMEOUT_MS) };
      if (service.mode === 'bars')
        return replyOf(
          await client.operation({ name: '$process-message', input: bundle as never, options: options as never }),
        );
      await client.transaction({ body: bundle as never, options: options as never });
      return null;
    };
    const headers = await signIn();
    if ('kind' in headers) return headers as SendOutcome;
    try {
      let reply: ReturnType<typeof replyOf>;
      try {
        reply = await post(headers as Record<string, string>);
      } catch (error) {
        // A token the partner no longer takes (it expired early, or was revoked): sign in again, once (FHIR-8).
        if (
          service.auth.kind !== 'smart-backend' ||
          (error as { response?: { status?: number } }).response?.status !== 401
        )
          throw error;
        this.deps.signIn.forget(service.auth);
        const fresh = await signIn();
        if ('kind' in fresh) return fresh as SendOutcome;
        reply = await post(fresh as Record<string, string>);
      }
      // FHIR-2: a synchronous reply is a response message; its code says whether the partner took it.
      if (reply?.code === 'transient-error')
        return {
          kind: 'retry',
          what: 'The partner could not take it yet (transient-error).',
          code: 'partner-transient-error',
          afterMs: 0,
        };
      if (reply?.code === 'fatal-error')
        return { kind: 'refused', words: partnerWords(reply.outcome, 'fatal-error'), code: 'partner-fatal-error' };
      return { kind: 'delivered' };
    } catch (error) {
      const response = (error as { response?: { status?: number; data?: unknown } }).response;
      const status = response?.status;
      if (status === undefined)
        return { kind: 'retry', what: 'Could not reach the partner.', code: 'partner-unreachable', afterMs: 0 };
      // FHIR-2: a BaRS receiver answers a message it already has with 409 and issue code duplicate: it has our referral.
      const issues = (response?.data as { issue?: Array<{ code?: string }> } | undefined)?.issue ?? [];
      if (status === 409 && service.mode === 'bars' && issues.some((i) => i.code === 'duplicate'))
        return { kind: 'delivered' };
      // A 2xx whose body was not JSON still arrived.
      if (status >= 200 && status < 300) return { kind: 'delivered' };
      if (status >= 500 || status === 408 || status === 409 || status === 429)
        return {
          kind: 'retry',
          what: `The partner answered HTTP ${status}.`,
          code: `partner-${status}`,
          afterMs: retryAfterMs((error as { config?: { headers?: unknown } }).config?.headers, now),
        };
      return { kind: 'refused', words: partnerWords(response?.data, status), code: `partner-${status}` };
    }
  }

  /**
   * Deliveries that reached their partners: the referrals' status, the deliveries, what the
   * partners may now read back and the audit entries commit together. Returns the referrals
   * cancelled (or their consent withdrawn) while they were on their way: they reached the partner,
   * so the partner must be told to stop.
   */
  private async recordDelivered(delivered: readonly Prepared[]): Promise<PathwayReferral[]> {
    if (!delivered.length) return [];
    const now = this.deps.clock.now();
    return this.deps.transaction(async (trx) => {
      const referrals = delivered.filter((p) => p.delivery.kind === 'referral');
      const marked = new Set(
        await this.deps.referrals.markSentMany(
          referrals.map((p) => p.referral.id),
          trx,
        ),
      );
      const byService = new Map<string, string[]>();
      for (const p of delivered) byService.set(p.service.id, [...(byService.get(p.service.id) ?? []), p.delivery.id]);
      for (const [serviceId, ids] of byService) await this.deps.deliveries.sentMany(ids, serviceId, now, trx);
      for (const p of delivered)
        if (p.delivery.kind === 'cancellation') await this.deps.exchange.recordRevoked(p.referral.id, trx);
      await this.deps.exchange.recordSent(
        referrals.map((p) => ({
          referral: p.referral,
          bundle: p.bundle,
          partnerOrganisationId: p.service.organisationId,
          consent: p.consent,
        })),
        trx,
      );
      await this.deps.audit.record(
        SYSTEM,
        delivered.map((p) => ({
          action: 'export' as const,
          entityType: 'pathway-referral',
          entityId: p.referral.id,
          subjectPersonId: p.referral.personId,
          purpose: 'referral',
          details: {
            partnerService: p.service.id,
            mode: p.service.mode,
            kind: p.delivery.kind,
            consentIds: p.consentIds,
          },
        })),
        trx,
      );
      return referrals.filter((p) => !marked.has(p.referral.id)).map((p) => p.referral);
    });
  }

  private async finish(
    delivery: Delivery,
    status: 'sent' | 'failed' | 'cancelled',
    partnerServiceId: string | null,
    outcome: string | null,
  ): Promise<void> {
    await this.deps.deliveries.attempted(delivery.id, {
      status,
      partnerServiceId,
      outcome,
      now: this.deps.clock.now(),
    });
  }

  /** The partner refused it for good: failed with the partner's words (clinicians only; never in the job's error). */
  private async refusedByPartner(
    delivery: Delivery,
    referral: PathwayReferral,
    partnerServiceId: string,
    words: string,
    code: string,
  ): Promise<void> {
    await this.deps.transaction(async (trx) => {
      await this.deps.deliveries.attempted(
        delivery.id,
        { status: 'failed', partnerServiceId, outcome: words, now: this.deps.clock.now() },
        trx,
      );
      await this.deps.audit.record(
        SYSTEM,
        {
          action: 'export',
          entityType: 'pathway-referral',
          entityId: referral.id,
          subjectPersonId: referral.personId,
          purpose: 'referral',
          outcome: 'failed',
          reason: code,
        },
        trx,
      );
    });
  }

  /** Queues the cancellation of a referral that reached (or may have reached) the partner. */
  private async queueCancellation(referral: PathwayReferral): Promise<void> {
    await this.deps.transaction((trx) => this.deps.outbox.enqueue(referral, 'cancellation', trx));
  }

  /** A failed attempt: trying again, or — on the last allowed attempt — failed for good, saying so. */
  private async retryOrGiveUp(
    delivery: Delivery,
    partnerServiceId: string,
    what: string,
    lastAttempt: boolean,
  ): Promise<void> {
    const now = this.deps.clock.now();
    if (lastAttempt)
      await this.deps.deliveries.attempted(delivery.id, {
        status: 'failed',
        partnerServiceId,
        outcome: `${what} Gave up after ${delivery.attempts + 1} attempts.`,
        now,
      });
    else
      await this.deps.deliveries.attempted(delivery.id, {
        status: 'queued',
        partnerServiceId,
        outcome: `${what} Trying again.`,
        now,
      });
  }

  /** The people, consents, organisations and requesters these referrals need, one read of each. */
  private async context(
    refs: ReadonlyArray<{ referral: PathwayReferral; consentId: string }>,
  ): Promise<OutboundContext> {
    const [people, consents, organisations, names] = await Promise.all([
      this.deps.people.recordsForSystem([...new Set(refs.map((r) => r.referral.personId))]),
      this.deps.consent.findManyForSystem([...new Set(refs.map((r) => r.consentId))]),
      this.deps.people.listOrganisations(),
      this.deps.userNames([
        ...new Set(refs.flatMap((r) => (r.referral.createdByUserId ? [r.referral.createdByUserId] : []))),
      ]),
    ]);
    return { people, consents, organisations: new Map(organisations.map((o) => [o.id, o])), names };
  }

  /** A delivery's Bundle, stamped with when it was queued, so every retry sends the same one. */
  private bundleOf(
    delivery: Delivery,
    referral: PathwayReferral,
    definitionCode: string,
    consentId: string,
    service: PartnerService,
    context: OutboundContext,
  ): { outbound: OutboundReferral; bundle: Bundle } {
    const outbound = this.outboundOf(referral, definitionCode, consentId, service, context);
    return {
      outbound,
      bundle: buildReferralBundle(
        outbound,
        service.mode,
        delivery.id,
        delivery.createdAt.toISOString(),
        delivery.kind === 'cancellation' ? 'revoked' : 'active',
      ),
    };
  }

  private outboundOf(
    referral: PathwayReferral,
    definitionCode: string,
    consentId: string,
    service: PartnerService,
    context: OutboundContext,
  ): OutboundReferral {
    const person = context.people.get(referral.personId)!;
    const consent = context.consents.get(consentId)!;
    const partnerOrg = context.organisations.get(service.organisationId);
    const ourOrg = context.organisations.get(referral.organisationId);
    const d = referral.details;
    const text = (value: string | undefined) => (value ? value : null);
    // Only the answers the clinician chose when sharing (issue 6 §2), never the whole form.
    const answers = d.sharedAnswers ?? {};
    const history = (d.stepsDone ?? []).map((s) => s.title).filter(Boolean);
    // CONF-3: protected now, or when OH shared it — a lifted protection needs a fresh share to open anything.
    const protectedIdentity = person.protectedIdentity || d.protectedIdentity === true;
    return {
      referral: {
        id: referral.id,
        serviceType: referral.serviceType,
        kind: referral.kind,
        priority: referral.priority,
        reason: text(d.reason) ?? text(d.note),
        venuePreference: text(d.venuePreference),
        confidentialityPreference: text(d.confidentialityPreference),
        answers,
        history,
        createdAt: referral.createdAt.toISOString(),
        pathwayCode: definitionCode,
      },
      categories: referral.dataCategories ?? [],
      person: {
        id: person.id,
        givenName: person.givenName,
        familyName: person.familyName,
        dateOfBirth: person.dateOfBirth,
        nhsNumber: person.nhsNumber,
        protectedIdentity,
        email: person.personalEmail,
      },
      consent: consentToFhir(consent, { reference: `Patient/${person.id}` }, { restricted: protectedIdentity }),
      requester: {
        userId: referral.createdByUserId ?? 'platform',
        name: (referral.createdByUserId && context.names.get(referral.createdByUserId)) || 'OH clinician',
        organisationName: ourOrg?.name ?? 'Occupational health',
        organisationOds: ourOrg?.odsCode ?? null,
      },
      partner: {
        organisationName: partnerOrg?.name ?? 'NHS partner',
        odsCode: partnerOrg?.odsCode ?? null,
        baseUrl: service.baseUrl,
      },
      senderEndpoint: this.deps.senderEndpoint,
    };
  }
}
