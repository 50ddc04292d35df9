import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/knex.js';
import type { AuditRecord, AuditService } from '../audit/audit-service.js';
import {
  maySeeClinicalDetail,
  maySeeOhRecords,
  mayWorkStep,
  personScope,
  PLATFORM_REACH,
  stepQueues,
  type PersonScope,
} from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { AnyContext, RequestContext } from '../shared/request-context.js';
import { assigneeFor, escalationTarget, type AssignmentContext } from './assignment.js';
import type { DefinitionCatalogue } from './definition-catalogue.js';
import {
  CLOSE_OUTCOMES,
  NHS_SERVICES,
  type CloseOutcome,
  type DefinitionCode,
  type ServiceType,
  type StepOwner,
} from './definition-format.js';
import { exportDefinition, parseDefinition, type PathwayDefinition, type StepDefinition } from './definition.js';
import {
  pathwayRefusal,
  pause,
  planSteps,
  resume,
  stepRefusal,
  type ConditionEvaluator,
  type Facts,
  type PathwayState,
} from './engine.js';
import type { PathwayRepository, StepListFilter, TimerKind } from './pathway-repository.js';
import type {
  Assignee,
  DefinitionRecord,
  EnrolmentSource,
  Fitness,
  NewPathwayEvent,
  Pathway,
  PathwayEvent,
  PathwayReferral,
  PathwayStep,
} from './pathway-types.js';
import type { ReferralDetails } from './referral-details.js';
import { readAnswers, type StepForm } from './questionnaire.js';

/** A pathway with its definition and steps, as loaded for a use case. */
interface Loaded {
  pathway: Pathway;
  definition: PathwayDefinition;
  steps: PathwayStep[];
}

export interface EnrolInput {
  personId: string;
  definition: DefinitionCode;
  startedAt: Date;
  facts?: Facts;
  source: EnrolmentSource;
  referralId?: string | null;
  leadClinicianUserId?: string | null;
  /** The capability whose record the pathway runs for (a BBV exposure's incident). */
  ownedBy?: StepOwner;
}

/** What a capability records on its own pathway (recordForCapability). */
export interface CapabilityWork {
  /** Which capability, for the history and the audit trail. */
  source: string;
  facts?: Facts;
  complete?: Array<{ stepCode: string; note: string; referral?: ReferralDetails }>;
  escalate?: string[];
  close?: { outcome: CloseOutcome; note: string | null };
}

export interface StepWork {
  answers?: Record<string, unknown>;
  note?: string | null;
}

/** The steps a worklist shows, with their pathways' definitions (for titles). */
export interface WorklistSteps {
  steps: Array<PathwayStep & { title: string; definitionTitle: string }>;
  counts: { open: number; due: number; overdue: number };
}

const TIMER_EVENT: Record<TimerKind, NewPathwayEvent['kind']> = {
  due: 'step-due',
  overdue: 'step-overdue',
  escalate: 'step-escalated',
};
const TIMER_AT: Record<TimerKind, keyof PathwayStep> = { due: 'dueFrom', overdue: 'dueBy', escalate: 'escalateAt' };

function actorOf(ctx: AnyContext): { actorUserId: string | null; actorRole: string | null } {
  return ctx.actor
    ? { actorUserId: ctx.actor.userId, actorRole: ctx.actor.role }
    : { actorUserId: null, actorRole: 'system' };
}

/**
 * Pathways as workflows (issue 4): enrolment, steps completed, skipped or reassigned,
 * branching on recorded facts, pause and resume, closure, transfer to an NHS service, and
 * the timers that make steps due, overdue and escalated. Every change is one transaction
 * holding the new state, its history entry and its audit record.
 */
export class PathwayService {
  private readonly definitionCache = new Map<string, PathwayDefinition>();

  constructor(
    private readonly repository: PathwayRepository,
    private readonly catalogue: DefinitionCatalogue,
    private readonly people: PeopleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly evaluate: ConditionEvaluator,
    /** Whether a user is an active OH clinician (a lead clinician, or someone a step is reassigned to). */
    private readonly isActiveClinician: (userId: string) => Promise<boolean>,
  ) {}

  // Definitions

  /** Publishes each shipped definition version that is not in the database yet (first start, upgrades). */
  async publishShipped(): Promise<void> {
    for (const d of this.catalogue.shipped) {
      await this.repository.insertDefinition({
        id: newId(),
        code: d.code,
        version: d.version,
        title: d.title,
        resource: exportDefinition(d),
        publishedAt: this.clock.now(),
        publishedByUserId: null,
      });
    }
  }

  /** Every published version, newest last per code. */
  async definitions(): Promise<DefinitionRecord[]> {
    return this.repository.definitions();
  }

  /** One version of a definition (the latest by default) as a FHIR PlanDefinition. */
  async exportDefinition(code: string, version?: number): Promise<Record<string, unknown>> {
    const record = await this.repository.definition(code, version);
    if (!record) throw new NotFoundError('pathway definition');
    return exportDefinition(this.read(record));
  }

  /** The form a step of a definition is completed with, or null for a step done with a note. */
  formOf(definition: PathwayDefinition, stepCode: string): StepForm | null {
    const step = definition.steps.find((s) => s.id === stepCode);
    return step?.questionnaire ? this.catalogue.form(step.questionnaire) : null;
  }

  /**
   * Publishes a new version of a definition (an OH clinical lead, from an uploaded
   * PlanDefinition): it must be valid, name an existing pathway and carry the next version
   * number. Running pathways keep the version they started on.
   */
  async publish(ctx: RequestContext, resource: unknown): Promise<DefinitionRecord> {
    const definition = this.catalogue.check(resource);
    const latest = await this.repository.definition(definition.code);
    if (!latest)
      throw new ValidationError(
        { id: `there is no pathway ${definition.code}; new pathways ship with the platform` },
        'The pathway definition has problems.',
        'definition-invalid',
      );
    if (definition.version !== latest.version + 1)
      throw new ValidationError(
        { version: `the next version of ${definition.code} is ${latest.version + 1}` },
        'The pathway definition has problems.',
        'definition-invalid',
      );
    const record: DefinitionRecord = {
      id: newId(),
      code: definition.code,
      version: definition.version,
      title: definition.title,
      resource: exportDefinition(definition),
      publishedAt: this.clock.now(),
      publishedByUserId: ctx.actor.userId,
    };
    await this.repository.transaction(async (trx) => {
      if (!(await this.repository.insertDefinition(record, trx)))
        throw new ConflictError(
          'definition-version-exists',
          `Version ${definition.version} of ${definition.code} has just been published by someone else.`,
        );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'pathway-definition',
          entityId: record.id,
          purpose: 'pathway-definition',
          details: { code: record.code, version: record.version },
        },
        trx,
      );
    });
    return record;
  }

  private read(record: DefinitionRecord): PathwayDefinition {
    let d = this.definitionCache.get(record.id);
    if (!d) {
      d = parseDefinition(record.resource);
      this.definitionCache.set(record.id, d);
    }
    return d;
  }

  private async definitionOf(pathway: Pathway): Promise<PathwayDefinition> {
    const cached = this.definitionCache.get(pathway.definitionId);
    if (cached) return cached;
    const record = await this.repository.definitionById(pathway.definitionId);
    if (!record) throw new Error('pathway definition missing');
    return this.read(record);
  }

  // Enrolment

  /**
   * Puts a person on a pathway: by an OH clinician, from a self-referral or management
   * referral OH triaged, or automatically (the absence that passed the OH referral point).
   * A person is on each pathway once at a time.
   */
  async enrol(ctx: AnyContext, input: EnrolInput, trx?: Knex.Transaction): Promise<Loaded> {
    // Inside a caller's transaction (triage), the read and its audit entry are part of it.
    const person = await this.personFor(ctx, input.personId, trx);
    // An exposure's pathway starts with its incident (issue 16): the incident is what its steps are done on.
    if (input.definition === 'bbv' && input.ownedBy !== 'bbv-incident')
      throw new ValidationError(
        { definition: 'validation.bbv.startFromIncident' },
        'The pathway cannot be started.',
        'start-from-incident',
      );
    const record = await this.repository.definition(input.definition);
    if (!record)
      throw new ValidationError(
        { definition: 'There is no such pathway.' },
        'The pathway cannot be started.',
        'definition-unavailable',
      );
    const definition = this.read(record);
    if (input.leadClinicianUserId && !(await this.isActiveClinician(input.leadClinicianUserId))) {
      throw new ValidationError(
        { leadClinicianUserId: 'The lead clinician must be an active OH clinician.' },
        'The pathway cannot be started.',
      );
    }
    const facts: Facts = { ...(input.facts ?? {}) };
    // The retirement pathway counts from the planned leaving date; the workforce record has it.
    if (facts.leavingDate === undefined && person.leavingDate) facts.leavingDate = person.leavingDate;
    const now = this.clock.now();
    const pathway: Pathway = {
      id: newId(),
      organisationId: person.organisationId,
      personId: person.id,
      definitionId: record.id,
      definitionCode: definition.code,
      definitionVersion: definition.version,
      status: 'active',
      startedAt: input.startedAt,
      enrolmentSource: input.source,
      referralId: input.referralId ?? null,
      enrolledByUserId: ctx.actor?.userId ?? null,
      leadClinicianUserId:
        input.leadClinicianUserId ?? (ctx.actor && maySeeClinicalDetail(ctx.actor) ? ctx.actor.userId : null),
      facts,
      pauses: [],
      outcome: null,
      closedAt: null,
      fitness: null,
      expectedDuration: null,
      adjustments: null,
      adviceGivenAt: null,
      revision: 1,
      createdAt: now,
      updatedAt: now,
    };
    const assignment = {
      personId: person.id,
      lineManagerId: person.lineManagerId,
      leadClinicianUserId: pathway.leadClinicianUserId,
    };
    const plans = planSteps(definition, this.stateOf(pathway, []), this.evaluate, now);
    const steps: PathwayStep[] = definition.steps.map((s, i) => ({
      id: newId(),
      pathwayId: pathway.id,
      organisationId: pathway.organisationId,
      personId: pathway.personId,
      definitionCode: definition.code,
      stepCode: s.id,
      status: plans[i]!.status,
      dueFrom: plans[i]!.dueFrom,
      dueBy: plans[i]!.dueBy,
      escalateAt: plans[i]!.escalateAt,
      resolvedAt: plans[i]!.resolvedAt,
      assignee: assigneeFor(s.performer, assignment),
      escalationLevel: 0,
      dueFiredAt: null,
      overdueFiredAt: null,
      escalatedAt: null,
      answers: null,
      note: null,
      completedByUserId: null,
    }));
    const work = async (t: Knex.Transaction) => {
      // The insert comes first (the write lock on SQLite); a unique index allows one open pathway of each kind per person.
      try {
        await this.repository.insertPathway(pathway, steps, t);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(
            'already-on-pathway',
            'This person is already on that pathway. Open it from their record.',
          );
        throw error;
      }
      await this.repository.insertEvents(
        [
          {
            pathwayId: pathway.id,
            stepId: null,
            kind: 'enrolled',
            at: now,
            ...actorOf(ctx),
            reason: input.source,
            details: {
              definition: definition.code,
              version: definition.version,
              startedAt: input.startedAt.toISOString(),
            },
          },
        ],
        t,
      );
      await this.audit.record(
        ctx,
        {
          action: 'create',
          entityType: 'pathway',
          entityId: pathway.id,
          subjectPersonId: person.id,
          purpose: 'pathway',
          details: { definition: definition.code, source: input.source },
        },
        t,
      );
    };
    if (trx) await work(trx);
    else await this.repository.transaction(work);
    return { pathway, definition, steps };
  }

  private async personFor(ctx: AnyContext, personId: string, trx?: Knex.Transaction): Promise<Person> {
    if (ctx.actor) return this.people.getPerson(ctx as RequestContext, personId, 'pathway', 'person', trx);
    const person = (await this.people.recordsForSystem([personId])).get(personId);
    if (!person) throw new NotFoundError('person');
    return person;
  }

  // Reading

  /** A pathway within the actor's reach (the person's record must be reachable), else not found. Audited. */
  async get(ctx: RequestContext, id: string): Promise<Loaded> {
    const loaded = await this.loadInReach(ctx, id);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'pathway',
      entityId: id,
      subjectPersonId: loaded.pathway.personId,
      purpose: maySeeClinicalDetail(ctx.actor) ? 'clinical-care' : 'functional-advice',
    });
    return loaded;
  }

  /** A pathway's status, for a capability that runs its own pathway and has read its record within reach. */
  async statusOf(id: string): Promise<Pathway['status']> {
    const pathway = await this.repository.findPathway(id, PLATFORM_REACH);
    if (!pathway) throw new NotFoundError('pathway');
    return pathway.status;
  }

  /** The pathway's history: every transition with who, when and why (OH only). */
  async history(ctx: RequestContext, id: string): Promise<PathwayEvent[]> {
    await this.get(ctx, id);
    if (!maySeeOhRecords(ctx.actor)) throw new NotFoundError('pathway');
    const events = await this.repository.history(id);
    if (maySeeClinicalDetail(ctx.actor)) return events;
    // OH administrators: what happened and when, not clinicians' reasons or which facts were recorded.
    return events.map((e) => ({
      ...e,
      reason: e.kind === 'enrolled' ? e.reason : null,
      details: e.details ? Object.fromEntries(Object.entries(e.details).filter(([k]) => k !== 'facts')) : null,
    }));
  }

  /** A person's pathways, within reach. */
  async forPerson(ctx: RequestContext, personId: string): Promise<Loaded[]> {
    await this.people.getPerson(ctx, personId, 'pathway');
    const out: Loaded[] = [];
    for (const p of await this.repository.pathwaysOf(personId)) {
      out.push({ pathway: p, definition: await this.definitionOf(p), steps: await this.repository.stepsOf(p.id) });
    }
    const purpose = maySeeClinicalDetail(ctx.actor) ? 'clinical-care' : 'functional-advice';
    if (out.length)
      await this.audit.record(
        ctx,
        out.map((l) => ({
          action: 'read' as const,
          entityType: 'pathway',
          entityId: l.pathway.id,
          subjectPersonId: personId,
          purpose,
        })),
      );
    return out;
  }

  /** A pathway whose person is within `reach`, with its definition and steps (none outside reach is read). */
  private async load(id: string, reach: PersonScope, trx?: Knex.Transaction): Promise<Loaded | null> {
    const pathway = await this.repository.findPathway(id, reach, trx);
    if (!pathway) return null;
    return { pathway, definition: await this.definitionOf(pathway), steps: await this.repository.stepsOf(id, trx) };
  }

  /** A pathway within the actor's reach, read only if it is; else not found, the denied read audited. */
  private async loadInReach(ctx: RequestContext, id: string): Promise<Loaded> {
    const pathway = await this.pathwayInReach(ctx, id);
    return { pathway, definition: await this.definitionOf(pathway), steps: await this.repository.stepsOf(id) };
  }

  private async pathwayInReach(ctx: RequestContext, id: string): Promise<Pathway> {
    const pathway = await this.repository.findPathway(id, personScope(ctx.actor));
    if (!pathway) throw await this.audit.outOfReach(ctx, { entityType: 'pathway', entityId: id, purpose: 'pathway' });
    return pathway;
  }

  private stateOf(pathway: Pathway, steps: readonly PathwayStep[]): PathwayState {
    return {
      status: pathway.status,
      startedAt: pathway.startedAt,
      facts: pathway.facts,
      pauses: pathway.pauses,
      steps: Object.fromEntries(steps.map((s) => [s.stepCode, { status: s.status, resolvedAt: s.resolvedAt }])),
    };
  }

  // Changes

  /** Finds a step by its id or its code. */
  private stepOf(loaded: Loaded, stepKey: string): { step: PathwayStep; definition: StepDefinition } {
    const step = loaded.steps.find((s) => s.id === stepKey || s.stepCode === stepKey);
    const definition = step && loaded.definition.steps.find((d) => d.id === step.stepCode);
    if (!step || !definition) throw new NotFoundError('step');
    return { step, definition };
  }

  /**
   * Applies a change in one transaction: re-reads the pathway, lets `change` decide (it
   * returns the new pathway and history), recalculates every step from the definition and
   * saves all of it if nobody changed the pathway meanwhile.
   */
  private async change(
    ctx: RequestContext,
    id: string,
    change: (
      loaded: Loaded,
      now: Date,
      trx: Knex.Transaction,
    ) => Promise<{ pathway: Pathway; events: NewPathwayEvent[]; audit: Record<string, unknown> }>,
  ): Promise<Loaded> {
    // Only the reach is checked here: the pathway is read, with its steps, in the change's transaction.
    await this.pathwayInReach(ctx, id);
    const now = this.clock.now();
    await this.repository.transaction((trx) => this.changeWithin(ctx, id, now, trx, change));
    return (await this.load(id, PLATFORM_REACH))!;
  }

  /** A change inside the caller's transaction: lock, re-read, change, recalculate every step, save, record. */
  private async changeWithin(
    ctx: AnyContext,
    id: string,
    now: Date,
    trx: Knex.Transaction,
    change: (
      loaded: Loaded,
      now: Date,
      trx: Knex.Transaction,
    ) => Promise<{ pathway: Pathway; events: NewPathwayEvent[]; audit: Record<string, unknown> }>,
  ): Promise<void> {
    if (!(await this.repository.lockPathway(id, trx))) throw new NotFoundError('pathway');
    const loaded = (await this.load(id, PLATFORM_REACH, trx))!;
    const { pathway, events, audit } = await change(loaded, now, trx);
    const steps = await this.repository.stepsOf(id, trx);
    const plans = planSteps(loaded.definition, this.stateOf(pathway, steps), this.evaluate, now);
    await this.repository.saveStepPlans(new Map(steps.map((s) => [s.stepCode, s])), plans, now, trx);
    if (!(await this.repository.updatePathway({ ...pathway, updatedAt: now }, trx)))
      throw new ConflictError(
        'pathway-changed',
        'Someone else changed this pathway just now. Reload it and try again.',
      );
    await this.repository.insertEvents(events, trx);
    await this.audit.record(
      ctx,
      {
        action: 'update',
        entityType: 'pathway',
        entityId: id,
        subjectPersonId: pathway.personId,
        purpose: 'pathway',
        details: audit,
      },
      trx,
    );
  }

  /**
   * What a capability that runs its own pathway (the BBV incident, issue 16) records on it, inside the
   * capability's transaction: facts it has learnt, steps its own forms have done (`completed-by`; a
   * referral step asks for its referral), steps that must go to the OH clinicians' queue at once, and
   * closing the pathway. The steps are recalculated from the definition in the same transaction.
   * Returns the referrals asked for. A closed pathway records facts only.
   */
  async recordForCapability(
    ctx: AnyContext,
    id: string,
    work: CapabilityWork,
    trx: Knex.Transaction,
  ): Promise<PathwayReferral[]> {
    const referrals: PathwayReferral[] = [];
    await this.changeWithin(ctx, id, this.clock.now(), trx, async (loaded, now, t) => {
      let pathway: Pathway = { ...loaded.pathway, facts: { ...loaded.pathway.facts, ...(work.facts ?? {}) } };
      const events: NewPathwayEvent[] = [];
      const open = loaded.pathway.status !== 'closed';
      for (const done of open ? (work.complete ?? []) : []) {
        const { step, definition: def } = this.stepOf(loaded, done.stepCode);
        if (step.status === 'completed' || step.status === 'skipped') continue;
        await this.repository.finishStep(
          step.id,
          { status: 'completed', at: now, answers: null, note: done.note, byUserId: ctx.actor?.userId ?? null },
          t,
        );
        events.push({
          pathwayId: id,
          stepId: step.id,
          kind: 'step-completed',
          at: now,
          ...actorOf(ctx),
          reason: null,
          details: { step: step.stepCode, by: work.source },
        });
        if (def.kind === 'referral' && def.service) {
          const referral = this.referral(pathway, step.id, def.service, 'step', done.referral ?? {}, ctx, now);
          await this.repository.insertPathwayReferral(referral, t);
          referrals.push(referral);
          events.push({
            pathwayId: id,
            stepId: step.id,
            kind: 'referral-requested',
            at: now,
            ...actorOf(ctx),
            reason: null,
            details: { referralId: referral.id, service: def.service, status: referral.status },
          });
        }
      }
      for (const code of open ? (work.escalate ?? []) : []) {
        const { step } = this.stepOf(loaded, code);
        if (step.status === 'completed' || step.status === 'skipped') continue;
        const to: Assignee = { role: 'oh-clinician' };
        await this.repository.assign(step.id, to, step.escalationLevel + 1, t);
        events.push({
          pathwayId: id,
          stepId: step.id,
          kind: 'step-escalated',
          at: now,
          actorUserId: null,
          actorRole: 'system',
          reason: null,
          details: {
            step: step.stepCode,
            from: step.assignee,
            to,
            level: step.escalationLevel + 1,
            at: now.toISOString(),
          },
        });
      }
      if (open && work.close) {
        pathway = { ...pathway, status: 'closed', outcome: work.close.outcome, closedAt: now };
        events.push({
          pathwayId: id,
          stepId: null,
          kind: 'closed',
          at: now,
          ...actorOf(ctx),
          reason: work.close.note,
          details: { outcome: work.close.outcome },
        });
      }
      return { pathway, events, audit: { by: work.source, facts: Object.keys(work.facts ?? {}) } };
    });
    return referrals;
  }

  private refuse(reason: string | null): void {
    if (!reason) return;
    const messages: Record<string, string> = {
      'pathway-closed': 'This pathway is closed.',
      'pathway-paused': 'This pathway is paused. Resume it first.',
      'pathway-already-paused': 'This pathway is already paused.',
      'pathway-not-paused': 'This pathway is not paused.',
      'step-already-done': 'This step has already been done.',
      'step-not-open':
        'This step is not open yet: it waits for an earlier step or for information it depends on, or it does not apply.',
      'step-not-found': 'There is no such step.',
    };
    throw new ConflictError(reason, messages[reason] ?? 'That cannot be done now.');
  }

  /**
   * Completes a step with its form's answers (checked against the questionnaire; the answers
   * become facts later steps branch on) or, for a plain task, a note. A referral step asks for
   * the referral; a closing decision closes the pathway with its outcome.
   */
  async completeStep(ctx: RequestContext, id: string, stepKey: string, work: StepWork): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now, trx) => {
      const { step, definition: def } = this.stepOf(loaded, stepKey);
      if (!mayWorkStep(ctx.actor, step, def.performer)) throw new NotFoundError('step');
      if (def.completedBy)
        throw new ConflictError(
          'step-completed-elsewhere',
          'This step is done from its own page (for a blood-borne virus exposure, the incident’s page).',
        );
      this.refuse(
        stepRefusal(this.stateOf(loaded.pathway, loaded.steps), { status: step.status, resolvedAt: step.resolvedAt }),
      );
      const note = work.note?.trim() ? work.note.trim() : null;
      let answers: Record<string, string | number | boolean> | null = null;
      let facts: Facts = {};
      if (def.questionnaire) {
        ({ answers, facts } = readAnswers(this.catalogue.form(def.questionnaire), work.answers ?? {}));
      } else if (work.answers && Object.keys(work.answers).length) {
        throw new ValidationError({ answers: 'This step has no form; record what was done as a note.' });
      } else if (!note) {
        throw new ValidationError({ note: 'Say what was done.' });
      }
      await this.repository.finishStep(
        step.id,
        { status: 'completed', at: now, answers, note, byUserId: ctx.actor.userId },
        trx,
      );
      let pathway: Pathway = { ...loaded.pathway, facts: { ...loaded.pathway.facts, ...facts } };
      const events: NewPathwayEvent[] = [
        {
          pathwayId: pathway.id,
          stepId: step.id,
          kind: 'step-completed',
          at: now,
          ...actorOf(ctx),
          reason: null,
          details: { step: step.stepCode, facts: Object.keys(facts) },
        },
      ];
      if (def.kind === 'referral' && def.service) {
        const referral = this.referral(
          pathway,
          step.id,
          def.service,
          'step',
          {
            ...(answers ? { formAnswers: answers } : {}),
            ...(note ? { note } : {}),
            // CONF-4: where they would (not) be seen and how to reach them, when the step's form asks.
            ...(typeof answers?.venuePreference === 'string' ? { venuePreference: answers.venuePreference } : {}),
            ...(typeof answers?.confidentialityPreference === 'string'
              ? { confidentialityPreference: answers.confidentialityPreference }
              : {}),
          },
          ctx,
          now,
        );
        await this.repository.insertPathwayReferral(referral, trx);
        events.push({
          pathwayId: pathway.id,
          stepId: step.id,
          kind: 'referral-requested',
          at: now,
          ...actorOf(ctx),
          reason: null,
          details: { referralId: referral.id, service: def.service, status: referral.status },
        });
      }
      const outcome = answers?.outcome;
      if (def.closesPathway && typeof outcome === 'string' && (CLOSE_OUTCOMES as readonly string[]).includes(outcome)) {
        pathway = { ...pathway, status: 'closed', outcome: outcome as CloseOutcome, closedAt: now };
        events.push({
          pathwayId: pathway.id,
          stepId: step.id,
          kind: 'closed',
          at: now,
          ...actorOf(ctx),
          reason: note,
          details: { outcome },
        });
      }
      return { pathway, events, audit: { completed: step.stepCode } };
    });
  }

  private referral(
    pathway: Pathway,
    stepId: string | null,
    service: ServiceType,
    kind: PathwayReferral['kind'],
    details: ReferralDetails,
    ctx: AnyContext,
    now: Date,
  ): PathwayReferral {
    // A handover names its priority; a step referral's form may ask for one.
    const priority = (details.priority ?? details.formAnswers?.priority) === 'urgent' ? 'urgent' : 'routine';
    return {
      id: newId(),
      pathwayId: pathway.id,
      stepId,
      organisationId: pathway.organisationId,
      personId: pathway.personId,
      serviceType: service,
      kind,
      priority,
      details,
      // A referral to an NHS service is a disclosure: it waits for consent to share (§5c, the consent issue's gate).
      status: NHS_SERVICES.has(service) ? 'awaiting-consent' : 'ready',
      partnerOrganisationId: null,
      dataCategories: null,
      consentId: null,
      createdByUserId: ctx.actor?.userId ?? null,
      createdAt: now,
    };
  }

  /** Skips an open step with the reason (OH clinicians). Steps timed from it count from now. */
  async skipStep(ctx: RequestContext, id: string, stepKey: string, reason: string): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now, trx) => {
      const { step } = this.stepOf(loaded, stepKey);
      this.refuse(
        stepRefusal(this.stateOf(loaded.pathway, loaded.steps), { status: step.status, resolvedAt: step.resolvedAt }),
      );
      await this.repository.finishStep(
        step.id,
        { status: 'skipped', at: now, answers: null, note: reason, byUserId: ctx.actor.userId },
        trx,
      );
      return {
        pathway: loaded.pathway,
        events: [
          {
            pathwayId: id,
            stepId: step.id,
            kind: 'step-skipped',
            at: now,
            ...actorOf(ctx),
            reason,
            details: { step: step.stepCode },
          },
        ],
        audit: { skipped: step.stepCode },
      };
    });
  }

  /** Moves a step to another list: an OH clinician (by user id) or a queue. */
  async reassignStep(ctx: RequestContext, id: string, stepKey: string, to: Assignee, reason: string): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now, trx) => {
      const { step, definition: def } = this.stepOf(loaded, stepKey);
      if (
        step.status === 'completed' ||
        step.status === 'skipped' ||
        step.status === 'cancelled' ||
        step.status === 'not-applicable'
      )
        this.refuse('step-already-done');
      this.refuse(pathwayRefusal(this.stateOf(loaded.pathway, loaded.steps), 'close'));
      await this.checkReassignment(to, def.performer);
      await this.repository.assign(step.id, to, null, trx);
      return {
        pathway: loaded.pathway,
        events: [
          {
            pathwayId: id,
            stepId: step.id,
            kind: 'step-reassigned',
            at: now,
            ...actorOf(ctx),
            reason,
            details: { step: step.stepCode, from: step.assignee, to },
          },
        ],
        audit: { reassigned: step.stepCode },
      };
    });
  }

  /**
   * A step moves only to someone who may do it: an OH step to an active OH clinician or an OH
   * queue; the manager's, HR's and the person's own steps are theirs and are not reassigned.
   */
  private async checkReassignment(to: Assignee, performer: StepDefinition['performer']): Promise<void> {
    if (performer !== 'oh-clinician' && performer !== 'oh-administrator') {
      throw new ValidationError({
        step: 'Only occupational health steps can be reassigned; this one belongs to the person, their manager or HR.',
      });
    }
    if ('userId' in to) {
      if (!(await this.isActiveClinician(to.userId)))
        throw new ValidationError({ userId: 'Choose an active OH clinician.' });
    } else if (!('role' in to) || (to.role !== 'oh-clinician' && to.role !== 'oh-administrator')) {
      throw new ValidationError({ role: 'Choose the OH clinicians’ or OH administrators’ queue.' });
    }
  }

  /** Pauses the pathway (e.g. the person is in hospital): nothing falls due until it resumes. */
  async pause(ctx: RequestContext, id: string, reason: string): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now) => {
      this.refuse(pathwayRefusal(this.stateOf(loaded.pathway, loaded.steps), 'pause'));
      const next = pause(this.stateOf(loaded.pathway, loaded.steps), now, reason);
      return {
        pathway: { ...loaded.pathway, status: next.status, pauses: next.pauses },
        events: [{ pathwayId: id, stepId: null, kind: 'paused', at: now, ...actorOf(ctx), reason, details: null }],
        audit: { paused: true },
      };
    });
  }

  /** Resumes a paused pathway: the remaining steps' due dates move on by the length of the pause. */
  async resume(ctx: RequestContext, id: string, reason: string | null): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now) => {
      this.refuse(pathwayRefusal(this.stateOf(loaded.pathway, loaded.steps), 'resume'));
      const next = resume(this.stateOf(loaded.pathway, loaded.steps), now);
      const last = next.pauses[next.pauses.length - 1]!;
      return {
        pathway: { ...loaded.pathway, status: next.status, pauses: next.pauses },
        events: [
          {
            pathwayId: id,
            stepId: null,
            kind: 'resumed',
            at: now,
            ...actorOf(ctx),
            reason,
            details: { pausedMs: last.to!.getTime() - last.from.getTime() },
          },
        ],
        audit: { resumed: true },
      };
    });
  }

  /** Closes the pathway with an outcome; steps not done are cancelled. */
  async close(ctx: RequestContext, id: string, outcome: CloseOutcome, note: string | null): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now) => {
      this.refuse(pathwayRefusal(this.stateOf(loaded.pathway, loaded.steps), 'close'));
      return {
        pathway: { ...loaded.pathway, status: 'closed', outcome, closedAt: now },
        events: [
          { pathwayId: id, stepId: null, kind: 'closed', at: now, ...actorOf(ctx), reason: note, details: { outcome } },
        ],
        audit: { closed: outcome },
      };
    });
  }

  /**
   * Transfers the pathway to an NHS service "without detriment to care continuation"
   * (domain brief §4): a handover referral carrying what the service needs (the steps done
   * and the scores recorded) is requested under consent, and the pathway closes as transferred.
   */
  async transfer(
    ctx: RequestContext,
    id: string,
    input: {
      service: ServiceType;
      reason: string;
      priority: 'routine' | 'urgent';
      venuePreference?: string | undefined;
      confidentialityPreference?: string | undefined;
    },
  ): Promise<{ loaded: Loaded; referral: PathwayReferral }> {
    if (!NHS_SERVICES.has(input.service))
      throw new ValidationError({ service: 'Choose an NHS service to transfer to.' });
    let referral: PathwayReferral | null = null;
    const loaded = await this.change(ctx, id, async (current, now, trx) => {
      this.refuse(pathwayRefusal(this.stateOf(current.pathway, current.steps), 'close'));
      const done = current.steps
        .filter((s) => s.status === 'completed')
        .map((s) => ({
          step: s.stepCode,
          title: current.definition.steps.find((d) => d.id === s.stepCode)?.title ?? s.stepCode,
          completedAt: s.resolvedAt?.toISOString() ?? null,
        }));
      // CONF-4: where they would (not) be seen and how to reach them travel with the handover.
      const preferences = {
        ...(input.venuePreference ? { venuePreference: input.venuePreference } : {}),
        ...(input.confidentialityPreference ? { confidentialityPreference: input.confidentialityPreference } : {}),
      };
      referral = this.referral(
        current.pathway,
        null,
        input.service,
        'handover',
        {
          reason: input.reason,
          priority: input.priority,
          pathway: current.definition.code,
          startedAt: current.pathway.startedAt.toISOString(),
          stepsDone: done,
          facts: current.pathway.facts,
          ...preferences,
        },
        ctx,
        now,
      );
      await this.repository.insertPathwayReferral(referral, trx);
      return {
        pathway: { ...current.pathway, status: 'closed', outcome: 'transferred-to-nhs', closedAt: now },
        events: [
          {
            pathwayId: id,
            stepId: null,
            kind: 'transferred',
            at: now,
            ...actorOf(ctx),
            reason: input.reason,
            details: { referralId: referral.id, service: input.service },
          },
          {
            pathwayId: id,
            stepId: null,
            kind: 'closed',
            at: now,
            ...actorOf(ctx),
            reason: null,
            details: { outcome: 'transferred-to-nhs' },
          },
        ],
        audit: { transferred: input.service },
      };
    });
    return { loaded, referral: referral! };
  }

  /** Records the functional advice managers see (CONF-1): fit, adjusted duties or unfit, and for how long. */
  async recordAdvice(
    ctx: RequestContext,
    id: string,
    advice: { fitness: Fitness; expectedDuration: string | null; adjustments: string | null },
  ): Promise<Loaded> {
    return this.change(ctx, id, async (loaded, now) => {
      if (loaded.pathway.status === 'closed') this.refuse('pathway-closed');
      return {
        pathway: {
          ...loaded.pathway,
          fitness: advice.fitness,
          expectedDuration: advice.expectedDuration,
          adjustments: advice.adjustments,
          adviceGivenAt: now,
        },
        events: [
          {
            pathwayId: id,
            stepId: null,
            kind: 'advice',
            at: now,
            ...actorOf(ctx),
            reason: null,
            details: { fitness: advice.fitness },
          },
        ],
        audit: { advice: advice.fitness },
      };
    });
  }

  // Worklists and timers

  /** Whose steps an actor's worklist shows. */
  listFilter(ctx: RequestContext, filters: { definitionCode?: string; unitId?: string } = {}): StepListFilter {
    return { ...stepQueues(ctx.actor), ...filters };
  }

  /** The actor's open pathway steps, soonest deadline first, with counts due and overdue at `asOf`. */
  async worklist(
    ctx: RequestContext,
    input: { asOf: Date; definitionCode?: string; unitId?: string; limit?: number },
  ): Promise<WorklistSteps> {
    // Only OH may narrow a list by pathway: for anyone else the counts would tell which pathway someone is on (CONF-1).
    const filter = this.listFilter(ctx, {
      definitionCode: maySeeOhRecords(ctx.actor) ? input.definitionCode : undefined,
      unitId: input.unitId,
    });
    const [steps, counts] = await Promise.all([
      this.repository.openSteps(filter, input.limit ?? 200),
      this.repository.countSteps(filter, input.asOf),
    ]);
    const pathways = await this.repository.pathwaysByIds([...new Set(steps.map((s) => s.pathwayId))]);
    const out: WorklistSteps['steps'] = [];
    for (const s of steps) {
      const p = pathways.get(s.pathwayId);
      if (!p) continue;
      const d = await this.definitionOf(p);
      out.push({
        ...s,
        title: d.steps.find((x) => x.id === s.stepCode)?.title ?? s.stepCode,
        definitionTitle: d.title,
      });
    }
    if (out.length)
      await this.audit.record(ctx, {
        action: 'search',
        entityType: 'pathway-step',
        purpose: 'worklist',
        details: { returned: out.map((s) => s.id) },
      });
    return { steps: out, counts };
  }

  /**
   * Fires the timers due at `now`, in batches: steps become due, then overdue, then are
   * escalated to the supervisor. Each batch is claimed, recorded and committed together, so
   * a crash loses nothing (the batch is claimed again) and nothing fires twice (a fired
   * timer is marked, and its history entry has a key that cannot be written twice).
   */
  async sweep(
    now: Date,
    options: { batchSize?: number; afterBatch?: (kind: TimerKind, fired: number) => Promise<void> } = {},
  ): Promise<Record<TimerKind, number>> {
    const batchSize = options.batchSize ?? 500;
    const fired: Record<TimerKind, number> = { due: 0, overdue: 0, escalate: 0 };
    for (const kind of ['due', 'overdue', 'escalate'] as const) {
      for (;;) {
        const n = await this.repository.claimTimers(kind, now, batchSize, async (steps, trx) => {
          const events: NewPathwayEvent[] = [];
          // Who each escalating step goes to: the pathways and people it needs, read once per batch.
          const context = kind === 'escalate' ? await this.escalationContext(steps, trx) : null;
          const audits: AuditRecord[] = [];
          for (const step of steps) {
            const at = step[TIMER_AT[kind]] as Date;
            let details: Record<string, unknown> = { step: step.stepCode, at: at.toISOString() };
            if (kind === 'escalate') {
              const to = this.escalationOf(step, context!);
              await this.repository.assign(step.id, to, step.escalationLevel + 1, trx);
              audits.push({
                action: 'update',
                entityType: 'pathway-step',
                entityId: step.id,
                subjectPersonId: step.personId,
                purpose: 'escalation',
                details: { level: step.escalationLevel + 1 },
              });
              details = { ...details, from: step.assignee, to, level: step.escalationLevel + 1 };
            }
            events.push({
              pathwayId: step.pathwayId,
              stepId: step.id,
              kind: TIMER_EVENT[kind],
              at: now,
              actorUserId: null,
              actorRole: 'system',
              reason: null,
              details,
              dedupeKey: `${step.id}:${kind}:${at.toISOString()}`,
            });
          }
          await this.repository.insertEvents(events, trx);
          if (audits.length)
            await this.audit.record({ actor: null, requestId: 'pathway-sweep', ip: null }, audits, trx);
        });
        fired[kind] += n;
        await options.afterBatch?.(kind, n);
        if (n < batchSize) break;
      }
    }
    return fired;
  }

  /** Read in the sweep's own transaction: on SQLite another connection could wait behind the write lock it holds. */
  private async escalationContext(
    steps: readonly PathwayStep[],
    trx: Knex.Transaction,
  ): Promise<{ pathways: Map<string, Pathway>; people: Map<string, Person> }> {
    const personIds = new Set<string>();
    for (const step of steps) {
      personIds.add(step.personId);
      if (step.assignee && 'personId' in step.assignee) personIds.add(step.assignee.personId);
    }
    const [pathways, people] = await Promise.all([
      this.repository.pathwaysByIds([...new Set(steps.map((s) => s.pathwayId))], trx),
      this.people.recordsForSystem([...personIds], trx),
    ]);
    return { pathways, people };
  }

  private escalationOf(
    step: PathwayStep,
    context: { pathways: Map<string, Pathway>; people: Map<string, Person> },
  ): Assignee {
    const assigneePerson = step.assignee && 'personId' in step.assignee ? step.assignee.personId : null;
    const ctx: AssignmentContext & { managerOfAssignee: string | null } = {
      personId: step.personId,
      lineManagerId: context.people.get(step.personId)?.lineManagerId ?? null,
      leadClinicianUserId: context.pathways.get(step.pathwayId)?.leadClinicianUserId ?? null,
      managerOfAssignee: assigneePerson ? (context.people.get(assigneePerson)?.lineManagerId ?? null) : null,
    };
    return escalationTarget(step.assignee, step, ctx);
  }
}
