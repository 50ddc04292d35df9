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
import { NotFoundError } from '../shared/errors.js';
import { MEASURE_CODES } from './reports.js';

const reportQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    unitId: z.union([id, z.literal('')]).optional(),
    organisationId: id.optional(),
  })
  .strict();

const casesQuery = z
  .object({
    from: isoDate,
    to: isoDate,
    unitId: z.union([id, z.literal('')]).optional(),
    organisationId: id.optional(),
    measure: z.enum(MEASURE_CODES),
  })
  .strict();

const WEEKLY_SORTS = ['name', 'unit', 'absentSince', 'homeVisit', 'spells', 'bradford', 'triggers'] as const;
type WeeklySort = (typeof WEEKLY_SORTS)[number];
const WEEKLY_PAGE_SIZE = 25;
/** The weekly report's columns, their headings and what each sorts by (numbers and dates largest first). */
const WEEKLY_COLUMNS: Array<{ label: string; sort: WeeklySort | null; defaultOrder: 'asc' | 'desc' }> = [
  { label: 'people.name', sort: 'name', defaultOrder: 'asc' },
  { label: 'people.unit', sort: 'unit', defaultOrder: 'asc' },
  { label: 'reports.absentSince', sort: 'absentSince', defaultOrder: 'asc' },
  { label: 'reports.homeVisit', sort: 'homeVisit', defaultOrder: 'desc' },
  { label: 'reports.spells', sort: 'spells', defaultOrder: 'desc' },
  { label: 'attendance.bradford', sort: 'bradford', defaultOrder: 'desc' },
  { label: 'reports.triggers', sort: 'triggers', defaultOrder: 'desc' },
];

/** The weekly report's rows in the order asked for; ties (and empty cells, last) fall back to the name. */
function sortWeekly<
  R extends {
    name: string;
    unitName?: string;
    absentSince: string | null;
    homeVisitOn: string | null;
    spells: number;
    bradfordScore: number;
    triggers: string[];
  },
>(rows: R[], sort: WeeklySort, order: 'asc' | 'desc'): R[] {
  const key = (r: R): string | number | null => {
    switch (sort) {
      case 'name':
        return r.name;
      case 'unit':
        return r.unitName || null;
      case 'absentSince':
        return r.absentSince;
      case 'homeVisit':
        return r.homeVisitOn;
      case 'spells':
        return r.spells;
      case 'bradford':
        return r.bradfordScore;
      case 'triggers':
        return r.triggers.length;
    }
  };
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name) : x === null ? 1 : -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : a.name.localeCompare(b.name);
  });
}

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
      sort: z.enum(WEEKLY_SORTS).optional(),
      order: z.enum(['asc', 'desc']).optional(),
      page: z.coerce.number().int().min(1).max(100_000).optional(),
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
    const sort = q.sort ?? 'name';
    const order = q.order ?? (sort === 'name' || sort === 'unit' ? 'asc' : 'desc');
    return { parsed, asOf, unitId, units, view: sortWeekly(view, sort, order), sort, order, page: q.page ?? 1 };
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
        const { parsed, asOf, unitId, units, view, sort, order, page } = await weekly(req);
        const errors = parsed.success ? undefined : inReadersWords(req, fieldMessages(parsed.error));
        const filter = { asOf, ...(unitId ? { unitId } : {}) };
        const href = (p: Record<string, string | number>) =>
          `/reports/attendance/weekly?${new URLSearchParams({ ...filter, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])) }).toString()}`;
        const pages = Math.max(1, Math.ceil(view.length / WEEKLY_PAGE_SIZE));
        const current = Math.min(page, pages);
        renderPage(
          req,
          res,
          'attendance/weekly',
          {
            values: { asOf, unitId },
            units: units.map((u) => ({ ...u, selected: u.id === unitId })),
            rows: view.slice((current - 1) * WEEKLY_PAGE_SIZE, current * WEEKLY_PAGE_SIZE),
            // Each heading sorts by its column; again, the other way round.
            columns: WEEKLY_COLUMNS.map((c) => ({
              text: req.t(c.label),
              sortable: c.sort !== null,
              href: c.sort
                ? href({ sort: c.sort, order: c.sort === sort ? (order === 'asc' ? 'desc' : 'asc') : c.defaultOrder })
                : null,
              ariaSort: c.sort === sort ? (order === 'asc' ? 'ascending' : 'descending') : 'none',
            })),
            showing:
              view.length > 0
                ? req.t('reports.showing', {
                    from: (current - 1) * WEEKLY_PAGE_SIZE + 1,
                    to: Math.min(current * WEEKLY_PAGE_SIZE, view.length),
                    count: view.length,
                  })
                : null,
            pagination:
              pages > 1
                ? {
                    prevHref: current > 1 ? href({ sort, order, page: current - 1 }) : null,
                    nextHref: current < pages ? href({ sort, order, page: current + 1 }) : null,
                    items: Array.from({ length: pages }, (_, i) => ({
                      number: i + 1,
                      href: href({ sort, order, page: i + 1 }),
                      current: i + 1 === current,
                      label: req.t('reports.pageNumber', { number: i + 1 }),
                    })),
                  }
                : null,
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
            // Each percentage opens the absences behind it.
            measures: measures.map((m) => ({
              ...m,
              name: req.t(`reports.measures.${m.code}`),
              casesHref: m.of > 0 ? `/reports/attendance/cases?${csvQuery}&measure=${m.code}` : null,
            })),
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
      path: '/reports/attendance/cases',
      kind: 'page',
      policy: policies.attendanceReports,
      summary:
        'The absences behind one compliance percentage: who, when, and whether each met the measure (no reasons, nothing clinical).',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const parsed = checkInput(casesQuery, withoutDateParts(req.query));
        if (!parsed.success) throw new NotFoundError('report');
        const q = parsed.data;
        const unitId = q.unitId ? q.unitId : null;
        const [rows, units] = await Promise.all([
          attendanceReports.complianceCases(ctx, {
            organisationId: q.organisationId ?? ctx.actor.organisationId,
            unitId,
            from: q.from,
            to: q.to,
            measure: q.measure,
          }),
          people.listUnits(ctx),
        ]);
        const unitNames = new Map(units.map((u) => [u.id, u.name]));
        const met = rows.filter((r) => r.met).length;
        renderPage(req, res, 'attendance/compliance-cases', {
          measureName: req.t(`reports.measures.${q.measure}`),
          period: { from: q.from, to: q.to },
          unitName: unitId ? unitNames.get(unitId) : null,
          summary: req.t('reports.casesSummary', { met, count: rows.length }),
          rows: rows.map((r) => ({ ...r, unitName: r.unitId ? unitNames.get(r.unitId) : '' })),
          backHref: `/reports/attendance?${new URLSearchParams({ from: q.from, to: q.to, ...(unitId ? { unitId } : {}) }).toString()}`,
        });
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
