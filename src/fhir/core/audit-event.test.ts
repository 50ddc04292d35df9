import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../audit/audit-types.js';
import { toAuditEvent, toAuditEventBundle } from './audit-event.js';
import { validateFhirResource } from './fhir-validation.js';

function buildEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 7,
    occurredAt: new Date('2026-11-22T10:00:00Z'),
    requestId: 'req-1',
    callerRequestId: null,
    actorUserId: '11111111-1111-4111-8111-111111111111',
    actorRole: 'oh-clinician',
    actorOrganisationId: null,
    action: 'read',
    entityType: 'person',
    entityId: '22222222-2222-4222-8222-222222222222',
    subjectPersonId: '22222222-2222-4222-8222-222222222222',
    purpose: 'care',
    outcome: 'success',
    reason: null,
    details: null,
    ip: '127.0.0.1',
    ...overrides,
  };
}

describe('audit trail as FHIR AuditEvent (FHIR-7)', () => {
  it('when a read of a workforce record is exported, then it is a valid R4 AuditEvent naming who, what and when', () => {
    const event = toAuditEvent(buildEntry());
    expect(validateFhirResource(event)).toEqual([]);
    expect(event.action).toBe('R');
    expect(event.recorded).toBe('2026-11-22T10:00:00.000Z');
    expect(event.agent[0]?.who?.identifier?.value).toBe('11111111-1111-4111-8111-111111111111');
    expect(event.entity?.[1]?.what?.identifier?.value).toBe('22222222-2222-4222-8222-222222222222');
  });

  it('when access was refused, then the outcome is a failure with the reason and the type a security alert', () => {
    const event = toAuditEvent(
      buildEntry({
        action: 'access',
        outcome: 'denied',
        reason: 'role-not-permitted',
        entityId: null,
        subjectPersonId: null,
      }),
    );
    expect(validateFhirResource(event)).toEqual([]);
    expect(event.outcome).toBe('4');
    expect(event.outcomeDesc).toBe('role-not-permitted');
    expect(event.type.code).toBe('110113');
  });

  it('when several entries are exported, then the bundle is valid and counts them', () => {
    const bundle = toAuditEventBundle(
      [buildEntry(), buildEntry({ id: 8, action: 'create' })],
      new Date('2026-11-22T11:00:00Z'),
    );
    expect(validateFhirResource(bundle)).toEqual([]);
    expect(bundle.total).toBe(2);
    expect(bundle.entry?.map((e) => e.resource?.action)).toEqual(['R', 'C']);
  });
});
