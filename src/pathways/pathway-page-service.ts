import { maySeeClinicalDetail, maySeeOhRecords, policies, roleMayUse } from '../auth/access-policy.js';
import type { ReferralDeliveryService } from '../fhir/delivery/referral-delivery-service.js';
import type { PartnerExchangeService } from '../fhir/partner-api/partner-exchange-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { Organisation } from '../people/people-types.js';
import type { RequestContext } from '../shared/request-context.js';
import type { PathwayReferralService } from './pathway-referral-service.js';
import type { PathwayService } from './pathway-service.js';
import type { PathwayEvent, PathwayReferral } from './pathway-types.js';
import { audienceOf, pathwayJson } from './pathway-views.js';

type Loaded = Awaited<ReturnType<PathwayService['get']>>;
type View = ReturnType<typeof pathwayJson>;
type Delivery = Awaited<ReturnType<ReferralDeliveryService['forReferral']>>[number];
type Progress = NonNullable<
  Awaited<ReturnType<PartnerExchangeService['journeys']>> extends Map<string, infer P> ? P : never
>[number];
type LabResult = Awaited<ReturnType<PartnerExchangeService['resultsFor']>>[number];

/** A line manager's or HR's page: that OH support is in place, and the advice. Nothing else (CONF-1). */
export interface FunctionalPathwayPage {
  reader: 'functional';
  loaded: Loaded;
  view: Extract<View, { kind: unknown }>;
  personName: string;
}

/** The person's own page: their steps and their referrals, each with when it was sent and the service's latest word. */
export interface OwnPathwayPage {
  reader: 'self';
  loaded: Loaded;
  view: Exclude<View, { kind: unknown }>;
  referrals: Array<{ referral: PathwayReferral; sentAt: Date | null; latest: Progress | null }>;
}

/** OH's page: everything their role may see, and what they may do. */
export interface OhPathwayPage {
  reader: 'oh';
  loaded: Loaded;
  view: Exclude<View, { kind: unknown }>;
  personName: string;
  /** Clinicians: the forms' answers, the partners' words, laboratory results (CONF-1). */
  clinical: boolean;
  mayManage: boolean;
  mayShare: boolean;
  history: PathwayEvent[];
  referrals: Array<{ referral: PathwayReferral; deliveries: Delivery[]; progress: Progress[] }>;
  /** The organisations a referral names, and the NHS partners one may be shared with. */
  organisations: Organisation[];
  results: LabResult[];
}

export type PathwayPage = FunctionalPathwayPage | OwnPathwayPage | OhPathwayPage;

/**
 * A pathway's referrals and where each has got to, for the page to refresh without a reload
 * (issue 15 §3): read as the page reads them (the pathway in reach, audited), nothing else.
 */
export type PathwayJourney =
  | { reader: 'functional' }
  | Pick<OwnPathwayPage, 'reader' | 'referrals'>
  | (Pick<OhPathwayPage, 'reader' | 'clinical' | 'referrals' | 'organisations'> & { pathwayId: string });

export interface PathwayPageDeps {
  pathways: Pick<PathwayService, 'get' | 'history'>;
  referrals: Pick<PathwayReferralService, 'forPathway'>;
  deliveries: Pick<ReferralDeliveryService, 'forReferral'>;
  exchange: Pick<PartnerExchangeService, 'journeys' | 'resultsFor'>;
  people: Pick<PeopleService, 'namesOf' | 'listOrganisations'>;
}

/**
 * What the pathway page shows its reader (issue 14 §15): gathered from the pathway, referral,
 * delivery, exchange and people services in one place, with who sees what decided by the access
 * policy (`audienceOf`, `roleMayUse`, CONF-1). The page only puts it into words.
 */
export class PathwayPageService {
  constructor(private readonly deps: PathwayPageDeps) {}

  async forReader(ctx: RequestContext, id: string): Promise<PathwayPage> {
    const { pathways, exchange, people } = this.deps;
    const actor = ctx.actor;
    const loaded = await pathways.get(ctx, id);
    const view = pathwayJson(actor, loaded);
    const personName = async () => (await people.namesOf([view.personId])).get(view.personId) ?? '';
    if ('kind' in view) return { reader: 'functional', loaded, view, personName: await personName() };
    if (audienceOf(actor, loaded.pathway) === 'self')
      return { reader: 'self', loaded, view, referrals: await this.ownReferrals(ctx, id) };
    const clinical = maySeeClinicalDetail(actor);
    const made = await this.ohReferrals(ctx, id);
    return {
      reader: 'oh',
      loaded,
      view,
      personName: await personName(),
      clinical,
      mayManage: roleMayUse(policies.pathwaysManage, actor.role) && view.status !== 'closed',
      mayShare: roleMayUse(policies.pathwayReferralsShare, actor.role),
      history:
        maySeeOhRecords(actor) && roleMayUse(policies.pathwaysHistory, actor.role)
          ? await pathways.history(ctx, id)
          : [],
      referrals: made,
      organisations: made.length ? await people.listOrganisations() : [],
      // Laboratory results the partners sent back: clinical detail, for clinicians only (CONF-1).
      results: clinical ? await exchange.resultsFor(ctx, loaded.pathway) : [],
    };
  }

  /** The referrals' journeys alone, read as `forReader` reads them: the pathway in reach and its read audited first. */
  async journeyFor(ctx: RequestContext, id: string): Promise<PathwayJourney> {
    const actor = ctx.actor;
    const loaded = await this.deps.pathways.get(ctx, id);
    const view = pathwayJson(actor, loaded);
    if ('kind' in view) return { reader: 'functional' };
    if (audienceOf(actor, loaded.pathway) === 'self')
      return { reader: 'self', referrals: await this.ownReferrals(ctx, id) };
    const made = await this.ohReferrals(ctx, id);
    return {
      reader: 'oh',
      pathwayId: id,
      clinical: maySeeClinicalDetail(actor),
      referrals: made,
      organisations: made.length ? await this.deps.people.listOrganisations() : [],
    };
  }

  /** The person's own referrals: each with when it was sent and the service's latest word. */
  private async ownReferrals(ctx: RequestContext, id: string): Promise<OwnPathwayPage['referrals']> {
    const { referrals, deliveries, exchange } = this.deps;
    const own = await referrals.forPathway(ctx, id);
    const atService = await exchange.journeys(own.map((r) => r.id));
    return Promise.all(
      own.map(async (referral) => ({
        referral,
        sentAt:
          (await deliveries.forReferral(referral.id)).find((x) => x.kind === 'referral' && x.sentAt)?.sentAt ?? null,
        latest: referral.status === 'sent' ? (atService.get(referral.id)?.at(-1) ?? null) : null,
      })),
    );
  }

  /** OH's view of the referrals, if their role may read them: every delivery and everything the service reported. */
  private async ohReferrals(ctx: RequestContext, id: string): Promise<OhPathwayPage['referrals']> {
    const { referrals, deliveries, exchange } = this.deps;
    const made = roleMayUse(policies.pathwayReferralsRead, ctx.actor.role) ? await referrals.forPathway(ctx, id) : [];
    const atService = await exchange.journeys(made.map((r) => r.id));
    return Promise.all(
      made.map(async (referral) => ({
        referral,
        deliveries: await deliveries.forReferral(referral.id),
        progress: atService.get(referral.id) ?? [],
      })),
    );
  }
}
