import type { Request } from 'express';
import { z } from 'zod';
import { maySeeOhRecords, policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { londonDate } from '../web/uk-time.js';
import { deadlineOf, type Task } from './worklist-types.js';
import { worklistQuery } from '../pathways/pathway-schemas.js';
import { stepJson, stepState, taskJson, taskParam } from './worklist-items.js';
import { notify } from '../web/notice.js';
import { searchPeopleSchema } from '../people/people-schemas.js';
import { longDate } from '../shared/dates.js';
import type { RequestContext } from '../shared/request-context.js';

const completeForm = z.object({ note: z.string().trim().max(2000).optional(), _csrf: z.string().optional() });

/** Where a task's work is done: its form, or the person's attendance. */
function taskLink(t: Task): string | null {
  if (t.code === 'return-to-work-interview') return `/absences/${t.sourceId}/return-to-work`;
  if (t.code === 'trigger-review') return `/people/${t.subjectPersonId}/attendance/trigger-decision`;
  if (t.code === 'oh-referral-triage') return `/referrals/${t.sourceId}`;
  if (t.sourceType === 'survey-action') return `/surveys/actions/${t.sourceId}`;
  if (t.sourceType === 'consent') return `/consents/${t.sourceId}`;
  if (t.sourceType === 'protected-identity') return `/people/${t.subjectPersonId}`;
  if (t.code.startsWith('sick-pay-')) return `/people/${t.subjectPersonId}/attendance`;
  return ['absence-spell', 'return-to-work-interview', 'attendance-person'].includes(t.sourceType)
    ? `/people/${t.subjectPersonId}/attendance`
    : null;
}

/** The worklist page: what is due for me (and my queue), and completing it. */
export function worklistPages(deps: AppDependencies): RouteDefinition[] {
  const { worklist, people, pathways } = deps.services;

  /**
   * Issue 16 §5: the dates of OH appointments the people on a manager's or HR's list have after an
   * exposure, so duties can be planned: dates only, never what they are for. A line manager's team is
   * read within their reach; HR's are only the people already on their list.
   */
  const ohAppointments = async (req: Request, ctx: RequestContext, onList: readonly string[]) => {
    const role = ctx.actor.role;
    if (role !== 'line-manager' && role !== 'hr-manager') return [];
    const team =
      role === 'line-manager'
        ? (await people.searchPeople(ctx, searchPeopleSchema.parse({ limit: 100 }))).items.map((p) => p.id)
        : [];
    const ids = [...new Set([...team, ...onList])];
    const dates = await deps.services.bbv.appointmentDates(ids, deps.clock.today());
    if (!dates.size) return [];
    const names = await people.namesOf([...dates.keys()]);
    const locale = req.locale === 'cy' ? 'cy' : 'en';
    return [...dates.entries()]
      .map(([personId, days]) => ({
        personId,
        personName: names.get(personId) ?? '',
        text: req.t('worklist.ohAppointments.dates', {
          dates: [...new Set(days)].map((d) => longDate(d, locale)).join(', '),
        }),
      }))
      .sort((a, b) => a.personName.localeCompare(b.personName));
  };

  const pageLocals = async (req: Request) => {
    const ctx = requestContext(req);
    const tasks = await worklist.mine(ctx);
    const names = await people.namesOf([...new Set(tasks.map((t) => t.subjectPersonId))]);
    const today = deps.clock.today();
    // The filter form sends blank fields for "all".
    const query = parseInput(worklistQuery, Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== '')));
    const now = deps.clock.now();
    const pathwaySteps = await pathways.worklist(ctx, {
      asOf: now,
      definitionCode: query.pathway,
      unitId: query.unitId,
    });
    const stepNames = await people.namesOf([...new Set(pathwaySteps.steps.map((s) => s.personId))]);
    // Which pathway a step belongs to is for OH only (CONF-1): managers and HR see their own steps, not the pathway.
    const oh = maySeeOhRecords(ctx.actor);
    const definitions = oh ? await pathways.definitions() : [];
    return {
      steps: pathwaySteps.steps.map((s) => ({
        ...stepJson(s, now, maySeeOhRecords(ctx.actor)),
        pathwayTitle: oh ? s.definitionTitle : null,
        personName: stepNames.get(s.personId),
        overdue: stepState(s, now) === 'overdue',
        upcoming: stepState(s, now) === 'upcoming',
        escalated: s.escalationLevel > 0,
        link: `/pathways/${s.pathwayId}/steps/${s.stepCode}`,
        dueFromDate: londonDate(s.dueFrom),
        dueByDate: londonDate(s.dueBy),
        // A window of less than two days (TRiM's 24–48 hours) is shown with the time.
        hourly: s.dueFrom !== null && s.dueBy !== null && s.dueBy.getTime() - s.dueFrom.getTime() < 2 * 86_400_000,
        sameDay: s.dueFrom !== null && londonDate(s.dueFrom) === londonDate(s.dueBy),
      })),
      stepCounts: pathwaySteps.counts,
      filters: { pathway: query.pathway ?? '', unitId: query.unitId ?? '' },
      showPathway: oh,
      pathwayOptions: [...new Map(definitions.map((d) => [d.code, d.title])).entries()].map(([value, text]) => ({
        value,
        text,
        selected: value === query.pathway,
      })),
      units: (await people.listUnits(ctx)).map((u) => ({ value: u.id, text: u.name, selected: u.id === query.unitId })),
      tasks: tasks.map((t) => ({
        ...taskJson(t),
        name: req.t(`milestones.${t.code}`),
        personName: names.get(t.subjectPersonId),
        overdue: deadlineOf(t) < today,
        escalated: t.escalationLevel > 0,
        link: taskLink(t),
        // A survey action (NA-7) is the owner's own: its link, to the campaign's action plan, is on the task.
        nameLink: t.sourceType === 'survey-action' ? taskLink(t) : null,
        byForm: worklist.completedByForm(t.code),
      })),
      overdueCount: tasks.filter((t) => deadlineOf(t) < today).length,
      ohAppointments: await ohAppointments(req, ctx, [
        ...tasks.map((t) => t.subjectPersonId),
        ...pathwaySteps.steps.map((s) => s.personId),
      ]),
    };
  };

  return [
    {
      method: 'get',
      path: '/worklist',
      kind: 'page',
      policy: policies.worklist,
      summary: 'Your worklist: due and overdue tasks.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'worklist/list', await pageLocals(req));
      },
    },
    {
      method: 'post',
      path: '/tasks/:id/complete',
      kind: 'page',
      policy: policies.worklist,
      summary: 'Marks a task done, with a note.',
      handler: async (req, res) => {
        const { id } = parseInput(taskParam, req.params);
        const { note } = parseInput(completeForm, req.body);
        await worklist.complete(requestContext(req), id, note && note.length > 0 ? note : null);
        notify(req, { heading: 'notices.taskDone' });
        res.redirect(303, '/worklist');
      },
    },
  ];
}
