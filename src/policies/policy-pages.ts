import type { Request, Response } from 'express';
import { z } from 'zod';
import { organisationReach, policies, roleMayUse } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { id, isoDate } from '../people/people-schemas.js';
import { addDays } from '../shared/dates.js';
import { isAppError, type FieldErrors } from '../shared/errors.js';
import { checkInput, fieldMessages, parseInput } from '../shared/validation.js';
import type { FieldMessages } from '../shared/error-messages.js';
import { requestContext } from '../web/authenticate.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { inReadersWords, renderFormErrors, renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { contentFromForm, formValues, POLICY_FORMS } from './policy-form.js';
import { POLICY_KINDS, type PolicyKind } from './policy-kinds.js';
import { notify } from '../web/notice.js';
import { longDate } from '../shared/dates.js';

const kindParam = z.object({ kind: z.enum(Object.keys(POLICY_KINDS) as [PolicyKind, ...PolicyKind[]]) });
const orgQuery = z.object({ organisationId: id.optional() });
const publishForm = z
  .object({
    effectiveFrom: isoDate,
    note: z.string().trim().max(500).optional(),
    organisationId: id.optional(),
    _csrf: z.string().optional(),
  })
  .loose();

/**
 * Puts each error of the policy's content on a field of the form: a rule about a group (the
 * shortest review period longer than the longest) goes on the group's first field.
 */
function onFormFields(kind: PolicyKind, errors: FieldMessages): FieldMessages {
  const paths = POLICY_FORMS[kind].sections.flatMap((s) => s.fields.map((f) => f.path));
  const out: FieldMessages = {};
  for (const [key, message] of Object.entries(errors)) {
    const field = key.replace(/^content\./, '');
    const target =
      paths.includes(field) || field.startsWith('sickPay.scale')
        ? field
        : (paths.find((p) => p.startsWith(`${field}.`)) ?? field);
    out[target] ??= message;
  }
  return out;
}

/**
 * The policy pages: the thresholds and periods in force for an organisation, every version
 * published, and publishing a new version from a form (HR for their organisation, OH
 * administrators for any they serve). Publishing is validated and audited by PolicyService.
 */
export function policyPages(deps: AppDependencies): RouteDefinition[] {
  const { policy, people } = deps.services;

  const locals = async (
    req: Request,
    kind: PolicyKind,
    organisationId: string,
    values: Record<string, string>,
    errors: FieldErrors = {},
  ) => {
    const ctx = requestContext(req);
    const today = deps.clock.today();
    const [inForce, versions, organisations] = await Promise.all([
      policy.inForce(organisationId, kind, today),
      policy.versions(ctx, organisationId, kind),
      organisationReach(ctx.actor).kind === 'all' ? people.listOrganisations() : Promise.resolve([]),
    ]);
    const form = POLICY_FORMS[kind];
    return {
      kind,
      kindName: req.t(`policyForm.kinds.${kind}`),
      organisationId,
      organisations: organisations
        .filter((o) => o.kind !== 'nhs-partner')
        .map((o) => ({ ...o, selected: o.id === organisationId })),
      inForce,
      versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
      canPublish: roleMayUse(policies.policiesWrite, ctx.actor.role),
      sections: form.sections.map((s) => ({
        title: req.t(s.title),
        fields: s.fields.map((f) => ({
          ...f,
          name: f.path,
          id: f.path.replace(/\./g, '-'),
          labelText: req.t(f.label),
          value: values[f.path] ?? '',
          error: errors[f.path],
        })),
      })),
      scale: Array.from({ length: form.scaleRows }, (_, i) => ({
        index: i,
        number: i + 1,
        cells: ['serviceFromMonths', 'fullPayDays', 'halfPayDays'].map((c) => ({
          name: `sickPay.scale.${i}.${c}`,
          id: `sickPay-scale-${i}-${c}`,
          value: values[`sickPay.scale.${i}.${c}`] ?? '',
          label: req.t(`policyForm.scale.${c}`),
          error: errors[`sickPay.scale.${i}.${c}`],
        })),
      })),
      scaleError: errors['sickPay.scale'],
      effectiveFrom: values.effectiveFrom ?? addDays(today, 1),
      note: values.note ?? '',
    };
  };

  const organisationFor = (req: Request, requested: string | undefined) =>
    requested ?? requestContext(req).actor.organisationId;

  const show = async (req: Request, res: Response) => {
    ensureCsrfToken(req);
    const { kind } = parseInput(kindParam, req.params);
    const { organisationId } = parseInput(orgQuery, req.query);
    const orgId = organisationFor(req, organisationId);
    const current = await policy.inForce(orgId, kind, deps.clock.today());
    renderPage(req, res, 'policies/edit', await locals(req, kind, orgId, formValues(kind, current.content)));
  };

  return [
    {
      method: 'get',
      path: '/admin/policies',
      kind: 'page',
      policy: policies.policiesRead,
      summary: 'The organisation’s policies: the attendance policy and small-number suppression.',
      handler: async (req, res) => {
        res.redirect(303, '/admin/policies/attendance');
      },
    },
    {
      method: 'get',
      path: '/admin/policies/:kind',
      kind: 'page',
      policy: policies.policiesRead,
      summary: 'A policy in force for an organisation, its versions, and the form to publish a new one.',
      handler: show,
    },
    {
      method: 'post',
      path: '/admin/policies/:kind',
      kind: 'page',
      policy: policies.policiesWrite,
      summary: 'Publishes a new version of a policy from the form (validated, audited).',
      handler: async (req, res) => {
        const { kind } = parseInput(kindParam, req.params);
        const body = req.body as Record<string, unknown>;
        const values = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<
          string,
          string
        >;
        const parsed = checkInput(publishForm, body);
        const orgId = organisationFor(req, parsed.success ? parsed.data.organisationId : undefined);
        const fail = async (errors: FieldMessages) =>
          renderFormErrors(
            req,
            res,
            'policies/edit',
            values,
            errors,
            await locals(req, kind, orgId, values, inReadersWords(req, errors)),
          );
        if (!parsed.success) return fail(fieldMessages(parsed.error));
        try {
          await policy.publish(requestContext(req), {
            organisationId: orgId,
            kind,
            content: contentFromForm(kind, body),
            effectiveFrom: parsed.data.effectiveFrom,
            note: parsed.data.note || null,
          });
        } catch (error) {
          if (isAppError(error) && error.messages) return fail(onFormFields(kind, error.messages));
          throw error;
        }
        notify(req, {
          heading: 'notices.policyPublished',
          next: 'notices.policyPublishedNext',
          values: { date: longDate(parsed.data.effectiveFrom, req.locale) },
        });
        res.redirect(
          303,
          `/admin/policies/${kind}${orgId !== requestContext(req).actor.organisationId ? `?organisationId=${orgId}` : ''}`,
        );
      },
    },
  ];
}
