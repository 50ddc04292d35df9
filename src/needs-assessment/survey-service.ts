import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import {
  campaignReach,
  mayLaunchCampaign,
  mayOwnSurveyAction,
  mayReadIdentifiedAnswers,
  organisationReach,
} from '../auth/access-policy.js';
import { Translator, type Translate } from '../i18n/i18n.js';
import { emailRecipient } from '../notifications/index.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { PeopleService } from '../people/people-service.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Clock } from '../shared/clock.js';
import { addDays, longDate, type IsoDate } from '../shared/dates.js';
import { effectiveThreshold } from '../shared/disclosure.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type AppError } from '../shared/errors.js';
import type { FieldMessages } from '../shared/error-messages.js';
import type { RequestContext, SystemContext } from '../shared/request-context.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import { invitationDigest, newSurveySecret, openDraft, resumeDigest, sealDraft } from './draft-seal.js';
import { reportingGroups } from './population-groups.js';
import {
  commentsOf,
  computeResults,
  mergeTallies,
  tallyByGroup,
  type CampaignResults,
  type SurveyTally,
} from './results.js';
import { scoreSurveyResponse } from './scoring.js';
import type { SurveyCatalogue } from './survey-catalogue.js';
import {
  firstIncompletePage,
  readAllAnswers,
  readPageAnswers,
  toQuestionnaireResponse,
  type SurveyAnswers,
  type SurveyQuestionnaire,
} from './survey-questionnaire.js';
import type { SurveyRepository } from './survey-repository.js';
import type {
  Breakdown,
  Campaign,
  CampaignStatus,
  IdentifiedResponse,
  PopulationKind,
  ReviewOutcome,
  SurveyAction,
  SurveyMode,
} from './survey-types.js';

export const ACTION_TASK_SOURCE = 'survey-action';
export const ACTION_TASK_CODE = 'survey-action';

export interface SurveyServiceDeps {
  repository: SurveyRepository;
  catalogue: SurveyCatalogue;
  people: Pick<PeopleService, 'recordsForSystem' | 'getUnit'>;
  policy: Pick<PolicyService, 'inForce'>;
  audit: Pick<AuditService, 'record' | 'outOfReach'>;
  notifications: Pick<NotificationService, 'enqueueEmail'>;
  worklist: Pick<WorklistService, 'sync' | 'completeBySource' | 'tasksOfSources'>;
  clock: Clock;
  /** The platform's secrets key: a submitted response waits sealed with it until it is published with others. */
  secrets: { seal(plain: string): string; open(sealed: string): string };
  /** Where invitation links point. */
  publicUrl: string;
}

export interface LaunchInput {
  questionnaireId: string;
  title: string;
  mode: SurveyMode;
  organisationId?: string | undefined;
  population: { kind: PopulationKind; ref: string };
  breakdown: Breakdown;
  opensOn: IsoDate;
  closesOn: IsoDate;
}

/** A campaign with where it stands on the day asked about. */
export interface CampaignSummary extends Campaign {
  status: CampaignStatus;
  responses: number;
  /** Responses over invitations, 0–1. */
  responseRate: number;
}

/** What the respondent holds: the draft's id and the secret that opens it (never stored by the platform). */
export interface ResponseHandle {
  id: string;
  secret: string;
}

/** A response in progress, opened with its secret. */
export interface OpenResponse {
  id: string;
  campaign: Campaign;
  questionnaire: SurveyQuestionnaire;
  answers: SurveyAnswers;
  /** The first page not yet completed (pages.length when every page is). */
  nextPage: number;
}

/** A submitted anonymous response waiting in the pool, sealed; and as it is published. */
export interface PooledResponse {
  groupKey: string | null;
  submittedOn: IsoDate;
  answers: Record<string, unknown>;
  scores: object;
}

const SURVEY_SYSTEM: SystemContext = { actor: null, requestId: 'survey', ip: null };

/** Where a campaign stands on `today`. */
export function campaignStatus(c: Pick<Campaign, 'opensOn' | 'closesOn'>, today: IsoDate): CampaignStatus {
  if (today < c.opensOn) return 'scheduled';
  return today > c.closesOn ? 'closed' : 'open';
}

/**
 * Needs-assessment surveys (issue 17; domain brief §6, CONF-5): campaigns, invitations, answering, results,
 * action plans and the clinician's review of confidential answers.
 *
 * Anonymous answering (NA-2) takes no request context on purpose: nothing about who is answering is read,
 * logged or audited, because any such record would be the link between a person and their answers. The
 * respondent proves only that they hold the invitation (or the secret their browser was given).
 */
export class SurveyService {
  private readonly translator = Translator.load();

  constructor(private readonly deps: SurveyServiceDeps) {}

  /** The published questionnaires. */
  questionnaires(): SurveyQuestionnaire[] {
    return this.deps.catalogue.list();
  }

  questionnaire(id: string): SurveyQuestionnaire {
    const q = this.deps.catalogue.get(id);
    if (!q) throw new NotFoundError('questionnaire');
    return q;
  }

  // ── Campaigns ───────────────────────────────────────────────────────────────────────────────────────────

  /** Launches a questionnaire to a population: its reporting groups, one invitation each, the emails (§4). */
  async launch(ctx: RequestContext, input: LaunchInput): Promise<CampaignSummary> {
    const q = this.deps.catalogue.get(input.questionnaireId);
    if (!q) throw new ValidationError({ questionnaireId: 'validation.surveys.noSuchQuestionnaire' });
    if (!q.modes.includes(input.mode)) throw new ValidationError({ mode: 'validation.surveys.modeNotOffered' });
    const facilitated = await this.deps.repository.facilitatorUnits(ctx.actor.userId);
    if (!mayLaunchCampaign(ctx.actor, facilitated, input.population, input.mode))
      throw new ForbiddenError(
        'campaign-not-permitted',
        'Only occupational health, or a facilitator appointed for this team, may send this survey.',
      );
    const today = this.deps.clock.today();
    if (input.opensOn < today) throw new ValidationError({ opensOn: 'validation.surveys.opensInPast' });
    if (input.closesOn <= input.opensOn) throw new ValidationError({ closesOn: 'validation.surveys.closesBeforeOpen' });
    const organisationId = await this.organisationFor(ctx, input);
    const disclosure = await this.deps.policy.inForce(organisationId, 'disclosure', today);
    const threshold = effectiveThreshold(disclosure.content.minimumCellSize);
    const invitees = await this.deps.repository.population(
      organisationId,
      input.population.kind,
      input.population.ref,
      input.opensOn,
    );
    // CONF-5: a campaign that can never show results without pointing at someone is not sent at all.
    if (invitees.length < threshold)
      throw new ValidationError(
        { population: { key: 'validation.surveys.populationTooSmall', values: { threshold } } },
        'Too few people would be asked for their answers to be shown without identifying anyone.',
        'population-too-small',
      );
    const { groups, groupOf } = reportingGroups(
      invitees.map((i) => ({
        personId: i.personId,
        key: input.breakdown === 'unit' ? i.unitId : input.breakdown === 'role' ? i.workforceRole : null,
      })),
      input.breakdown,
      threshold,
    );
    const campaign: Campaign = {
      id: randomUUID(),
      organisationId,
      questionnaireId: q.id,
      questionnaireVersion: q.version,
      title: input.title.trim(),
      mode: input.mode,
      populationKind: input.population.kind,
      populationRef: input.population.ref,
      breakdown: groups.length ? input.breakdown : 'none',
      groups,
      invitedCount: invitees.length,
      threshold,
      opensOn: input.opensOn,
      closesOn: input.closesOn,
      ownerUserId: ctx.actor.userId,
      previousCampaignId: null,
      lastRemindedOn: null,
      createdAt: this.deps.clock.now(),
    };
    campaign.previousCampaignId = await this.deps.repository.previousCampaign(campaign);
    // Invitations are written in a random order and carry no time: their rows say nothing about anyone's answers.
    const invitations = shuffle(invitees.map((i) => ({ invitee: i, token: newSurveySecret(), id: randomUUID() })));
    await this.deps.repository.transaction(async (trx) => {
      await this.deps.repository.insertCampaign(campaign, trx);
      await this.deps.repository.insertInvitations(
        invitations.map((i) => ({
          id: i.id,
          campaignId: campaign.id,
          personId: i.invitee.personId,
          digest: invitationDigest(i.token),
          groupKey: groupOf.get(i.invitee.personId) ?? null,
        })),
        trx,
      );
      for (const i of invitations) {
        const to = emailRecipient(i.invitee)?.address;
        if (!to) continue;
        await this.deps.notifications.enqueueEmail(
          this.invitationEmail(campaign, i.invitee.givenName, to, i.token),
          trx,
        );
      }
      await this.deps.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'survey-campaign',
          entityId: campaign.id,
          details: { questionnaire: q.id, invited: invitees.length, mode: campaign.mode },
        },
        trx,
      );
    });
    return this.summaryOf(campaign, 0, today);
  }

  private async organisationFor(ctx: RequestContext, input: LaunchInput): Promise<string> {
    const reach = organisationReach(ctx.actor);
    const organisationId = input.organisationId ?? ctx.actor.organisationId;
    if (reach.kind === 'own' && organisationId !== reach.organisationId)
      throw new ValidationError({ organisationId: 'validation.surveys.notYourOrganisation' });
    if (input.population.kind === 'organisation' && input.population.ref !== organisationId)
      throw new ValidationError({ population: 'validation.surveys.populationElsewhere' });
    if (input.population.kind === 'unit') {
      const unit = await this.deps.people.getUnit(ctx, input.population.ref).catch(() => null);
      if (!unit || unit.organisationId !== organisationId)
        throw new ValidationError({ population: 'validation.surveys.noSuchUnit' });
    }
    if (input.population.kind === 'team') {
      const manager = (await this.deps.people.recordsForSystem([input.population.ref])).get(input.population.ref);
      if (!manager || manager.organisationId !== organisationId)
        throw new ValidationError({ population: 'validation.surveys.noSuchTeam' });
    }
    return organisationId;
  }

  /** The campaigns an actor reaches, newest first, each with its response rate on `today`. */
  async campaigns(ctx: RequestContext): Promise<CampaignSummary[]> {
    const reach = campaignReach(ctx.actor, await this.deps.repository.facilitatorUnits(ctx.actor.userId));
    const list = await this.deps.repository.campaigns(reach);
    const counts = await this.deps.repository.responseCounts(list);
    const today = this.deps.clock.today();
    return list.map((c) => this.summaryOf(c, counts.get(c.id) ?? 0, today));
  }

  /** One campaign within reach; out of reach it is not found. */
  async campaign(ctx: RequestContext, id: string): Promise<CampaignSummary> {
    const c = await this.reachable(ctx, id);
    const counts = await this.deps.repository.responseCounts([c]);
    return this.summaryOf(c, counts.get(c.id) ?? 0, this.deps.clock.today());
  }

  private async reachable(ctx: RequestContext, id: string): Promise<Campaign> {
    const reach = campaignReach(ctx.actor, await this.deps.repository.facilitatorUnits(ctx.actor.userId));
    const c = await this.deps.repository.campaign(id, reach);
    if (!c) throw new NotFoundError('survey');
    return c;
  }

  private summaryOf(c: Campaign, responses: number, today: IsoDate): CampaignSummary {
    return {
      ...c,
      status: campaignStatus(c, today),
      responses,
      responseRate: c.invitedCount ? responses / c.invitedCount : 0,
    };
  }

  /**
   * A campaign's results as its owner, its facilitators and OH may read them (§6): every figure with its n and
   * whether it is suppressed (CONF-5). `group` narrows to one reporting group, refused when that group, or
   * everyone outside it, is fewer than the threshold (two views whose difference would point at a few people).
   */
  async results(ctx: RequestContext, id: string, group?: string): Promise<CampaignResults> {
    const c = await this.reachable(ctx, id);
    if (campaignStatus(c, this.deps.clock.today()) === 'closed' && (await this.deps.repository.poolCount(c.id)) > 0)
      await this.deps.repository.transaction((trx) => this.publish(c, trx, true));
    const previous = c.previousCampaignId
      ? await this.deps.repository.campaign(c.previousCampaignId, { kind: 'all' })
      : null;
    const policy = await this.deps.policy.inForce(c.organisationId, 'surveys', this.deps.clock.today());
    const input = {
      questionnaire: this.questionnaireOf(c),
      campaign: c,
      ...(await this.talliesOf(c)),
      previous: previous ? await this.talliesOf(previous, { comments: false }).then((p) => p.tallies) : null,
      benchmark: policy.content.hseBenchmark,
    };
    const everyone = computeResults({ ...input, group: null });
    if (group !== undefined) {
      if (!c.groups.some((g) => g.key === group))
        throw new ValidationError({ group: 'validation.surveys.noSuchGroup' });
      // A group is shown on its own only when everyone's results show it too: two views never differ by a few.
      if (!everyone.groups.find((g) => g.key === group)?.queryable)
        throw new ConflictError(
          'group-too-small',
          'Too few people answered in this group, or outside it, to show it on its own without identifying anyone.',
        );
    }
    await this.deps.audit.record(ctx, {
      action: 'read',
      entityType: 'survey-results',
      entityId: c.id,
      details: group ? { group } : {},
    });
    return group === undefined ? everyone : computeResults({ ...input, group });
  }

  /** The questionnaire a campaign was launched with (the version in the catalogue is the shipped one). */
  questionnaireOf(c: Pick<Campaign, 'questionnaireId'>): SurveyQuestionnaire {
    return this.questionnaire(c.questionnaireId);
  }

  // ── Answering (NA-2): no request context, nothing recorded about the respondent ────────────────────────────

  /** What an invitation link leads to: a campaign to start, a response to resume, or nothing (used or unknown). */
  async lookUpToken(
    token: string,
  ): Promise<{ kind: 'invited' | 'resume'; campaign: Campaign; questionnaire: SurveyQuestionnaire } | null> {
    return this.deps.repository.transaction(async (trx) => {
      const invitation = await this.deps.repository.invitationByDigest(invitationDigest(token), trx);
      const draft = invitation ? null : await this.deps.repository.draftByDigest(resumeDigest(token), trx);
      const campaignId = invitation?.campaignId ?? draft?.campaignId;
      if (!campaignId) return null;
      const campaign = await this.deps.repository.campaign(campaignId, { kind: 'all' }, trx);
      if (!campaign) return null;
      return { kind: invitation ? 'invited' : 'resume', campaign, questionnaire: this.questionnaireOf(campaign) };
    });
  }

  /**
   * Starts answering with an invitation token, or resumes with it: the token is the respondent's secret. The
   * invitation is deleted as it is used, so one token lets exactly one response in.
   */
  async startWithToken(token: string): Promise<ResponseHandle> {
    return this.deps.repository.transaction(async (trx) => {
      const invitation = await this.deps.repository.invitationByDigest(invitationDigest(token), trx);
      if (invitation) {
        const begun = await this.begin(invitation, token, trx);
        if (begun) return begun;
      }
      // Resuming; or the same token started at the same moment elsewhere and that start won (read committed).
      const draft = await this.deps.repository.draftByDigest(resumeDigest(token), trx);
      if (draft) return { id: draft.id, secret: token };
      throw invitationUsed();
    });
  }

  /**
   * Answers and submits at once with an invitation token (the API, for a client holding every answer): the
   * invitation is used and the response recorded in one transaction, with no draft in between.
   */
  async answerWithToken(token: string, input: Readonly<Record<string, unknown>>): Promise<{ submittedOn: IsoDate }> {
    return this.deps.repository.transaction(async (trx) => {
      const invitation = await this.deps.repository.invitationByDigest(invitationDigest(token), trx);
      const campaign = invitation ? await this.campaignFor(invitation.campaignId, trx) : null;
      if (!invitation || !campaign) throw invitationUsed();
      this.assertOpen(campaign);
      const q = this.questionnaireOf(campaign);
      const answers = readAllAnswers(q, withAnswers(q, {}, input));
      if (!(await this.deps.repository.useInvitation(invitation.id, trx))) throw invitationUsed();
      const personId = campaign.mode === 'confidential' ? invitation.personId : null;
      await this.record(campaign, invitation.groupKey, personId, answers, scoreSurveyResponse(answers), trx);
      return { submittedOn: this.deps.clock.today() };
    });
  }

  /** Starts answering from the home page, signed in: a new secret for the browser, the invitation used. */
  async startFromInvitation(ctx: RequestContext, campaignId: string): Promise<ResponseHandle> {
    if (!ctx.actor.personId) throw new NotFoundError('survey');
    const personId = ctx.actor.personId;
    return this.deps.repository.transaction(async (trx) => {
      const invitation = await this.deps.repository.invitationOf(campaignId, personId, trx);
      const begun = invitation ? await this.begin(invitation, newSurveySecret(), trx) : null;
      if (!begun) throw invitationUsed();
      return begun;
    });
  }

  /**
   * A campaign for the respondent's side, kept a minute per process: what answering reads of it (mode, dates,
   * groups, threshold) never changes once launched.
   */
  private async campaignFor(id: string, trx?: Knex.Transaction): Promise<Campaign | null> {
    const now = this.deps.clock.now().getTime();
    const kept = this.campaignCache.get(id);
    if (kept && now - kept.at < 60_000) return kept.campaign;
    const campaign = await this.deps.repository.campaign(id, { kind: 'all' }, trx);
    if (campaign) {
      if (this.campaignCache.size > 500) this.campaignCache.clear();
      this.campaignCache.set(id, { campaign, at: now });
    }
    return campaign;
  }

  private readonly campaignCache = new Map<string, { campaign: Campaign; at: number }>();

  private async begin(
    invitation: { id: string; campaignId: string; personId: string; groupKey: string | null },
    secret: string,
    trx: Knex.Transaction,
  ): Promise<ResponseHandle | null> {
    const campaign = await this.campaignFor(invitation.campaignId, trx);
    if (!campaign) return null;
    this.assertOpen(campaign);
    // Deleting it is the use: when another request deleted it first, this one did not begin.
    if (!(await this.deps.repository.useInvitation(invitation.id, trx))) return null;
    const id = randomUUID();
    await this.deps.repository.insertDraft(
      {
        id,
        campaignId: campaign.id,
        resumeDigest: resumeDigest(secret),
        sealed: sealDraft(secret, id, { answers: {}, page: 0 }),
        groupKey: invitation.groupKey,
        // Only a confidential (identified) campaign knows whose answers these are.
        personId: campaign.mode === 'confidential' ? invitation.personId : null,
        expiresOn: campaign.closesOn,
      },
      trx,
    );
    return { id, secret };
  }

  private assertOpen(c: Campaign): void {
    const status = campaignStatus(c, this.deps.clock.today());
    if (status === 'scheduled')
      throw new ConflictError('survey-not-open', `This survey opens on ${longDate(c.opensOn, 'en')}.`);
    if (status === 'closed') throw new ConflictError('survey-closed', 'This survey has closed.');
  }

  /** A response in progress, opened with its secret; anything else is not found. */
  async open(
    handle: ResponseHandle,
    db?: Knex.Transaction,
  ): Promise<OpenResponse & { groupKey: string | null; personId: string | null }> {
    const draft = await this.deps.repository.draftByDigest(resumeDigest(handle.secret), db);
    const content = draft && draft.id === handle.id ? openDraft(handle.secret, draft.id, draft.sealed) : null;
    if (!draft || !isDraftContent(content)) throw new NotFoundError('response');
    const campaign = await this.campaignFor(draft.campaignId, db);
    if (!campaign) throw new NotFoundError('response');
    const questionnaire = this.questionnaireOf(campaign);
    const answers = content.answers as SurveyAnswers;
    return {
      id: draft.id,
      campaign,
      questionnaire,
      answers,
      nextPage: resumeAt(questionnaire, answers, content.page),
      groupKey: draft.groupKey,
      personId: draft.personId,
    };
  }

  /**
   * Saves one page's answers. `complete` checks the page's required questions (Continue); without it the
   * answers are kept as they are (Save and come back later). Returns the response as it now stands.
   */
  async savePage(
    handle: ResponseHandle,
    pageIndex: number,
    input: Readonly<Record<string, unknown>>,
    complete: boolean,
  ): Promise<OpenResponse> {
    return this.deps.repository.transaction(async (trx) => {
      const current = await this.open(handle, trx);
      this.assertOpen(current.campaign);
      const page = current.questionnaire.pages[pageIndex];
      if (!page) throw new NotFoundError('page');
      const fresh = readPageAnswers(current.questionnaire, page.linkId, input, current.answers, {
        requireAll: complete,
      });
      const onPage = new Set(page.items.map((i) => i.linkId));
      const answers: SurveyAnswers = Object.fromEntries(
        Object.entries(current.answers).filter(([linkId]) => !onPage.has(linkId)),
      );
      Object.assign(answers, fresh);
      const reached = complete ? Math.max(current.nextPage, pageIndex + 1) : current.nextPage;
      await this.deps.repository.updateDraft(
        current.id,
        sealDraft(handle.secret, current.id, { answers, page: reached }),
        trx,
      );
      return {
        ...current,
        answers,
        nextPage: resumeAt(current.questionnaire, answers, reached),
      };
    });
  }

  /** Saves answers to any questions (the API's partial save): each page's answers checked, none required. */
  async saveAnswers(handle: ResponseHandle, input: Readonly<Record<string, unknown>>): Promise<OpenResponse> {
    return this.deps.repository.transaction(async (trx) => {
      const current = await this.open(handle, trx);
      this.assertOpen(current.campaign);
      const answers = withAnswers(current.questionnaire, current.answers, input);
      const next = firstIncompletePage(current.questionnaire, answers);
      await this.deps.repository.updateDraft(
        current.id,
        sealDraft(handle.secret, current.id, { answers, page: next }),
        trx,
      );
      return { ...current, answers, nextPage: next };
    });
  }

  /**
   * Submits a response (§3): every required question answered, scored, and written. An anonymous response
   * gets a new random id, its reporting group and the UK day, nothing else; the draft is deleted with it.
   */
  async submit(
    handle: ResponseHandle,
    last: Readonly<Record<string, unknown>> = {},
  ): Promise<{ submittedOn: IsoDate }> {
    return this.deps.repository.transaction(async (trx) => {
      const current = await this.open(handle, trx).catch((error: unknown) => {
        throw error instanceof NotFoundError ? responseSubmitted() : error;
      });
      this.assertOpen(current.campaign);
      // Answers sent with the submission are saved with it: a client holding them all submits in one call.
      const answers = readAllAnswers(current.questionnaire, withAnswers(current.questionnaire, current.answers, last));
      const scores = scoreSurveyResponse(answers);
      if (!(await this.deps.repository.deleteDraft(current.id, trx))) throw responseSubmitted();
      const today = this.deps.clock.today();
      await this.record(current.campaign, current.groupKey, current.personId, answers, scores, trx);
      return { submittedOn: today };
    });
  }

  /**
   * Records a submitted response: an anonymous one into the sealed pool (published with others once the pool holds
   * the threshold), a confidential one with its person, audited.
   */
  private async record(
    c: Campaign,
    groupKey: string | null,
    personId: string | null,
    answers: SurveyAnswers,
    scores: object,
    trx: Knex.Transaction,
  ): Promise<void> {
    const today = this.deps.clock.today();
    if (c.mode === 'anonymous') {
      const pooled: PooledResponse = { groupKey, submittedOn: today, answers, scores };
      await this.deps.repository.insertPool(
        { id: randomUUID(), campaignId: c.id, sealed: this.deps.secrets.seal(JSON.stringify(pooled)) },
        trx,
      );
      if ((await this.deps.repository.poolCount(c.id, trx)) >= c.threshold) {
        // Counted again once the campaign is held: a submission that published meanwhile took what it saw, and
        // this one publishes only if what is left, its own included, still makes a batch of the threshold.
        await this.deps.repository.lockCampaign(c.id, trx);
        if ((await this.deps.repository.poolCount(c.id, trx)) >= c.threshold) await this.publish(c, trx);
      }
    } else {
      if (!personId) throw new NotFoundError('response');
      const id = randomUUID();
      await this.deps.repository.insertIdentified(
        {
          id,
          campaignId: c.id,
          personId,
          groupKey,
          submittedAt: this.deps.clock.now(),
          answers,
          scores,
        },
        trx,
      );
      await this.deps.audit.record(
        SURVEY_SYSTEM,
        {
          action: 'create',
          entityType: 'survey-response',
          entityId: id,
          subjectPersonId: personId,
          purpose: 'confidential-survey',
          details: { campaign: c.id },
        },
        trx,
      );
    }
  }

  /**
   * A campaign's tallies and comments: stored as batches are published (anonymous), or counted from the answers
   * (confidential campaigns, whose answers are not pooled).
   */
  private async talliesOf(
    c: Campaign,
    want: { comments: boolean } = { comments: true },
  ): Promise<{
    tallies: Array<{ groupKey: string | null; tally: SurveyTally }>;
    comments: Array<{ groupKey: string | null; text: string }>;
  }> {
    if (c.mode === 'anonymous')
      return {
        tallies: (await this.deps.repository.tallies(c.id)).map((t) => ({
          groupKey: t.groupKey,
          tally: t.tally as SurveyTally,
        })),
        comments: want.comments ? await this.deps.repository.comments(c.id) : [],
      };
    const q = this.questionnaireOf(c);
    const rows = await this.deps.repository.identifiedRows(c.id);
    return {
      tallies: tallyByGroup(q, rows),
      comments: rows.flatMap((r) => commentsOf(q, r.answers).map((text) => ({ groupKey: r.groupKey, text }))),
    };
  }

  /**
   * Publishes a campaign's pool (NA-2): its sealed responses written to survey_responses together, in a random
   * order, each with a new random id, in one transaction. With `final` (the campaign has closed) every published
   * response is taken and written again with the last few, so one batch holds the whole campaign.
   */
  private async publish(c: Campaign, trx: Knex.Transaction, final = false): Promise<void> {
    if (final) await this.deps.repository.lockCampaign(c.id, trx);
    const pooled = (await this.deps.repository.takePool(c.id, trx)).map(
      (row) => JSON.parse(this.deps.secrets.open(row.sealed)) as PooledResponse,
    );
    if (!pooled.length) return;
    // At the close the whole campaign is written again as one batch: no earlier batch, however small, is left.
    const batch = final ? [...pooled, ...(await this.deps.repository.takePublished(c.id, trx))] : pooled;
    await this.storePublished(c, batch, trx, final ? 'replace' : 'add');
  }

  /**
   * Writes published responses in a random order with new random ids, and adds them to the campaign's tallies and
   * comments (or, with 'replace', makes those from these alone). The demo's past campaigns are written through
   * here too.
   */
  async storePublished(
    c: Campaign,
    batch: ReadonlyArray<PooledResponse>,
    trx: Knex.Transaction,
    tallies: 'add' | 'replace' = 'add',
  ): Promise<void> {
    const q = this.questionnaireOf(c);
    await this.deps.repository.insertResponses(
      shuffle([...batch]).map((r) => ({ id: randomUUID(), campaignId: c.id, ...r })),
      trx,
    );
    const fresh = tallyByGroup(
      q,
      batch.map((r) => ({ groupKey: r.groupKey, answers: r.answers, scores: r.scores as Record<string, unknown> })),
    ).map((t) => ({ ...t, responses: t.tally.responses }));
    const stored = tallies === 'add' ? await this.deps.repository.tallies(c.id, trx) : [];
    const merged = new Map<string | null, { responses: number; tally: SurveyTally }>(
      stored.map((t) => [t.groupKey, { responses: t.responses, tally: t.tally as SurveyTally }]),
    );
    for (const f of fresh) {
      const was = merged.get(f.groupKey);
      merged.set(
        f.groupKey,
        was ? { responses: was.responses + f.responses, tally: mergeTallies(was.tally, f.tally) } : f,
      );
    }
    await this.deps.repository.saveTallies(
      c.id,
      [...merged.entries()].map(([groupKey, t]) => ({ groupKey, ...t })),
      trx,
    );
    if (tallies === 'replace') await this.deps.repository.deleteComments(c.id, trx);
    await this.deps.repository.insertComments(
      shuffle(batch.flatMap((r) => commentsOf(q, r.answers).map((body) => ({ groupKey: r.groupKey, body })))).map(
        (comment) => ({ id: randomUUID(), campaignId: c.id, ...comment }),
      ),
      trx,
    );
  }

  /** Publishes what is left in the pools of campaigns that have closed (the daily run). */
  async settleClosed(today: IsoDate): Promise<void> {
    for (const id of await this.deps.repository.closedWithPool(today))
      await this.deps.repository.transaction(async (trx) => {
        const c = await this.deps.repository.campaign(id, { kind: 'all' }, trx);
        if (c) await this.publish(c, trx, true);
      });
  }

  /** The open campaigns a signed-in person still has an unused invitation to (their home page). */
  async invitationsFor(ctx: RequestContext): Promise<Campaign[]> {
    if (!ctx.actor.personId) return [];
    return this.deps.repository.openInvitations(ctx.actor.personId, this.deps.clock.today());
  }

  // ── Reminders ─────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Reminds everyone whose invitation is still unused, once, `reminderDaysBeforeClose` days before a campaign
   * closes (§4). The email says only that the survey is open and when it closes: nothing about who answered.
   */
  async remind(today: IsoDate): Promise<number> {
    let sent = 0;
    for (const c of await this.deps.repository.campaignsToRemind(today)) {
      const policy = await this.deps.policy.inForce(c.organisationId, 'surveys', today);
      if (today < addDays(c.closesOn, -policy.content.reminderDaysBeforeClose)) continue;
      const people = await this.deps.people.recordsForSystem(await this.deps.repository.unusedInvitees(c.id));
      await this.deps.repository.transaction(async (trx) => {
        for (const person of people.values()) {
          const to = emailRecipient(person)?.address;
          if (!to) continue;
          await this.deps.notifications.enqueueEmail(this.reminderEmail(c, person.givenName, to), trx, {
            dedupeKey: `survey-reminder:${c.id}:${person.id}`,
          });
          sent += 1;
        }
        await this.deps.repository.markReminded(c.id, today, trx);
      });
    }
    await this.settleClosed(today);
    await this.deps.repository.deleteExpiredDrafts(today);
    return sent;
  }

  private invitationEmail(c: Campaign, name: string, to: string, token: string) {
    const link = `${this.deps.publicUrl}/survey?t=${token}`;
    return this.bilingual(to, 'surveys.email.invitationSubject', (t, locale) => [
      t('surveys.email.greeting', { name }),
      t('surveys.email.invitation', { title: c.title, closes: longDate(c.closesOn, locale) }),
      t(c.mode === 'anonymous' ? 'surveys.email.anonymous' : 'surveys.email.confidential'),
      t('surveys.email.link', { link, opens: longDate(c.opensOn, locale) }),
      t('surveys.email.signOff'),
    ]);
  }

  private reminderEmail(c: Campaign, name: string, to: string) {
    return this.bilingual(to, 'surveys.email.reminderSubject', (t, locale) => [
      t('surveys.email.greeting', { name }),
      t('surveys.email.reminder', { title: c.title, closes: longDate(c.closesOn, locale) }),
      t('surveys.email.reminderHow', { url: this.deps.publicUrl }),
      t('surveys.email.reminderAlready'),
      t('surveys.email.signOff'),
    ]);
  }

  /** An email in English then Welsh: the platform keeps no language preference for a person. */
  private bilingual(to: string, subjectKey: string, words: (t: Translate, locale: 'en' | 'cy') => string[]) {
    const en = this.translator.forLocale('en');
    const cy = this.translator.forLocale('cy');
    return {
      to,
      subject: `${en(subjectKey)} / ${cy(subjectKey)}`,
      text: `${words(en, 'en').join('\n\n')}\n\n----\n\n${words(cy, 'cy').join('\n\n')}\n`,
    };
  }

  // ── Team action planning (NA-7) ───────────────────────────────────────────────────────────────────────────

  /** Records an action from a campaign's results; it goes on its owner's worklist in the same transaction. */
  async recordAction(
    ctx: RequestContext,
    campaignId: string,
    input: {
      groupKey?: string | null | undefined;
      topic: string;
      description: string;
      ownerPersonId: string;
      dueOn: IsoDate;
    },
  ): Promise<SurveyAction> {
    const c = await this.reachable(ctx, campaignId);
    const owner = (await this.deps.people.recordsForSystem([input.ownerPersonId])).get(input.ownerPersonId);
    if (!owner || owner.organisationId !== c.organisationId)
      throw new ValidationError({ ownerPersonId: 'validation.surveys.noSuchOwner' });
    if (!mayOwnSurveyAction(await this.deps.repository.rolesOfPerson(owner.id)))
      throw new ValidationError({ ownerPersonId: 'validation.surveys.ownerWithoutWorklist' });
    if (input.groupKey && !c.groups.some((g) => g.key === input.groupKey))
      throw new ValidationError({ groupKey: 'validation.surveys.noSuchGroup' });
    if (input.dueOn < this.deps.clock.today()) throw new ValidationError({ dueOn: 'validation.surveys.dueInPast' });
    const now = this.deps.clock.now();
    const action: SurveyAction = {
      id: randomUUID(),
      campaignId: c.id,
      groupKey: input.groupKey ?? null,
      topic: input.topic,
      description: input.description.trim(),
      ownerPersonId: owner.id,
      dueOn: input.dueOn,
      status: 'open',
      createdByUserId: ctx.actor.userId,
      completedAt: null,
      createdAt: now,
    };
    await this.deps.repository.transaction(async (trx) => {
      await this.deps.repository.insertAction(action, trx);
      const spec = {
        organisationId: c.organisationId,
        subjectPersonId: owner.id,
        sourceType: ACTION_TASK_SOURCE,
        sourceId: action.id,
        code: ACTION_TASK_CODE,
        sequence: 1,
        rule: 'NA-7',
        dueDate: action.dueOn,
        assignee: { personId: owner.id },
      };
      await this.deps.worklist.sync(ACTION_TASK_SOURCE, action.id, { keep: [spec], create: [spec] }, trx);
      await this.deps.audit.record(
        ctx,
        { action: 'create', entityType: 'survey-action', entityId: action.id, details: { campaign: c.id } },
        trx,
      );
    });
    return action;
  }

  /** A campaign's actions, and those of the campaign before it, each done when its worklist task is. */
  async actions(
    ctx: RequestContext,
    campaignId: string,
  ): Promise<{ current: SurveyAction[]; previous: SurveyAction[] }> {
    const c = await this.reachable(ctx, campaignId);
    const ids = [c.id, ...(c.previousCampaignId ? [c.previousCampaignId] : [])];
    const all = await this.deps.repository.actions(ids);
    const tasks = await this.deps.worklist.tasksOfSources(
      ACTION_TASK_SOURCE,
      all.map((a) => a.id),
    );
    const done = new Set(tasks.filter((t) => t.status === 'completed').map((t) => t.sourceId));
    const withStatus = all.map((a) => (done.has(a.id) ? { ...a, status: 'done' as const } : a));
    return {
      current: withStatus.filter((a) => a.campaignId === c.id),
      previous: withStatus.filter((a) => a.campaignId !== c.id),
    };
  }

  /** The campaign an action came from, when the actor reaches it (its owner does); otherwise not found. */
  async campaignOfAction(ctx: RequestContext, actionId: string): Promise<string> {
    const campaignId = await this.deps.repository.campaignIdOfAction(actionId);
    if (!campaignId) throw new NotFoundError('action');
    return (await this.reachable(ctx, campaignId)).id;
  }

  /** Marks an action done from the campaign's page (its worklist task is completed with it). */
  async completeAction(ctx: RequestContext, campaignId: string, actionId: string): Promise<void> {
    const c = await this.reachable(ctx, campaignId);
    await this.deps.repository.transaction(async (trx) => {
      const action = await this.deps.repository.action(actionId, trx);
      if (!action || action.campaignId !== c.id) throw new NotFoundError('action');
      await this.deps.repository.completeAction(action.id, this.deps.clock.now(), trx);
      await this.deps.worklist.completeBySource(ctx, ACTION_TASK_SOURCE, action.id, ACTION_TASK_CODE, 'done', trx);
    });
  }

  // ── Facilitators (seed 002) ───────────────────────────────────────────────────────────────────────────────

  async facilitators(): Promise<Array<{ userId: string; unitId: string; appointedAt: Date }>> {
    return this.deps.repository.facilitators();
  }

  /** The units an actor facilitates (for the launch form). */
  async facilitatedUnits(ctx: RequestContext): Promise<string[]> {
    return this.deps.repository.facilitatorUnits(ctx.actor.userId);
  }

  async appointFacilitator(ctx: RequestContext, userId: string, unitId: string): Promise<void> {
    await this.deps.people.getUnit(ctx, unitId);
    await this.deps.repository.transaction(async (trx) => {
      await this.deps.repository.appointFacilitator(
        { userId, unitId, appointedBy: ctx.actor.userId, at: this.deps.clock.now() },
        trx,
      );
      await this.deps.audit.record(
        ctx,
        { action: 'create', entityType: 'survey-facilitator', entityId: userId, details: { unit: unitId } },
        trx,
      );
    });
  }

  async removeFacilitator(ctx: RequestContext, userId: string, unitId: string): Promise<void> {
    await this.deps.repository.transaction(async (trx) => {
      if (!(await this.deps.repository.removeFacilitator(userId, unitId, trx))) throw new NotFoundError('facilitator');
      await this.deps.audit.record(
        ctx,
        { action: 'delete', entityType: 'survey-facilitator', entityId: userId, details: { unit: unitId } },
        trx,
      );
    });
  }

  // ── Confidential answers (NA-8): OH clinicians ────────────────────────────────────────────────────────────

  /** Who answered a confidential campaign, with their answers: OH clinicians only, every read audited. */
  async identifiedResponses(ctx: RequestContext, campaignId: string): Promise<IdentifiedResponse[]> {
    const c = await this.reachable(ctx, campaignId);
    if (c.mode !== 'confidential' || !mayReadIdentifiedAnswers(ctx.actor)) throw new NotFoundError('survey');
    const list = await this.deps.repository.identifiedResponses(c.id);
    if (list.length)
      await this.deps.audit.record(
        ctx,
        list.map((r) => ({
          action: 'read' as const,
          entityType: 'survey-response',
          entityId: r.id,
          subjectPersonId: r.personId,
          purpose: 'confidential-survey',
        })),
      );
    return list;
  }

  /** One confidential response, for its review. */
  async identifiedResponse(
    ctx: RequestContext,
    id: string,
  ): Promise<{ response: IdentifiedResponse; campaign: Campaign }> {
    const response = mayReadIdentifiedAnswers(ctx.actor) ? await this.deps.repository.identifiedResponse(id) : null;
    if (!response) throw await this.deps.audit.outOfReach(ctx, { entityType: 'survey-response', entityId: id });
    const campaign = await this.reachable(ctx, response.campaignId);
    await this.deps.audit.record(ctx, {
      action: 'read',
      entityType: 'survey-response',
      entityId: id,
      subjectPersonId: response.personId,
      purpose: 'confidential-survey',
    });
    return { response, campaign };
  }

  /** NA-8: the clinician's review, one of three outcomes. */
  async review(
    ctx: RequestContext,
    id: string,
    input: { outcome: ReviewOutcome; note?: string | null | undefined },
  ): Promise<IdentifiedResponse> {
    const { response } = await this.identifiedResponse(ctx, id);
    await this.deps.repository.transaction(async (trx) => {
      await this.deps.repository.recordReview(
        id,
        {
          outcome: input.outcome,
          note: input.note?.trim() || null,
          userId: ctx.actor.userId,
          at: this.deps.clock.now(),
        },
        trx,
      );
      await this.deps.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'survey-response',
          entityId: id,
          subjectPersonId: response.personId,
          purpose: 'confidential-survey',
          details: { outcome: input.outcome },
        },
        trx,
      );
    });
    return (await this.deps.repository.identifiedResponse(id))!;
  }

  /** A confidential campaign's answers as a FHIR R4 Bundle of QuestionnaireResponses (§8). */
  async fhirBundle(ctx: RequestContext, campaignId: string): Promise<Record<string, unknown>> {
    const list = await this.identifiedResponses(ctx, campaignId);
    const c = await this.reachable(ctx, campaignId);
    const q = this.questionnaireOf(c);
    return {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: this.deps.clock.now().toISOString(),
      entry: list.map((r) => ({
        fullUrl: `urn:uuid:${r.id}`,
        resource: toQuestionnaireResponse(q, r.answers as SurveyAnswers, {
          id: r.id,
          authored: r.submittedAt.toISOString(),
          subject: `urn:uuid:${r.personId}`,
        }),
      })),
    };
  }
}

/**
 * Where a respondent resumes: the first page up to the furthest they reached whose required questions are not all
 * answered, else the page after the furthest reached (pages.length: every page done, on to checking and sending).
 */
export function resumeAt(q: SurveyQuestionnaire, answers: SurveyAnswers, reached: number): number {
  const upTo = Math.min(reached, q.pages.length);
  for (let i = 0; i < upTo; i++) {
    const page = q.pages[i]!;
    const own = Object.fromEntries(
      page.items.flatMap((item) => (item.linkId in answers ? [[item.linkId, answers[item.linkId]]] : [])),
    );
    try {
      readPageAnswers(q, page.linkId, own, answers, { requireAll: true });
    } catch {
      return i;
    }
  }
  return upTo;
}

/**
 * Answers so far with `input` saved over them, page by page; every problem named at once: questions not on the
 * form, and answers a question does not take. Nothing is required here (see readAllAnswers at submission).
 */
function withAnswers(
  q: SurveyQuestionnaire,
  soFar: SurveyAnswers,
  input: Readonly<Record<string, unknown>>,
): SurveyAnswers {
  const pageOf = new Map(q.pages.flatMap((p) => p.items.map((i) => [i.linkId, p.linkId] as const)));
  const problems: FieldMessages = Object.fromEntries(
    Object.keys(input)
      .filter((k) => !pageOf.has(k))
      .map((k) => [k, 'validation.notAQuestion']),
  );
  const answers: SurveyAnswers = { ...soFar };
  for (const page of q.pages) {
    const given = Object.fromEntries(Object.entries(input).filter(([k]) => pageOf.get(k) === page.linkId));
    if (!Object.keys(given).length) continue;
    try {
      const fresh = readPageAnswers(q, page.linkId, given, answers, { requireAll: false });
      for (const k of Object.keys(given)) delete answers[k];
      Object.assign(answers, fresh);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      Object.assign(problems, error.messages);
    }
  }
  if (Object.keys(problems).length)
    throw new ValidationError(problems, 'Some answers need correcting.', 'answers-invalid');
  return answers;
}

function isDraftContent(v: unknown): v is { answers: Record<string, unknown>; page: number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { page?: unknown }).page === 'number' &&
    typeof (v as { answers?: unknown }).answers === 'object'
  );
}

function invitationUsed(): AppError {
  return new ConflictError(
    'invitation-used',
    'This invitation has already been used, or it is not one we sent. Each invitation lets one set of answers in.',
  );
}

function responseSubmitted(): AppError {
  return new ConflictError('response-submitted', 'These answers have already been sent, or the link is not complete.');
}

/** Fisher–Yates with a cryptographic random source: invitations are written in no meaningful order. */
function shuffle<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
