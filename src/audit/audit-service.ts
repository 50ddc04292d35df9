import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.js';
import { NotFoundError } from '../shared/errors.js';
import { partnerOf, type AnyContext } from '../shared/request-context.js';
import type { AuditRepository } from './audit-repository.js';
import type { AuditAction, AuditEntry, AuditOutcome, AuditSearch } from './audit-types.js';

/** What a capability says when it records an access. */
export interface AuditRecord {
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  subjectPersonId?: string | null;
  purpose?: string | null;
  outcome?: AuditOutcome;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

/**
 * The audit trail: who, acting as what role, did what to which record, for what
 * purpose, with what outcome, when, in which request. Every read and write of personal
 * health data and every refused access decision is recorded here.
 */
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /** Records one or more entries for the request in `ctx`. Pass `trx` to commit with the write it describes. */
  async record(ctx: AnyContext, records: AuditRecord | AuditRecord[], trx?: Knex.Transaction): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    const occurredAt = this.clock.now();
    // A partner system is recorded by its client's id, as the partner-system role, of its organisation.
    const partner = partnerOf(ctx);
    await this.repository.append(
      list.map((r) => ({
        occurredAt,
        requestId: ctx.requestId,
        callerRequestId: ctx.callerRequestId ?? null,
        actorUserId: ctx.actor?.userId ?? partner?.clientId ?? null,
        actorRole: ctx.actor?.role ?? (partner ? 'partner-system' : null),
        actorOrganisationId: ctx.actor?.organisationId ?? partner?.organisationId ?? null,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId ?? null,
        subjectPersonId: r.subjectPersonId ?? null,
        purpose: r.purpose ?? null,
        outcome: r.outcome ?? 'success',
        reason: r.reason ?? null,
        details: r.details ?? null,
        ip: ctx.ip,
      })),
      trx,
    );
  }

  /** Records a refused access decision. */
  async recordRefusal(
    ctx: AnyContext,
    entityType: string,
    reason: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await this.record(ctx, { action: 'access', entityType, outcome: 'denied', reason, details: details ?? null });
  }

  /**
   * A record asked for that does not exist or is outside the actor's reach (the repository's query did not
   * find it): audited as a denied read, and answered as not found, so its existence is not told. Returns
   * the error for the caller to throw.
   */
  async outOfReach(
    ctx: AnyContext,
    asked: { entityType: string; entityId: string; purpose?: string },
    notFoundAs: string = asked.entityType,
    trx?: Knex.Transaction,
  ): Promise<NotFoundError> {
    await this.record(
      ctx,
      {
        action: 'read',
        entityType: asked.entityType,
        entityId: asked.entityId,
        purpose: asked.purpose ?? null,
        outcome: 'denied',
        reason: 'not-found-or-out-of-reach',
      },
      trx,
    );
    return new NotFoundError(notFoundAs);
  }

  /** Searches the trail (OH administrators); the search itself is audited. */
  async search(ctx: AnyContext, filter: AuditSearch): Promise<AuditEntry[]> {
    const entries = await this.repository.search(filter);
    await this.record(ctx, {
      action: 'search',
      entityType: 'audit-trail',
      details: { filter, returned: entries.length },
    });
    return entries;
  }
}
