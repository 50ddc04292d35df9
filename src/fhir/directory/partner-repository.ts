import type { Knex } from 'knex';
import { readBoolean, readJson, readOptionalTimestamp, readTimestamp } from '../../db/knex.js';
import { SecretBox } from '../../shared/secret-box.js';
import { z } from 'zod';
import { DEFINITION_CODES } from '../../pathways/definition-format.js';
import { storedPartnerAuthSchema, type PartnerService } from './partner-types.js';

function toService(r: Record<string, unknown>, box: SecretBox): PartnerService {
  const checkedAt = readOptionalTimestamp(r.last_checked_at);
  return {
    id: r.id as string,
    organisationId: r.organisation_id as string,
    name: r.name as string,
    serviceType: r.service_type as PartnerService['serviceType'],
    baseUrl: r.base_url as string,
    mode: r.mode as PartnerService['mode'],
    // Sealed at rest; a value written before sealing is read as it is.
    auth: readJson(
      SecretBox.isSealed(r.auth_config as string) ? box.open(r.auth_config as string) : r.auth_config,
      storedPartnerAuthSchema,
      'partner_services.auth_config',
    ),
    pathways: readJson(r.pathways, z.array(z.enum(DEFINITION_CODES)), 'partner_services.pathways'),
    enabled: readBoolean(r.enabled),
    lastCheck: checkedAt
      ? { ok: readBoolean(r.last_check_ok), at: checkedAt, message: (r.last_check_message as string | null) ?? '' }
      : null,
    createdAt: readTimestamp(r.created_at),
    updatedAt: readTimestamp(r.updated_at),
  };
}

function columns(s: PartnerService, box: SecretBox) {
  return {
    organisation_id: s.organisationId,
    name: s.name,
    service_type: s.serviceType,
    base_url: s.baseUrl,
    mode: s.mode,
    auth_kind: s.auth.kind,
    auth_config: box.seal(JSON.stringify(s.auth)),
    pathways: JSON.stringify(s.pathways),
    enabled: s.enabled,
    updated_at: s.updatedAt.toISOString(),
  };
}

/** The partner directory (knex). */
export class PartnerRepository {
  constructor(
    private readonly db: Knex,
    /** Seals the authentication settings (tokens, private keys) at rest. */
    private readonly box: SecretBox,
  ) {}

  async insert(s: PartnerService): Promise<void> {
    await this.db('partner_services').insert({
      id: s.id,
      ...columns(s, this.box),
      created_at: s.createdAt.toISOString(),
    });
  }

  async update(s: PartnerService): Promise<void> {
    await this.db('partner_services').where({ id: s.id }).update(columns(s, this.box));
  }

  async recordCheck(id: string, check: { ok: boolean; at: Date; message: string }): Promise<void> {
    await this.db('partner_services')
      .where({ id })
      .update({
        last_checked_at: check.at.toISOString(),
        last_check_ok: check.ok,
        last_check_message: check.message.slice(0, 500),
      });
  }

  async find(id: string): Promise<PartnerService | null> {
    const r = await this.db('partner_services').where({ id }).first();
    return r ? toService(r, this.box) : null;
  }

  /** The enabled service of a partner organisation that provides this kind of service, if any. */
  async findFor(organisationId: string, serviceType: string): Promise<PartnerService | null> {
    const r = await this.db('partner_services')
      .where({ organisation_id: organisationId, service_type: serviceType, enabled: true })
      .orderBy('created_at')
      .first();
    return r ? toService(r, this.box) : null;
  }

  /** Every enabled service, oldest first (findFor's choice when an organisation has two of a kind). */
  async enabled(): Promise<PartnerService[]> {
    return (await this.db('partner_services').where({ enabled: true }).orderBy('created_at')).map((r) =>
      toService(r, this.box),
    );
  }

  async list(): Promise<PartnerService[]> {
    return (await this.db('partner_services').orderBy([{ column: 'name' }, { column: 'id' }])).map((r) =>
      toService(r, this.box),
    );
  }
}
