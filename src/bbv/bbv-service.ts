import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import type { BbvRepository } from './bbv-repository.js';
import { bbvScope, bbvView, maySeeClinicalDetail, PLATFORM_REACH } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { Facts } from '../pathways/engine.js';
import type { CapabilityWork, PathwayService } from '../pathways/pathway-service.js';
import type { PathwayReferral } from '../pathways/pathway-types.js';
import type { Clock } from '../shared/clock.js';
import { londonDay, type IsoDate } from '../shared/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { AnyContext, RequestContext } from '../shared/request-context.js';
import type { AssessmentInput, HbvInput, IncidentInput, PepInput, ResultInput } from './bbv-schemas.js';
import type { BbvIncident, BbvResult, IncidentRecord, Timepoint } from './bbv-types.js';

export type { IncidentRecord } from './bbv-types.js';
import { scheduleResultOf, type LabObservation } from './lab-codes.js';
import {
  allClear,
  exposureDateOf,
  followUpByDefault,
  needsReview,
  pepStillPossible,
  planSchedule,
  timepointForSample,
  windowsOf,
  type ScheduleItem,
} from './schedule.js';

/** The purpose the audit trail gives reads and writes of an exposure (clinical care). */
const PURPOSE = 'bbv-exposure';
/** The step of the BBV pathway each timepoint is (definitions/bbv.json). */
export const TIMEPOINT_STEPS: Record<Timepoint, string> = {
  '4-6-weeks': 'test-4-6-weeks',
  '3-months': 'test-3-months',
  '6-months': 'test-6-months',
};
/** The facts the schedule's windows are written to, which the timepoint steps are timed from. */
const WINDOW_FACTS: Record<Timepoint, { start: string; end: string }> = {
  '4-6-weeks': { start: 'firstWindowStart', end: 'firstWindowEnd' },
  '3-months': { start: 'threeMonthWindowStart', end: 'threeMonthWindowEnd' },
  '6-months': { start: 'sixMonthWindowStart', end: 'sixMonthWindowEnd' },
};

/** A laboratory Observation a partner sent, stored against a pathway: what the exchange tells its listener. */
export interface StoredObservation {
  /** The stored resource's id (fhir_resources): one schedule result per Observation, however often it is sent. */
  resourceId: string;
  observation: LabObservation;
  /** When the sample was taken, when the Observation does not say (its report's effective time). */
  reportEffective: string | null;
}

/** Hears laboratory results stored against a pathway (the exchange calls it in the results' transaction). */
export interface LabResultListener {
  resultsStored(
    ctx: AnyContext,
    pathwayId: string,
    observations: readonly StoredObservation[],
    trx: Knex.Transaction,
  ): Promise<void>;
}

export interface BbvDeps {
  repository: BbvRepository;
  pathways: PathwayService;
  people: PeopleService;
  policy: PolicyService;
  audit: AuditService;
  clock: Clock;
}

/**
 * Blood-borne virus exposures (issue 16; domain brief §3): the incident and its pathway, the risk
 * assessment within the hour (both people in a bite), PEP and hepatitis B decisions, and the testing
 * schedule whose results come from OH or a partner laboratory. Every change is one transaction with
 * the pathway's recalculated steps and the audit record. Clinical detail is for OH clinicians only.
 */
export class BbvService implements LabResultListener {
  constructor(private readonly deps: BbvDeps) {}

  private today(): IsoDate {
    return this.deps.clock.today();
  }

  // Recording

  /** Records an exposure (OH clinicians), starts its pathway and, with `highRiskHcv`, its risk assessment. */
  async recordIncident(ctx: RequestContext, input: IncidentInput): Promise<IncidentRecord> {
    if (!maySeeClinicalDetail(ctx.actor)) {
      // Only OH clinicians record an exposure; anyone else outside OH learns nothing of the person (404).
      if (bbvView(ctx.actor) === 'administrative') throw new ForbiddenError();
      throw await this.deps.audit.outOfReach(
        ctx,
        { entityType: 'person', entityId: input.personId, purpose: PURPOSE },
        'person',
      );
    }
    const now = this.deps.clock.now();
    if (input.occurredAt.getTime() > now.getTime() + 5 * 60_000)
      throw new ValidationError({ occurredAt: 'validation.bbv.occurredInFuture' }, 'The exposure cannot be recorded.');
    const skinOrBlood = input.exposureType === 'bite' ? {} : { skinBroken: null, bloodInMouth: null };
    const other = input.otherParty ?? null;
    if (other && input.exposureType !== 'bite')
      throw new ValidationError(
        { otherParty: 'validation.bbv.otherPartyOnlyInBite' },
        'The exposure cannot be recorded.',
      );
    if (other && 'personId' in other && other.personId === input.personId)
      throw new ValidationError(
        { otherParty: 'validation.bbv.otherPartySamePerson' },
        'The exposure cannot be recorded.',
      );
    const id = newId();
    await this.deps.repository.transaction(async (trx) => {
      const person = await this.deps.people.getPerson(ctx, input.personId, PURPOSE, 'person', trx);
      const otherPerson =
        other && 'personId' in other
          ? await this.deps.people.getPerson(ctx, other.personId, PURPOSE, 'person', trx)
          : null;
      const first = await this.start(ctx, person, input, { id, ...skinOrBlood }, now, trx);
      if (otherPerson) {
        // BBV-1: in a bite both people are assessed; a colleague has their own incident, linked both ways.
        const second = await this.start(
          ctx,
          otherPerson,
          { ...input, personId: otherPerson.id, highRiskHcv: undefined, otherParty: { personId: person.id } },
          { id: newId(), linkedIncidentId: first.id },
          now,
          trx,
        );
        await this.deps.repository.update(
          { ...first, linkedIncidentId: second.id, otherPartyPersonId: otherPerson.id },
          trx,
        );
      }
      if (input.highRiskHcv !== undefined) {
        const saved = (await this.deps.repository.find(id, PLATFORM_REACH, trx))!;
        await this.assessWithin(ctx, saved, { ...input, highRiskHcv: input.highRiskHcv }, now, trx);
      }
    });
    return this.recordOf(ctx, id, 'create');
  }

  private async start(
    ctx: RequestContext,
    person: Person,
    input: IncidentInput,
    extra: Partial<BbvIncident> & { id: string },
    now: Date,
    trx: Knex.Transaction,
  ): Promise<BbvIncident> {
    const exposureDate = exposureDateOf(input.occurredAt);
    const other = input.otherParty ?? null;
    const facts: Facts = {
      occurredAt: input.occurredAt.toISOString(),
      exposureDate,
      exposureType: input.exposureType,
    };
    const { pathway } = await this.deps.pathways.enrol(
      ctx,
      {
        personId: person.id,
        definition: 'bbv',
        startedAt: input.occurredAt,
        facts,
        source: 'clinician',
        ownedBy: 'bbv-incident',
      },
      trx,
    );
    const incident: BbvIncident = {
      id: extra.id,
      organisationId: person.organisationId,
      personId: person.id,
      pathwayId: pathway.id,
      occurredAt: input.occurredAt,
      exposureDate,
      exposureType: input.exposureType,
      skinBroken: extra.skinBroken !== undefined ? extra.skinBroken : (input.skinBroken ?? null),
      bloodInMouth: extra.bloodInMouth !== undefined ? extra.bloodInMouth : (input.bloodInMouth ?? null),
      bodyFluid: input.bodyFluid ?? null,
      firstAidGiven: input.firstAidGiven ?? null,
      sourceKnown: input.sourceKnown,
      sourceRiskFactors: input.sourceRiskFactors ?? null,
      sourceConsentedToTesting: input.sourceConsentedToTesting ?? null,
      otherPartyPersonId: other && 'personId' in other ? other.personId : null,
      otherParty:
        other && 'description' in other
          ? {
              description: other.description,
              consentedToTesting: other.consentedToTesting ?? null,
              assessmentArrangedWith: other.assessmentArrangedWith ?? null,
            }
          : null,
      linkedIncidentId: extra.linkedIncidentId ?? null,
      accidentReportRef: input.accidentReportRef ?? null,
      toleranceDays: null,
      assessment: null,
      pep: null,
      hbv: null,
      recordedByUserId: ctx.actor.userId,
      createdAt: now,
      updatedAt: now,
      revision: 1,
    };
    await this.deps.repository.insert(incident, trx);
    await this.deps.audit.record(
      ctx,
      {
        action: 'create',
        entityType: 'bbv-incident',
        entityId: incident.id,
        subjectPersonId: person.id,
        purpose: PURPOSE,
        details: { pathwayId: pathway.id, linked: incident.linkedIncidentId !== null },
      },
      trx,
    );
    return incident;
  }

  /** Records the risk assessment (BBV-1) and makes the testing schedule when follow-up is indicated (BBV-6, BBV-7). */
  async assess(ctx: RequestContext, id: string, input: AssessmentInput): Promise<IncidentRecord> {
    await this.change(ctx, id, async (incident, now, trx) => {
      if (incident.assessment)
        throw new ConflictError('assessment-recorded', 'The risk assessment has already been recorded.');
      await this.assessWithin(ctx, incident, input, now, trx);
    });
    return this.recordOf(ctx, id, 'update');
  }

  private async assessWithin(
    ctx: RequestContext,
    incident: BbvIncident,
    input: AssessmentInput,
    now: Date,
    trx: Knex.Transaction,
  ): Promise<void> {
    const followUp = input.followUpIndicated ?? followUpByDefault(incident);
    const policy = await this.deps.policy.inForce(incident.organisationId, 'bbv', incident.exposureDate);
    const toleranceDays = policy.content.toleranceDays;
    const assessed: BbvIncident = {
      ...incident,
      toleranceDays,
      sourceRiskFactors: input.sourceRiskFactors ?? incident.sourceRiskFactors,
      sourceConsentedToTesting: input.sourceConsentedToTesting ?? incident.sourceConsentedToTesting,
      assessment: {
        assessedAt: now,
        assessedByUserId: ctx.actor.userId,
        highRiskHcv: input.highRiskHcv,
        knownHbvResponder: input.knownHbvResponder ?? null,
        followUpIndicated: followUp,
        baselineStoredAt: input.baselineStoredAt ?? null,
        otherPartyAssessed: input.otherPartyAssessed ?? null,
        note: input.note ?? null,
      },
      updatedAt: now,
    };
    if (!(await this.deps.repository.update(assessed, trx))) throw this.changed();
    const facts: Facts = { followUpIndicated: followUp, highRiskHcv: input.highRiskHcv };
    if (followUp)
      for (const w of windowsOf(incident.exposureDate, { toleranceDays })) {
        facts[WINDOW_FACTS[w.timepoint].start] = w.windowStart;
        facts[WINDOW_FACTS[w.timepoint].end] = w.windowEnd;
      }
    await this.deps.pathways.recordForCapability(
      ctx,
      incident.pathwayId,
      {
        source: 'bbv-incident',
        facts,
        complete: [{ stepCode: 'risk-assessment', note: 'Risk assessment recorded on the incident.' }],
      },
      trx,
    );
    await this.auditChange(ctx, assessed, { assessed: true, followUp }, trx);
  }

  /** BBV-3: the HIV PEP decision. After 72 hours PEP is not started: only "too late", "declined" or "not indicated" stand. */
  async recordPep(ctx: RequestContext, id: string, input: PepInput): Promise<IncidentRecord> {
    await this.change(ctx, id, async (incident, now, trx) => {
      if (input.decision === 'started') {
        const startedAt = input.startedAt ?? now;
        if (!pepStillPossible(incident.occurredAt, startedAt))
          throw new ValidationError({ decision: 'validation.bbv.pepTooLate' }, 'The PEP decision cannot be recorded.');
        if (startedAt.getTime() < incident.occurredAt.getTime() || startedAt.getTime() > now.getTime() + 5 * 60_000)
          throw new ValidationError(
            { startedAt: 'validation.bbv.pepStartedWhen' },
            'The PEP decision cannot be recorded.',
          );
      }
      if (input.decision === 'too-late' && pepStillPossible(incident.occurredAt, now))
        throw new ValidationError({ decision: 'validation.bbv.pepNotTooLate' }, 'The PEP decision cannot be recorded.');
      const next: BbvIncident = {
        ...incident,
        pep: {
          decision: input.decision,
          decidedAt: now,
          startedAt: input.decision === 'started' ? (input.startedAt ?? now) : null,
        },
        updatedAt: now,
      };
      await this.saveDone(
        ctx,
        next,
        { stepCode: 'pep-decision', note: 'PEP decision recorded on the incident.' },
        { pep: true },
        trx,
      );
    });
    return this.recordOf(ctx, id, 'update');
  }

  /** BBV-4: hepatitis B vaccination, booster and HBIG, with their dates. */
  async recordHbv(ctx: RequestContext, id: string, input: HbvInput): Promise<IncidentRecord> {
    await this.change(ctx, id, async (incident, now, trx) => {
      const today = this.today();
      const errors: Record<string, string> = {};
      const given =
        input.vaccination === 'accelerated' || input.vaccination === 'very-rapid' || input.vaccination === 'booster';
      if (given && !input.vaccinationDate) errors.vaccinationDate = 'validation.bbv.vaccinationDateNeeded';
      if (input.hbigGiven && !input.hbigDate) errors.hbigDate = 'validation.bbv.hbigDateNeeded';
      for (const k of ['vaccinationDate', 'hbigDate'] as const) {
        const d = input[k];
        if (d && (d < incident.exposureDate || d > today)) errors[k] = 'validation.bbv.dateSinceExposure';
      }
      if (Object.keys(errors).length)
        throw new ValidationError(errors, 'The hepatitis B decisions cannot be recorded.');
      const next: BbvIncident = {
        ...incident,
        hbv: {
          vaccination: input.vaccination,
          vaccinationDate: given ? (input.vaccinationDate as IsoDate) : null,
          hbigGiven: input.hbigGiven,
          hbigDate: input.hbigGiven ? (input.hbigDate as IsoDate) : null,
          recordedAt: now,
        },
        updatedAt: now,
      };
      await this.saveDone(
        ctx,
        next,
        { stepCode: 'hbv-decision', note: 'Hepatitis B decisions recorded on the incident.' },
        { hbv: true },
        trx,
      );
    });
    return this.recordOf(ctx, id, 'update');
  }

  /** A result OH enters (issue 16 §7): it counts for its timepoint, and the schedule moves on. */
  async recordResult(ctx: RequestContext, id: string, input: ResultInput): Promise<IncidentRecord> {
    await this.change(ctx, id, async (incident, now, trx) => {
      if (!incident.assessment?.followUpIndicated)
        throw new ConflictError('no-schedule', 'This exposure has no testing schedule: follow-up was not indicated.');
      if (
        input.sampleTakenAt.getTime() < incident.occurredAt.getTime() ||
        input.sampleTakenAt.getTime() > now.getTime() + 5 * 60_000
      )
        throw new ValidationError({ sampleTakenAt: 'validation.bbv.sampleWhen' }, 'The result cannot be recorded.');
      const item = this.scheduleOf(incident, await this.deps.repository.results(incident.id, trx)).find(
        (s) => s.timepoint === input.timepoint,
      );
      if (!item?.tests.includes(input.test))
        throw new ValidationError({ test: 'validation.bbv.testNotAtTimepoint' }, 'The result cannot be recorded.');
      const result: BbvResult = {
        id: newId(),
        incidentId: incident.id,
        timepoint: input.timepoint,
        test: input.test,
        result: input.result,
        sampleTakenAt: input.sampleTakenAt,
        source: 'oh',
        resourceId: null,
        recordedByUserId: ctx.actor.userId,
        recordedAt: now,
      };
      await this.deps.repository.insertResults([result], trx);
      await this.afterResults(ctx, incident, [result], now, trx);
    });
    return this.recordOf(ctx, id, 'update');
  }

  /**
   * Laboratory results a partner sent for a pathway (issue 16 §4), in the exchange's transaction: on a
   * BBV pathway each result counts for the timepoint whose window holds its sample date (a late one for
   * the timepoint it missed; one before any window is a baseline, kept with the report only).
   */
  async resultsStored(
    ctx: AnyContext,
    pathwayId: string,
    observations: readonly StoredObservation[],
    trx: Knex.Transaction,
  ): Promise<void> {
    const found = await this.deps.repository.findByPathway(pathwayId, trx);
    if (!found?.assessment?.followUpIndicated || !observations.length) return;
    // As every change: the incident's lock, then what others committed.
    await this.deps.repository.lock(found.id, trx);
    const incident = (await this.deps.repository.find(found.id, PLATFORM_REACH, trx))!;
    const now = this.deps.clock.now();
    const existing = await this.deps.repository.results(incident.id, trx);
    const stored: BbvResult[] = [];
    for (const o of observations) {
      const read = scheduleResultOf(o.observation);
      const when =
        o.observation.effectiveDateTime ??
        o.observation.effectiveInstant ??
        o.observation.effectivePeriod?.start ??
        o.reportEffective;
      const sampleTakenAt = when && !Number.isNaN(Date.parse(when)) ? new Date(when) : now;
      if (!read) continue;
      const schedule = this.scheduleOf(incident, [...existing, ...stored]);
      const timepoint = timepointForSample(schedule, londonDay(sampleTakenAt));
      if (!timepoint || !schedule.find((s) => s.timepoint === timepoint)!.tests.includes(read.test)) continue;
      stored.push({
        id: newId(),
        incidentId: incident.id,
        timepoint,
        test: read.test,
        result: read.result,
        sampleTakenAt,
        source: 'laboratory',
        resourceId: o.resourceId,
        recordedByUserId: null,
        recordedAt: now,
      });
    }
    const saved = await this.deps.repository.insertResults(stored, trx);
    if (saved.length) await this.afterResults(ctx, incident, saved, now, trx);
  }

  /**
   * What new results change: timepoints with every result are done; a positive or indeterminate result
   * goes at once to the OH clinicians with an urgent specialist referral (BBV-9); every timepoint
   * negative closes the pathway.
   */
  private async afterResults(
    ctx: AnyContext,
    incident: BbvIncident,
    added: readonly BbvResult[],
    now: Date,
    trx: Knex.Transaction,
  ): Promise<PathwayReferral[]> {
    const results = await this.deps.repository.results(incident.id, trx);
    const schedule = this.scheduleOf(incident, results);
    const work: CapabilityWork = {
      source: 'bbv-incident',
      complete: schedule
        .filter((s) => s.status === 'complete' || s.status === 'needs-review')
        .map((s) => ({ stepCode: TIMEPOINT_STEPS[s.timepoint], note: 'Every result of this timepoint is recorded.' })),
    };
    if (added.some((r) => needsReview(r.result))) {
      work.facts = { resultNeedsReviewAt: now.toISOString() };
      work.complete!.push({
        stepCode: 'specialist-referral',
        note: 'Opened at once for a positive or indeterminate result.',
        referral: { priority: 'urgent', reason: 'A follow-up blood-borne virus test needs specialist review.' },
      });
      work.escalate = ['result-review'];
    } else if (allClear(schedule)) {
      work.close = { outcome: 'discharged', note: 'Every follow-up test was negative.' };
    }
    const referrals = await this.deps.pathways.recordForCapability(ctx, incident.pathwayId, work, trx);
    await this.deps.audit.record(
      ctx,
      added.map((r) => ({
        action: 'create' as const,
        entityType: 'bbv-result',
        entityId: r.id,
        subjectPersonId: incident.personId,
        purpose: PURPOSE,
        details: { incidentId: incident.id, timepoint: r.timepoint, source: r.source },
      })),
      trx,
    );
    return referrals;
  }

  /** ATT-5: the accident report's reference. */
  async recordAccidentReport(ctx: RequestContext, id: string, reference: string): Promise<IncidentRecord> {
    await this.change(ctx, id, async (incident, now, trx) => {
      const next = { ...incident, accidentReportRef: reference, updatedAt: now };
      // ATT-5: with its reference the report is made; the manager's step is done.
      await this.saveDone(
        ctx,
        next,
        { stepCode: 'accident-report', note: 'Accident report reference recorded.' },
        { accidentReport: true },
        trx,
      );
    });
    return this.recordOf(ctx, id, 'update');
  }

  /** Saves a changed incident, completes the pathway step its form does and records the change, in one transaction. */
  private async saveDone(
    ctx: RequestContext,
    next: BbvIncident,
    step: { stepCode: string; note: string },
    audit: Record<string, unknown>,
    trx: Knex.Transaction,
  ): Promise<void> {
    if (!(await this.deps.repository.update(next, trx))) throw this.changed();
    await this.deps.pathways.recordForCapability(
      ctx,
      next.pathwayId,
      { source: 'bbv-incident', complete: [step] },
      trx,
    );
    await this.auditChange(ctx, next, audit, trx);
  }

  private changed(): ConflictError {
    return new ConflictError(
      'incident-changed',
      'Someone else changed this incident just now. Reload it and try again.',
    );
  }

  private async change(
    ctx: RequestContext,
    id: string,
    work: (incident: BbvIncident, now: Date, trx: Knex.Transaction) => Promise<void>,
  ): Promise<void> {
    await this.inReach(ctx, id);
    // OH administrators reach the incident but record nothing clinical; anyone else never found it.
    if (!maySeeClinicalDetail(ctx.actor)) throw new ForbiddenError();
    const now = this.deps.clock.now();
    await this.deps.repository.transaction(async (trx) => {
      // The lock first: what the change reads (results, the revision) is then what others committed.
      if (!(await this.deps.repository.lock(id, trx))) throw new NotFoundError('incident');
      const incident = await this.deps.repository.find(id, PLATFORM_REACH, trx);
      if (!incident) throw new NotFoundError('incident');
      await work(incident, now, trx);
    });
  }

  private async auditChange(
    ctx: AnyContext,
    incident: BbvIncident,
    details: Record<string, unknown>,
    trx: Knex.Transaction,
  ) {
    await this.deps.audit.record(
      ctx,
      {
        action: 'update',
        entityType: 'bbv-incident',
        entityId: incident.id,
        subjectPersonId: incident.personId,
        purpose: PURPOSE,
        details,
      },
      trx,
    );
  }

  // Reading

  private async inReach(ctx: RequestContext, id: string): Promise<BbvIncident> {
    const incident = await this.deps.repository.find(id, bbvScope(ctx.actor));
    if (!incident)
      throw await this.deps.audit.outOfReach(
        ctx,
        { entityType: 'bbv-incident', entityId: id, purpose: PURPOSE },
        'incident',
      );
    return incident;
  }

  /** The schedule on today's UK day, from the incident and its results (empty until follow-up is indicated). */
  scheduleOf(incident: BbvIncident, results: readonly BbvResult[], today: IsoDate = this.today()): ScheduleItem[] {
    if (!incident.assessment?.followUpIndicated) return [];
    return planSchedule({
      exposureDate: incident.exposureDate,
      highRiskHcv: incident.assessment.highRiskHcv,
      policy: { toleranceDays: incident.toleranceDays ?? 0 },
      results,
      today,
    });
  }

  private async recordOf(
    ctx: RequestContext,
    id: string,
    audited: 'read' | 'create' | 'update',
  ): Promise<IncidentRecord> {
    const incident = (await this.deps.repository.find(id, PLATFORM_REACH))!;
    const results = await this.deps.repository.results(id);
    const pathway = await this.deps.pathways.statusOf(incident.pathwayId);
    if (audited === 'read')
      await this.deps.audit.record(ctx, {
        action: 'read',
        entityType: 'bbv-incident',
        entityId: id,
        subjectPersonId: incident.personId,
        purpose: PURPOSE,
        details: { view: bbvView(ctx.actor) },
      });
    return { incident, results, schedule: this.scheduleOf(incident, results), pathwayStatus: pathway };
  }

  /**
   * The id of the incident a pathway runs for, when the actor reaches incidents of its person (OH, the
   * person), else null: for a link from a pathway the caller has already read within reach. Nothing of the
   * incident is read but its id, so nothing more is audited.
   */
  async incidentIdOf(ctx: RequestContext, pathwayId: string): Promise<string | null> {
    const incident = await this.deps.repository.findByPathway(pathwayId);
    if (!incident) return null;
    return (await this.deps.repository.find(incident.id, bbvScope(ctx.actor))) ? incident.id : null;
  }

  /** An incident within reach (OH; the person their own). Managers and HR never find one. Audited. */
  async get(ctx: RequestContext, id: string): Promise<IncidentRecord> {
    await this.inReach(ctx, id);
    return this.recordOf(ctx, id, 'read');
  }

  /** A person's incidents, newest first (OH; the person their own). Anyone else finds no such person. */
  async forPerson(ctx: RequestContext, personId: string): Promise<IncidentRecord[]> {
    if (bbvView(ctx.actor) !== 'own') await this.deps.people.getPerson(ctx, personId, PURPOSE);
    else if (ctx.actor.personId !== personId)
      throw await this.deps.audit.outOfReach(
        ctx,
        { entityType: 'person', entityId: personId, purpose: PURPOSE },
        'person',
      );
    const incidents = await this.deps.repository.forPerson(personId, bbvScope(ctx.actor));
    if (!incidents.length) return [];
    const out = await this.recordsOf(incidents, this.today());
    await this.deps.audit.record(
      ctx,
      out.map((o) => ({
        action: 'read' as const,
        entityType: 'bbv-incident',
        entityId: o.incident.id,
        subjectPersonId: personId,
        purpose: PURPOSE,
        details: { view: bbvView(ctx.actor) },
      })),
    );
    return out;
  }

  /**
   * Every exposure whose pathway is still open, with its results and schedule on `today` (the
   * platform's own daily work: the reminders). Never for a request: no reach applies.
   */
  async openIncidents(today: IsoDate = this.today()): Promise<IncidentRecord[]> {
    return this.recordsOf(await this.deps.repository.open(), today);
  }

  /** Incidents with their results, schedules on `today` and pathways' statuses: two reads for the whole list. */
  private async recordsOf(incidents: readonly BbvIncident[], today: IsoDate): Promise<IncidentRecord[]> {
    const [results, statuses] = await Promise.all([
      this.deps.repository.resultsFor(incidents.map((i) => i.id)),
      this.deps.repository.pathwayStatuses(incidents.map((i) => i.pathwayId)),
    ]);
    return incidents.map((incident) => {
      const r = results.get(incident.id) ?? [];
      return {
        incident,
        results: r,
        schedule: this.scheduleOf(incident, r, today),
        pathwayStatus: statuses.get(incident.pathwayId) ?? 'closed',
      };
    });
  }

  /**
   * Issue 16 §5: the UK dates of exposures that absences already read within the caller's reach are linked
   * to — the date only, for a manager's or HR's attendance page, which never names what the incident was.
   */
  async exposureDates(incidentIds: readonly string[]): Promise<Map<string, IsoDate>> {
    return new Map((await this.deps.repository.byIds(incidentIds)).map((i) => [i.id, i.exposureDate]));
  }

  /**
   * The dates of OH appointments the people in a manager's or HR's reach have for their exposures (issue
   * 16 §5): the open windows' and upcoming timepoints' due dates, never what they are for. The people
   * are those the caller has already read within its reach.
   */
  async appointmentDates(personIds: readonly string[], today: IsoDate = this.today()): Promise<Map<string, IsoDate[]>> {
    const incidents = await this.deps.repository.openFor(personIds);
    const results = await this.deps.repository.resultsFor(incidents.map((i) => i.id));
    const out = new Map<string, IsoDate[]>();
    for (const i of incidents) {
      const dates = this.scheduleOf(i, results.get(i.id) ?? [], today)
        .filter((s) => s.status === 'upcoming' || s.status === 'due' || s.status === 'partial')
        .map((s) => (s.dueDate >= today ? s.dueDate : s.windowEnd));
      if (dates.length) out.set(i.personId, [...(out.get(i.personId) ?? []), ...dates].sort());
    }
    return out;
  }
}
