import type { PersonScope } from '../auth/access-policy.js';
import { withinReach } from '../db/reach.js';
import type { Knex } from 'knex';
import { jsonObject, readJson, readTimestamp } from '../db/knex.js';
import { storedConsentSchema } from './stored-consent.js';
import { newId } from '../shared/ids.js';
import type { Consent, ConsentEvent } from './consent-types.js';

/** A change to store: the consent as changed, and the history entry that says what changed. */
export interface ConsentChange {
  consent: Consent;
  event: { type: string; details: Record<string, unknown> | null; byUserId: string | null; byRole: string | null };
}

function recipientKey(c: Consent): string {
  return c.recipient.type === 'employer' ? c.recipient.role : c.recipient.organisationId;
}

function row(c: Consent) {
  return {
    id: c.id,
    organisation_id: c.organisationId,
    person_id: c.personId,
    kind: c.kind,
    status: c.status,
    recipient_type: c.recipient.type,
    recipient_key: recipientKey(c),
    state: JSON.stringify(c),
    version: c.version,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function toConsent(r: Record<string, unknown>): Consent {
  // The JSON holds every field; the columns are what queries filter on, written from it.
  return { ...readJson(r.state, storedConsentSchema, 'consents.state'), version: Number(r.version) };
}

function toEvent(r: Record<string, unknown>): ConsentEvent {
  return {
    id: r.id as string,
    consentId: r.consent_id as string,
    type: r.type as string,
    at: readTimestamp(r.at).toISOString(),
    byUserId: (r.by_user_id as string | null) ?? null,
    byRole: (r.by_role as string | null) ?? null,
    details: r.details == null ? null : readJson(r.details, jsonObject, 'consent_events.details'),
  };
}

/** Consents and their history (knex). */
export class ConsentRepository {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Takes the person's consents for the rest of the transaction: a write, so on PostgreSQL the
   * rows are locked and on SQLite the database's write lock is held. Withdrawal and the gate take
   * it first, so one waits for the other.
   */
  async lockPerson(personId: string, trx: Knex.Transaction): Promise<void> {
    await trx('consents')
      .where({ person_id: personId })
      .update({ version: trx.ref('version') });
  }

  async insert(change: ConsentChange, trx: Knex.Transaction): Promise<void> {
    await trx('consents').insert(row(change.consent));
    await this.appendEvent(change, 1, trx);
  }

  /**
   * Stores a change made from version `change.consent.version - 1`. False when someone else
   * changed the consent since it was read (the caller reports a conflict, nothing is lost).
   */
  async update(change: ConsentChange, trx: Knex.Transaction): Promise<boolean> {
    const c = change.consent;
    const { id: _id, created_at: _created, ...columns } = row(c);
    const n = await trx('consents')
      .where({ id: c.id, version: c.version - 1 })
      .update(columns);
    if (n === 0) return false;
    const last = (await trx('consent_events').where({ consent_id: c.id }).max({ m: 'sequence' }).first()) as
      { m: number | string | null } | undefined;
    await this.appendEvent(change, Number(last?.m ?? 0) + 1, trx);
    return true;
  }

  private async appendEvent(change: ConsentChange, sequence: number, trx: Knex.Transaction): Promise<void> {
    await trx('consent_events').insert({
      id: newId(),
      consent_id: change.consent.id,
      sequence,
      type: change.event.type,
      at: change.consent.updatedAt,
      by_user_id: change.event.byUserId,
      by_role: change.event.byRole,
      details: change.event.details ? JSON.stringify(change.event.details) : null,
    });
  }

  /** A consent whose person is within `reach` (none outside it is read). */
  async find(id: string, reach: PersonScope, trx?: Knex.Transaction): Promise<Consent | null> {
    const db = trx ?? this.db;
    const r = await withinReach(db('consents').where({ id }), reach, db, 'consents.person_id').first();
    return r ? toConsent(r) : null;
  }

  /** Consents by id, in one read. */
  async findMany(ids: readonly string[]): Promise<Consent[]> {
    return ids.length ? (await this.db('consents').whereIn('id', [...ids])).map(toConsent) : [];
  }

  /** Every consent of several people, newest first, in one read. */
  async forPeople(personIds: readonly string[]): Promise<Map<string, Consent[]>> {
    const out = new Map<string, Consent[]>(personIds.map((id) => [id, []]));
    if (!personIds.length) return out;
    for (const r of await this.db('consents')
      .whereIn('person_id', [...personIds])
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]))
      out.get(r.person_id as string)?.push(toConsent(r));
    return out;
  }

  /** Every consent a person has, newest first. */
  async forPerson(personId: string, trx?: Knex.Transaction): Promise<Consent[]> {
    return (
      await (trx ?? this.db)('consents')
        .where({ person_id: personId })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
    ).map(toConsent);
  }

  async history(consentId: string): Promise<ConsentEvent[]> {
    return (await this.histories([consentId])).get(consentId) ?? [];
  }

  /** The histories of several consents in one read, each in order. */
  async histories(consentIds: readonly string[]): Promise<Map<string, ConsentEvent[]>> {
    const out = new Map<string, ConsentEvent[]>();
    for (let i = 0; i < consentIds.length; i += 500) {
      const rows = await this.db('consent_events')
        .whereIn('consent_id', consentIds.slice(i, i + 500))
        .orderBy([{ column: 'consent_id' }, { column: 'sequence' }]);
      for (const e of rows.map(toEvent)) {
        const list = out.get(e.consentId);
        if (list) list.push(e);
        else out.set(e.consentId, [e]);
      }
    }
    return out;
  }
}
