import { deadlinesOf, type ScheduleItem } from './schedule.js';
import type { IncidentRecord, TimepointStatus } from './bbv-types.js';

/**
 * What each reader sees of an incident (issue 16 §6, CONF-1): OH clinicians everything; OH
 * administrators and the person the schedule's dates and tests, never a result or that one needs a
 * clinician (a timepoint with results is simply done). Pure: the API and the pages both use it.
 */
export type BbvView = 'clinical' | 'administrative' | 'own';

/** A timepoint's status as a reader who may not see results sees it. */
export function statusFor(view: BbvView, status: TimepointStatus): TimepointStatus {
  return view !== 'clinical' && status === 'needs-review' ? 'complete' : status;
}

export function scheduleFor(view: BbvView, schedule: readonly ScheduleItem[]) {
  return schedule.map((s) => ({
    timepoint: s.timepoint,
    windowStart: s.windowStart,
    windowEnd: s.windowEnd,
    dueDate: s.dueDate,
    tests: s.tests,
    status: statusFor(view, s.status),
    ...(view === 'clinical' ? { results: s.results } : {}),
  }));
}

/** The incident as the API gives it to `view` (the exact shape of issue 16 §7, plus the clinical part for clinicians). */
export function incidentJson(view: BbvView, record: IncidentRecord) {
  const i = record.incident;
  const d = deadlinesOf(i.occurredAt);
  return {
    id: i.id,
    pathwayId: i.pathwayId,
    personId: i.personId,
    occurredAt: i.occurredAt.toISOString(),
    exposureDate: i.exposureDate,
    riskAssessmentDueAt: d.riskAssessmentDueAt.toISOString(),
    pepAlertAt: d.pepAlertAt.toISOString(),
    pepDeadlineAt: d.pepDeadlineAt.toISOString(),
    assessed: i.assessment !== null,
    schedule: scheduleFor(view, record.schedule),
    clinical:
      view === 'clinical'
        ? {
            exposureType: i.exposureType,
            skinBroken: i.skinBroken,
            bloodInMouth: i.bloodInMouth,
            bodyFluid: i.bodyFluid,
            firstAidGiven: i.firstAidGiven,
            sourceKnown: i.sourceKnown,
            sourceRiskFactors: i.sourceRiskFactors,
            sourceConsentedToTesting: i.sourceConsentedToTesting,
            otherPartyPersonId: i.otherPartyPersonId,
            otherParty: i.otherParty,
            linkedIncidentId: i.linkedIncidentId,
            accidentReportRef: i.accidentReportRef,
            toleranceDays: i.toleranceDays,
            assessment: i.assessment && {
              ...i.assessment,
              assessedAt: i.assessment.assessedAt.toISOString(),
              baselineStoredAt: i.assessment.baselineStoredAt?.toISOString() ?? null,
            },
            pep: i.pep && {
              ...i.pep,
              decidedAt: i.pep.decidedAt.toISOString(),
              startedAt: i.pep.startedAt?.toISOString() ?? null,
            },
            hbv: i.hbv && { ...i.hbv, recordedAt: i.hbv.recordedAt.toISOString() },
            results: record.results.map((r) => ({
              id: r.id,
              timepoint: r.timepoint,
              test: r.test,
              result: r.result,
              sampleTakenAt: r.sampleTakenAt.toISOString(),
              source: r.source,
            })),
            pathwayStatus: record.pathwayStatus,
          }
        : null,
  };
}
