import type { IsoDate } from '../shared/dates.js';
import type { AuditService } from '../audit/audit-service.js';
import { isUniqueViolation } from '../db/knex.js';
import type { Clock } from '../shared/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { RequestContext } from '../shared/request-context.js';
import { organisationReach } from '../auth/access-policy.js';
import { checkInput, fieldMessages } from '../shared/validation.js';
import { POLICY_KINDS, type PolicyContent, type PolicyKind } from './policy-kinds.js';
import type { PolicyRepository, PolicyVersion } from './policy-repository.js';

/** A policy as used by a calculation: its content and which version produced it (0 = the shipped default). */
export interface EffectivePolicy<K extends PolicyKind> {
  kind: K;
  organisationId: string;
  version: number;
  effectiveFrom: string | null;
  content: PolicyContent<K>;
}

/**
 * How long a process keeps the answer to "which version is in force" (as for API tokens): a
 * publication in this process clears it at once; other processes see it within this time.
 */
export const POLICY_CACHE_MS = 5_000;

/** Versioned, audited policy per organisation; the shipped defaults apply until an organisation publishes its own. */
export class PolicyService {
  private readonly cache = new Map<string, { policy: EffectivePolicy<PolicyKind>; until: number }>();

  constructor(
    private readonly repository: PolicyRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The policy in force for an organisation on a given date (dated rules take this, never
   * "today"). Calculations ask for it for every person and spell, so answers are kept for
   * POLICY_CACHE_MS.
   */
  async inForce<K extends PolicyKind>(organisationId: string, kind: K, asOf: string): Promise<EffectivePolicy<K>> {
    const key = `${organisationId}|${kind}|${asOf}`;
    const now = this.clock.now().getTime();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.policy as EffectivePolicy<K>;
    const found = await this.repository.inForce(organisationId, kind, asOf);
    const policy: EffectivePolicy<K> = found
      ? {
          kind,
          organisationId,
          version: found.version,
          effectiveFrom: found.effectiveFrom,
          content: POLICY_KINDS[kind].schema.parse(found.content) as PolicyContent<K>,
        }
      : {
          kind,
          organisationId,
          version: 0,
          effectiveFrom: null,
          content: POLICY_KINDS[kind].defaults as PolicyContent<K>,
        };
    if (this.cache.size > 5_000) this.cache.clear();
    this.cache.set(key, { policy, until: now + POLICY_CACHE_MS });
    return policy;
  }

  /** Every published version, newest first. */
  async versions(ctx: RequestContext, organisationId: string, kind: PolicyKind): Promise<PolicyVersion[]> {
    this.assertReach(ctx, organisationId);
    return this.repository.list(organisationId, kind);
  }

  /** Publishes a new version, validated against the kind's schema, effective from a date; audited. */
  async publish<K extends PolicyKind>(
    ctx: RequestContext,
    input: { organisationId: string; kind: K; content: unknown; effectiveFrom: IsoDate; note?: string | null },
  ): Promise<PolicyVersion> {
    this.assertReach(ctx, input.organisationId);
    const parsed = checkInput(POLICY_KINDS[input.kind].schema, input.content);
    if (!parsed.success) {
      throw new ValidationError(
        Object.fromEntries(Object.entries(fieldMessages(parsed.error)).map(([k, v]) => [`content.${k}`, v])),
      );
    }
    const now = this.clock.now();
    try {
      return await this.repository.transaction(async (trx) => {
        const draft = {
          id: newId(),
          organisationId: input.organisationId,
          kind: input.kind,
          content: parsed.data,
          effectiveFrom: input.effectiveFrom,
          note: input.note ?? null,
          createdByUserId: ctx.actor.userId,
          createdAt: now,
        };
        const version: PolicyVersion = { ...draft, version: await this.repository.insertNextVersion(draft, trx) };
        this.cache.clear();
        await this.audit.record(
          ctx,
          {
            action: 'create',
            entityType: 'policy',
            entityId: version.id,
            details: { kind: input.kind, version: version.version, effectiveFrom: input.effectiveFrom },
          },
          trx,
        );
        return version;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(
          'policy-version-conflict',
          'Someone else published a version at the same time. Reload and try again.',
        );
      throw error;
    }
  }

  private assertReach(ctx: RequestContext, organisationId: string): void {
    const reach = organisationReach(ctx.actor);
    if (reach.kind === 'own' && reach.organisationId !== organisationId) throw new NotFoundError('organisation');
  }
}
