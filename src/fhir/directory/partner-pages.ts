import type { Request } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../../web/app-dependencies.js';
import { policies, roleMayUse } from '../../auth/access-policy.js';
import { enumItems } from '../../i18n/enum-labels.js';
import { parseInput } from '../../shared/validation.js';
import { requestContext } from '../../web/authenticate.js';
import { fromForm } from '../../web/forms.js';
import { ensureCsrfToken } from '../../web/middleware.js';
import { renderPage, submitForm } from '../../web/render.js';
import type { RouteDefinition } from '../../web/route-registry.js';
import { partnerInput, partnerServiceJson, partnerServiceSchema } from './partner-schemas.js';
import { partnerClientRows } from '../partner-api/smart/partner-client-pages.js';
import type { PartnerService } from './partner-types.js';
import { notify } from '../../web/notice.js';

const idParam = z.object({ id: z.uuid() });
const FIELDS = {
  organisationId: 'text',
  name: 'text',
  serviceType: 'text',
  baseUrl: 'text',
  mode: 'text',
  authKind: 'text',
  bearerToken: 'text',
  clientId: 'text',
  tokenUrl: 'text',
  scope: 'text',
  privateKeyJwk: 'text',
  pathways: 'list',
  enabled: 'yes-no',
} as const;
const FORM_FIELDS = Object.keys(FIELDS);
const RENAME: Record<string, string> = {
  'auth.kind': 'authKind',
  'auth.token': 'bearerToken',
  'auth.clientId': 'clientId',
  'auth.tokenUrl': 'tokenUrl',
  'auth.scope': 'scope',
  'auth.privateKeyJwk': 'privateKeyJwk',
  'auth.privateKeyJwk.kty': 'privateKeyJwk',
  'auth.privateKeyJwk.d': 'privateKeyJwk',
  auth: 'authKind',
};

/** The form's flat fields as the API schema's shape: the chosen kind of authentication and its settings. */
function formInput(body: Record<string, unknown>): Record<string, unknown> {
  const v = fromForm(body, FIELDS);
  let key: unknown = null;
  if (typeof v.privateKeyJwk === 'string') {
    try {
      key = JSON.parse(v.privateKeyJwk);
    } catch {
      key = 'not JSON';
    }
  }
  const auth =
    v.authKind === 'bearer'
      ? { kind: 'bearer', token: v.bearerToken }
      : v.authKind === 'smart-backend'
        ? { kind: 'smart-backend', clientId: v.clientId, tokenUrl: v.tokenUrl, scope: v.scope, privateKeyJwk: key }
        : { kind: v.authKind ?? undefined };
  return {
    organisationId: v.organisationId ?? undefined,
    name: v.name,
    serviceType: v.serviceType ?? undefined,
    baseUrl: v.baseUrl,
    mode: v.mode ?? undefined,
    auth,
    pathways: v.pathways,
    enabled: v.enabled ?? true,
  };
}

/** The partner directory's pages (issue 6 §1): the list with each service's last check and the check button; add and change a service. */
export function partnerPages(deps: AppDependencies): RouteDefinition[] {
  const { partners } = deps.services;

  const formLocals = async (req: Request, existing: PartnerService | null) => ({
    title: existing ? existing.name : 'Add a partner service',
    existing: existing ? { id: existing.id, auth: existing.auth.kind } : null,
    keepHint: existing?.auth.kind === 'bearer' ? 'Leave blank to keep the one stored.' : null,
    organisations: (await partners.partnerOrganisations()).map((o) => ({
      value: o.id,
      text: o.odsCode ? `${o.name} (${o.odsCode})` : o.name,
    })),
    serviceTypes: enumItems(req.t, 'partnerServiceType'),
    modes: enumItems(req.t, 'partnerMode'),
    authKinds: enumItems(req.t, 'partnerAuthKind'),
    pathwayItems: enumItems(req.t, 'definitionCode'),
    yesNo: [
      { value: 'yes', text: 'Yes' },
      { value: 'no', text: 'No' },
    ],
  });

  const valuesOf = (s: PartnerService) => ({
    organisationId: s.organisationId,
    name: s.name,
    serviceType: s.serviceType,
    baseUrl: s.baseUrl,
    mode: s.mode,
    authKind: s.auth.kind,
    clientId: s.auth.kind === 'smart-backend' ? s.auth.clientId : '',
    tokenUrl: s.auth.kind === 'smart-backend' ? s.auth.tokenUrl : '',
    scope: s.auth.kind === 'smart-backend' ? s.auth.scope : '',
    pathways: s.pathways,
    enabled: s.enabled ? 'yes' : 'no',
  });

  return [
    {
      method: 'get',
      path: '/admin/partners',
      kind: 'page',
      policy: policies.partnersRead,
      summary:
        'The partner directory: NHS partner services, how each is reached, the pathways it serves, its last connectivity check.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const list = (await partners.list()).map((x) => ({
          ...partnerServiceJson(x.service, x.organisation),
          serviceTypeName: req.t(`partners.serviceTypes.${x.service.serviceType}`),
          modeName: req.t(`partners.modes.${x.service.mode}`),
        }));
        const organisations = new Map((await partners.partnerOrganisations()).map((o) => [o.id, o.name]));
        // The partner systems that call us (issue 6 §4): who, and what they may do.
        const clients = await partnerClientRows(deps, (id) => organisations.get(id) ?? null);
        renderPage(req, res, 'partners/list', {
          title: 'Partner directory',
          services: list,
          clients,
          tokenUrl: deps.services.partnerAuth.tokenUrl,
          canManage: req.actor !== undefined && roleMayUse(policies.partnersManage, req.actor.role),
          checked: typeof req.query.checked === 'string' ? req.query.checked : null,
        });
      },
    },
    {
      method: 'get',
      path: '/admin/partners/new',
      kind: 'page',
      policy: policies.partnersManage,
      summary: 'The form: add a partner service.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, 'partners/form', {
          ...(await formLocals(req, null)),
          values: { mode: 'bars', authKind: 'none', enabled: 'yes', pathways: [] },
        });
      },
    },
    {
      method: 'post',
      path: '/admin/partners/new',
      kind: 'page',
      policy: policies.partnersManage,
      summary: 'Adds a partner service.',
      handler: async (req, res) => {
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'partners/form',
            schema: partnerServiceSchema,
            input: formInput(values),
            values: { ...values, bearerToken: '', privateKeyJwk: '' },
            locals: () => formLocals(req, null),
            fields: FORM_FIELDS,
            fallbackField: 'name',
            rename: RENAME,
          },
          async (data) => {
            await partners.create(requestContext(req), partnerInput(data));
            notify(req, { heading: 'notices.partnerAdded', next: 'notices.partnerAddedNext' });
            res.redirect(303, '/admin/partners');
          },
        );
      },
    },
    {
      method: 'get',
      path: '/admin/partners/:id',
      kind: 'page',
      policy: policies.partnersManage,
      summary: 'The form: change a partner service (secrets are never shown; leave them blank to keep them).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const { id } = parseInput(idParam, req.params);
        const existing = await partners.get(id);
        renderPage(req, res, 'partners/form', { ...(await formLocals(req, existing)), values: valuesOf(existing) });
      },
    },
    {
      method: 'post',
      path: '/admin/partners/:id',
      kind: 'page',
      policy: policies.partnersManage,
      summary: 'Changes a partner service.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        const existing = await partners.get(id);
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view: 'partners/form',
            schema: partnerServiceSchema,
            input: formInput(values),
            values: { ...values, bearerToken: '', privateKeyJwk: '' },
            locals: () => formLocals(req, existing),
            fields: FORM_FIELDS,
            fallbackField: 'name',
            rename: RENAME,
          },
          async (data) => {
            await partners.update(requestContext(req), id, partnerInput(data));
            notify(req, { heading: 'notices.partnerSaved' });
            res.redirect(303, '/admin/partners');
          },
        );
      },
    },
    {
      method: 'post',
      path: '/admin/partners/:id/check',
      kind: 'page',
      policy: policies.partnersManage,
      summary: 'Runs the connectivity check and shows its outcome on the list.',
      handler: async (req, res) => {
        const { id } = parseInput(idParam, req.params);
        await partners.check(requestContext(req), id);
        res.redirect(303, `/admin/partners?checked=${id}`);
      },
    },
  ];
}
