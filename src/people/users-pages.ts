import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import { ROLES, type Role } from '../auth/roles.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { ValidationError } from '../shared/errors.js';
import { requestContext } from '../web/authenticate.js';
import { parseInput } from '../shared/validation.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { renderPage, submitForm } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { id as idSchema } from './people-schemas.js';
import { notify } from '../web/notice.js';

const createUserFormSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter an email address like name@example.org').max(254),
  displayName: z.string().trim().min(1, 'Enter the person’s name').max(200),
  organisationId: idSchema,
  roles: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.enum(ROLES)).min(1, 'Choose at least one role'),
  ),
  staffNumber: z.string().trim().max(30).optional(),
  _csrf: z.string().optional(),
});

const listQuery = z.object({ offset: z.coerce.number().int().min(0).default(0) });

/** User administration for system administrators. */
export function usersPages(deps: AppDependencies): RouteDefinition[] {
  const { auth, people } = deps.services;
  const formLocals = async (req: Parameters<RouteDefinition['handler']>[0]) => ({
    organisations: (await people.listOrganisations()).map((o) => ({ value: o.id, text: o.name })),
    roleOptions: ROLES.map((r) => ({ value: r, text: req.t(`roles.${r}`) })),
  });
  return [
    {
      method: 'get',
      path: '/admin/users',
      kind: 'page',
      policy: policies.usersAdmin,
      summary: 'User accounts.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { offset } = parseInput(listQuery, req.query);
        const page = await auth.listUsers({ limit: 50, offset });
        renderPage(req, res, 'admin/users', {
          users: page.items.map((u) => ({
            ...u,
            roleNames: u.roles.map((r) => req.t(`roles.${r}`)).join(', '),
            disabled: Boolean(u.disabledAt),
          })),
          total: page.total,
          nextHref: offset + 50 < page.total ? `/admin/users?offset=${offset + 50}` : null,
          prevHref: offset > 0 ? `/admin/users?offset=${Math.max(0, offset - 50)}` : null,
        });
      },
    },
    {
      method: 'get',
      path: '/admin/users/new',
      kind: 'page',
      policy: policies.usersAdmin,
      summary: 'The form for adding a user.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'admin/user-form', { ...(await formLocals(req)), values: { roles: [] } });
      },
    },
    {
      method: 'post',
      path: '/admin/users/new',
      kind: 'page',
      policy: policies.usersAdmin,
      summary: 'Adds a user and shows their one-time set-password link.',
      handler: async (req, res) => {
        const ctx = requestContext(req);
        const values = { ...req.body, roles: [req.body?.roles ?? []].flat() };
        await submitForm(
          req,
          res,
          {
            view: 'admin/user-form',
            schema: createUserFormSchema,
            input: req.body,
            values,
            locals: () => formLocals(req),
          },
          async (data) => {
            let personId: string | null = null;
            if (data.staffNumber) {
              const found = await people.searchPeople(ctx, {
                staffNumber: data.staffNumber.toUpperCase(),
                organisationId: data.organisationId,
                limit: 1,
                offset: 0,
              });
              if (!found.items[0])
                throw new ValidationError({ staffNumber: 'No person with this staff number in the organisation' });
              personId = found.items[0].id;
            }
            const { user, setPasswordToken } = await auth.createUser(ctx, {
              email: data.email,
              displayName: data.displayName,
              roles: data.roles as Role[],
              organisationId: data.organisationId,
              personId,
            });
            ensureCsrfToken(req);
            renderPage(
              req,
              res,
              'admin/user-created',
              { user, link: `${deps.config.publicUrl}/set-password/${setPasswordToken}` },
              201,
            );
          },
        );
      },
    },
    {
      method: 'post',
      path: '/admin/users/:id/disable',
      kind: 'page',
      policy: policies.usersAdmin,
      summary: 'Disables a user account and ends its sessions.',
      handler: async (req, res) => {
        const { id } = parseInput(z.object({ id: idSchema }), req.params);
        if (id === req.actor!.userId) throw new ValidationError({ id: 'You cannot disable your own account' });
        await auth.setDisabled(requestContext(req), id, true);
        notify(req, { heading: 'notices.userDisabled', next: 'notices.userDisabledNext' });
        res.redirect(303, '/admin/users');
      },
    },
    {
      method: 'post',
      path: '/admin/users/:id/enable',
      kind: 'page',
      policy: policies.usersAdmin,
      summary: 'Enables a disabled user account.',
      handler: async (req, res) => {
        const { id } = parseInput(z.object({ id: idSchema }), req.params);
        await auth.setDisabled(requestContext(req), id, false);
        notify(req, { heading: 'notices.userEnabled' });
        res.redirect(303, '/admin/users');
      },
    },
  ];
}
