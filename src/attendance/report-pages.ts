import type { Request } from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { id, isoDate } from '../people/people-schemas.js';
import { addDays } from '../shared/dates.js';
import { checkInput, fieldMessages } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { inReadersWords, renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { toCsv } from '../shared/csv.js';
import { withoutDateParts } from '../web/date-parts.js';

const reportQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    unitId: z.union([id, z.literal('')]).optional(),
    organisationId: id.optional(),
  })
  .strict();

/** Attendance reports for HR and OH administrators, on screen and as CSV (ATT-27). */
export function attendanceReportPages(deps: AppDependencies): RouteDefinition[] {
  const { attendanceReports, people } = deps.services;

  const run = async (req: Request) => {
    const ctx = requestContext(req);
    const parsed = checkInput(reportQuery, withoutDateParts(req.query));
    const today = deps.clock.today();
    const q = parsed.success ? parsed.data : {};
    const period = { from: q.from ?? addDays(today, -27), to: q.to ?? today };
    const organisationId = q.organisationId ?? ctx.actor.organisationId;
    const unitId = q.unitId ? q.unitId : null;
    const measures = parsed.success
      ? await attendanceReports.complianceReport(ctx, { organisationId, unitId, ...period })
      : [];
    return { ctx, parsed, period, organisationId, unitId, measures };
  };

  const weeklyQuery = z
    .object({
      asOf: isoDate.optional(),
      unitId: z.union([id, z.literal('')]).optional(),
      organisationId: id.optional(),
    })
    .strict();
  const weekly = async (req: Request) => {
    const ctx = requestContext(req);
    const parsed = checkInput(weeklyQuery, withoutDateParts(req.query));
    const q = parsed.success ? parsed.data : {};
    const asOf = q.asOf ?? deps.clock.today();
    const unitId = q.unitId ? q.unitId : null;
    const [rows, units] = await Promise.all([
      parsed.success
        ? attendanceReports.weeklyReport(ctx, {
            organisationId: q.organisationId ?? ctx.actor.organisationId,
            unitId,
            asOf,
          })
        : Promise.resolve([]),
      people.listUnits(ctx),
    ]);
    const unitNames = new Map(units.map((u) => [u.id, u.name]));
    const view = rows.map((r) => ({
      ...r,
      unitName: r.unitId ? unitNames.get(r.unitId) : '',
      reasonName: r.reasonCategory ? req.t(`reasons.${r.reasonCategory}`) : '',
      triggerNames: r.triggers.map((code) => req.t(`reports.triggerShort.${code}`)).join(', '),
    }));
    return { parsed, asOf, unitId, units, view };
  };

  return [
    {
      method: 'get',
      path: '/reports/attendance/weekly',
      kind: 'page',
      policy: policies.attendanceReports,
      summary: 'The weekly HR report (ATT-26): who is absent, triggers, Bradford scores, visits, spells.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { parsed, asOf, unitId, units, view } = await weekly(req);
        const errors = parsed.success ? undefined : inReadersWords(req, fieldMessages(parsed.error));
        renderPage(
          req,
          res,
          'attendance/weekly',
          {
            values: { asOf, unitId },
            units: units.map((u) => ({ ...u, selected: u.id === unitId })),
            rows: view,
            csvHref: `/reports/attendance/weekly.csv?${new URLSearchParams({ asOf, ...(unitId ? { unitId } : {}) }).toString()}`,
            errors,
            errorList: errors
              ? Object.entries(errors).map(([field, message]) => ({ field, message, href: `#${field}` }))
              : [],
          },
          errors ? 422 : 200,
        );
      },
    },
    {
      method: 'get',
      path: '/reports/attendance/weekly.csv',
      kind: 'page',
      policy: policies.attendanceReports,
      summary: 'The weekly HR report as CSV.',
      handler: async (req, res) => {
        const { parsed, asOf, view } = await weekly(req);
        if (!parsed.success) {
          res.status(422).type('text/plain').send('The report date is not valid.');
          return;
        }
        const csv = toCsv([
          [
            'name',
            'staff_number',
            'unit',
            'absent_since',
            'reason',
            'days_absent',
            'home_visit_on',
            'spells_52_weeks',
            'bradford_score',
            'triggers',
          ],
          ...view.map((r) => [
            r.name,
            r.staffNumber,
            r.unitName ?? '',
            r.absentSince ?? '',
            r.reasonName,
            r.calendarDaysAbsent ?? '',
            r.homeVisitOn ?? '',
            r.spells,
            r.bradfordScore,
            r.triggers.join(' '),
          ]),
        ]);
        res.setHeader('Content-Disposition', `attachment; filename="attendance-weekly-${asOf}.csv"`);
        res.type('text/csv').send(csv);
      },
    },
    {
      method: 'get',
      path: '/reports/attendance',
      kind: 'page',
      policy: policies.attendanceReports,
      summary: 'The attendance compliance report (§13.10) for a period and unit.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { ctx, parsed, period, unitId, measures } = await run(req);
        const units = await people.listUnits(ctx);
        const errors = parsed.success ? undefined : inReadersWords(req, fieldMessages(parsed.error));
        const csvQuery = new URLSearchParams({
          from: period.from,
          to: period.to,
          ...(unitId ? { unitId } : {}),
        }).toString();
        renderPage(
          req,
          res,
          'attendance/compliance',
          {
            values: { ...period, unitId },
            units: units.map((u) => ({ ...u, selected: u.id === unitId })),
            measures: measures.map((m) => ({ ...m, name: req.t(`reports.measures.${m.code}`) })),
            csvHref: `/reports/attendance.csv?${csvQuery}`,
            errors,
            errorList: errors
              ? Object.entries(errors).map(([field, message]) => ({ field, message, href: `#${field}` }))
              : [],
          },
          errors ? 422 : 200,
        );
      },
    },
    {
      method: 'get',
      path: '/reports/attendance.csv',
      kind: 'page',
      policy: policies.attendanceReports,
      summary: 'The compliance report as CSV.',
      handler: async (req, res) => {
        const { parsed, period, measures } = await run(req);
        if (!parsed.success) {
          res.status(422).type('text/plain').send('The report period is not valid.');
          return;
        }
        const csv = toCsv([
          ['measure', 'met', 'of', 'percent', 'from', 'to'],
          ...measures.map((m) => [
            req.t(`reports.measures.${m.code}`),
            m.met,
            m.of,
            m.percent ?? '',
            period.from,
            period.to,
          ]),
        ]);
        res.setHeader(
          'Content-Disposition',
          `attachment; filename="attendance-compliance-${period.from}-to-${period.to}.csv"`,
        );
        res.type('text/csv').send(csv);
      },
    },
  ];
}
