import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import type { AuditEntry } from '../../audit/audit-types.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ACTION_CODES: Record<AuditEntry['action'], AuditEvent['action']> = {
  create: 'C',
  read: 'R',
  update: 'U',
  delete: 'D',
  search: 'E',
  export: 'E',
  'sign-in': 'E',
  'sign-out': 'E',
  access: 'E',
};
const OUTCOME_CODES: Record<AuditEntry['outcome'], AuditEvent['outcome']> = { success: '0', denied: '4', failed: '8' };

/** The platform's own identifier systems. */
export const IDENTIFIER_SYSTEMS = {
  user: 'https://bluelightpathways.org.uk/Id/user',
  person: 'https://bluelightpathways.org.uk/Id/workforce-member',
  role: 'https://bluelightpathways.org.uk/CodeSystem/role',
  request: 'https://bluelightpathways.org.uk/Id/request',
  entity: 'https://bluelightpathways.org.uk/CodeSystem/entity-type',
} as const;

function eventType(entry: AuditEntry): AuditEvent['type'] {
  if (entry.action === 'sign-in' || entry.action === 'sign-out')
    return { system: DCM, code: '110114', display: 'User Authentication' };
  if (entry.outcome === 'denied') return { system: DCM, code: '110113', display: 'Security Alert' };
  if (entry.action === 'export') return { system: DCM, code: '110106', display: 'Export' };
  return { system: DCM, code: '110110', display: 'Patient Record' };
}

/** Maps one audit entry to a FHIR R4 AuditEvent (FHIR-7). */
export function toAuditEvent(entry: AuditEntry): AuditEvent {
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: String(entry.id),
    type: eventType(entry),
    action: ACTION_CODES[entry.action],
    recorded: entry.occurredAt.toISOString(),
    outcome: OUTCOME_CODES[entry.outcome],
    agent: [
      {
        requestor: true,
        ...(entry.actorUserId
          ? { who: { identifier: { system: IDENTIFIER_SYSTEMS.user, value: entry.actorUserId } } }
          : {}),
        ...(entry.actorRole
          ? { role: [{ coding: [{ system: IDENTIFIER_SYSTEMS.role, code: entry.actorRole }] }] }
          : {}),
        ...(entry.ip ? { network: { address: entry.ip, type: '2' as const } } : {}),
      },
    ],
    source: {
      observer: { display: 'Blue Light Pathways' },
      ...(entry.requestId ? { site: entry.requestId } : {}),
    },
    entity: [
      {
        what: entry.entityId
          ? { identifier: { system: `${IDENTIFIER_SYSTEMS.entity}/${entry.entityType}`, value: entry.entityId } }
          : { display: entry.entityType },
        type: { system: IDENTIFIER_SYSTEMS.entity, code: entry.entityType },
        ...(entry.details ? { detail: [{ type: 'details', valueString: JSON.stringify(entry.details) }] } : {}),
      },
      ...(entry.subjectPersonId
        ? [
            {
              what: { identifier: { system: IDENTIFIER_SYSTEMS.person, value: entry.subjectPersonId } },
              role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
            },
          ]
        : []),
    ],
  };
  if (entry.outcome !== 'success' && entry.reason) event.outcomeDesc = entry.reason;
  if (entry.purpose)
    event.purposeOfEvent = [{ coding: [{ system: `${IDENTIFIER_SYSTEMS.entity}/purpose`, code: entry.purpose }] }];
  return event;
}

/** A searchset Bundle of AuditEvents for export. */
export function toAuditEventBundle(entries: AuditEntry[], exportedAt: Date): Bundle<AuditEvent> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: exportedAt.toISOString(),
    total: entries.length,
    entry: entries.map((e) => ({ resource: toAuditEvent(e) })),
  };
}
