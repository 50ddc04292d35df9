import type { Request } from 'express';
import {
  mayChangeProtectedIdentity,
  personFieldAccess,
  policies,
  roleMayUse,
  type PersonFieldAccess,
} from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { requestContext } from '../web/authenticate.js';
import { parseInput } from '../shared/validation.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { inReadersWords, renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { checkInput, fieldMessages } from '../shared/validation.js';
import { notify } from '../web/notice.js';
import {
  createPersonSchema,
  idParamSchema,
  searchPeopleSchema,
  updatePersonSchema,
  WORKFORCE_ROLES,
} from './people-schemas.js';

/**
 * Form fields arrive as strings; turn them into the API's shape before validating with the same schema.
 * On an update a field the form did not offer is left out, so it is not changed: the edit form offers
 * only the fields the editor may see (issue 14 defect 7).
 */
function personFromForm(body: Record<string, unknown>, forUpdate: boolean): Record<string, unknown> {
  const text = (k: string) => {
    if (forUpdate && !(k in body)) return undefined;
    const v = typeof body[k] === 'string' ? (body[k] as string).trim() : '';
    return v === '' ? (forUpdate ? null : undefined) : v;
  };
  const out: Record<string, unknown> = {
    staffNumber: text('staffNumber') ?? '',
    givenName: text('givenName') ?? '',
    familyName: text('familyName') ?? '',
    role: text('role') ?? '',
    serviceStartDate: text('serviceStartDate') ?? '',
    collarNumber: text('collarNumber'),
    dateOfBirth: text('dateOfBirth'),
    nhsNumber: text('nhsNumber'),
    unitId: text('unitId'),
    lineManagerId: text('lineManagerId'),
    workEmail: text('workEmail'),
    personalEmail: text('personalEmail'),
    // Offered only to those who may change it (OH); otherwise left as it is (issue 14 defect 6).
    ...(!forUpdate || body.protectedIdentityOffered === 'yes'
      ? { protectedIdentity: body.protectedIdentity === 'yes' }
      : {}),
    protectedIdentityReason: forUpdate ? text('protectedIdentityReason') : undefined,
  };
  if (!forUpdate && typeof body.organisationId === 'string' && body.organisationId)
    out.organisationId = body.organisationId;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** A new record has nothing in it yet to hide: its form offers every field. */
const NEW_PERSON_SHOWS: PersonFieldAccess = { dateOfBirth: true, nhsNumber: true, contact: true };

/** Workforce records and units: the pages. */
export function peoplePages(deps: AppDependencies): RouteDefinition[] {
  const { people } = deps.services;

  const formLocals = async (req: Request) => ({
    roles: WORKFORCE_ROLES.map((r) => ({ value: r, text: req.t(`workforceRoles.${r}`) })),
    units: await people.listUnits(requestContext(req)),
  });

  return [
    {
      method: 'get',
      path: '/people',
      kind: 'page',
      policy: policies.peopleSearch,
      summary: 'Search workforce records.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const ctx = requestContext(req);
        const parsed = checkInput(searchPeopleSchema, { ...req.query });
        const query = parsed.success ? parsed.data : searchPeopleSchema.parse({});
        const [page, units] = await Promise.all([people.searchPeople(ctx, query), people.listUnits(ctx)]);
        const unitNames = new Map(units.map((u) => [u.id, u.name]));
        const next = query.offset + query.limit < page.total ? query.offset + query.limit : null;
        const prev = query.offset > 0 ? Math.max(0, query.offset - query.limit) : null;
        const link = (offset: number) =>
          `/people?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.unitId ? { unitId: query.unitId } : {}), offset: String(offset) })}`;
        renderPage(req, res, 'people/search', {
          query,
          units: units.map((u) => ({ ...u, selected: u.id === query.unitId })),
          people: page.items.map((p) => ({
            ...p,
            unitName: p.unitId ? unitNames.get(p.unitId) : undefined,
            roleName: req.t(`workforceRoles.${p.role}`),
          })),
          total: page.total,
          from: page.total ? query.offset + 1 : 0,
          to: query.offset + page.items.length,
          nextHref: next !== null ? link(next) : null,
          prevHref: prev !== null ? link(prev) : null,
          canCreate: roleMayUse(policies.peopleWrite, req.actor!.role),
          errors: parsed.success ? undefined : inReadersWords(req, fieldMessages(parsed.error)),
        });
      },
    },
    {
      method: 'get',
      path: '/people/new',
      kind: 'page',
      policy: policies.peopleWrite,
      summary: 'The form for adding a workforce record.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'people/form', {
          ...(await formLocals(req)),
          values: { role: 'officer' },
          isNew: true,
          shows: NEW_PERSON_SHOWS,
          mayProtect: true,
        });
      },
    },
    {
      method: 'post',
      path: '/people/new',
      kind: 'page',
      policy: policies.peopleWrite,
      summary: 'Adds a workforce record.',
      handler: async (req, res) => {
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'people/form',
            schema: createPersonSchema,
            input: personFromForm(values, false),
            values,
            locals: async () => ({
              ...(await formLocals(req)),
              isNew: true,
              shows: NEW_PERSON_SHOWS,
              mayProtect: true,
            }),
          },
          async (data) => {
            const person = await people.createPerson(requestContext(req), data);
            notify(req, {
              heading: 'notices.personAdded',
              next: 'notices.personAddedNext',
              values: { name: `${person.givenName} ${person.familyName}` },
            });
            res.redirect(303, `/people/${person.id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/people/:id',
      kind: 'page',
      policy: policies.peopleRead,
      summary: 'One workforce record.',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const { id } = parseInput(idParamSchema, { id: req.params.id });
        const person = people.viewFor(ctx, await people.getPerson(ctx, id));
        const [units, names] = await Promise.all([
          people.listUnits(ctx),
          people.namesOf(person.lineManagerId ? [person.lineManagerId] : []),
        ]);
        renderPage(req, res, 'people/show', {
          person,
          workforceRoleName: req.t(`workforceRoles.${person.role}`),
          unitName: units.find((u) => u.id === person.unitId)?.name,
          lineManagerName: person.lineManagerId ? names.get(person.lineManagerId) : undefined,
          canEdit: roleMayUse(policies.peopleWrite, req.actor!.role),
          canSeeAttendance: roleMayUse(policies.attendanceRead, req.actor!.role),
          canSeePathways: roleMayUse(policies.pathwaysRead, req.actor!.role),
          canRefer: roleMayUse(policies.referralsManagement, req.actor!.role) && req.actor!.personId !== person.id,
          canSeeOhReports: roleMayUse(policies.ohReportsReceived, req.actor!.role) && req.actor!.personId !== person.id,
          canSeeConsents: roleMayUse(policies.consentsRequest, req.actor!.role),
          referred: req.query.referred === '1',
        });
      },
    },
    {
      method: 'get',
      path: '/people/:id/edit',
      kind: 'page',
      policy: policies.peopleWrite,
      summary: 'The form for changing a workforce record.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const ctx = requestContext(req);
        const { id } = parseInput(idParamSchema, { id: req.params.id });
        const record = await people.getPerson(ctx, id);
        const person = people.viewFor(ctx, record);
        renderPage(req, res, 'people/form', {
          ...(await formLocals(req)),
          values: { ...person, protectedIdentity: person.protectedIdentity ? 'yes' : '' },
          personId: id,
          shows: personFieldAccess(ctx.actor, record),
          mayProtect: mayChangeProtectedIdentity(ctx.actor),
        });
      },
    },
    {
      method: 'post',
      path: '/people/:id/edit',
      kind: 'page',
      policy: policies.peopleWrite,
      summary: 'Saves changes to a workforce record.',
      handler: async (req, res) => {
        const { id } = parseInput(idParamSchema, { id: req.params.id });
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'people/form',
            schema: updatePersonSchema,
            input: personFromForm(values, true),
            values,
            locals: async () => {
              const ctx = requestContext(req);
              const shows = personFieldAccess(ctx.actor, await people.getPerson(ctx, id));
              return {
                ...(await formLocals(req)),
                personId: id,
                shows,
                mayProtect: mayChangeProtectedIdentity(ctx.actor),
              };
            },
          },
          async (data) => {
            await people.updatePerson(requestContext(req), id, data);
            notify(req, { heading: 'notices.personSaved' });
            res.redirect(303, `/people/${id}`);
          },
        );
      },
    },
    {
      method: 'get',
      path: '/me',
      kind: 'page',
      policy: policies.selfService,
      summary: 'A staff member’s own record (self-service, English and Welsh).',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        ensureCsrfToken(req);
        if (!ctx.actor.personId) return renderPage(req, res, 'people/me', { person: null });
        const person = people.viewFor(ctx, await people.getPerson(ctx, ctx.actor.personId, 'self-service'));
        const [units, names] = await Promise.all([
          people.listUnits(ctx),
          people.namesOf(person.lineManagerId ? [person.lineManagerId] : []),
        ]);
        renderPage(req, res, 'people/me', {
          person,
          workforceRoleName: req.t(`workforceRoles.${person.role}`),
          unitName: units.find((u) => u.id === person.unitId)?.name,
          lineManagerName: person.lineManagerId ? names.get(person.lineManagerId) : undefined,
        });
      },
    },
    {
      method: 'get',
      path: '/units',
      kind: 'page',
      policy: policies.unitsRead,
      summary: 'Organisational units.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const ctx = requestContext(req);
        const units = await people.listUnits(ctx);
        const orgs = ['oh-clinician', 'oh-administrator', 'system-administrator'].includes(ctx.actor.role)
          ? await people.listOrganisations()
          : [];
        const orgNames = new Map(orgs.map((o) => [o.id, o.name]));
        renderPage(req, res, 'people/units', {
          units: units.map((u) => ({ ...u, organisationName: orgNames.get(u.organisationId) })),
          showOrganisation: orgs.length > 0,
        });
      },
    },
  ];
}
