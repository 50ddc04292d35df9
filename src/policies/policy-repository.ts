import { z } from 'zod';
import type { Knex } from 'knex';
import { readIsoDate, readJson, readTimestamp } from '../db/knex.js';
import type { IsoDate } from '../shared/dates.js';

export interface PolicyVersion {
  id: string;
  organisationId: string;
  kind: string;
  version: number;
  content: unknown;
  effectiveFrom: IsoDate;
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
    // Parsed by its kind's schema where it is used (PolicyService.inForce).
    content: readJson(row.content, z.unknown(), 'policies.content'),
    effectiveFrom: readIsoDate(row.effective_from, 'policies.effective_from'),
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

  /**
   * Inserts the next version, numbering it in the same statement (so the transaction writes
   * before it reads, which SQLite needs with several connections); returns the number given.
   */
  async insertNextVersion(version: Omit<PolicyVersion, 'version'>, trx: Knex.Transaction): Promise<number> {
    await trx.raw(
      `INSERT INTO policies (id, organisation_id, kind, version, content, effective_from, note, created_by_user_id, created_at)
       SELECT ?, ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? FROM policies WHERE organisation_id = ? AND kind = ?`,
      [
        version.id,
        version.organisationId,
        version.kind,
        JSON.stringify(version.content),
        version.effectiveFrom,
        version.note,
        version.createdByUserId,
        version.createdAt.toISOString(),
        version.organisationId,
        version.kind,
      ],
    );
    const row = await trx('policies').where({ id: version.id }).first('version');
    return Number(row.version);
  }
}
