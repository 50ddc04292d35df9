import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import {
  createPersonSchema,
  createUnitSchema,
  idParamSchema,
  listUnitsSchema,
  protectedIdentitySchema,
  searchPeopleSchema,
  updatePersonSchema,
  WORKFORCE_ROLES,
  workingPatternSchema,
} from './people-schemas.js';

const personResponse = z.object({
  id: z.string(),
  organisationId: z.string(),
  staffNumber: z.string(),
  collarNumber: z.string().nullable(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: z.string().nullable().optional().describe('Present only for roles that may see it'),
  nhsNumber: z.string().nullable().optional().describe('Present only for OH staff and the person themselves'),
  role: z.enum(WORKFORCE_ROLES),
  unitId: z.string().nullable(),
  lineManagerId: z.string().nullable(),
  serviceStartDate: z.string(),
  leavingDate: z.string().nullable(),
  workingPattern: workingPatternSchema,
  protectedIdentity: z.boolean(),
  workEmail: z.string().nullable().optional(),
  personalEmail: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const unitResponse = z.object({
  id: z.string(),
  organisationId: z.string(),
  name: z.string(),
  code: z.string().nullable(),
  parentUnitId: z.string().nullable(),
});

/** Workforce records and units: the JSON API. */
export function peopleRoutes(deps: AppDependencies): RouteDefinition[] {
  const { people } = deps.services;

  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/people',
      policy: policies.peopleSearch,
      summary: 'Search workforce records within your reach, by name, staff number, unit or organisation.',
      tags: ['people'],
      query: searchPeopleSchema,
      responses: {
        200: {
          description: 'A page of people',
          schema: z.object({
            items: z.array(personResponse),
            total: z.number(),
            limit: z.number(),
            offset: z.number(),
          }),
        },
      },
      handler: async (req, res, { query }) => {
        const ctx = requestContext(req);
        const page = await people.searchPeople(ctx, query);
        res.json({
          items: page.items.map((p) => people.viewFor(ctx, p)),
          total: page.total,
          limit: query.limit,
          offset: query.offset,
        });
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/people',
      policy: policies.peopleWrite,
      summary: 'Create a workforce record.',
      tags: ['people'],
      body: createPersonSchema,
      responses: {
        201: { description: 'Created', schema: personResponse },
        409: { description: 'Duplicate staff number in the organisation' },
      },
      handler: async (req, res, { body }) => {
        const ctx = requestContext(req);
        const person = await people.createPerson(ctx, body);
        res.status(201).location(`/api/v1/people/${person.id}`).json(people.viewFor(ctx, person));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/people/:id',
      policy: policies.peopleRead,
      summary: 'Read one workforce record (404 when it does not exist or is outside your reach).',
      tags: ['people'],
      params: idParamSchema,
      responses: {
        200: { description: 'The person', schema: personResponse },
        404: { description: 'Not found or not yours to see' },
      },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        res.json(people.viewFor(ctx, await people.getPerson(ctx, params.id)));
      },
    }),
    apiRoute({
      method: 'patch',
      path: '/api/v1/people/:id',
      policy: policies.peopleWrite,
      summary: 'Change fields of a workforce record.',
      tags: ['people'],
      params: idParamSchema,
      body: updatePersonSchema,
      responses: {
        200: { description: 'The updated person', schema: personResponse },
        404: { description: 'Not found or not yours to change' },
        403: { description: 'protected-identity-oh-only: only OH may change protectedIdentity' },
        409: { description: 'Duplicate staff number' },
        422: {
          description:
            'field-not-visible: a field hidden from you cannot be changed; protected-identity-reason-required: a change of protectedIdentity needs protectedIdentityReason',
        },
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        res.json(people.viewFor(ctx, await people.updatePerson(ctx, params.id, body)));
      },
    }),
    apiRoute({
      method: 'put',
      path: '/api/v1/people/:id/protected-identity',
      policy: policies.peopleProtectedIdentity,
      summary:
        'Protect a person’s identity or lift the protection, with the reason (OH, CONF-3). Lifting it puts a task on the OH clinicians’ queue; referrals shared while it held keep it.',
      tags: ['people'],
      params: idParamSchema,
      body: protectedIdentitySchema,
      responses: {
        200: { description: 'The person', schema: personResponse },
        404: { description: 'Not found or not yours to see' },
        422: { description: 'protected-identity-reason-required: a change needs a reason' },
      },
      handler: async (req, res, { params, body }) => {
        const ctx = requestContext(req);
        res.json(people.viewFor(ctx, await people.changeProtectedIdentity(ctx, params.id, body)));
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/units',
      policy: policies.unitsRead,
      summary: 'List organisational units you can see.',
      tags: ['units'],
      query: listUnitsSchema,
      responses: { 200: { description: 'Units', schema: z.object({ items: z.array(unitResponse) }) } },
      handler: async (req, res, { query }) => {
        res.json({ items: await people.listUnits(requestContext(req), query.organisationId) });
      },
    }),
    apiRoute({
      method: 'get',
      path: '/api/v1/units/:id',
      policy: policies.unitsRead,
      summary: 'Read one unit.',
      tags: ['units'],
      params: idParamSchema,
      responses: { 200: { description: 'The unit', schema: unitResponse }, 404: { description: 'Not found' } },
      handler: async (req, res, { params }) => {
        res.json(await people.getUnit(requestContext(req), params.id));
      },
    }),
    apiRoute({
      method: 'post',
      path: '/api/v1/units',
      policy: policies.unitsWrite,
      summary: 'Create a unit.',
      tags: ['units'],
      body: createUnitSchema,
      responses: { 201: { description: 'Created', schema: unitResponse }, 409: { description: 'Duplicate name' } },
      handler: async (req, res, { body }) => {
        const unit = await people.createUnit(requestContext(req), body);
        res.status(201).location(`/api/v1/units/${unit.id}`).json(unit);
      },
    }),
  ];
}
