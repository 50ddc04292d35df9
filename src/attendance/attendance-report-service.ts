import type { AuditService } from '../audit/audit-service.js';
import { organisationReach } from '../auth/access-policy.js';
import type { PeopleService } from '../people/people-service.js';
import type { Person } from '../people/people-types.js';
import type { PolicyService } from '../policies/policy-service.js';
import { daysBetween, londonDay, type IsoDate } from '../shared/dates.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { RequestContext } from '../shared/request-context.js';
import type { Clock } from '../shared/clock.js';
import type { WorkingDayCalendar } from '../shared/working-days.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { AttendanceRepository } from './attendance-repository.js';
import type { AttendanceScoring } from './attendance-scoring.js';
import {
  absenceStatistics,
  complianceCases,
  complianceReport,
  type AbsenceStatistics,
  type Measure,
} from './reports.js';

const PURPOSE = 'attendance-management';

/** One absence behind a compliance measure (ATT-27): no reason, nothing clinical. */
export interface ComplianceCaseRow {
  absenceId: string;
  personId: string;
  name: string;
  staffNumber: string;
  unitId: string | null;
  startDate: IsoDate;
  endDate: IsoDate | null;
  met: boolean;
}

/** One line of the weekly HR report (ATT-26). */
export interface WeeklyReportRow {
  personId: string;
  name: string;
  staffNumber: string;
  unitId: string | null;
  absentSince: IsoDate | null;
  reasonCategory: string | null;
  calendarDaysAbsent: number | null;
  homeVisitOn: IsoDate | null;
  spells: number;
  bradfordScore: number;
  triggers: string[];
}

/** Sickness statistics for a period, for the organisation (or one unit) and for each of its units (ATT-28). */
export interface StatisticsReport {
  from: IsoDate;
  to: IsoDate;
  /** The figures run to this date: the period's end, or today while it runs. */
  upTo: IsoDate;
  total: AbsenceStatistics;
  units: Array<{ unitId: string | null; statistics: AbsenceStatistics }>;
  /** The cost of a duty day lost by workforce role, and for anyone else, from the policy (ATT-28). */
  costPerDutyDay: { default: number; byWorkforceRole: Partial<Record<string, number>> };
  policyVersion: number;
}

/**
 * Attendance reports for HR and OH administrators (ATT-26 … ATT-28): the weekly report, the
 * compliance report, monthly statistics and the cost of sickness. HR see their own
 * organisation; OH administrators any they serve. Every report is audited as a read.
 */
export class AttendanceReportService {
  constructor(
    private readonly spells: AttendanceRepository,
    private readonly people: PeopleService,
    private readonly policies: PolicyService,
    private readonly scoring: AttendanceScoring,
    private readonly audit: AuditService,
    private readonly worklist: WorklistService,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
  ) {}

  /** The compliance report (ATT-27) for an organisation, or one of its units, over a period. */
  async complianceReport(
    ctx: RequestContext,
    input: { organisationId: string; unitId: string | null; from: IsoDate; to: IsoDate },
  ): Promise<Measure[]> {
    this.assertReach(ctx, input.organisationId);
    if (input.to < input.from) throw new ValidationError({ to: 'reports.refusals.periodBackwards' });
    const spells = await this.spells.forReport(input.organisationId, input.unitId, input.from, input.to);
    const ids = spells.map((s) => s.id);
    const [tasks, interviews] = await Promise.all([
      this.worklist.tasksOfSources('absence-spell', ids),
      this.spells.interviewAnswers(ids),
    ]);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-report',
      purpose: PURPOSE,
      details: { report: 'compliance', ...input, spells: ids.length },
    });
    return complianceReport({ from: input.from, to: input.to, spells, tasks, interviews });
  }

  /**
   * The absences behind one compliance measure (ATT-27): who, when, and whether it met the measure —
   * the cases a percentage on the compliance report counts. People come through the reader's reach;
   * nothing clinical (no reason, no OH text): the attendance page of each says more to whoever may read it.
   */
  async complianceCases(
    ctx: RequestContext,
    input: { organisationId: string; unitId: string | null; from: IsoDate; to: IsoDate; measure: Measure['code'] },
  ): Promise<ComplianceCaseRow[]> {
    this.assertReach(ctx, input.organisationId);
    if (input.to < input.from) throw new ValidationError({ to: 'reports.refusals.periodBackwards' });
    const spells = await this.spells.forReport(input.organisationId, input.unitId, input.from, input.to);
    const ids = spells.map((s) => s.id);
    const [tasks, interviews, people] = await Promise.all([
      this.worklist.tasksOfSources('absence-spell', ids),
      this.spells.interviewAnswers(ids),
      this.people.everyoneForReport(ctx, input.organisationId, input.unitId),
    ]);
    const cases =
      complianceCases({ from: input.from, to: input.to, spells, tasks, interviews }).find(
        (m) => m.code === input.measure,
      )?.cases ?? [];
    const spellById = new Map(spells.map((s) => [s.id, s]));
    const personById = new Map(people.map((p) => [p.id, p]));
    const rows: ComplianceCaseRow[] = [];
    for (const c of cases) {
      const spell = spellById.get(c.spellId)!;
      const person = personById.get(spell.personId);
      // Someone outside the reader's reach is not listed (their absence still counts in the figures).
      if (!person) continue;
      rows.push({
        absenceId: spell.id,
        personId: person.id,
        name: `${person.familyName}, ${person.givenName}`,
        staffNumber: person.staffNumber,
        unitId: person.unitId,
        startDate: spell.startDate,
        endDate: spell.endDate,
        met: c.met,
      });
    }
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-report',
      purpose: PURPOSE,
      details: { report: 'compliance-cases', ...input, rows: rows.length },
    });
    return rows.sort((a, b) => a.name.localeCompare(b.name) || a.startDate.localeCompare(b.startDate));
  }

  /**
   * The weekly HR report (ATT-26) as of a date: for each person in the organisation or unit
   * who is absent now or has reached a review trigger — since when, the reason category,
   * spells and Bradford score over the window, triggers, and when the home visit was made.
   */
  async weeklyReport(
    ctx: RequestContext,
    input: { organisationId: string; unitId: string | null; asOf: IsoDate },
  ): Promise<WeeklyReportRow[]> {
    this.assertReach(ctx, input.organisationId);
    const people = await this.people.everyoneForReport(ctx, input.organisationId, input.unitId);
    const scope = { organisationId: input.organisationId, unitId: input.unitId };
    const [scores, current] = await Promise.all([
      this.scoring.sweep(people, input.asOf, scope),
      this.spells.inWindow(input.organisationId, input.unitId, input.asOf, input.asOf),
    ]);
    const absentNow = new Map(current.filter((s) => s.countsAsSickness).map((s) => [s.personId, s]));
    const visits = new Map(
      (
        await this.worklist.tasksOfSources(
          'absence-spell',
          [...absentNow.values()].map((s) => s.id),
        )
      )
        .filter((t) => t.code === 'home-visit' && t.status === 'completed' && t.completedAt)
        .map((t) => [t.sourceId, londonDay(t.completedAt!)]),
    );
    const rows: WeeklyReportRow[] = [];
    for (const person of people) {
      const score = scores.get(person.id);
      const now = absentNow.get(person.id);
      if (!now && !score?.triggers.length) continue;
      rows.push({
        personId: person.id,
        name: `${person.familyName}, ${person.givenName}`,
        staffNumber: person.staffNumber,
        unitId: person.unitId,
        absentSince: now?.startDate ?? null,
        reasonCategory: now?.reasonCategory ?? null,
        calendarDaysAbsent: now ? daysBetween(now.startDate, input.asOf) + 1 : null,
        homeVisitOn: now ? (visits.get(now.id) ?? null) : null,
        spells: score?.bradford.spells ?? 0,
        bradfordScore: score?.bradford.bradfordScore ?? 0,
        triggers: score?.triggers.map((t) => t.code) ?? [],
      });
    }
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-report',
      purpose: PURPOSE,
      details: { report: 'weekly', ...input, rows: rows.length },
    });
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Sickness statistics for [from, to] (ATT-28): the organisation (or one unit) and each of its
   * units — headcount, duty days available and lost, the absence rate, spells, long- and
   * short-term absence, reasons, and the cost at the policy's cost per duty day.
   */
  async statistics(
    ctx: RequestContext,
    input: { organisationId: string; unitId: string | null; from: IsoDate; to: IsoDate },
  ): Promise<StatisticsReport> {
    this.assertReach(ctx, input.organisationId);
    if (input.to < input.from) throw new ValidationError({ to: 'reports.refusals.periodBackwards' });
    if (daysBetween(input.from, input.to) > 400) throw new ValidationError({ to: 'reports.refusals.atMostAYear' });
    const policy = await this.policies.inForce(input.organisationId, 'attendance', input.to);
    const [people, spells] = await Promise.all([
      this.people.everyoneForReport(ctx, input.organisationId, input.unitId),
      this.spells.inWindow(input.organisationId, input.unitId, input.from, input.to),
    ]);
    const cost = policy.content.costPerDutyDay;
    const run = (group: readonly Person[]) =>
      absenceStatistics({
        from: input.from,
        to: input.to,
        asOf: this.clock.today(),
        people: group.map((p) => ({
          id: p.id,
          unitId: p.unitId,
          role: p.role,
          serviceStartDate: p.serviceStartDate,
          leavingDate: p.leavingDate,
          pattern: p.workingPattern,
        })),
        spells,
        calendar: this.calendar,
        longTermAfterDays: policy.content.continuousDaysThreshold,
        costPerDutyDay: (role) => cost.byWorkforceRole[role as keyof typeof cost.byWorkforceRole] ?? cost.default,
      });
    const byUnit = new Map<string | null, Person[]>();
    for (const p of people) byUnit.set(p.unitId, [...(byUnit.get(p.unitId) ?? []), p]);
    await this.audit.record(ctx, {
      action: 'read',
      entityType: 'attendance-report',
      purpose: PURPOSE,
      details: { report: 'statistics', ...input },
    });
    const today = this.clock.today();
    return {
      from: input.from,
      to: input.to,
      upTo: today < input.to ? today : input.to,
      total: run(people),
      units: [...byUnit.entries()].map(([unitId, group]) => ({ unitId, statistics: run(group) })),
      costPerDutyDay: cost,
      policyVersion: policy.version,
    };
  }

  /** The attendance policy's reporting settings in force for an organisation on a date. */
  async reportingPolicy(
    organisationId: string,
    asOf: IsoDate,
  ): Promise<{ financialYearStartMonth: number; version: number }> {
    const policy = await this.policies.inForce(organisationId, 'attendance', asOf);
    return { financialYearStartMonth: policy.content.financialYearStartMonth, version: policy.version };
  }

  private assertReach(ctx: RequestContext, organisationId: string): void {
    const reach = organisationReach(ctx.actor);
    if (reach.kind === 'own' && reach.organisationId !== organisationId) throw new NotFoundError('organisation');
  }
}
