import type { Request } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../../../web/app-dependencies.js';
import { policies } from '../../../auth/access-policy.js';
import { fromForm } from '../../../web/forms.js';
import { parseInput } from '../../../shared/validation.js';
import { ensureCsrfToken } from '../../../web/middleware.js';
import { renderPage, submitForm } from '../../../web/render.js';
import type { RouteDefinition } from '../../../web/route-registry.js';
import { requestContext } from '../../../web/authenticate.js';
import type { PartnerClient } from './partner-auth-service.js';
import { partnerClientJson, partnerClientSchema } from './partner-client-schemas.js';
import { PARTNER_SCOPES } from './smart-scopes.js';
import { notify } from '../../../web/notice.js';

const idParam = z.object({ id: z.uuid() });
const FIELDS = {
  organisationId: 'text',
  name: 'text',
  clientId: 'text',
  jwks: 'text',
  scopes: 'list',
  enabled: 'yes-no',
} as const;
const FORM_FIELDS = Object.keys(FIELDS);
const RENAME: Record<string, string> = { 'jwks.keys': 'jwks' };

/** The form's fields as the API schema's shape: the public keys are pasted as a JWKS (or one JWK). */
function formInput(body: Record<string, unknown>): Record<string, unknown> {
  const v = fromForm(body, FIELDS);
  let jwks: unknown = undefined;
  if (typeof v.jwks === 'string') {
    try {
      const parsed = JSON.parse(v.jwks) as { keys?: unknown };
      jwks = parsed && typeof parsed === 'object' && 'keys' in parsed ? parsed : { keys: [parsed] };
    } catch {
      jwks = 'not JSON';
    }
  }
  return {
    organisationId: v.organisationId ?? undefined,
    name: v.name,
    clientId: v.clientId,
    jwks,
    scopes: v.scopes,
    enabled: v.enabled ?? true,
  };
}

/**
 * The partner systems that call the partner-facing FHIR API (issue 6 §4, FHIR-8), on the partner
 * directory's pages: each with its client id, public keys and the scopes it may have; OH
 * administrators add and change them (disabling one stops its tokens at once).
 */
export function partnerClientPages(deps: AppDependencies): RouteDefinition[] {
  const { partnerAuth, partners } = deps.services;
  const locals = async (_req: Request, existing: PartnerClient | null) => ({
    title: existing ? existing.name : 'Add a partner system',
    existing: existing ? { id: existing.id } : null,
    tokenUrl: partnerAuth.tokenUrl,
    organisations: (await partners.partnerOrganisations()).map((o) => ({
      value: o.id,
      text: o.odsCode ? `${o.name} (${o.odsCode})` : o.name,
    })),
    scopeItems: [...new Set([...PARTNER_SCOPES, ...(existing?.scopes ?? [])])].map((s) => ({ value: s, text: s })),
    yesNo: [
      { value: 'yes', text: 'Yes' },
      { value: 'no', text: 'No' },
    ],
  });
  const valuesOf = (c: PartnerClient) => ({
    organisationId: c.organisationId,
    name: c.name,
    clientId: c.clientId,
    jwks: JSON.stringify(c.jwks, null, 2),
    scopes: c.scopes,
    enabled: c.enabled ? 'yes' : 'no',
  });
  const view = 'partners/client-form';
  return [
    {
      method: 'get',
      path: '/admin/partner-clients/new',
      kind: 'page',
      policy: policies.partnerClientsManage,
      summary: 'The form: register a partner system that calls the partner-facing FHIR API.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        renderPage(req, res, view, {
          ...(await locals(req, null)),
          values: { enabled: 'yes', scopes: [...PARTNER_SCOPES] },
        });
      },
    },
    {
      method: 'post',
      path: '/admin/partner-clients/new',
      kind: 'page',
      policy: policies.partnerClientsManage,
      summary: 'Registers a partner system.',
      handler: async (req, res) => {
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view,
            schema: partnerClientSchema,
            input: formInput(values),
            values: { ...values, scopes: [values.scopes ?? []].flat() },
            locals: () => locals(req, null),
            fields: FORM_FIELDS,
            fallbackField: 'clientId',
            rename: RENAME,
            conflictFields: { 'client-id-taken': 'clientId' },
          },
          async (data) => {
            await partnerAuth.create(requestContext(req), data as never);
            notify(req, { heading: 'notices.partnerClientAdded', next: 'notices.partnerClientAddedNext' });
            res.redirect(303, '/admin/partners');
          },
        );
      },
    },
    {
      method: 'get',
      path: '/admin/partner-clients/:id',
      kind: 'page',
      policy: policies.partnerClientsManage,
      summary: 'The form: change a partner system (its keys, its scopes, or whether it may call us).',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const existing = await partnerAuth.get(parseInput(idParam, req.params).id);
        renderPage(req, res, view, { ...(await locals(req, existing)), values: valuesOf(existing) });
      },
    },
    {
      method: 'post',
      path: '/admin/partner-clients/:id',
      kind: 'page',
      policy: policies.partnerClientsManage,
      summary: 'Changes a partner system; disabling it stops its tokens at once.',
      handler: async (req, res) => {
        const existing = await partnerAuth.get(parseInput(idParam, req.params).id);
        const values = req.body as Record<string, unknown>;
        await submitForm(
          req,
          res,
          {
            view,
            schema: partnerClientSchema,
            input: formInput(values),
            values: { ...values, scopes: [values.scopes ?? []].flat() },
            locals: () => locals(req, existing),
            fields: FORM_FIELDS,
            fallbackField: 'clientId',
            rename: RENAME,
            conflictFields: { 'client-id-taken': 'clientId' },
          },
          async (data) => {
            await partnerAuth.update(requestContext(req), existing.id, data as never);
            notify(req, { heading: 'notices.partnerClientSaved' });
            res.redirect(303, '/admin/partners');
          },
        );
      },
    },
  ];
}

/** The partner systems as the directory page lists them. */
export async function partnerClientRows(deps: AppDependencies, organisationName: (id: string) => string | null) {
  return (await deps.services.partnerAuth.list()).map((c) => ({
    ...partnerClientJson(c),
    organisationName: organisationName(c.organisationId),
  }));
}
