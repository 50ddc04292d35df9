import type { Request } from 'express';
import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../app.js';
import { toIsoDate } from '../shared/dates.js';
import { parseInput } from '../shared/validation.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage } from '../web/render.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { deadlineOf, type Task } from './worklist-types.js';

const taskParam = z.object({ id: z.uuid() }).strict();
const completeBody = z.object({ note: z.string().trim().max(2000).nullable().optional() }).strict();
const completeForm = z.object({ note: z.string().trim().max(2000).optional(), _csrf: z.string().optional() });

const taskResponse = z.object({
  id: z.string(),
  subjectPersonId: z.string(),
  sourceType: z.string(),
  sourceId: z.string(),
  code: z.string(),
  sequence: z.number(),
  rule: z.string().nullable(),
  dueDate: z.string(),
  overdueAfter: z.string().nullable().describe('When set, overdue only after this date'),
  status: z.enum(['open', 'completed', 'cancelled']),
  escalationLevel: z.number(),
});

function taskJson(task: Task) {
  return {
    id: task.id,
    subjectPersonId: task.subjectPersonId,
    sourceType: task.sourceType,
    sourceId: task.sourceId,
    code: task.code,
    sequence: task.sequence,
    rule: task.rule,
    dueDate: task.dueDate,
    overdueAfter: task.overdueAfter,
    status: task.status,
    escalationLevel: task.escalationLevel,
  };
}

/** Where a task's work is done: its form, or the person's attendance. */
function taskLink(t: Task): string | null {
  if (t.code === 'return-to-work-interview') return `/absences/${t.sourceId}/return-to-work`;
  if (t.code === 'trigger-review') return `/people/${t.subjectPersonId}/attendance/trigger-decision`;
  if (t.code.startsWith('sick-pay-')) return `/people/${t.subjectPersonId}/attendance`;
  return ['absence-spell', 'return-to-work-interview', 'attendance-person'].includes(t.sourceType) ? `/people/${t.subjectPersonId}/attendance` : null;
}

/** The worklist: what is due for me (and my queue), and completing it. */
export function worklistRoutes(deps: AppDependencies): RouteDefinition[] {
  const { worklist, people } = deps.services;

  const pageLocals = async (req: Request) => {
    const ctx = requestContext(req);
    const tasks = await worklist.mine(ctx);
    const names = await people.namesOf([...new Set(tasks.map((t) => t.subjectPersonId))]);
    const today = toIsoDate(deps.clock.now());
    return {
      tasks: tasks.map((t) => ({
        ...taskJson(t),
        name: req.t(`milestones.${t.code}`),
        personName: names.get(t.subjectPersonId),
        overdue: deadlineOf(t) < today,
        escalated: t.escalationLevel > 0,
        link: taskLink(t),
        byForm: worklist.completedByForm(t.code),
      })),
      overdueCount: tasks.filter((t) => deadlineOf(t) < today).length,
    };
  };

  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/worklist',
      policy: policies.worklist,
      summary: 'Open tasks on your list (and your role’s queue), soonest first.',
      tags: ['worklist'],
      responses: { 200: { description: 'Tasks', schema: z.object({ items: z.array(taskResponse) }) } },
      handler: async (req, res) => {
        res.json({ items: (await worklist.mine(requestContext(req))).map(taskJson) });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/tasks/:id/complete',
      policy: policies.worklist,
      summary: 'Complete a task on your list, with a note of what was done.',
      tags: ['worklist'],
      params: taskParam,
      body: completeBody,
      responses: { 200: { description: 'The task', schema: taskResponse }, 404: { description: 'Not an open task on your list' } },
      handler: async (req, res, { params, body }) => {
        res.json(taskJson(await worklist.complete(requestContext(req), params.id, body.note ?? null)));
      },
    }),
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
        res.redirect(303, '/worklist');
      },
    },
  ];
}
