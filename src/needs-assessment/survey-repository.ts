import type { Knex } from 'knex';
import { z } from 'zod';
import {
  isPostgres,
  readIsoDate,
  readJson,
  readOptionalIsoDate,
  readOptionalTimestamp,
  readTimestamp,
} from '../db/knex.js';
import type { IsoDate } from '../shared/dates.js';
import type {
  ActionStatus,
  Breakdown,
  Campaign,
  IdentifiedResponse,
  Invitee,
  PopulationKind,
  ResponseRow,
  ReviewOutcome,
  SurveyAction,
  SurveyMode,
} from './survey-types.js';

type Db = Knex | Knex.Transaction;
const groupsSchema = z.array(z.object({ key: z.string(), invited: z.number().int() }));
const answersSchema = z.record(z.string(), z.unknown());
// A tally is the results module's own running totals: an object, read whole (results.ts knows its shape).
const tallySchema = z.object({}).loose();

function toCampaign(row: Record<string, unknown>): Campaign {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    questionnaireId: row.questionnaire_id as string,
    questionnaireVersion: row.questionnaire_version as string,
    title: row.title as string,
    mode: row.mode as SurveyMode,
    populationKind: row.population_kind as PopulationKind,
    populationRef: row.population_ref as string,
    breakdown: row.breakdown as Breakdown,
    groups: readJson(row.groups, groupsSchema, 'survey_campaigns.groups'),
    invitedCount: Number(row.invited_count),
    threshold: Number(row.threshold),
    opensOn: readIsoDate(row.opens_on, 'survey_campaigns.opens_on'),
    closesOn: readIsoDate(row.closes_on, 'survey_campaigns.closes_on'),
    ownerUserId: row.owner_user_id as string,
    previousCampaignId: (row.previous_campaign_id as string | null) ?? null,
    lastRemindedOn: readOptionalIsoDate(row.last_reminded_on, 'survey_campaigns.last_reminded_on'),
    createdAt: readTimestamp(row.created_at),
  };
}

function toAction(row: Record<string, unknown>): SurveyAction {
  return {
    id: row.id as string,
    campaignId: row.campaign_id as string,
    groupKey: (row.group_key as string | null) ?? null,
    topic: row.topic as string,
    description: row.description as string,
    ownerPersonId: row.owner_person_id as string,
    dueOn: readIsoDate(row.due_on, 'survey_actions.due_on'),
    status: row.status as ActionStatus,
    createdByUserId: row.created_by_user_id as string,
    completedAt: readOptionalTimestamp(row.completed_at),
    createdAt: readTimestamp(row.created_at),
  };
}

function toIdentified(row: Record<string, unknown>): IdentifiedResponse {
  return {
    id: row.id as string,
    campaignId: row.campaign_id as string,
    personId: row.person_id as string,
    submittedAt: readTimestamp(row.submitted_at),
    answers: readJson(row.answers, answersSchema, 'survey_identified_responses.answers'),
    scores: readJson(row.scores, answersSchema, 'survey_identified_responses.scores'),
    reviewOutcome: (row.review_outcome as ReviewOutcome | null) ?? null,
    reviewNote: (row.review_note as string | null) ?? null,
    reviewedByUserId: (row.reviewed_by_user_id as string | null) ?? null,
    reviewedAt: readOptionalTimestamp(row.reviewed_at),
  };
}

/** Which campaigns a reader may list: every one (OH), one organisation's, or those they own or facilitate. */
export type CampaignReach =
  | { kind: 'all' }
  | { kind: 'organisation'; organisationId: string }
  | { kind: 'facilitator'; userId: string; unitIds: readonly string[]; personId: string | null };

/** Needs-assessment storage (issue 17). Anonymous answers are written without anything that names their giver. */
export class SurveyRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insertCampaign(c: Campaign, trx: Knex.Transaction): Promise<void> {
    await trx('survey_campaigns').insert({
      id: c.id,
      organisation_id: c.organisationId,
      questionnaire_id: c.questionnaireId,
      questionnaire_version: c.questionnaireVersion,
      title: c.title,
      mode: c.mode,
      population_kind: c.populationKind,
      population_ref: c.populationRef,
      breakdown: c.breakdown,
      groups: JSON.stringify(c.groups),
      invited_count: c.invitedCount,
      threshold: c.threshold,
      opens_on: c.opensOn,
      closes_on: c.closesOn,
      owner_user_id: c.ownerUserId,
      previous_campaign_id: c.previousCampaignId,
      last_reminded_on: c.lastRemindedOn,
      created_at: c.createdAt.toISOString(),
      updated_at: c.createdAt.toISOString(),
    });
  }

  /** A campaign by id within reach; null when there is none the reader may see. */
  async campaign(id: string, reach: CampaignReach, db: Db = this.db): Promise<Campaign | null> {
    const row = (await this.reach(db('survey_campaigns').where('id', id), reach).first()) as
      Record<string, unknown> | undefined;
    return row ? toCampaign(row) : null;
  }

  async campaigns(reach: CampaignReach): Promise<Campaign[]> {
    const rows = (await this.reach(this.db('survey_campaigns'), reach).orderBy([
      { column: 'opens_on', order: 'desc' },
      { column: 'created_at', order: 'desc' },
    ])) as Array<Record<string, unknown>>;
    return rows.map(toCampaign);
  }

  private reach(q: Knex.QueryBuilder, reach: CampaignReach): Knex.QueryBuilder {
    switch (reach.kind) {
      case 'all':
        return q;
      case 'organisation':
        return q.where('organisation_id', reach.organisationId);
      case 'facilitator':
        // Their own campaigns, and those to a unit they facilitate (NA-7, seed 002's team facilitators).
        return q.where((w) => {
          w.where('owner_user_id', reach.userId);
          if (reach.unitIds.length)
            w.orWhere((u) => u.where('population_kind', 'unit').whereIn('population_ref', [...reach.unitIds]));
          // Whoever owns an action from a campaign's results reads those results (NA-7).
          if (reach.personId)
            w.orWhereIn('id', this.db('survey_actions').select('campaign_id').where('owner_person_id', reach.personId));
        });
    }
  }

  /** The latest campaign before `before` of the same questionnaire to the same population (for the change since). */
  async previousCampaign(
    c: Pick<Campaign, 'organisationId' | 'questionnaireId' | 'populationKind' | 'populationRef' | 'opensOn'>,
    db: Db = this.db,
  ): Promise<string | null> {
    const row = (await db('survey_campaigns')
      .where({
        organisation_id: c.organisationId,
        questionnaire_id: c.questionnaireId,
        population_kind: c.populationKind,
        population_ref: c.populationRef,
      })
      .where('closes_on', '<', c.opensOn)
      .orderBy('closes_on', 'desc')
      .first('id')) as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** Everyone a population holds on `asOf` (still serving), with what an invitation needs. */
  async population(
    organisationId: string,
    kind: PopulationKind,
    ref: string,
    asOf: IsoDate,
    db: Db = this.db,
  ): Promise<Invitee[]> {
    let q = db('people')
      .where('people.organisation_id', organisationId)
      .where((w) => w.whereNull('leaving_date').orWhere('leaving_date', '>=', asOf));
    if (kind === 'role') q = q.where('workforce_role', ref);
    if (kind === 'unit') {
      const units = db
        .withRecursive('sub', ['id'], (cte) =>
          cte
            .select('id')
            .from('units')
            .where('id', ref)
            .union((u) => u.select('u.id').from('units as u').join('sub', 'u.parent_unit_id', 'sub.id')),
        )
        .select('sub.id')
        .from('sub');
      q = q.whereIn('unit_id', units);
    }
    if (kind === 'team') {
      const team = db
        .withRecursive('team', ['id'], (cte) =>
          cte
            .select('id')
            .from('people')
            .where('line_manager_id', ref)
            .union((u) => u.select('p.id').from('people as p').join('team', 'p.line_manager_id', 'team.id')),
        )
        .select('team.id')
        .from('team');
      q = q.whereIn('people.id', team);
    }
    const rows = (await q
      .select('id', 'given_name', 'unit_id', 'workforce_role', 'work_email', 'personal_email', 'protected_identity')
      .orderBy('id')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      personId: r.id as string,
      givenName: r.given_name as string,
      unitId: (r.unit_id as string | null) ?? null,
      workforceRole: r.workforce_role as string,
      workEmail: (r.work_email as string | null) ?? null,
      personalEmail: (r.personal_email as string | null) ?? null,
      protectedIdentity: r.protected_identity === true || r.protected_identity === 1,
    }));
  }

  /** Writes a campaign's invitations; the caller shuffles them, so even their order says nothing. */
  async insertInvitations(
    rows: ReadonlyArray<{ id: string; campaignId: string; personId: string; digest: string; groupKey: string | null }>,
    trx: Knex.Transaction,
  ): Promise<void> {
    const mapped = rows.map((r) => ({
      id: r.id,
      campaign_id: r.campaignId,
      person_id: r.personId,
      token_digest: r.digest,
      group_key: r.groupKey,
    }));
    for (let i = 0; i < mapped.length; i += 500) await trx('survey_invitations').insert(mapped.slice(i, i + 500));
  }

  async invitationByDigest(
    digest: string,
    trx: Knex.Transaction,
  ): Promise<{ id: string; campaignId: string; personId: string; groupKey: string | null } | null> {
    const row = (await trx('survey_invitations').where('token_digest', digest).first()) as
      Record<string, unknown> | undefined;
    return row ? this.toInvitation(row) : null;
  }

  async invitationOf(
    campaignId: string,
    personId: string,
    db: Db = this.db,
  ): Promise<{ id: string; campaignId: string; personId: string; groupKey: string | null } | null> {
    const row = (await db('survey_invitations').where({ campaign_id: campaignId, person_id: personId }).first()) as
      Record<string, unknown> | undefined;
    return row ? this.toInvitation(row) : null;
  }

  private toInvitation(row: Record<string, unknown>) {
    return {
      id: row.id as string,
      campaignId: row.campaign_id as string,
      personId: row.person_id as string,
      groupKey: (row.group_key as string | null) ?? null,
    };
  }

  /** Uses an invitation: deletes it, so nothing records when or in what order it was used. True if it was there. */
  async useInvitation(id: string, trx: Knex.Transaction): Promise<boolean> {
    return (await trx('survey_invitations').where('id', id).delete()) === 1;
  }

  /** The campaigns open on `today` in which the person still has an unused invitation. */
  async openInvitations(personId: string, today: IsoDate): Promise<Campaign[]> {
    const rows = (await this.db('survey_campaigns as c')
      .join('survey_invitations as i', 'i.campaign_id', 'c.id')
      .where('i.person_id', personId)
      .where('c.opens_on', '<=', today)
      .where('c.closes_on', '>=', today)
      .orderBy('c.closes_on')
      .select('c.*')) as Array<Record<string, unknown>>;
    return rows.map(toCampaign);
  }

  /** Those whose invitation is still unused (for reminders: it says nothing about who answered). */
  async unusedInvitees(campaignId: string): Promise<string[]> {
    const rows = (await this.db('survey_invitations')
      .where('campaign_id', campaignId)
      .orderBy('person_id')
      .select('person_id')) as Array<{ person_id: string }>;
    return rows.map((r) => r.person_id);
  }

  async insertDraft(
    d: {
      id: string;
      campaignId: string;
      resumeDigest: string;
      sealed: string;
      groupKey: string | null;
      personId: string | null;
      expiresOn: IsoDate;
    },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('survey_drafts').insert({
      id: d.id,
      campaign_id: d.campaignId,
      resume_digest: d.resumeDigest,
      sealed: d.sealed,
      group_key: d.groupKey,
      person_id: d.personId,
      expires_on: d.expiresOn,
    });
  }

  async draftByDigest(
    resumeDigest: string,
    db: Db = this.db,
  ): Promise<{
    id: string;
    campaignId: string;
    sealed: string;
    groupKey: string | null;
    personId: string | null;
  } | null> {
    const row = (await db('survey_drafts').where('resume_digest', resumeDigest).first()) as
      Record<string, unknown> | undefined;
    return row
      ? {
          id: row.id as string,
          campaignId: row.campaign_id as string,
          sealed: row.sealed as string,
          groupKey: (row.group_key as string | null) ?? null,
          personId: (row.person_id as string | null) ?? null,
        }
      : null;
  }

  async updateDraft(id: string, sealed: string, trx: Knex.Transaction): Promise<void> {
    await trx('survey_drafts').where('id', id).update({ sealed });
  }

  async deleteDraft(id: string, trx: Knex.Transaction): Promise<boolean> {
    return (await trx('survey_drafts').where('id', id).delete()) === 1;
  }

  /** Drafts of campaigns closed before `today` are of no more use: deleted unread. */
  async deleteExpiredDrafts(today: IsoDate): Promise<number> {
    return this.db('survey_drafts').where('expires_on', '<', today).delete();
  }

  /** A submitted anonymous response waiting, sealed, to be published with others (NA-2). */
  async insertPool(row: { id: string; campaignId: string; sealed: string }, trx: Knex.Transaction): Promise<void> {
    await trx('survey_pool').insert({ id: row.id, campaign_id: row.campaignId, sealed: row.sealed });
  }

  async poolCount(campaignId: string, db: Db = this.db): Promise<number> {
    const row = (await db('survey_pool').where('campaign_id', campaignId).count({ n: '*' }).first()) as
      { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  /**
   * Holds a campaign's row until the transaction ends, so two submissions never publish at once (PostgreSQL; on
   * SQLite every write transaction already holds the database's one write lock). A no-op update, as elsewhere.
   */
  async lockCampaign(id: string, trx: Knex.Transaction): Promise<void> {
    await trx('survey_campaigns')
      .where({ id })
      .update({ updated_at: trx.raw('updated_at') });
  }

  /**
   * Takes a campaign's whole pool: its rows, deleted in the same statement. One DELETE … RETURNING, so two
   * submissions publishing at once on PostgreSQL each take only the rows their own delete removed (a SELECT then
   * a DELETE let both read the same rows under READ COMMITTED, and both published them: duplicate responses).
   */
  async takePool(campaignId: string, trx: Knex.Transaction): Promise<Array<{ id: string; sealed: string }>> {
    if (isPostgres(this.db))
      return (await trx('survey_pool').where('campaign_id', campaignId).delete().returning(['id', 'sealed'])) as Array<{
        id: string;
        sealed: string;
      }>;
    // SQLite: the transaction holds the database's only write lock, so what is read here is what is deleted.
    const rows = (await trx('survey_pool').where('campaign_id', campaignId).select('id', 'sealed')) as Array<{
      id: string;
      sealed: string;
    }>;
    await trx('survey_pool').where('campaign_id', campaignId).delete();
    return rows;
  }

  /** Campaigns closed before `today` with responses still waiting in the pool. */
  async closedWithPool(today: IsoDate): Promise<string[]> {
    const rows = (await this.db('survey_pool as p')
      .join('survey_campaigns as c', 'c.id', 'p.campaign_id')
      .where('c.closes_on', '<', today)
      .distinct('p.campaign_id')) as Array<{ campaign_id: string }>;
    return rows.map((r) => r.campaign_id);
  }

  /** Takes every published response of a campaign (deleted here, to be written again as one batch at its close). */
  async takePublished(
    campaignId: string,
    trx: Knex.Transaction,
  ): Promise<
    Array<{ groupKey: string | null; submittedOn: IsoDate; answers: Record<string, unknown>; scores: object }>
  > {
    const rows = (await trx('survey_responses').where('campaign_id', campaignId)) as Array<Record<string, unknown>>;
    await trx('survey_responses').where('campaign_id', campaignId).delete();
    return rows.map((r) => ({
      groupKey: (r.group_key as string | null) ?? null,
      submittedOn: readIsoDate(r.submitted_on, 'survey_responses.submitted_on'),
      answers: readJson(r.answers, answersSchema, 'survey_responses.answers'),
      scores: readJson(r.scores, answersSchema, 'survey_responses.scores'),
    }));
  }

  /** Anonymous responses, in the order given: a random id, the group, the UK day, the answers and scores. Nothing else. */
  async insertResponses(
    rows: ReadonlyArray<{
      id: string;
      campaignId: string;
      groupKey: string | null;
      submittedOn: IsoDate;
      answers: object;
      scores: object;
    }>,
    trx: Knex.Transaction,
  ): Promise<void> {
    const mapped = rows.map((r) => ({
      id: r.id,
      campaign_id: r.campaignId,
      group_key: r.groupKey,
      submitted_on: r.submittedOn,
      answers: JSON.stringify(r.answers),
      scores: JSON.stringify(r.scores),
    }));
    for (let i = 0; i < mapped.length; i += 200) await trx('survey_responses').insert(mapped.slice(i, i + 200));
  }

  async insertIdentified(
    r: {
      id: string;
      campaignId: string;
      personId: string;
      groupKey: string | null;
      submittedAt: Date;
      answers: object;
      scores: object;
    },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('survey_identified_responses').insert({
      id: r.id,
      campaign_id: r.campaignId,
      person_id: r.personId,
      group_key: r.groupKey,
      submitted_at: r.submittedAt.toISOString(),
      answers: JSON.stringify(r.answers),
      scores: JSON.stringify(r.scores),
    });
  }

  /** A campaign's running tallies, one per reporting group ('' stored for none). */
  async tallies(
    campaignId: string,
    db: Db = this.db,
  ): Promise<Array<{ groupKey: string | null; responses: number; tally: unknown }>> {
    const rows = (await db('survey_tallies')
      .where('campaign_id', campaignId)
      .select('group_key', 'responses', 'tally')) as Array<{ group_key: string; responses: number; tally: string }>;
    return rows.map((r) => ({
      groupKey: r.group_key === '' ? null : r.group_key,
      responses: Number(r.responses),
      tally: readJson(r.tally, tallySchema, 'survey_tallies.tally'),
    }));
  }

  /** Replaces a campaign's tallies with these. */
  async saveTallies(
    campaignId: string,
    tallies: ReadonlyArray<{ groupKey: string | null; responses: number; tally: object }>,
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('survey_tallies').where('campaign_id', campaignId).delete();
    if (tallies.length)
      await trx('survey_tallies').insert(
        tallies.map((t) => ({
          campaign_id: campaignId,
          group_key: t.groupKey ?? '',
          responses: t.responses,
          tally: JSON.stringify(t.tally),
        })),
      );
  }

  /** Comments published with a batch, in the order given (the caller shuffles them). */
  async insertComments(
    rows: ReadonlyArray<{ id: string; campaignId: string; groupKey: string | null; body: string }>,
    trx: Knex.Transaction,
  ): Promise<void> {
    const mapped = rows.map((r) => ({ id: r.id, campaign_id: r.campaignId, group_key: r.groupKey, body: r.body }));
    for (let i = 0; i < mapped.length; i += 200) await trx('survey_comments').insert(mapped.slice(i, i + 200));
  }

  async deleteComments(campaignId: string, trx: Knex.Transaction): Promise<void> {
    await trx('survey_comments').where('campaign_id', campaignId).delete();
  }

  async comments(campaignId: string): Promise<Array<{ groupKey: string | null; text: string }>> {
    const rows = (await this.db('survey_comments')
      .where('campaign_id', campaignId)
      .select('group_key', 'body')) as Array<{ group_key: string | null; body: string }>;
    return rows.map((r) => ({ groupKey: r.group_key ?? null, text: r.body }));
  }

  /** A confidential campaign's submitted answers, as its results read them: group, answers, scores. */
  async identifiedRows(campaignId: string): Promise<ResponseRow[]> {
    const rows = (await this.db('survey_identified_responses')
      .where('campaign_id', campaignId)
      .select('group_key', 'answers', 'scores')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      groupKey: (r.group_key as string | null) ?? null,
      answers: readJson(r.answers, answersSchema, 'survey_identified_responses.answers'),
      scores: readJson(r.scores, answersSchema, 'survey_identified_responses.scores'),
    }));
  }

  /** How many have answered each campaign. */
  async responseCounts(campaigns: ReadonlyArray<Pick<Campaign, 'id' | 'mode'>>): Promise<Map<string, number>> {
    const counts = new Map<string, number>(campaigns.map((c) => [c.id, 0]));
    for (const table of ['survey_responses', 'survey_identified_responses'] as const) {
      const ids = campaigns.filter((c) => (c.mode === 'anonymous') === (table === 'survey_responses')).map((c) => c.id);
      if (!ids.length) continue;
      const rows = (await this.db(table)
        .whereIn('campaign_id', ids)
        .groupBy('campaign_id')
        .select('campaign_id')
        .count({ n: '*' })) as Array<{ campaign_id: string; n: number | string }>;
      for (const r of rows) counts.set(r.campaign_id, (counts.get(r.campaign_id) ?? 0) + Number(r.n));
    }
    // Submitted but not yet published (the pool) counts towards the response rate, which names no answer.
    const pooled = (await this.db('survey_pool')
      .whereIn(
        'campaign_id',
        campaigns.map((c) => c.id),
      )
      .groupBy('campaign_id')
      .select('campaign_id')
      .count({ n: '*' })) as Array<{ campaign_id: string; n: number | string }>;
    for (const r of pooled) counts.set(r.campaign_id, (counts.get(r.campaign_id) ?? 0) + Number(r.n));
    return counts;
  }

  async identifiedResponses(campaignId: string, personId?: string): Promise<IdentifiedResponse[]> {
    let q = this.db('survey_identified_responses').where('campaign_id', campaignId);
    if (personId) q = q.where('person_id', personId);
    const rows = (await q.orderBy('submitted_at')) as Array<Record<string, unknown>>;
    return rows.map(toIdentified);
  }

  async identifiedResponse(id: string, db: Db = this.db): Promise<IdentifiedResponse | null> {
    const row = (await db('survey_identified_responses').where('id', id).first()) as
      Record<string, unknown> | undefined;
    return row ? toIdentified(row) : null;
  }

  async recordReview(
    id: string,
    review: { outcome: ReviewOutcome; note: string | null; userId: string; at: Date },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('survey_identified_responses').where('id', id).update({
      review_outcome: review.outcome,
      review_note: review.note,
      reviewed_by_user_id: review.userId,
      reviewed_at: review.at.toISOString(),
    });
  }

  async facilitatorUnits(userId: string, db: Db = this.db): Promise<string[]> {
    const rows = (await db('survey_facilitators').where('user_id', userId).select('unit_id')) as Array<{
      unit_id: string;
    }>;
    return rows.map((r) => r.unit_id);
  }

  async facilitators(): Promise<Array<{ userId: string; unitId: string; appointedAt: Date }>> {
    const rows = (await this.db('survey_facilitators').orderBy(['unit_id', 'user_id'])) as Array<
      Record<string, unknown>
    >;
    return rows.map((r) => ({
      userId: r.user_id as string,
      unitId: r.unit_id as string,
      appointedAt: readTimestamp(r.created_at),
    }));
  }

  async appointFacilitator(
    f: { userId: string; unitId: string; appointedBy: string; at: Date },
    trx: Knex.Transaction,
  ): Promise<void> {
    await trx('survey_facilitators')
      .insert({
        user_id: f.userId,
        unit_id: f.unitId,
        appointed_by_user_id: f.appointedBy,
        created_at: f.at.toISOString(),
      })
      .onConflict(['user_id', 'unit_id'])
      .ignore();
  }

  async removeFacilitator(userId: string, unitId: string, trx: Knex.Transaction): Promise<boolean> {
    return (await trx('survey_facilitators').where({ user_id: userId, unit_id: unitId }).delete()) === 1;
  }

  async insertAction(a: SurveyAction, trx: Knex.Transaction): Promise<void> {
    await trx('survey_actions').insert({
      id: a.id,
      campaign_id: a.campaignId,
      group_key: a.groupKey,
      topic: a.topic,
      description: a.description,
      owner_person_id: a.ownerPersonId,
      due_on: a.dueOn,
      status: a.status,
      created_by_user_id: a.createdByUserId,
      completed_at: a.completedAt?.toISOString() ?? null,
      created_at: a.createdAt.toISOString(),
      updated_at: a.createdAt.toISOString(),
    });
  }

  async actions(campaignIds: readonly string[]): Promise<SurveyAction[]> {
    if (!campaignIds.length) return [];
    const rows = (await this.db('survey_actions')
      .whereIn('campaign_id', [...campaignIds])
      .orderBy([{ column: 'due_on' }, { column: 'created_at' }])) as Array<Record<string, unknown>>;
    return rows.map(toAction);
  }

  /** The roles of the account a person signs in with, if any (an action's owner needs a worklist). */
  async rolesOfPerson(personId: string): Promise<string[]> {
    const rows = (await this.db('users as u')
      .join('user_roles as r', 'r.user_id', 'u.id')
      .where('u.person_id', personId)
      .whereNull('u.disabled_at')
      .select('r.role_slug')) as Array<{ role_slug: string }>;
    return rows.map((r) => r.role_slug);
  }

  async campaignIdOfAction(id: string): Promise<string | null> {
    const row = (await this.db('survey_actions').where('id', id).first('campaign_id')) as
      { campaign_id: string } | undefined;
    return row?.campaign_id ?? null;
  }

  async action(id: string, trx: Knex.Transaction): Promise<SurveyAction | null> {
    const row = (await trx('survey_actions').where('id', id).first()) as Record<string, unknown> | undefined;
    return row ? toAction(row) : null;
  }

  async completeAction(id: string, at: Date, trx: Knex.Transaction): Promise<void> {
    await trx('survey_actions')
      .where('id', id)
      .update({ status: 'done', completed_at: at.toISOString(), updated_at: at.toISOString() });
  }

  /** Campaigns open on `today` that have not had their one reminder (the daily run). */
  async campaignsToRemind(today: IsoDate): Promise<Campaign[]> {
    const rows = (await this.db('survey_campaigns')
      .where('opens_on', '<', today)
      .where('closes_on', '>=', today)
      .whereNull('last_reminded_on')) as Array<Record<string, unknown>>;
    return rows.map(toCampaign);
  }

  async markReminded(campaignId: string, today: IsoDate, trx: Knex.Transaction): Promise<void> {
    await trx('survey_campaigns').where('id', campaignId).update({ last_reminded_on: today });
  }
}
