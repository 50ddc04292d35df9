import { z } from 'zod';
import { maySeeOhRecords, policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { addDays, isIsoDate, startOfLondonDay } from '../shared/dates.js';
import { worklistQuery, worklistStepResponse } from '../pathways/pathway-schemas.js';
import { stepJson, taskJson, taskParam } from './worklist-items.js';

const completeBody = z.object({ note: z.string().trim().max(2000).nullable().optional() }).strict();

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

/** As of a UK day means as of its last moment (the next UK midnight less 1 ms); a moment as written. */
const asOfOf = (value: string | undefined, now: Date) =>
  value ? (isIsoDate(value) ? new Date(startOfLondonDay(addDays(value, 1)).getTime() - 1) : new Date(value)) : now;

/** The worklist over the API: what is due for me (and my queue), and completing it. */
export function worklistRoutes(deps: AppDependencies): RouteDefinition[] {
  const { worklist, pathways } = deps.services;

  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/worklist',
      policy: policies.worklist,
      summary:
        'Open tasks on your list (and your role’s queue), soonest first; and your open pathway steps, soonest deadline first, each upcoming, due or overdue at asOf, with counts. Filter the steps by pathway and by unit.',
      tags: ['worklist'],
      query: worklistQuery,
      responses: {
        200: {
          description: 'Tasks and pathway steps',
          schema: z.object({
            items: z.array(taskResponse),
            steps: z.array(worklistStepResponse),
            counts: z.object({ open: z.number(), due: z.number(), overdue: z.number() }),
          }),
        },
      },
      handler: async (req, res, { query }) => {
        const ctx = requestContext(req);
        const asOf = asOfOf(query.asOf, deps.clock.now());
        const steps = await pathways.worklist(ctx, { asOf, definitionCode: query.pathway, unitId: query.unitId });
        res.json({
          items: (await worklist.mine(ctx)).map(taskJson),
          steps: steps.steps.map((s) => stepJson(s, asOf, maySeeOhRecords(ctx.actor))),
          counts: steps.counts,
        });
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
      responses: {
        200: { description: 'The task', schema: taskResponse },
        404: { description: 'Not an open task on your list' },
      },
      handler: async (req, res, { params, body }) => {
        res.json(taskJson(await worklist.complete(requestContext(req), params.id, body.note ?? null)));
      },
    }),
  ];
}
