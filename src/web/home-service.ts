import type { ConsentService } from '../consent/consent-service.js';
import type { Consent } from '../consent/consent-types.js';
import type { PartnerExchangeService } from '../fhir/partner-api/partner-exchange-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { PathwayDefinition, StepDefinition } from '../pathways/definition.js';
import type { PathwayReferralService } from '../pathways/pathway-referral-service.js';
import type { PathwayService } from '../pathways/pathway-service.js';
import type { ReferralService } from '../pathways/referral-service.js';
import type { BbvService } from '../bbv/bbv-service.js';
import { nextTestOf } from '../bbv/bbv-own-view.js';
import type { ScheduleItem } from '../bbv/schedule.js';
import type { RequestContext } from '../shared/request-context.js';

/** Something waiting for the officer, for their home page to word and link (issue 15 §8). */
export type WaitingItem =
  | { kind: 'consent-decision'; consentId: string; consentKind: Consent['kind']; description: string }
  | { kind: 'report-review'; consentId: string; consentKind: Consent['kind']; description: string }
  | { kind: 'referral-copy'; referralId: string; createdAt: Date; byHr: boolean }
  | {
      kind: 'pathway-step';
      pathwayId: string;
      stepId: string;
      definition: PathwayDefinition;
      step: StepDefinition | null;
      dueBy: Date | null;
    }
  | {
      kind: 'appointment';
      pathwayId: string;
      definition: PathwayDefinition;
      at: Date;
      /** Where, in words, as the service said when it booked (issue 15 §8). */
      place: string | null;
      /** Who the appointment is with: the NHS service the referral was sent to. */
      withOrganisation: string | null;
    }
  /** Issue 16 §8: the next follow-up blood test after an exposure, with OH (dates only). */
  | {
      kind: 'bbv-test';
      incidentId: string;
      test: Pick<ScheduleItem, 'timepoint' | 'windowStart' | 'windowEnd' | 'status'>;
    };

export interface HomeDeps {
  consent: Pick<ConsentService, 'forPerson'>;
  referrals: Pick<ReferralService, 'forPerson'>;
  pathways: Pick<PathwayService, 'forPerson'>;
  pathwayReferrals: Pick<PathwayReferralService, 'forPathway'>;
  exchange: Pick<PartnerExchangeService, 'journeys'>;
  people: Pick<PeopleService, 'listOrganisations'>;
  /** The person's own exposures (issue 16 §8); absent where the home page is built without them. */
  bbv?: Pick<BbvService, 'forPerson'>;
}

/** A report the person asked to see before it goes, still waiting for their agreement (AMRA-4, §5b). */
const waitsForReview = (c: Consent) =>
  c.status === 'report-received' && c.wishesToSeeReport === true && c.supplyAgreedOn === null;

/**
 * What waits for the signed-in person (issue 15 §8): consent requests to decide, reports they
 * asked to see before release, copies of management referrals about them that OH has not yet
 * triaged, their own open pathway steps, and appointments to come. Only their own records: every
 * read goes through the capability's service with the person's own reach, and is audited there.
 */
export async function waitingFor(deps: HomeDeps, ctx: RequestContext, now: Date): Promise<WaitingItem[]> {
  const personId = ctx.actor.personId;
  if (!personId || ctx.actor.role !== 'staff') return [];
  const [consents, referrals, pathways] = await Promise.all([
    deps.consent.forPerson(ctx, personId),
    deps.referrals.forPerson(ctx, personId),
    deps.pathways.forPerson(ctx, personId),
  ]);
  const items: WaitingItem[] = [];
  for (const { consent: c } of consents) {
    if (c.personId !== personId) continue;
    if (c.status === 'requested')
      items.push({ kind: 'consent-decision', consentId: c.id, consentKind: c.kind, description: c.description });
    else if (waitsForReview(c))
      items.push({ kind: 'report-review', consentId: c.id, consentKind: c.kind, description: c.description });
  }
  for (const r of referrals) {
    if (r.personId !== personId || r.source !== 'management' || r.status !== 'awaiting-triage') continue;
    items.push({
      kind: 'referral-copy',
      referralId: r.id,
      createdAt: r.createdAt,
      byHr: r.referrerRole === 'hr-manager',
    });
  }
  const live = pathways.filter((l) => l.pathway.personId === personId && l.pathway.status !== 'closed');
  for (const { pathway, definition, steps } of live) {
    for (const s of steps) {
      if (s.status !== 'open' || !s.assignee || !('personId' in s.assignee) || s.assignee.personId !== personId)
        continue;
      const step = definition.steps.find((d) => d.id === s.stepCode) ?? null;
      // Only the person's own steps: a manager's step assigned by person is not theirs.
      if (step && step.performer !== 'staff') continue;
      items.push({ kind: 'pathway-step', pathwayId: pathway.id, stepId: s.id, definition, step, dueBy: s.dueBy });
    }
  }
  const appointments = await upcomingAppointments(deps, ctx, pathways.filter(withAppointments(personId)), now);
  // Each open exposure's next follow-up test: its window, never what the results were (issue 16 §6).
  for (const r of deps.bbv ? await deps.bbv.forPerson(ctx, personId) : []) {
    const test = r.pathwayStatus !== 'closed' ? nextTestOf(r.schedule) : null;
    if (test) items.push({ kind: 'bbv-test', incidentId: r.incident.id, test });
  }
  return [...items, ...appointments];
}

export type Appointment = Extract<WaitingItem, { kind: 'appointment' }>;

/** Outcomes of a closed pathway whose care goes on at an NHS service: its appointments there still come. */
const CARE_GOES_ON: ReadonlySet<string> = new Set(['transferred-to-nhs', 'onward-referral']);

/** The person's pathways whose NHS appointments they are to see: open ones, and those handed over to the NHS. */
const withAppointments =
  (personId: string) =>
  (l: { pathway: { personId: string; status: string; outcome: string | null } }): boolean =>
    l.pathway.personId === personId &&
    (l.pathway.status !== 'closed' || (l.pathway.outcome !== null && CARE_GOES_ON.has(l.pathway.outcome)));

/** The person's appointments to come, soonest first, that NHS services booked for their pathways' referrals. */
export async function appointmentsFor(
  deps: Pick<HomeDeps, 'pathways' | 'pathwayReferrals' | 'exchange' | 'people'>,
  ctx: RequestContext,
  now: Date,
): Promise<Appointment[]> {
  const personId = ctx.actor.personId;
  if (!personId || ctx.actor.role !== 'staff') return [];
  const pathways = (await deps.pathways.forPerson(ctx, personId)).filter(withAppointments(personId));
  return upcomingAppointments(deps, ctx, pathways, now);
}

async function upcomingAppointments(
  deps: Pick<HomeDeps, 'pathwayReferrals' | 'exchange' | 'people'>,
  ctx: RequestContext,
  pathways: Awaited<ReturnType<PathwayService['forPerson']>>,
  now: Date,
): Promise<Appointment[]> {
  const sent = (
    await Promise.all(
      pathways.map(async (l) =>
        (await deps.pathwayReferrals.forPathway(ctx, l.pathway.id))
          .filter((r) => r.status === 'sent')
          .map((referral) => ({ referral, loaded: l })),
      ),
    )
  ).flat();
  if (!sent.length) return [];
  const journeys = await deps.exchange.journeys(sent.map((s) => s.referral.id));
  const booked = sent.flatMap(({ referral, loaded }) => {
    const latest = journeys.get(referral.id)?.at(-1);
    return latest?.status === 'booked' && latest.appointmentAt && latest.appointmentAt > now
      ? [{ referral, loaded, at: latest.appointmentAt, place: latest.appointmentPlace }]
      : [];
  });
  if (!booked.length) return [];
  const names = new Map((await deps.people.listOrganisations()).map((o) => [o.id, o.name]));
  return booked
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map(({ referral, loaded, at, place }) => ({
      kind: 'appointment' as const,
      pathwayId: loaded.pathway.id,
      definition: loaded.definition,
      at,
      place,
      withOrganisation: referral.partnerOrganisationId ? (names.get(referral.partnerOrganisationId) ?? null) : null,
    }));
}
