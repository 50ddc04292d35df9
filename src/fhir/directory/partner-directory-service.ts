import type { AuditService } from '../../audit/audit-service.js';
import type { PeopleService } from '../../people/people-service.js';
import type { Organisation } from '../../people/people-types.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { RequestContext } from '../../shared/request-context.js';
import { checkPartner, PartnerConnectionError } from './partner-connection.js';
import type { PartnerRepository } from './partner-repository.js';
import type { ConnectionCheck, PartnerAuth, PartnerService } from './partner-types.js';

/** A partner service as entered; a secret left out on a change keeps the one stored. */
export interface PartnerServiceInput {
  organisationId: string;
  name: string;
  serviceType: PartnerService['serviceType'];
  baseUrl: string;
  mode: PartnerService['mode'];
  auth:
    | { kind: 'none' }
    | { kind: 'bearer'; token?: string | null }
    | {
        kind: 'smart-backend';
        clientId: string;
        tokenUrl: string;
        scope: string;
        privateKeyJwk?: Record<string, unknown> | null;
      };
  pathways: PartnerService['pathways'];
  enabled: boolean;
}

/**
 * The partner directory (issue 6 §1): NHS partner organisations' services, how to reach and
 * authenticate to each, the pathways each serves, and a connectivity check. OH administrators
 * keep it; OH clinicians read it. Changes and checks are audited; secrets never leave.
 */
export class PartnerDirectoryService {
  constructor(
    private readonly repository: PartnerRepository,
    private readonly people: Pick<PeopleService, 'nhsPartner' | 'listOrganisations'>,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** Production: partners are reached over https only (health data and credentials travel). */
    private readonly requireHttps = false,
  ) {}

  /** In production, the FHIR base and any token URL must be https. */
  private assertTransport(input: PartnerServiceInput): void {
    if (!this.requireHttps) return;
    const fields: Record<string, string> = {};
    if (new URL(input.baseUrl).protocol !== 'https:')
      fields.baseUrl = 'Use an https address: referrals carry health information.';
    if (input.auth.kind === 'smart-backend' && new URL(input.auth.tokenUrl).protocol !== 'https:')
      fields['auth.tokenUrl'] = 'Use an https address: it is sent our signed assertion.';
    if (Object.keys(fields).length) throw new ValidationError(fields);
  }

  async list(): Promise<Array<{ service: PartnerService; organisation: Organisation | null }>> {
    const [services, organisations] = await Promise.all([this.repository.list(), this.people.listOrganisations()]);
    const byId = new Map(organisations.map((o) => [o.id, o]));
    return services.map((service) => ({ service, organisation: byId.get(service.organisationId) ?? null }));
  }

  /** The NHS partner organisations a service can belong to. */
  async partnerOrganisations(): Promise<Organisation[]> {
    return (await this.people.listOrganisations()).filter((o) => o.kind === 'nhs-partner');
  }

  async get(id: string): Promise<PartnerService> {
    const found = await this.repository.find(id);
    if (!found) throw new NotFoundError('partner service');
    return found;
  }

  /**
   * The authentication to store. A secret left out keeps the stored one, but only while it goes
   * to the same place: moving the service (or the token URL) to another origin needs the secret
   * again, so nobody can send a partner's credentials somewhere else.
   */
  private async auth(
    input: PartnerServiceInput['auth'],
    previous: PartnerAuth | null,
    sameOrigin: boolean,
  ): Promise<PartnerAuth> {
    if (input.kind === 'none') return { kind: 'none' };
    const keep = sameOrigin ? previous : null;
    if (input.kind === 'bearer') {
      const token = input.token ?? (keep?.kind === 'bearer' ? keep.token : null);
      if (!token) throw new ValidationError({ 'auth.token': 'Give the bearer token.' });
      return { kind: 'bearer', token };
    }
    const key =
      input.privateKeyJwk ??
      (keep?.kind === 'smart-backend' && new URL(keep.tokenUrl).origin === new URL(input.tokenUrl).origin
        ? keep.privateKeyJwk
        : null);
    if (!key)
      throw new ValidationError({
        'auth.privateKeyJwk': 'Give the private key (a JWK) that signs our client assertions.',
      });
    return {
      kind: 'smart-backend',
      clientId: input.clientId,
      tokenUrl: input.tokenUrl,
      scope: input.scope,
      privateKeyJwk: key,
    };
  }

  private async assertPartner(organisationId: string): Promise<void> {
    await this.people.nhsPartner(organisationId);
  }

  async create(ctx: RequestContext, input: PartnerServiceInput): Promise<PartnerService> {
    this.assertTransport(input);
    await this.assertPartner(input.organisationId);
    const now = this.clock.now();
    const service: PartnerService = {
      id: newId(),
      ...input,
      auth: await this.auth(input.auth, null, false),
      lastCheck: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.repository.insert(service);
    await this.audit.record(ctx, {
      action: 'create',
      entityType: 'partner-service',
      entityId: service.id,
      purpose: 'partner-directory',
      details: { serviceType: service.serviceType, mode: service.mode, auth: service.auth.kind },
    });
    return service;
  }

  async update(ctx: RequestContext, id: string, input: PartnerServiceInput): Promise<PartnerService> {
    const current = await this.get(id);
    this.assertTransport(input);
    await this.assertPartner(input.organisationId);
    const sameOrigin = new URL(current.baseUrl).origin === new URL(input.baseUrl).origin;
    const service: PartnerService = {
      ...current,
      ...input,
      auth: await this.auth(input.auth, current.auth, sameOrigin),
      updatedAt: this.clock.now(),
    };
    await this.repository.update(service);
    await this.audit.record(ctx, {
      action: 'update',
      entityType: 'partner-service',
      entityId: id,
      purpose: 'partner-directory',
      details: {
        serviceType: service.serviceType,
        mode: service.mode,
        auth: service.auth.kind,
        enabled: service.enabled,
      },
    });
    return service;
  }

  /** The connectivity check: authenticate and read the partner's CapabilityStatement; the outcome is kept and shown. */
  async check(ctx: RequestContext, id: string): Promise<ConnectionCheck> {
    const service = await this.get(id);
    const at = this.clock.now();
    let check: ConnectionCheck;
    try {
      const found = await checkPartner(service, at);
      check = { ok: true, at, message: `Connected: ${found.software}, FHIR ${found.fhirVersion}.` };
    } catch (error) {
      if (!(error instanceof PartnerConnectionError)) throw error;
      check = { ok: false, at, message: error.message };
    }
    await this.repository.recordCheck(id, check);
    await this.audit.record(ctx, {
      action: 'access',
      entityType: 'partner-service',
      entityId: id,
      purpose: 'connectivity-check',
      outcome: check.ok ? 'success' : 'failed',
    });
    return check;
  }
}
