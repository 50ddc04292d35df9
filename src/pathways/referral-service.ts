import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import { ohReferralReach, PLATFORM_OH_REFERRAL_REACH } from '../auth/access-policy.js';
import type { NotificationService } from '../notifications/index.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { Clock } from '../shared/clock.js';
import { londonDay } from '../shared/dates.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { AnyContext, RequestContext } from '../shared/request-context.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { DefinitionCode } from './definition-format.js';
import type { Facts } from './engine.js';
import type { PathwayRepository } from './pathway-repository.js';
import type { PathwayService } from './pathway-service.js';
import type { OhReferral } from './pathway-types.js';

export const TRIAGE_TASK = 'oh-referral-triage';
const SOURCE = 'oh-referral';

export interface ManagementReferralInput {
  reason: string;
  questions: string;
  adjustmentsTried: string | null;
  currentlyAbsent: boolean;
  /** seed 003 §14.1: the referrer has told the person they are being referred, and why. */
  personInformed: boolean;
}

export interface SelfReferralInput {
  concern: 'welfare' | 'mental-health' | 'musculoskeletal' | 'substance-misuse' | 'other';
  description: string;
  venuePreference: string | null;
  contactPreference: string | null;
}

/** An absence's reason, for deciding which pathway an automatic referral starts. */
export interface AbsenceForReferral {
  id: string;
  personId: string;
  reasonCategory: string;
}

/** Which pathway the reason for a long absence points to, if any (otherwise OH triages it). */
export function pathwayForReason(reasonCategory: string): DefinitionCode | null {
  if (reasonCategory.startsWith('musculoskeletal-')) return 'msk';
  if (reasonCategory.startsWith('mental-health-')) return 'mental-health';
  if (reasonCategory === 'dental') return 'dental';
  return null;
}

/**
 * Referrals into OH (issue 4 §6): a line manager's or HR's management referral (the person
 * is told and sees a copy, seed 003 §14.1), a staff member's self-referral, and the automatic
 * referral when an absence passes the OH referral point (ATT-12). Each waits on the OH queue
 * until an OH clinician triages it into a pathway or declines it.
 */
export class ReferralService {
  constructor(
    private readonly repository: PathwayRepository,
    private readonly pathways: PathwayService,
    private readonly people: PeopleService,
    private readonly worklist: WorklistService,
    private readonly notifications: NotificationService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** A line manager (for their team) or HR (their organisation) refers someone to OH. */
  async referByManagement(ctx: RequestContext, personId: string, input: ManagementReferralInput): Promise<OhReferral> {
    const person = await this.people.getPerson(ctx, personId, 'oh-referral');
    if (person.id === ctx.actor.personId)
      throw new ValidationError({ personId: 'You cannot refer yourself this way; use self-referral.' });
    if (!input.personInformed)
      throw new ValidationError({
        personInformed: 'Tell the person you are referring them and why before you send the referral (seed 003 §14.1).',
      });
    return this.create(
      ctx,
      person,
      'management',
      {
        reason: input.reason,
        questions: input.questions,
        adjustmentsTried: input.adjustmentsTried,
        currentlyAbsent: input.currentlyAbsent,
      },
      null,
      (r, trx) => this.tellPerson(person, r, trx),
    );
  }

  /** A staff member refers themselves to OH. */
  async referSelf(ctx: RequestContext, input: SelfReferralInput): Promise<OhReferral> {
    if (!ctx.actor.personId) throw new NotFoundError('person');
    const person = await this.people.getPerson(ctx, ctx.actor.personId, 'oh-referral');
    return this.create(
      ctx,
      person,
      'self',
      {
        concern: input.concern,
        description: input.description,
        venuePreference: input.venuePreference,
        contactPreference: input.contactPreference,
      },
      null,
    );
  }

  /**
   * The automatic referral for absences past the OH referral point (ATT-12, the attendance
   * worklist's `oh-referral` item): one referral per absence; where the reason points to a
   * pathway the person is enrolled at once, otherwise OH triages it. Returns how many were made.
   */
  async referFromAbsences(
    absences: readonly AbsenceForReferral[],
    completeAttendanceTask: (absenceId: string, note: string) => Promise<void>,
  ): Promise<number> {
    const ctx: AnyContext = { actor: null, requestId: 'automatic-referral', ip: null };
    let made = 0;
    for (const absence of absences) {
      const person = (await this.people.recordsForSystem([absence.personId])).get(absence.personId);
      if (!person) continue;
      const definition = pathwayForReason(absence.reasonCategory);
      const now = this.clock.now();
      const referral: OhReferral = this.newReferral(
        person,
        'automatic',
        { absenceReason: absence.reasonCategory },
        null,
        null,
        absence.id,
        now,
      );
      await this.repository.transaction(async (trx) => {
        if (!(await this.repository.insertOhReferral(referral, trx))) return;
        if (definition && !(await this.repository.openPathwayOf(person.id, definition, trx))) {
          const { pathway } = await this.pathways.enrol(
            ctx,
            { personId: person.id, definition, startedAt: now, source: 'automatic', referralId: referral.id },
            trx,
          );
          await this.repository.triageOhReferral(
            referral.id,
            {
              status: 'accepted',
              pathwayId: pathway.id,
              note: `Started the ${definition} pathway automatically.`,
              byUserId: null,
              at: now,
            },
            trx,
          );
        }
        await this.audit.record(
          ctx,
          {
            action: 'create',
            entityType: 'oh-referral',
            entityId: referral.id,
            subjectPersonId: person.id,
            purpose: 'oh-referral',
            details: { source: 'automatic', pathway: definition },
          },
          trx,
        );
        // Not started on a pathway at once: OH's triage task commits with the referral.
        const stored = (await this.repository.findOhReferral(referral.id, PLATFORM_OH_REFERRAL_REACH, trx))!;
        if (stored.status === 'awaiting-triage') await this.syncTriageTask(stored, trx);
        made += 1;
      });
      // Made now or by an earlier run that stopped before finishing: either way finish the follow-up.
      const stored = (await this.repository.ohReferralForAbsence(absence.id))!;
      if (stored.status === 'awaiting-triage') await this.syncTriageTask(stored);
      await completeAttendanceTask(
        absence.id,
        stored.status === 'accepted' ? 'Referred to OH: pathway started' : 'Referred to OH: awaiting triage',
      );
    }
    return made;
  }

  private newReferral(
    person: Person,
    source: OhReferral['source'],
    details: OhReferral['details'],
    byUserId: string | null,
    role: string | null,
    absenceId: string | null,
    now: Date,
  ): OhReferral {
    return {
      id: newId(),
      organisationId: person.organisationId,
      personId: person.id,
      source,
      referredByUserId: byUserId,
      referrerRole: role,
      absenceId,
      details,
      status: 'awaiting-triage',
      pathwayId: null,
      triageNote: null,
      triagedByUserId: null,
      triagedAt: null,
      createdAt: now,
    };
  }

  private async create(
    ctx: RequestContext,
    person: Person,
    source: OhReferral['source'],
    details: OhReferral['details'],
    absenceId: string | null,
    alsoInTransaction?: (r: OhReferral, trx: Knex.Transaction) => Promise<void>,
  ): Promise<OhReferral> {
    const referral = this.newReferral(
      person,
      source,
      details,
      ctx.actor.userId,
      ctx.actor.role,
      absenceId,
      this.clock.now(),
    );
    await this.repository.transaction(async (trx) => {
      await this.repository.insertOhReferral(referral, trx);
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'oh-referral',
          entityId: referral.id,
          subjectPersonId: person.id,
          purpose: 'oh-referral',
          details: { source },
        },
        trx,
      );
      // The email telling the person commits with the referral (seed 003 §14.1: they must be told),
      // and so does OH's triage task (issue 14 §12).
      await alsoInTransaction?.(referral, trx);
      await this.syncTriageTask(referral, trx);
    });
    return referral;
  }

  private async syncTriageTask(referral: OhReferral, trx?: Knex.Transaction): Promise<void> {
    const spec = {
      organisationId: referral.organisationId,
      subjectPersonId: referral.personId,
      sourceType: SOURCE,
      sourceId: referral.id,
      code: TRIAGE_TASK,
      sequence: 1,
      rule: null,
      dueDate: londonDay(referral.createdAt),
      // Triage is a clinical decision: the OH clinicians' queue.
      assignee: { role: 'oh-clinician' },
    };
    await this.worklist.sync(
      SOURCE,
      referral.id,
      referral.status === 'awaiting-triage' ? { keep: [spec], create: [spec] } : { keep: [], create: [] },
      trx,
    );
  }

  /**
   * Tells the person they have been referred (seed 003 §14.1): an email to their personal
   * address, or their work address unless their identity is protected (CONF-3). The email
   * says only that a referral was made; the copy is on their own page.
   */
  private async tellPerson(person: Person, referral: OhReferral, trx: Knex.Transaction): Promise<void> {
    const to = person.personalEmail ?? (person.protectedIdentity ? null : person.workEmail);
    if (!to) return;
    await this.notifications.enqueueEmail(
      {
        to,
        subject: 'You have been referred to occupational health',
        text: `Hello ${person.givenName},\n\nYour ${referral.referrerRole === 'hr-manager' ? 'HR manager' : 'line manager'} has referred you to the occupational health unit. Referral is not a sanction: it is to get advice on supporting you at work.\n\nYou can read a copy of the referral at ${this.publicUrl}/me/referrals/${referral.id}\n\nThe occupational health unit will contact you to arrange an appointment.\n`,
      },
      trx,
      { dedupeKey: `oh-referral-told:${referral.id}` },
    );
  }

  /** A referral within reach: the person themselves (a copy), whoever made it, and OH. */
  async get(ctx: RequestContext, id: string): Promise<OhReferral> {
    // The access policy's reach, applied in the query: a referral outside it is never read.
    const referral = await this.repository.findOhReferral(id, ohReferralReach(ctx.actor));
    if (!referral)
      throw await this.audit.outOfReach(
        ctx,
        { entityType: 'oh-referral', entityId: id, purpose: 'oh-referral' },
        'referral',
      );
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'oh-referral',
      entityId: id,
      subjectPersonId: referral.personId,
      purpose: 'oh-referral',
    });
    return referral;
  }

  /** A person's referrals: their own list, or OH's view of them. */
  async forPerson(ctx: RequestContext, personId: string): Promise<OhReferral[]> {
    await this.people.getPerson(ctx, personId, 'oh-referral');
    const mine = await this.repository.ohReferralsOf(personId, ohReferralReach(ctx.actor));
    if (mine.length)
      await this.audit.record(
        ctx,
        mine.map((r) => ({
          action: 'read' as const,
          entityType: 'oh-referral',
          entityId: r.id,
          subjectPersonId: personId,
          purpose: 'oh-referral',
        })),
      );
    return mine;
  }

  /** Referrals waiting for OH triage, oldest first. */
  async awaitingTriage(ctx: RequestContext): Promise<OhReferral[]> {
    const list = await this.repository.ohReferralsAwaitingTriage(200);
    await this.audit.record(ctx, {
      action: 'search',
      entityType: 'oh-referral',
      purpose: 'triage',
      details: { returned: list.length },
    });
    return list;
  }

  /** OH triage: start a pathway from the referral, or decline it with a note. Once only. */
  async triage(
    ctx: RequestContext,
    id: string,
    decision:
      | { accept: true; definition: DefinitionCode; facts?: Facts; note: string | null }
      | { accept: false; note: string },
  ): Promise<OhReferral> {
    const referral = await this.get(ctx, id);
    if (referral.status !== 'awaiting-triage')
      throw new ConflictError('referral-already-triaged', 'This referral has already been triaged.');
    const now = this.clock.now();
    await this.repository.transaction(async (trx) => {
      let pathwayId: string | null = null;
      if (decision.accept) {
        const source =
          referral.source === 'self'
            ? 'self-referral'
            : referral.source === 'management'
              ? 'management-referral'
              : 'automatic';
        pathwayId = (
          await this.pathways.enrol(
            ctx,
            {
              personId: referral.personId,
              definition: decision.definition,
              startedAt: now,
              facts: decision.facts,
              source,
              referralId: referral.id,
            },
            trx,
          )
        ).pathway.id;
      }
      if (
        !(await this.repository.triageOhReferral(
          id,
          {
            status: decision.accept ? 'accepted' : 'declined',
            pathwayId,
            note: decision.note,
            byUserId: ctx.actor.userId,
            at: now,
          },
          trx,
        ))
      ) {
        throw new ConflictError('referral-already-triaged', 'This referral has already been triaged.');
      }
      await this.audit.record(
        ctx,
        {
          action: 'update',
          entityType: 'oh-referral',
          entityId: id,
          subjectPersonId: referral.personId,
          purpose: 'triage',
          details: { accepted: decision.accept },
        },
        trx,
      );
      // The triage task is done with the decision (issue 14 §12).
      await this.worklist.completeBySource(
        ctx,
        SOURCE,
        id,
        TRIAGE_TASK,
        decision.accept ? 'Triaged into a pathway' : 'Declined',
        trx,
      );
    });
    return (await this.repository.findOhReferral(id, PLATFORM_OH_REFERRAL_REACH))!;
  }
}
