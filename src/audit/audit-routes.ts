import { z } from 'zod';
import { policies } from '../auth/access-policy.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { toAuditEventBundle } from '../fhir/core/audit-event.js';
import { requestContext } from '../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../web/route-registry.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, auditSearchSchema } from './audit-types.js';

const auditQuery = auditSearchSchema.extend({ format: z.enum(['json', 'fhir']).default('json') }).strict();

const entryResponse = z.object({
  id: z.number(),
  occurredAt: z.string(),
  requestId: z.string().nullable(),
  callerRequestId: z.string().nullable(),
  actorUserId: z.string().nullable(),
  actorRole: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  entityType: z.string(),
  entityId: z.string().nullable(),
  subjectPersonId: z.string().nullable(),
  purpose: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.string().nullable(),
});

/** Searching the audit trail over the API, as JSON or FHIR AuditEvent (OH administrators). */
export function auditRoutes(deps: AppDependencies): RouteDefinition[] {
  const { audit } = deps.services;
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/audit-events',
      policy: policies.auditRead,
      summary: 'Search the audit trail, newest first; `format=fhir` returns a Bundle of FHIR AuditEvent.',
      tags: ['audit'],
      query: auditQuery,
      responses: {
        200: { description: 'Entries, or a FHIR Bundle', schema: z.object({ items: z.array(entryResponse) }) },
      },
      handler: async (req, res, { query }) => {
        const { format, ...filter } = query;
        const entries = await audit.search(requestContext(req), filter);
        if (format === 'fhir') {
          res.type('application/fhir+json').send(JSON.stringify(toAuditEventBundle(entries, deps.clock.now())));
          return;
        }
        res.json({ items: entries });
      },
    }),
  ];
}
