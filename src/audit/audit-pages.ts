import { policies } from '../auth/access-policy.js';
import { PARTNER_SYSTEM, ROLES, type Role } from '../auth/roles.js';
import { enumLabel } from '../i18n/enum-labels.js';
import type { Translate } from '../i18n/i18n.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { toAuditEventBundle } from '../fhir/core/audit-event.js';
import { requestContext } from '../web/authenticate.js';
import { parseInput } from '../shared/validation.js';
import { ensureCsrfToken } from '../web/middleware.js';
import { inReadersWords, renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { checkInput, fieldMessages } from '../shared/validation.js';
import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, AUDIT_OUTCOMES, auditSearchSchema } from './audit-types.js';
import { withoutDateParts } from '../web/date-parts.js';

/** The audit trail's search page and its download as a FHIR Bundle of AuditEvent (OH administrators). */
export function auditPages(deps: AppDependencies): RouteDefinition[] {
  const { audit } = deps.services;
  return [
    {
      method: 'get',
      path: '/audit',
      kind: 'page',
      policy: policies.auditRead,
      summary: 'Search the audit trail.',
      handler: async (req, res) => {
        ensureCsrfToken(req);
        const raw = Object.fromEntries(
          Object.entries(withoutDateParts(req.query)).filter(([, v]) => typeof v === 'string' && v !== ''),
        );
        const parsed = checkInput(auditSearchSchema, raw);
        const filter = parsed.success ? parsed.data : auditSearchSchema.parse({});
        const entries = parsed.success ? await audit.search(requestContext(req), filter) : [];
        const exportQuery = new URLSearchParams({ ...(raw as Record<string, string>), format: 'fhir' }).toString();
        renderPage(
          req,
          res,
          'audit/search',
          {
            values: { ...raw, ...req.query },
            entries: entries.map((e) => ({
              ...e,
              roleName: roleName(req.t, e.actorRole),
              entityName: entityName(req.t, e.entityType),
            })),
            entityTypes: [...AUDIT_ENTITY_TYPES]
              .map((value) => ({ value, text: enumLabel(req.t, 'auditEntity', value) }))
              .sort((a, b) => a.text.localeCompare(b.text)),
            actions: AUDIT_ACTIONS,
            outcomes: AUDIT_OUTCOMES,
            exportHref: `/audit/export?${exportQuery}`,
            ...(parsed.success
              ? {}
              : {
                  errors: inReadersWords(req, fieldMessages(parsed.error)),
                  errorList: Object.entries(inReadersWords(req, fieldMessages(parsed.error))).map(
                    ([field, message]) => ({ field, message, href: `#${field}` }),
                  ),
                }),
          },
          parsed.success ? 200 : 422,
        );
      },
    },
    {
      method: 'get',
      path: '/audit/export',
      kind: 'page',
      policy: policies.auditRead,
      summary: 'Download the matching audit entries as a FHIR Bundle of AuditEvent.',
      handler: async (req, res) => {
        const raw = Object.fromEntries(
          Object.entries(req.query).filter(([k, v]) => typeof v === 'string' && v !== '' && k !== 'format'),
        );
        const filter = parseInput(auditSearchSchema, { limit: 1000, ...raw });
        const ctx = requestContext(req);
        const entries = await audit.search(ctx, filter);
        await audit.record(ctx, { action: 'export', entityType: 'audit-trail', details: { count: entries.length } });
        res.setHeader('Content-Disposition', 'attachment; filename="audit-events.json"');
        res.type('application/fhir+json').send(JSON.stringify(toAuditEventBundle(entries, deps.clock.now()), null, 2));
      },
    },
  ];
}

/** Who acted, in words: a user's role, an NHS partner's system, or nothing for the platform's own work. */
function roleName(t: Translate, role: string | null): string {
  if (role === PARTNER_SYSTEM) return t('audit.partnerSystem');
  return (ROLES as readonly string[]).includes(role ?? '') ? enumLabel(t, 'role', role as Role) : '';
}

/** What kind of record an entry names, in words (a kind the register does not know is named as a record). */
function entityName(t: Translate, type: string): string {
  return (AUDIT_ENTITY_TYPES as readonly string[]).includes(type)
    ? enumLabel(t, 'auditEntity', type as (typeof AUDIT_ENTITY_TYPES)[number])
    : t('audit.record');
}
