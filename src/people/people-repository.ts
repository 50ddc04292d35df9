import type { Knex } from 'knex';
import { readBoolean, readIsoDate, readJson, readOptionalIsoDate, readTimestamp } from '../db/knex.js';
import type { PersonScope } from '../auth/access-policy.js';
import { withinReach } from '../db/reach.js';
import { workingPatternSchema, type WorkingPattern } from './people-schemas.js';
import type { NewPerson, Organisation, Person, PersonPage, Unit } from './people-types.js';

/** Restricts a query on `people` to the records a scope reaches (the access policy decides the scope). */
function applyScope(q: Knex.QueryBuilder, scope: PersonScope, db: Knex): Knex.QueryBuilder {
  return withinReach(q, scope, db, 'people.id', 'people.organisation_id');
}

/**
 * Working patterns as stored (text), checked once each: a workforce shares a few dozen
 * patterns, and the daily trigger sweep reads every person. Patterns are never mutated.
 */
const patterns = new Map<string, WorkingPattern>();
function readPattern(value: unknown): WorkingPattern {
  const key = typeof value === 'string' ? value : JSON.stringify(value);
  let pattern = patterns.get(key);
  if (!pattern) {
    const parsed = readJson(value, workingPatternSchema, 'people.working_pattern');
    Object.freeze(parsed.kind === 'weekly' ? parsed.days : parsed.cycle);
    pattern = Object.freeze(parsed);
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(key, pattern);
  }
  return pattern;
}

function toPerson(row: Record<string, unknown>): Person {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    staffNumber: row.staff_number as string,
    collarNumber: (row.collar_number as string | null) ?? null,
    givenName: row.given_name as string,
    familyName: row.family_name as string,
    dateOfBirth: readOptionalIsoDate(row.date_of_birth, 'people.date_of_birth'),
    nhsNumber: (row.nhs_number as string | null) ?? null,
    role: row.workforce_role as Person['role'],
    unitId: (row.unit_id as string | null) ?? null,
    lineManagerId: (row.line_manager_id as string | null) ?? null,
    serviceStartDate: readIsoDate(row.service_start_date, 'people.service_start_date'),
    leavingDate: readOptionalIsoDate(row.leaving_date, 'people.leaving_date'),
    workingPattern: readPattern(row.working_pattern),
    protectedIdentity: readBoolean(row.protected_identity),
    workEmail: (row.work_email as string | null) ?? null,
    personalEmail: (row.personal_email as string | null) ?? null,
    createdAt: readTimestamp(row.created_at),
    updatedAt: readTimestamp(row.updated_at),
  };
}

function toRow(p: Partial<NewPerson>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const map: Array<[keyof NewPerson, string]> = [
    ['id', 'id'],
    ['organisationId', 'organisation_id'],
    ['staffNumber', 'staff_number'],
    ['collarNumber', 'collar_number'],
    ['givenName', 'given_name'],
    ['familyName', 'family_name'],
    ['dateOfBirth', 'date_of_birth'],
    ['nhsNumber', 'nhs_number'],
    ['role', 'workforce_role'],
    ['unitId', 'unit_id'],
    ['lineManagerId', 'line_manager_id'],
    ['serviceStartDate', 'service_start_date'],
    ['leavingDate', 'leaving_date'],
    ['protectedIdentity', 'protected_identity'],
    ['workEmail', 'work_email'],
    ['personalEmail', 'personal_email'],
  ];
  for (const [key, column] of map) if (p[key] !== undefined) row[column] = p[key];
  if (p.workingPattern !== undefined) row.working_pattern = JSON.stringify(p.workingPattern);
  return row;
}

function searchName(familyName: string, givenName: string): string {
  return `${familyName} ${givenName}`.toLowerCase();
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Storage of organisations, units and workforce members. */
export class PeopleRepository {
  constructor(private readonly db: Knex) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async findPerson(id: string, scope: PersonScope, trx?: Knex.Transaction): Promise<Person | null> {
    const db = trx ?? this.db;
    const row = await applyScope(db('people').select('people.*').where('people.id', id), scope, db).first();
    return row ? toPerson(row) : null;
  }

  async findPersonsByIds(ids: readonly string[], trx?: Knex.Transaction): Promise<Person[]> {
    const out: Person[] = [];
    // In chunks, to stay well inside SQLite's limit on bound parameters.
    for (let i = 0; i < ids.length; i += 500) {
      out.push(
        ...(
          await (trx ?? this.db)('people')
            .select('*')
            .whereIn('id', ids.slice(i, i + 500))
        ).map(toPerson),
      );
    }
    return out;
  }

  async findByStaffNumbers(organisationId: string, staffNumbers: readonly string[]): Promise<Person[]> {
    const out: Person[] = [];
    for (let i = 0; i < staffNumbers.length; i += 500) {
      out.push(
        ...(
          await this.db('people')
            .where({ organisation_id: organisationId })
            .whereIn('staff_number', staffNumbers.slice(i, i + 500))
        ).map(toPerson),
      );
    }
    return out;
  }

  async findByStaffNumber(organisationId: string, staffNumber: string): Promise<Person | null> {
    const row = await this.db('people').where({ organisation_id: organisationId, staff_number: staffNumber }).first();
    return row ? toPerson(row) : null;
  }

  /** Everyone in one organisation, or in all of them, for the platform's own background work and reports. */
  async everyone(organisationId: string | null): Promise<Person[]> {
    const q = this.db('people').select('*');
    if (organisationId) q.where({ organisation_id: organisationId });
    return (await q).map(toPerson);
  }

  /** Searches within `scope`: by name fragment, staff number (exact) and unit; ordered by family then given name. */
  async search(
    scope: PersonScope,
    filter: {
      q?: string | undefined;
      staffNumber?: string | undefined;
      unitId?: string | undefined;
      organisationId?: string | undefined;
      limit: number;
      offset: number;
    },
  ): Promise<PersonPage> {
    const base = applyScope(this.db('people'), scope, this.db);
    if (filter.q) {
      const words = filter.q.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 4);
      for (const word of words) {
        base.where((w) =>
          w
            .whereRaw(`people.search_name LIKE ? ESCAPE '\\'`, [`%${escapeLike(word)}%`])
            .orWhere('people.staff_number', word.toUpperCase())
            .orWhere('people.collar_number', word.toUpperCase()),
        );
      }
    }
    if (filter.staffNumber) base.where('people.staff_number', filter.staffNumber);
    if (filter.unitId) base.where('people.unit_id', filter.unitId);
    if (filter.organisationId) base.where('people.organisation_id', filter.organisationId);
    // One statement: the page and, beside every row, the total the filter matches.
    const rows = await base
      .clone()
      .select('people.*', this.db.raw('count(*) over () as total_matching'))
      .orderBy([{ column: 'people.search_name' }, { column: 'people.id' }])
      .limit(filter.limit)
      .offset(filter.offset);
    if (rows.length === 0 && filter.offset > 0) {
      // Past the last page there are no rows to carry the total, so count separately.
      const countRow = await base.clone().count<{ n: number }[]>({ n: '*' }).first();
      return { items: [], total: Number(countRow?.n ?? 0) };
    }
    return { items: rows.map(toPerson), total: Number(rows[0]?.total_matching ?? 0) };
  }

  async insertPerson(person: NewPerson, now: Date, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.db)('people').insert({
      ...toRow(person),
      search_name: searchName(person.familyName, person.givenName),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  }

  async insertPeople(people: readonly NewPerson[], now: Date, trx?: Knex.Transaction): Promise<void> {
    const rows = people.map((p) => ({
      ...toRow(p),
      search_name: searchName(p.familyName, p.givenName),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }));
    // SQLite limits bound parameters per statement; 40 rows × 19 columns stays well inside it.
    await (trx ?? this.db).batchInsert('people', rows, 40);
  }

  async updatePerson(id: string, changes: Partial<NewPerson>, now: Date, trx?: Knex.Transaction): Promise<void> {
    const row = toRow(changes);
    // Callers pass both names whenever either changes, so the search key stays in step.
    if (changes.givenName !== undefined && changes.familyName !== undefined)
      row.search_name = searchName(changes.familyName, changes.givenName);
    await (trx ?? this.db)('people')
      .where({ id })
      .update({ ...row, updated_at: now.toISOString() });
  }

  /** True when `candidateId` reports (directly or not) to `managerId`: used to refuse management cycles. */
  async reportsTo(candidateId: string, managerId: string): Promise<boolean> {
    const row = await this.db
      .withRecursive('chain', ['id'], (cte) =>
        cte
          .select('line_manager_id')
          .from('people')
          .where('id', candidateId)
          .whereNotNull('line_manager_id')
          .union((u) =>
            u
              .select('p.line_manager_id')
              .from('people as p')
              .join('chain', 'p.id', 'chain.id')
              .whereNotNull('p.line_manager_id'),
          ),
      )
      .select('id')
      .from('chain')
      .where('id', managerId)
      .first();
    return Boolean(row);
  }

  // Organisations ------------------------------------------------------------

  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.db('organisations').select('*').orderBy('name');
    return rows.map(toOrganisation);
  }

  async findOrganisation(id: string): Promise<Organisation | null> {
    const row = await this.db('organisations').where({ id }).first();
    return row ? toOrganisation(row) : null;
  }

  async insertOrganisation(org: Organisation, now: Date, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.db)('organisations').insert({
      id: org.id,
      name: org.name,
      kind: org.kind,
      ods_code: org.odsCode,
      host_organisation_id: org.hostOrganisationId,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  }

  // Units --------------------------------------------------------------------

  async listUnits(organisationIds: readonly string[] | 'all'): Promise<Unit[]> {
    const q = this.db('units').select('*').orderBy('name');
    if (organisationIds !== 'all') q.whereIn('organisation_id', [...organisationIds]);
    return (await q).map(toUnit);
  }

  async findUnit(id: string): Promise<Unit | null> {
    const row = await this.db('units').where({ id }).first();
    return row ? toUnit(row) : null;
  }

  async insertUnit(unit: Unit, now: Date, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.db)('units').insert({
      id: unit.id,
      organisation_id: unit.organisationId,
      name: unit.name,
      code: unit.code,
      parent_unit_id: unit.parentUnitId,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
  }
}

function toOrganisation(row: Record<string, unknown>): Organisation {
  return {
    id: row.id as string,
    name: row.name as string,
    kind: row.kind as Organisation['kind'],
    odsCode: (row.ods_code as string | null) ?? null,
    hostOrganisationId: (row.host_organisation_id as string | null) ?? null,
  };
}

function toUnit(row: Record<string, unknown>): Unit {
  return {
    id: row.id as string,
    organisationId: row.organisation_id as string,
    name: row.name as string,
    code: (row.code as string | null) ?? null,
    parentUnitId: (row.parent_unit_id as string | null) ?? null,
  };
}
