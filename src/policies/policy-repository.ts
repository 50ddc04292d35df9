import type { Knex } from 'knex';
import { readJson, readTimestamp } from '../db/knex.js';

export interface PolicyVersion {
  id: string;
  organisationId: string;
  kind: string;
  version: number;
  content: unknown;
  effectiveFrom: string;
  note: string | null;
  createdByUserId: string | null;
  createdAt: Date;
}

function toVersion(row: Record<string, unknown>): PolicyVersion {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    kind: row.kind as string,
    version: Number(row.version),
    content: readJson(row.content),
    effectiveFrom: row.effective_from as string,
    note: (row.note as string | null) ?? null,
    createdByUserId: (row.created_by_user_id as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
  };
}

/** Versioned policies per organisation. Versions are never changed once written. */
export class PolicyRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The version in force on `asOf`: the highest version whose effective date is on or before it. */
  async inForce(organisationId: string, kind: string, asOf: string): Promise<PolicyVersion | null> {
    const row = await this.db('policies')
      .where({ organisation_id: organisationId, kind })
      .where('effective_from', '<=', asOf)
      .orderBy('version', 'desc')
      .first();
    return row ? toVersion(row) : null;
  }

  async list(organisationId: string, kind: string): Promise<PolicyVersion[]> {
    const rows = await this.db('policies').where({ organisation_id: organisationId, kind }).orderBy('version', 'desc');
    return rows.map(toVersion);
  }

  async latestVersionNumber(organisationId: string, kind: string, trx: Knex.Transaction): Promise<number> {
    const row = await trx('policies').where({ organisation_id: organisationId, kind }).max<{ v: number | null }>({ v: 'version' }).first();
    return Number(row?.v ?? 0);
  }

  async insert(version: PolicyVersion, trx: Knex.Transaction): Promise<void> {
    await trx('policies').insert({
      id: version.id,
      organisation_id: version.organisationId,
      kind: version.kind,
      version: version.version,
      content: JSON.stringify(version.content),
      effective_from: version.effectiveFrom,
      note: version.note,
      created_by_user_id: version.createdByUserId,
      created_at: version.createdAt.toISOString(),
    });
  }
}
