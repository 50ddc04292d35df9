import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import type { ConsentService } from '../consent/consent-service.js';
import { PermanentJobError, RetryLaterError, type JobRepository, type JobRunner } from '../jobs/index.js';
import type { PathwayReferralService } from '../pathways/pathway-referral-service.js';
import type { PathwayReferral } from '../pathways/pathway-types.js';
import type { PeopleService } from '../people/people-service.js';
import type { Clock } from '../shared/clock.js';
import { londonDay } from '../shared/dates.js';
import { newId } from '../shared/ids.js';
import type { SystemContext } from '../shared/request-context.js';
import type { Bundle } from '@medplum/fhirtypes';
import type { Consent, SharingCategory } from '../consent/index.js';
import type { PartnerService } from './partner-types.js';
import type { PartnerExchangeService } from './partner-exchange-service.js';
import { consentToFhir } from './consent-resource.js';
import type { Delivery, DeliveryRepository } from './delivery-repository.js';
import { PartnerConnectionError, type PartnerSignIn } from './partner-connection.js';
import { fhirClient } from './fhir-client.js';
import type { PartnerRepository } from './partner-repository.js';
import { buildReferralBundle, referralProblems, type OutboundReferral } from './referral-bundle.js';

/** The job that delivers one referral message. */
export const DELIVER_REFERRAL = 'fhir.referral.deliver';
/** With the default backoff (30 s doubling to an hour, jittered), 16 attempts cover most of a day's outage. */
const MAX_ATTEMPTS = 16;
const TIMEOUT_MS = 15_000;
const SYSTEM: SystemContext = { actor: null, requestId: 'fhir-delivery', ip: null };

/** The partner's refusal in its own words (its OperationOutcome), shortened; for the clinician's view only, never logged. */
function partnerWords(data: unknown, status: number | 'fatal-error'): string {
  const issues = (data as { issue?: Array<{ details?: { text?: string }; diagnostics?: string; code?: string }> } | null)?.issue;
  const words = issues?.map((i) => i.details?.text ?? i.diagnostics ?? i.code).filter(Boolean).join('; ');
  return `The partner refused the referral (${typeof status === 'number' ? `HTTP ${status}` : status})${words ? `: ${words.slice(0, 900)}` : '.'}`;
}

/** The response a BaRS partner put in its synchronous reply (FHIR-2: `MessageHeader.response`), with any OperationOutcome it carried. */
function replyOf(reply: unknown): { code: string; outcome: unknown } | null {
  const entries = (reply as { resourceType?: string; entry?: Array<{ resource?: { resourceType?: string; response?: { code?: unknown } } }> } | null)?.entry;
  const header = entries?.[0]?.resource;
  if (header?.resourceType !== 'MessageHeader' || typeof header.response?.code !== 'string') return null;
  return { code: header.response.code, outcome: entries?.find((e) => e.resource?.resourceType === 'OperationOutcome')?.resource ?? null };
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
  jobs: Pick<JobRepository, 'enqueue'>;
  referrals: Pick<PathwayReferralService, 'forDelivery' | 'disclosureFor' | 'markSent' | 'markCancelled'>;
  consent: Pick<ConsentService, 'mayDisclose' | 'findForSystem'>;
  people: Pick<PeopleService, 'recordsForSystem' | 'findOrganisation'>;
  userName: (userId: string | null) => Promise<string>;
  /** A transaction of the platform's database, for queueing outside a caller's. */
  transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;
  audit: AuditService;
  clock: Clock;
  /** Our sign-in to partners (SMART tokens kept while they last). */
  signIn: PartnerSignIn;
  /** What partners may read back of what they were sent (the partner-facing API). */
  exchange: Pick<PartnerExchangeService, 'recordSent' | 'recordRevoked'>;
  /** Our `$process-message` endpoint, where partners' responses go. */
  senderEndpoint: string;
}

/**
 * Reliable delivery of referrals to NHS partners (issue 6 §3). Sharing a referral queues a
 * delivery and its job in the same transaction; a worker builds the bundle, asks the gate again,
 * and sends it with fhir-kit-client: network errors, 5xx, 408 and 429 retry with backoff (and
 * Retry-After); any other 4xx fails with the partner's words; a BaRS duplicate (409) means the
 * partner already has it. A retry resends the same Bundle id (BaRS) or the same conditional
 * creates (REST), so a crash never makes a second referral.
 */
export class ReferralDeliveryService {
  constructor(private readonly deps: DeliveryDeps) {}

  /** Queues the delivery of a shared referral (in the sharing transaction), or of its cancellation once sent. */
  async enqueue(referral: PathwayReferral, trx: Knex.Transaction, kind: Delivery['kind'] = 'referral'): Promise<void> {
    const id = newId();
    const now = this.deps.clock.now();
    if (!(await this.deps.deliveries.insert({ id, pathwayReferralId: referral.id, kind, now }, trx))) return;
    await this.deps.jobs.enqueue({ kind: DELIVER_REFERRAL, payload: { deliveryId: id }, runAt: now, now, maxAttempts: MAX_ATTEMPTS, dedupeKey: `deliver:${id}` }, trx);
  }

  registerHandlers(runner: Pick<JobRunner, 'register'>): void {
    runner.register(DELIVER_REFERRAL, (payload, job) => this.deliver((payload as { deliveryId: string }).deliveryId, { lastAttempt: job.attempts >= job.maxAttempts }));
  }

  /**
   * The Bundle a queued delivery sends, under the consent the referral was shared under, exactly
   * as the worker builds it (the same ids and timestamp on every call). For inspection and the
   * benchmark's direct baseline; the worker itself asks the gate first.
   */
  async bundleFor(deliveryId: string): Promise<{ bundle: Bundle; baseUrl: string; mode: PartnerService['mode'] } | null> {
    const delivery = await this.deps.deliveries.find(deliveryId);
    const found = delivery ? await this.deps.referrals.forDelivery(delivery.pathwayReferralId) : null;
    if (!delivery || !found?.referral.consentId) return null;
    const service = await this.deps.partners.findFor(found.referral.partnerOrganisationId!, found.referral.serviceType);
    if (!service) return null;
    const { bundle } = await this.build(delivery, found.referral, found.definitionCode, found.referral.consentId, service);
    return { bundle, baseUrl: service.baseUrl, mode: service.mode };
  }

  private async build(delivery: Delivery, referral: PathwayReferral, definitionCode: string, consentId: string, service: PartnerService) {
    const { outbound, consent } = await this.outbound(referral, definitionCode, consentId, service);
    // Stamped with when the delivery was queued, so every retry sends the same Bundle.
    const bundle = buildReferralBundle(outbound, service.mode, delivery.id, delivery.createdAt.toISOString(), delivery.kind === 'cancellation' ? 'revoked' : 'active');
    return { outbound, consent, bundle };
  }

  /** The deliveries of a referral, oldest first (the clinician's view of its journey). */
  async forReferral(pathwayReferralId: string): Promise<Delivery[]> {
    return this.deps.deliveries.forReferral(pathwayReferralId);
  }

  private async finish(delivery: Delivery, status: 'sent' | 'failed' | 'cancelled', partnerServiceId: string | null, outcome: string | null): Promise<void> {
    await this.deps.deliveries.attempted(delivery.id, { status, partnerServiceId, outcome, now: this.deps.clock.now() });
  }

  /** The job: one attempt at one delivery. Throws to retry; returns when it is finished one way or another. */
  async deliver(deliveryId: string, attempt: { lastAttempt: boolean } = { lastAttempt: false }): Promise<void> {
    const delivery = await this.deps.deliveries.find(deliveryId);
    if (!delivery || delivery.status !== 'queued') return;
    const found = await this.deps.referrals.forDelivery(delivery.pathwayReferralId);
    if (!found) return this.finish(delivery, 'failed', null, 'The referral no longer exists.');
    const { referral, definitionCode } = found;
    const now = this.deps.clock.now();
    const cancelling = delivery.kind === 'cancellation';
    let consentId: string | null = referral.consentId;
    let consentIds: string[] = consentId ? [consentId] : [];
    if (!cancelling) {
      if (referral.status === 'cancelled') {
        // An earlier attempt may have reached the partner before its answer was lost: tell it to stop.
        if (delivery.attempts > 0) await this.queueCancellation(referral);
        return this.finish(delivery, 'cancelled', null, 'Cancelled before it was sent.');
      }
      if (referral.status === 'sent') return this.finish(delivery, 'sent', null, null);
      // The gate again, just before sending: consent may have been withdrawn or have ended since.
      const gate = await this.deps.consent.mayDisclose(SYSTEM, referral.personId, this.deps.referrals.disclosureFor(referral), londonDay(now));
      if (!gate.allow) {
        await this.deps.referrals.markCancelled(referral.id);
        return this.finish(delivery, 'cancelled', null, `Not sent: ${gate.message}`);
      }
      consentIds = gate.consentIds;
      // The consent it was shared under while it still allows it, so a retry sends the same Consent.
      consentId = referral.consentId && gate.consentIds.includes(referral.consentId) ? referral.consentId : gate.consentIds[0]!;
    }
    // A cancellation tells the partner to stop what it already has: it carries only what the referral carried.
    const service = await this.deps.partners.findFor(referral.partnerOrganisationId!, referral.serviceType);
    if (!service) return this.finish(delivery, 'failed', null, 'No partner service of this kind is set up for the partner organisation in the directory.');
    const { outbound, consent, bundle } = await this.build(delivery, referral, definitionCode, consentId!, service);
    const problems = referralProblems(bundle, outbound.categories, outbound.person);
    if (problems.length) {
      await this.finish(delivery, 'failed', service.id, `Not sent: ${problems.join(' ')}`);
      throw new PermanentJobError('invalid-referral');
    }
    let headers: Record<string, string>;
    const signIn = async () => {
      try {
        return await this.deps.signIn.headers(service.auth, now, TIMEOUT_MS);
      } catch (error) {
        if (!(error instanceof PartnerConnectionError)) throw error;
        await this.retryOrGiveUp(delivery, service.id, `Could not sign in to the partner: ${error.message}`, attempt);
        throw new RetryLaterError(`partner-${error.reason}`, 0);
      }
    };
    headers = await signIn();
    /** One send: BaRS answers with a response message (FHIR-2), REST with its transaction response. */
    const send = async (withHeaders: Record<string, string>) => {
      const client = fhirClient(service.baseUrl, withHeaders);
      const options = { signal: AbortSignal.timeout(TIMEOUT_MS) };
      if (service.mode === 'bars') return replyOf(await client.operation({ name: '$process-message', input: bundle as never, options: options as never }));
      await client.transaction({ body: bundle as never, options: options as never });
      return null;
    };
    try {
      let reply: ReturnType<typeof replyOf>;
      try {
        reply = await send(headers);
      } catch (error) {
        // A token the partner no longer takes (it expired early, or was revoked): sign in again, once (FHIR-8).
        if (service.auth.kind !== 'smart-backend' || (error as { response?: { status?: number } }).response?.status !== 401) throw error;
        this.deps.signIn.forget(service.auth);
        reply = await send(await signIn());
      }
      if (service.mode === 'bars') {
        // FHIR-2: a synchronous reply is a response message; its code says whether the partner took it.
        if (reply?.code === 'transient-error') {
          await this.retryOrGiveUp(delivery, service.id, 'The partner could not take it yet (transient-error).', attempt);
          throw new RetryLaterError('partner-transient-error', 0);
        }
        if (reply?.code === 'fatal-error') return this.refusedByPartner(delivery, referral, service.id, partnerWords(reply.outcome, 'fatal-error'), 'partner-fatal-error');
      }
    } catch (error) {
      if (error instanceof RetryLaterError || error instanceof PermanentJobError) throw error;
      const response = (error as { response?: { status?: number; data?: unknown }; config?: { headers?: unknown } }).response;
      const status = response?.status;
      if (status === undefined) {
        await this.retryOrGiveUp(delivery, service.id, 'Could not reach the partner.', attempt);
        throw new RetryLaterError('partner-unreachable', 0);
      }
      // FHIR-2: a BaRS receiver answers a message it already has with 409 and issue code duplicate: it has our referral.
      const issues = (response?.data as { issue?: Array<{ code?: string }> } | undefined)?.issue ?? [];
      const duplicate = status === 409 && service.mode === 'bars' && issues.some((i) => i.code === 'duplicate');
      // A 2xx whose body was not JSON still arrived.
      const delivered = status >= 200 && status < 300;
      if (!duplicate && !delivered) {
        if (status >= 500 || status === 408 || status === 409 || status === 429) {
          await this.retryOrGiveUp(delivery, service.id, `The partner answered HTTP ${status}.`, attempt);
          throw new RetryLaterError(`partner-${status}`, retryAfterMs((error as { config?: { headers?: unknown } }).config?.headers, now));
        }
        return this.refusedByPartner(delivery, referral, service.id, partnerWords(response?.data, status), `partner-${status}`);
      }
    }
    // The referral's status, the delivery, what the partner may now read back of it and the audit entry commit together.
    const reachedInTime = await this.deps.transaction(async (trx) => {
      const reached = cancelling || (await this.deps.referrals.markSent(referral.id, trx));
      await this.deps.deliveries.attempted(delivery.id, { status: 'sent', partnerServiceId: service.id, outcome: null, now: this.deps.clock.now() }, trx);
      if (cancelling) await this.deps.exchange.recordRevoked(referral.id, trx);
      else await this.deps.exchange.recordSent({ referral, bundle, partnerOrganisationId: service.organisationId, consent }, trx);
      await this.deps.audit.record(SYSTEM, { action: 'export', entityType: 'pathway-referral', entityId: referral.id, subjectPersonId: referral.personId, purpose: 'referral', details: { partnerService: service.id, mode: service.mode, kind: delivery.kind, consentIds } }, trx);
      return reached;
    });
    // Cancelled (or its consent withdrawn) while it was on its way: it reached the partner, so tell the partner to stop.
    if (!reachedInTime) await this.queueCancellation(referral);
  }

  /** The partner refused it for good: failed with the partner's words (clinicians only; never in the job's error). */
  private async refusedByPartner(delivery: Delivery, referral: PathwayReferral, partnerServiceId: string, words: string, code: string): Promise<never> {
    await this.deps.transaction(async (trx) => {
      await this.deps.deliveries.attempted(delivery.id, { status: 'failed', partnerServiceId, outcome: words, now: this.deps.clock.now() }, trx);
      await this.deps.audit.record(SYSTEM, { action: 'export', entityType: 'pathway-referral', entityId: referral.id, subjectPersonId: referral.personId, purpose: 'referral', outcome: 'failed', reason: code }, trx);
    });
    throw new PermanentJobError(code);
  }

  /** Queues the cancellation of a referral that reached (or may have reached) the partner. */
  private async queueCancellation(referral: PathwayReferral): Promise<void> {
    await this.deps.transaction((trx) => this.enqueue(referral, trx, 'cancellation'));
  }

  /** A failed attempt: trying again, or — on the last allowed attempt — failed for good, saying so. */
  private async retryOrGiveUp(delivery: Delivery, partnerServiceId: string, what: string, attempt: { lastAttempt: boolean }): Promise<void> {
    const now = this.deps.clock.now();
    if (attempt.lastAttempt) await this.deps.deliveries.attempted(delivery.id, { status: 'failed', partnerServiceId, outcome: `${what} Gave up after ${delivery.attempts + 1} attempts.`, now });
    else await this.deps.deliveries.attempted(delivery.id, { status: 'queued', partnerServiceId, outcome: `${what} Trying again.`, now });
  }

  private async outbound(referral: PathwayReferral, definitionCode: string, consentId: string, service: { baseUrl: string; organisationId: string }): Promise<{ outbound: OutboundReferral; consent: Consent | null }> {
    const [people, consent, partnerOrg, ourOrg, requesterName] = await Promise.all([
      this.deps.people.recordsForSystem([referral.personId]),
      this.deps.consent.findForSystem(consentId),
      this.deps.people.findOrganisation(service.organisationId),
      this.deps.people.findOrganisation(referral.organisationId),
      this.deps.userName(referral.createdByUserId),
    ]);
    const person = people.get(referral.personId)!;
    const d = referral.details;
    const str = (k: string) => (typeof d[k] === 'string' && d[k] !== '' ? (d[k] as string) : null);
    // Only the answers the clinician chose when sharing (issue 6 §2), never the whole form.
    const chosen = d.sharedAnswers && typeof d.sharedAnswers === 'object' ? (d.sharedAnswers as Record<string, unknown>) : {};
    const answers = Object.fromEntries(Object.entries(chosen).filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) as Record<string, string | number | boolean>;
    const history = Array.isArray(d.stepsDone) ? (d.stepsDone as Array<{ title?: unknown }>).map((s) => String(s.title ?? '')).filter(Boolean) : [];
    const outbound: OutboundReferral = {
      referral: { id: referral.id, serviceType: referral.serviceType, kind: referral.kind, priority: referral.priority, reason: str('reason') ?? str('note'), venuePreference: str('venuePreference'), confidentialityPreference: str('confidentialityPreference'), answers, history, createdAt: referral.createdAt.toISOString(), pathwayCode: definitionCode },
      categories: (referral.dataCategories ?? []) as SharingCategory[],
      person: { id: person.id, givenName: person.givenName, familyName: person.familyName, dateOfBirth: person.dateOfBirth, nhsNumber: person.nhsNumber, protectedIdentity: person.protectedIdentity, email: person.personalEmail },
      consent: consentToFhir(consent!, { reference: `Patient/${person.id}` }, { restricted: person.protectedIdentity }),
      requester: { userId: referral.createdByUserId ?? 'platform', name: requesterName, organisationName: ourOrg?.name ?? 'Occupational health', organisationOds: ourOrg?.odsCode ?? null },
      partner: { organisationName: partnerOrg?.name ?? 'NHS partner', odsCode: partnerOrg?.odsCode ?? null, baseUrl: service.baseUrl },
      senderEndpoint: this.deps.senderEndpoint,
    };
    return { outbound, consent };
  }
}
