import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceInteraction,
} from '@medplum/fhirtypes';
import type { FhirDocs } from '../../web/route-registry.js';
import { RESULT_PARAMS, SEARCH_PARAMS, type SearchableType } from './fhir-search.js';

/** When the partner-facing API last changed shape: the CapabilityStatement's date. */
const API_DATE = '2026-12-03';

/**
 * The partner-facing API's CapabilityStatement (issue 6 §4), built from the FHIR routes that are
 * mounted, so it lists exactly what the server does: each resource type with its interactions,
 * the search parameters each search takes, conditional creates, `$process-message` and
 * transactions, and SMART Backend Services as the security service (FHIR-8).
 */
export function capabilityStatement(
  routes: readonly FhirDocs[],
  urls: { base: string; token: string },
): CapabilityStatement {
  const byType = new Map<string, Set<CapabilityStatementRestResourceInteraction['code']>>();
  for (const r of routes) {
    if (!r.resourceType || r.interaction === 'transaction' || r.interaction === 'operation') continue;
    if (!byType.has(r.resourceType)) byType.set(r.resourceType, new Set());
    byType.get(r.resourceType)!.add(r.interaction);
  }
  const resources: CapabilityStatementRestResource[] = [...byType.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, interactions]) => {
      const searchable = interactions.has('search-type') && type in SEARCH_PARAMS;
      return {
        type: type as CapabilityStatementRestResource['type'],
        interaction: [...interactions].sort().map((code) => ({ code })),
        versioning: 'versioned-update',
        readHistory: false,
        updateCreate: false,
        ...(interactions.has('create') ? { conditionalCreate: true } : {}),
        ...(interactions.has('update') ? { conditionalUpdate: false } : {}),
        ...(searchable
          ? {
              searchParam: [
                ...Object.entries(SEARCH_PARAMS[type as SearchableType]).map(([name, def]) => ({
                  name,
                  type: def.type,
                  documentation: def.documentation,
                })),
                ...Object.entries(RESULT_PARAMS).map(([name, documentation]) => ({
                  name,
                  type: 'number' as const,
                  documentation,
                })),
              ],
            }
          : {}),
      };
    });
  const operations = routes.filter((r) => r.interaction === 'operation' && r.operation);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: API_DATE,
    publisher: 'Blue Light Pathways',
    kind: 'instance',
    software: { name: 'Blue Light Pathways' },
    implementation: {
      description:
        'Partner-facing FHIR API: referrals addressed to your organisation, their Tasks, BaRS responses and laboratory results',
      url: urls.base,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Each NHS partner system sees only what is addressed to its own organisation; anything else is not found. Errors are OperationOutcomes. Every read and write is audited.',
        security: {
          cors: false,
          service: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' },
              ],
              text: 'SMART Backend Services (client_credentials with a JWT client assertion, RS384 or ES384)',
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: urls.token }],
            },
          ],
        },
        resource: resources,
        ...(routes.some((r) => r.interaction === 'transaction')
          ? {
              interaction: [
                {
                  code: 'transaction' as const,
                  documentation: 'Laboratory results only: POST DiagnosticReport and Observation entries, all or none.',
                },
              ],
            }
          : {}),
        ...(operations.length
          ? {
              operation: operations.map((o) => ({
                name: o.operation!,
                definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
                documentation: 'BaRS servicerequest-response messages about referrals we sent you (FHIR-2).',
              })),
            }
          : {}),
      },
    ],
  };
}
