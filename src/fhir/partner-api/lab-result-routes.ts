import { z } from 'zod';
import type { AppDependencies } from '../../web/app-dependencies.js';
import { policies } from '../../auth/access-policy.js';
import { requestContext } from '../../web/authenticate.js';
import { apiRoute, type RouteDefinition } from '../../web/route-registry.js';
import { resultView } from './lab-results.js';

const resultResponse = z.object({
  id: z.string().nullable(),
  test: z.string(),
  status: z.string(),
  issued: z.string().nullable(),
  conclusion: z.string().nullable(),
  partnerOrganisationId: z.string(),
  receivedAt: z.string(),
  observations: z.array(
    z.object({
      test: z.string(),
      value: z.string(),
      status: z.string(),
      interpretation: z.string().nullable(),
      referenceRange: z.string().nullable(),
    }),
  ),
});

/** Laboratory results partners sent back for a pathway (issue 6 §4): OH clinicians only (CONF-1). */
export function labResultRoutes(deps: AppDependencies): RouteDefinition[] {
  const { pathways, exchange } = deps.services;
  return [
    apiRoute({
      method: 'get',
      path: '/api/v1/pathways/:id/results',
      policy: policies.labResultsRead,
      summary:
        'The laboratory results NHS partners sent back for a pathway’s referrals (DiagnosticReports with their Observations). Audited.',
      tags: ['pathways'],
      params: z.object({ id: z.uuid() }).strict(),
      responses: {
        200: { description: 'Results, oldest first', schema: z.object({ items: z.array(resultResponse) }) },
        404: { description: 'No such pathway within reach' },
      },
      handler: async (req, res, { params }) => {
        const ctx = requestContext(req);
        const { pathway } = await pathways.get(ctx, params.id);
        res.json({ items: (await exchange.resultsFor(ctx, pathway)).map(resultView) });
      },
    }),
  ];
}
