import type { AuditService } from '../audit/audit-service.js';
import { personScope, PLATFORM_REACH } from '../auth/access-policy.js';
import type {
  Consent,
  DisclosureGate,
  DisclosureItem,
  DisclosureQueue,
  DisclosureRequest,
  GateDecision,
  SharingCategory,
} from '../consent/index.js';
import type { PeopleService } from '../people/people-service.js';
import type { Clock } from '../shared/clock.js';

import { ConflictError, ValidationError } from '../shared/errors.js';
import type { RequestContext } from '../shared/request-context.js';
import type { Knex } from 'knex';
import { NHS_SERVICES, type ServiceType } from './definition-format.js';
import type { PathwayRepository } from './pathway-repository.js';
import type { PathwayReferral } from './pathway-types.js';

/**
 * What a referral to a service always carries, beyond what the clinician adds: who the person is
 * and why they are referred, and for services whose very name says it, the sensitive category
 * (a referral to talking therapies is mental-health information, one to a sexual health clinic
 * sexual-health information: §5c, FHIR-6).
 */
export function requiredCategories(service: ServiceType, definitionCode: string): SharingCategory[] {
  const categories = new Set<SharingCategory>(['demographics', 'referral-details']);
  // The pathway it comes from says as much as the service: a mental health pathway's referral is mental-health information, a BBV exposure's sexual-health/BBV.
  if (service === 'nhs-talking-therapies' || definitionCode === 'mental-health') categories.add('mental-health');
  if (service === 'sexual-health' || definitionCode === 'bbv') categories.add('sexual-health');
  return [...categories];
}

const SERVICE_WORDS: Record<ServiceType, string> = {
  'in-house-physiotherapy': 'in-house physiotherapy',
  'external-physiotherapy': 'external physiotherapy',
  'nhs-msk-physiotherapy': 'NHS physiotherapy',
  'nhs-talking-therapies': 'NHS Talking Therapies',
  counselling: 'counselling',
  dental: 'a dental service',
  gp: 'a GP',
  'sexual-health': 'a sexual health clinic',
  specialist: 'a specialist service',
};

/**
 * Where a shared referral waits to be delivered to the NHS partner (the FHIR exchange's queue,
 * `fhir/delivery/referral-outbox.ts`): called inside the transaction that shares the referral, or that
 * cancels one already sent, so the change and its delivery commit together (issue 14 §15).
 */
export interface ReferralOutbox {
  enqueue(referral: PathwayReferral, kind: 'referral' | 'cancellation', trx: Knex.Transaction): Promise<void>;
}

function item(r: PathwayReferral): DisclosureItem {
  return { id: r.id, description: `Referral to ${SERVICE_WORDS[r.serviceType]}`, at: r.createdAt.toISOString() };
}

/**
 * Referrals a pathway makes to NHS services, shared under consent (§5c): OH names the partner
 * and what goes; the gate decides; the referral then waits for the FHIR exchange. On
 * withdrawal of the consent, a referral not yet sent is moved to another consent that still
 * covers it or cancelled, in the withdrawal's transaction.
 */
export class PathwayReferralService implements DisclosureQueue {
  constructor(
    private readonly repository: PathwayRepository,
    private readonly gate: DisclosureGate,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: ReferralOutbox,
  ) {}

  /**
   * OH cancels a referral (clinicians). Not yet sent: it simply never goes. Already sent: the
   * partner is told (FHIR-2: the same event, reason update, ServiceRequest revoked).
   */
  async cancel(ctx: RequestContext, referralId: string, reason: string): Promise<PathwayReferral> {
    const referral = await this.referralInReach(ctx, referralId);
    if (referral.status === 'cancelled')
      throw new ConflictError('referral-already-cancelled', 'This referral has already been cancelled.');
    await this.repository.transaction(async (trx) => {
      // The status it is cancelled from is read in the transaction: a delivery finishing at the same moment moves it ready → sent.
      const current = (await this.repository.findPathwayReferral(referral.id, PLATFORM_REACH, trx))!;
      if (
        current.status === 'cancelled' ||
        !(await this.repository.setReferralStatus(referral.id, current.status, 'cancelled', trx))
      ) {
        throw new ConflictError('referral-changed', 'This referral changed at the same time; reload it and try again.');
      }
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'pathway-referral',
          entityId: referral.id,
          subjectPersonId: referral.personId,
          purpose: 'referral',
          reason,
          details: { cancelled: true, wasSent: current.status === 'sent' },
        },
        trx,
      );
      // Already sent: the partner is told, by a cancellation message queued with the change.
      if (current.status === 'sent')
        await this.outbox.enqueue({ ...current, status: 'cancelled' }, 'cancellation', trx);
    });
    return (await this.repository.findPathwayReferral(referral.id, PLATFORM_REACH))!;
  }

  /** A referral within the actor's reach, read only if it is; else not found, the denied read audited. */
  private async referralInReach(ctx: RequestContext, id: string): Promise<PathwayReferral> {
    const referral = await this.repository.findPathwayReferral(id, personScope(ctx.actor));
    if (!referral)
      throw await this.audit.outOfReach(
        ctx,
        { entityType: 'pathway-referral', entityId: id, purpose: 'referral' },
        'referral',
      );
    return referral;
  }

  /** A referral and the pathway it came from, for the FHIR exchange (the platform itself, no actor). */
  async forDelivery(id: string): Promise<{ referral: PathwayReferral; definitionCode: string } | null> {
    const referral = await this.repository.findPathwayReferral(id, PLATFORM_REACH);
    if (!referral) return null;
    const pathway = await this.repository.findPathway(referral.pathwayId, PLATFORM_REACH);
    return { referral, definitionCode: pathway?.definitionCode ?? '' };
  }

  /** Several referrals and the pathways they came from, in one read, by id (the delivery worker's batch). */
  async forDeliveries(
    ids: readonly string[],
  ): Promise<Map<string, { referral: PathwayReferral; definitionCode: string }>> {
    return new Map((await this.repository.pathwayReferralsForDelivery(ids)).map((x) => [x.referral.id, x]));
  }

  /** Referrals that reached their partner; returns those marked (one cancelled meanwhile is not). */
  async markSentMany(ids: readonly string[], trx: Knex.Transaction): Promise<string[]> {
    return this.repository.setReferralStatuses(ids, 'ready', 'sent', trx);
  }

  /** The gate's question for a shared referral, asked again just before it is sent. */
  disclosureFor(referral: PathwayReferral): DisclosureRequest {
    return this.request(
      referral,
      referral.partnerOrganisationId!,
      (referral.dataCategories ?? []) as SharingCategory[],
    );
  }

  /** The referral will not go (the gate no longer allows it). */
  async markCancelled(id: string): Promise<void> {
    await this.repository.setReferralStatus(id, 'ready', 'cancelled');
  }

  /** The referrals a pathway made (OH). */
  async forPathway(ctx: RequestContext, pathwayId: string): Promise<PathwayReferral[]> {
    const pathway = await this.repository.findPathway(pathwayId, personScope(ctx.actor));
    if (!pathway)
      throw await this.audit.outOfReach(ctx, { entityType: 'pathway', entityId: pathwayId, purpose: 'pathway' });
    const list = await this.repository.pathwayReferrals(pathwayId);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'pathway-referral',
      entityId: pathwayId,
      subjectPersonId: pathway.personId,
      purpose: 'pathway',
      details: { returned: list.length },
    });
    return list;
  }

  private request(
    r: Pick<PathwayReferral, 'kind'>,
    partnerOrganisationId: string,
    dataCategories: readonly SharingCategory[],
  ): DisclosureRequest {
    // A handover continues care elsewhere; a step's referral is for treatment.
    return {
      recipient: { type: 'nhs-partner', organisationId: partnerOrganisationId },
      purpose: r.kind === 'handover' ? 'continuity-of-care' : 'treatment',
      dataCategories,
    };
  }

  /**
   * The answers on the pathway's completed forms a clinician may choose to send with a referral
   * (issue 6 §2): question linkId and answer, from every completed step, latest first on a repeat.
   */
  async shareableAnswers(pathwayId: string, trx?: Knex.Transaction): Promise<Map<string, string | number | boolean>> {
    const answers = new Map<string, string | number | boolean>();
    for (const step of await this.repository.stepsOf(pathwayId, trx)) {
      if (step.status !== 'completed' || !step.answers) continue;
      for (const [linkId, value] of Object.entries(step.answers))
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          answers.set(linkId, value);
    }
    return answers;
  }

  /**
   * Shares a referral waiting for consent with the partner OH names, if the gate allows it; refused
   * with the gate's reason as the code. The clinician chooses which of the pathway's answers go
   * (questionnaire answers are then part of what the consent must cover) and may state the person's
   * venue and contact preferences (CONF-4); both are kept on the referral for its delivery.
   */
  async share(
    ctx: RequestContext,
    referralId: string,
    input: {
      partnerOrganisationId: string;
      dataCategories: SharingCategory[];
      answers?: string[];
      venuePreference?: string | undefined;
      confidentialityPreference?: string | undefined;
    },
  ): Promise<PathwayReferral> {
    const referral = await this.referralInReach(ctx, referralId);
    const person = await this.people.getPerson(ctx, referral.personId, 'pathway', 'referral');
    if (!NHS_SERVICES.has(referral.serviceType))
      throw new ConflictError('not-an-nhs-referral', 'This referral is not to an NHS service; nothing needs sharing.');
    if (referral.status !== 'awaiting-consent')
      throw new ConflictError('referral-already-shared', 'This referral has already been shared or cancelled.');
    const partner = await this.people.nhsPartner(input.partnerOrganisationId, 'partnerOrganisationId');
    const pathway = (await this.repository.findPathway(referral.pathwayId, PLATFORM_REACH))!;
    // The pathway's answers are read only when the clinician chose some.
    const available = input.answers?.length
      ? await this.shareableAnswers(pathway.id)
      : new Map<string, string | number | boolean>();
    const unknown = (input.answers ?? []).filter((a) => !available.has(a));
    if (unknown.length)
      throw new ValidationError({
        answers: `These are not answers on this pathway’s completed forms: ${unknown.slice(0, 5).join(', ')}.`,
      });
    const sharedAnswers = Object.fromEntries((input.answers ?? []).map((a) => [a, available.get(a)!]));
    const categories = [
      ...new Set<SharingCategory>([
        ...requiredCategories(referral.serviceType, pathway.definitionCode),
        ...input.dataCategories,
        ...(input.answers?.length ? (['questionnaire-answers'] as const) : []),
      ]),
    ];
    const details = {
      ...referral.details,
      sharedAnswers,
      ...(input.venuePreference ? { venuePreference: input.venuePreference } : {}),
      ...(input.confidentialityPreference ? { confidentialityPreference: input.confidentialityPreference } : {}),
      // CONF-3: shared while the identity is protected, it stays so in every message about this referral,
      // even if the protection is lifted before it goes; only a fresh share may carry contact details.
      ...(person.protectedIdentity ? { protectedIdentity: true as const } : {}),
    };
    const today = this.clock.today();
    let decision: GateDecision | null = null;
    const shared = await this.repository.transaction(async (trx) => {
      decision = await this.gate.mayDisclose(
        ctx,
        referral.personId,
        this.request(referral, partner.id, categories),
        today,
        trx,
      );
      if (!decision.allow) return null;
      if (
        !(await this.repository.shareReferral(
          referral.id,
          {
            partnerOrganisationId: partner.id,
            dataCategories: categories,
            consentId: decision.consentIds[0]!,
            details,
          },
          trx,
        ))
      ) {
        throw new ConflictError('referral-already-shared', 'This referral has already been shared or cancelled.');
      }
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'pathway-referral',
          entityId: referral.id,
          subjectPersonId: referral.personId,
          purpose: 'referral',
          details: { shared: partner.id, categories, answers: Object.keys(sharedAnswers) },
        },
        trx,
      );
      const sharedReferral: PathwayReferral = {
        ...referral,
        status: 'ready',
        partnerOrganisationId: partner.id,
        dataCategories: categories,
        consentId: decision.consentIds[0]!,
        details,
      };
      // Queued for delivery in the same transaction: shared and queued, or neither (issue 6 §3).
      await this.outbox.enqueue(sharedReferral, 'referral', trx);
      return sharedReferral;
    });
    const d = decision as GateDecision | null;
    if (d && !d.allow) throw new ConflictError(d.reason, d.message);
    return shared!;
  }

  /** DisclosureQueue: on withdrawal, each referral shared under the consent and not yet sent moves to another consent that still covers it, or is cancelled. */
  async withdrawn(
    consent: Consent,
    stillAllowed: (request: DisclosureRequest) => GateDecision,
    _now: Date,
    trx: Knex.Transaction,
  ): Promise<{ cancelled: DisclosureItem[]; alreadySent: DisclosureItem[] }> {
    const cancelled: DisclosureItem[] = [];
    const alreadySent: DisclosureItem[] = [];
    for (const r of await this.repository.referralsUnderConsent(consent.id, trx)) {
      if (r.status === 'sent') {
        alreadySent.push(item(r));
        continue;
      }
      const again = stillAllowed(
        this.request(r, r.partnerOrganisationId!, (r.dataCategories ?? []) as SharingCategory[]),
      );
      if (again.allow) {
        await this.repository.requeueOrCancelReferral(r.id, { consentId: again.consentIds[0]! }, trx);
      } else {
        await this.repository.requeueOrCancelReferral(r.id, { cancelled: true }, trx);
        cancelled.push(item(r));
      }
    }
    return { cancelled, alreadySent };
  }
}
