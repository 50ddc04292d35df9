import { z } from 'zod';
import { isIsoDate } from '../shared/dates.js';

export const AUDIT_ACTIONS = [
  'read',
  'search',
  'create',
  'update',
  'delete',
  'export',
  'sign-in',
  'sign-out',
  'access',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One entry of the append-only audit trail. */
export interface AuditEntry {
  id: number;
  occurredAt: Date;
  requestId: string | null;
  /** The X-Request-Id the caller sent, sanitised; ours is `requestId`. */
  callerRequestId: string | null;
  actorUserId: string | null;
  actorRole: string | null;
  actorOrganisationId: string | null;
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  subjectPersonId: string | null;
  purpose: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'occurredAt'>;

/** The kinds of record the trail names, for the search page's words (i18n/enum-labels.ts `auditEntity`). */
export const AUDIT_ENTITY_TYPES = [
  'absence-spell',
  'api-token',
  'attendance',
  'attendance-letter',
  'attendance-procedure',
  'attendance-report',
  'audit-trail',
  'bbv-incident',
  'bbv-result',
  'clinical-content',
  'consent',
  'consent-letter',
  'consent-report',
  'disability-discount-decision',
  'disclosure',
  'fhir-message',
  'fhir-resource',
  'lab-result',
  'oh-referral',
  'partner-client',
  'partner-service',
  'pathway',
  'pathway-definition',
  'pathway-referral',
  'pathway-step',
  'person',
  'policy',
  'referral',
  'return-to-work-interview',
  'route',
  'sick-pay-extension',
  'survey-action',
  'survey-campaign',
  'survey-facilitator',
  'survey-response',
  'survey-results',
  'task',
  'trigger-decision',
  'unit',
  'user',
  'user-mfa',
  'workforce-record',
] as const;

/** Filters for searching the trail. */
export const auditSearchSchema = z
  .object({
    actorUserId: z.string().max(36).optional(),
    subjectPersonId: z.string().max(36).optional(),
    entityType: z.string().max(50).optional(),
    entityId: z.string().max(64).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    from: z.iso.date().refine(isIsoDate).optional(),
    to: z.iso.date().refine(isIsoDate).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    beforeId: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export type AuditSearch = z.infer<typeof auditSearchSchema>;
