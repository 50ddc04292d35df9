import type { Request, Response } from 'express';
import type { Resource } from '@medplum/fhirtypes';
import type { AppDependencies } from '../../web/app-dependencies.js';
import { policies } from '../../auth/access-policy.js';
import { AppError, ForbiddenError } from '../../shared/errors.js';
import { anonymousContext, partnerContext } from '../../web/authenticate.js';
import type { FhirDocs, RouteDefinition, RouteRegistry } from '../../web/route-registry.js';
import { capabilityStatement } from './capability-statement.js';
import { READABLE_TYPES, SEARCHABLE_TYPES } from './fhir-search.js';
import { OAuthError } from './smart/partner-auth-service.js';
import { scopesAllow } from './smart/smart-scopes.js';

/** Where the partner-facing FHIR API lives. */
export const FHIR_BASE_PATH = '/fhir/R4';

function sendFhir(res: Response, status: number, resource: Resource, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).type('application/fhir+json').send(JSON.stringify(resource));
}

/** ETag and Last-Modified of a versioned resource. */
function versionHeaders(resource: Resource): Record<string, string> {
  return {
    ...(resource.meta?.versionId ? { ETag: `W/"${resource.meta.versionId}"` } : {}),
    ...(resource.meta?.lastUpdated ? { 'Last-Modified': new Date(resource.meta.lastUpdated).toUTCString() } : {}),
  };
}

const queryOf = (req: Request) => req.query as Record<string, string | string[] | undefined>;

/**
 * The partner-facing FHIR API (issue 6 §4): metadata, SMART configuration and the token endpoint
 * (public), then read and search of what is addressed to the calling partner, Task updates,
 * `$process-message`, and laboratory results. Each route names the scope it needs (FHIR-8); the
 * CapabilityStatement is built from these routes.
 */
export function fhirRoutes(deps: AppDependencies, registry: () => RouteRegistry): RouteDefinition[] {
  const { partnerAuth, exchange } = deps.services;
  const base = `${deps.config.publicUrl}${FHIR_BASE_PATH}`;
  const tokenUrl = partnerAuth.tokenUrl;
  const fhir = (
    def: Omit<RouteDefinition, 'kind' | 'policy'> & { fhir: FhirDocs; public?: boolean },
  ): RouteDefinition => ({ ...def, kind: 'fhir', policy: def.public ? policies.public : policies.fhirPartner });
  let statement: Resource | null = null;

  const routes: RouteDefinition[] = [
    fhir({
      method: 'get',
      path: `${FHIR_BASE_PATH}/metadata`,
      public: true,
      summary: 'The CapabilityStatement: exactly what this API supports.',
      fhir: { resourceType: null, interaction: 'operation' },
      handler: (_req, res) => {
        statement ??= capabilityStatement(
          registry()
            .list()
            .flatMap((r) => (r.kind === 'fhir' && r.fhir && r.policy === policies.fhirPartner ? [r.fhir] : [])),
          { base, token: tokenUrl },
        );
        sendFhir(res, 200, statement);
      },
    }),
    fhir({
      method: 'get',
      path: `${FHIR_BASE_PATH}/.well-known/smart-configuration`,
      public: true,
      summary: 'SMART configuration: the token endpoint and what it supports (FHIR-8).',
      fhir: { resourceType: null, interaction: 'operation' },
      handler: (_req, res) => {
        res.json({
          token_endpoint: tokenUrl,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
          token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
          scopes_supported: [
            ...new Set(
              registry()
                .list()
                .flatMap((r) => (r.fhir?.scope ? [`system/${r.fhir.scope.resourceType}.${r.fhir.scope.access}`] : [])),
            ),
          ].sort(),
          capabilities: ['client-confidential-asymmetric'],
        });
      },
    }),
    fhir({
      method: 'post',
      path: `${FHIR_BASE_PATH}/token`,
      public: true,
      summary:
        'The token endpoint: a signed client assertion for a short-lived access token (SMART Backend Services, FHIR-8). Errors are OAuth 2.0 errors.',
      fhir: { resourceType: null, interaction: 'operation' },
      handler: async (req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        try {
          res.json(await partnerAuth.issueToken(anonymousContext(req), (req.body ?? {}) as Record<string, unknown>));
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          res.status(error.status).json({ error: error.error, error_description: error.description });
        }
      },
    }),
  ];

  for (const type of READABLE_TYPES) {
    routes.push(
      fhir({
        method: 'get',
        path: `${FHIR_BASE_PATH}/${type}/:id`,
        summary: `Read a ${type} addressed to your organisation.`,
        fhir: { resourceType: type, interaction: 'read', scope: { resourceType: type, access: 'r' } },
        handler: async (req, res) => {
          const resource = await exchange.read(partnerContext(req), type, String(req.params.id));
          sendFhir(res, 200, resource, versionHeaders(resource));
        },
      }),
    );
  }
  for (const type of SEARCHABLE_TYPES) {
    routes.push(
      fhir({
        method: 'get',
        path: `${FHIR_BASE_PATH}/${type}`,
        summary: `Search the ${type} resources addressed to your organisation.`,
        fhir: { resourceType: type, interaction: 'search-type', scope: { resourceType: type, access: 's' } },
        handler: async (req, res) => sendFhir(res, 200, await exchange.search(partnerContext(req), type, queryOf(req))),
      }),
    );
  }
  routes.push(
    fhir({
      method: 'put',
      path: `${FHIR_BASE_PATH}/Task/:id`,
      summary:
        'Move on the Task of a referral sent to you (FHIR-4): accepted, rejected with a reason, in progress, booked (its time in executionPeriod.start, its place in location: a display, or a contained Location), did not attend, completed. If-Match guards against lost updates.',
      fhir: { resourceType: 'Task', interaction: 'update', scope: { resourceType: 'Task', access: 'u' } },
      handler: async (req, res) => {
        const task = await exchange.updateTask(
          partnerContext(req),
          String(req.params.id),
          req.body,
          req.get('if-match'),
        );
        sendFhir(res, 200, task, versionHeaders(task));
      },
    }),
    fhir({
      method: 'post',
      path: `${FHIR_BASE_PATH}/$process-message`,
      summary:
        'A BaRS servicerequest-response message about a referral we sent you (FHIR-2); a duplicate is refused 409.',
      fhir: {
        resourceType: null,
        interaction: 'operation',
        operation: 'process-message',
        scope: { resourceType: 'MessageHeader', access: 'c' },
      },
      handler: async (req, res) => sendFhir(res, 200, await exchange.processMessage(partnerContext(req), req.body)),
    }),
  );
  for (const type of ['DiagnosticReport', 'Observation'] as const) {
    routes.push(
      fhir({
        method: 'post',
        path: `${FHIR_BASE_PATH}/${type}`,
        summary: `Send a laboratory ${type} based on a referral sent to you; If-None-Exist (identifier=system|value) makes it a conditional create.`,
        fhir: { resourceType: type, interaction: 'create', scope: { resourceType: type, access: 'c' } },
        handler: async (req, res) => {
          const { resource, created } = await exchange.createResult(
            partnerContext(req),
            type,
            req.body,
            req.get('if-none-exist'),
          );
          sendFhir(res, created ? 201 : 200, resource, {
            ...versionHeaders(resource),
            Location: `${base}/${type}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`,
          });
        },
      }),
    );
  }
  routes.push(
    fhir({
      method: 'post',
      path: FHIR_BASE_PATH,
      summary: 'A transaction of laboratory results (DiagnosticReport and Observations together), all or none.',
      fhir: {
        resourceType: null,
        interaction: 'transaction',
        scope: { resourceType: 'DiagnosticReport', access: 'c' },
      },
      handler: async (req, res) => {
        // Every entry's type needs its own create scope.
        const entries = (req.body as { entry?: unknown } | undefined)?.entry;
        const types = new Set(
          (Array.isArray(entries) ? entries : [])
            .map((e: { resource?: { resourceType?: unknown } } | null) => e?.resource?.resourceType)
            .filter((t): t is string => typeof t === 'string'),
        );
        for (const type of types)
          if (!scopesAllow(req.partner!.scopes, type, 'c'))
            throw new ForbiddenError(
              'insufficient-scope',
              `This access token does not allow it: it needs the scope system/${type.slice(0, 40)}.c.`,
            );
        sendFhir(res, 200, await exchange.transaction(partnerContext(req), req.body));
      },
    }),
  );
  return routes;
}

/** 415 for a FHIR request body that is not JSON (the token endpoint takes a form). */
export function fhirBodyCheck(req: Request): AppError | null {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) return null;
  // Mounted under the FHIR base, so the path is relative to it.
  if (`${req.baseUrl}${req.path}` === `${FHIR_BASE_PATH}/token`)
    return req.is('application/x-www-form-urlencoded')
      ? null
      : new AppError({
          code: 'unsupported-media-type',
          status: 415,
          publicMessage: 'Send the token request as application/x-www-form-urlencoded.',
        });
  return req.is(['application/fhir+json', 'application/json'])
    ? null
    : new AppError({
        code: 'unsupported-media-type',
        status: 415,
        publicMessage: 'Send the body as application/fhir+json.',
      });
}
