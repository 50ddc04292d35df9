import type { Request } from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { id } from '../people/people-schemas.js';

import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import type { StatisticsReport } from './attendance-report-service.js';
import { lastWholeQuarter, previousMonth, reportPeriod, type AbsenceStatistics, type ReportPeriod } from './reports.js';
import { toCsv } from '../shared/csv.js';
import { withoutDateParts } from '../web/date-parts.js';

const monthlyQuery = z
  .object({
    month: z.string().max(10).optional(),
    unitId: z.union([id, z.literal('')]).optional(),
    organisationId: id.optional(),
    part: z.enum(['units', 'reasons']).optional(),
  })
  .strict();
const costQuery = z
  .object({
    period: z.string().max(10).optional(),
    unitId: z.union([id, z.literal('')]).optional(),
    organisationId: id.optional(),
  })
  .strict();

const money = (n: number) =>
  n.toLocaleString('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });

/**
 * Monthly sickness statistics per department and the quarterly or annual cost of sickness
 * absence (ATT-28), on screen and as CSV, for HR and OH administrators.
 */
export function statisticsPages(deps: AppDependencies): RouteDefinition[] {
  const { attendanceReports, people } = deps.services;

  /** Parses the query; a malformed period is a field error on the page (422), never a 500. */
  const run = async (req: Request, kind: 'monthly' | 'cost') => {
    const ctx = requestContext(req);
    const today = deps.clock.today();
    const parsed = (kind === 'monthly' ? monthlyQuery : costQuery).safeParse(withoutDateParts(req.query));
    const q = (parsed.success ? parsed.data : {}) as {
      month?: string;
      period?: string;
      unitId?: string;
      organisationId?: string;
      part?: 'units' | 'reasons';
    };
    const organisationId = q.organisationId ?? ctx.actor.organisationId;
    const { financialYearStartMonth } = await attendanceReports.reportingPolicy(organisationId, today);
    const asked =
      kind === 'monthly'
        ? (q.month ?? previousMonth(today))
        : (q.period ?? lastWholeQuarter(today, financialYearStartMonth));
    const period = parsed.success ? reportPeriod(asked, financialYearStartMonth) : null;
    const field = kind === 'monthly' ? 'month' : 'period';
    const errors =
      !parsed.success ||
      !period ||
      (kind === 'monthly' && period.kind !== 'month') ||
      (kind === 'cost' && period.kind === 'month')
        ? {
            [field]:
              kind === 'monthly'
                ? 'Enter a month as YYYY-MM, for example 2026-11'
                : 'Enter a quarter as YYYY-Qn (Q1 is the first three months of the financial year) or a financial year as YYYY',
          }
        : undefined;
    const unitId = q.unitId ? q.unitId : null;
    const [report, units] = await Promise.all([
      errors
        ? Promise.resolve(null)
        : attendanceReports.statistics(ctx, { organisationId, unitId, from: period!.from, to: period!.to }),
      people.listUnits(ctx, organisationId),
    ]);
    const unitNames = new Map(units.map((u) => [u.id, u.name]));
    return {
      asked,
      period,
      errors,
      unitId,
      units,
      report,
      part: q.part ?? 'units',
      unitName: (u: string | null) => (u ? (unitNames.get(u) ?? '') : req.t('reports.noUnit')),
    };
  };

  const rowsOf = (report: StatisticsReport, unitName: (u: string | null) => string) =>
    [...report.units.map((u) => ({ name: unitName(u.unitId), ...view(u.statistics) }))].sort((a, b) =>
      a.name.localeCompare(b.name),
    );

  const view = (s: AbsenceStatistics) => ({ ...s, costText: money(s.cost) });

  const page = (kind: 'monthly' | 'cost'): RouteDefinition => ({
    method: 'get',
    path: `/reports/attendance/${kind}`,
    kind: 'page',
    policy: policies.attendanceReports,
    summary:
      kind === 'monthly'
        ? 'Monthly sickness statistics per department (ATT-28).'
        : 'The cost of sickness absence for a financial quarter or year (ATT-28).',
    handler: async (req, res) => {
      ensureCsrfToken(req);
      const r = await run(req, kind);
      const errorList = r.errors
        ? Object.entries(r.errors).map(([field, message]) => ({ field, message, href: `#${field}` }))
        : [];
      const query = new URLSearchParams({
        [kind === 'monthly' ? 'month' : 'period']: r.asked,
        ...(r.unitId ? { unitId: r.unitId } : {}),
      });
      renderPage(
        req,
        res,
        `attendance/${kind}`,
        {
          values: { ...(req.query as Record<string, unknown>), month: r.asked, period: r.asked, unitId: r.unitId },
          period: r.period,
          upTo: r.report?.upTo,
          partial: r.report ? r.report.upTo < r.report.to : false,
          units: r.units.map((u) => ({ ...u, selected: u.id === r.unitId })),
          total: r.report ? view(r.report.total) : null,
          rows: r.report ? rowsOf(r.report, r.unitName) : [],
          reasons: r.report
            ? r.report.total.byReason.map((x) => ({
                ...x,
                name: req.t(`reasons.${x.reasonCategory}`),
                share: r.report!.total.dutyDaysLost
                  ? Math.round((1000 * x.dutyDaysLost) / r.report!.total.dutyDaysLost) / 10
                  : null,
              }))
            : [],
          policyVersion: r.report?.policyVersion,
          costs: r.report
            ? [
                ...Object.entries(r.report.costPerDutyDay.byWorkforceRole).map(([role, value]) => ({
                  name: req.t(`workforceRoles.${role}`),
                  value: money(value ?? 0),
                })),
                { name: req.t('reports.otherRoles'), value: money(r.report.costPerDutyDay.default) },
              ]
            : [],
          csvHref: `/reports/attendance/${kind}.csv?${query.toString()}`,
          reasonsCsvHref: `/reports/attendance/${kind}.csv?${query.toString()}&part=reasons`,
          errors: r.errors,
          errorList,
        },
        r.errors ? 422 : 200,
      );
    },
  });

  const csv = (kind: 'monthly' | 'cost'): RouteDefinition => ({
    method: 'get',
    path: `/reports/attendance/${kind}.csv`,
    kind: 'page',
    policy: policies.attendanceReports,
    summary:
      kind === 'monthly'
        ? 'Monthly sickness statistics as CSV (per unit, or per reason with part=reasons).'
        : 'The cost of sickness absence as CSV.',
    handler: async (req, res) => {
      const r = await run(req, kind);
      if (r.errors || !r.report || !r.period) {
        res
          .status(422)
          .type('text/plain')
          .send(Object.values(r.errors ?? { period: 'The report period is not valid.' })[0]);
        return;
      }
      const { report, period } = r;
      const body =
        r.part === 'reasons'
          ? toCsv([
              ['reason', 'spells', 'duty_days_lost', 'from', 'to'],
              ...report.total.byReason.map((x) => [
                req.t(`reasons.${x.reasonCategory}`),
                x.spells,
                x.dutyDaysLost,
                period.from,
                period.to,
              ]),
            ])
          : toCsv([
              [
                'unit',
                'headcount',
                'available_duty_days',
                'duty_days_lost',
                'absence_rate_percent',
                'spells',
                'people_absent',
                'days_lost_per_person',
                'long_term_spells',
                'long_term_days',
                'short_term_spells',
                'short_term_days',
                'cost_gbp',
                'from',
                'to',
              ],
              ...[...rowsOf(report, r.unitName), { name: req.t('reports.allUnits'), ...view(report.total) }].map(
                (s) => [
                  s.name,
                  s.headcount,
                  s.availableDutyDays,
                  s.dutyDaysLost,
                  s.absenceRate ?? '',
                  s.spells,
                  s.peopleAbsent,
                  s.daysLostPerPerson ?? '',
                  s.longTerm.spells,
                  s.longTerm.dutyDaysLost,
                  s.shortTerm.spells,
                  s.shortTerm.dutyDaysLost,
                  s.cost.toFixed(2),
                  period.from,
                  period.to,
                ],
              ),
            ]);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="attendance-${kind}-${fileLabel(period)}${r.part === 'reasons' ? '-reasons' : ''}.csv"`,
      );
      res.type('text/csv').send(body);
    },
  });

  return [page('monthly'), csv('monthly'), page('cost'), csv('cost')];
}

function fileLabel(period: ReportPeriod): string {
  return period.label.replace(/[^0-9A-Za-z-]/g, '');
}
