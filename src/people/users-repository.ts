import type { Knex } from 'knex';
import { readOptionalTimestamp, readTimestamp } from '../db/knex.js';
import { isRole, type Role } from '../auth/roles.js';

/** A user account. Credentials live here; what the user may do is the access policy's business. */
export interface User {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string | null;
  organisationId: string;
  personId: string | null;
  roles: Role[];
  totpSecret: string | null;
  mfaEnrolledAt: Date | null;
  totpLastStep: number | null;
  failedLoginCount: number;
  lockedUntil: Date | null;
  sessionEpoch: number;
  locale: 'en' | 'cy';
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
}

export type NewUser = Pick<
  User,
  'id' | 'email' | 'displayName' | 'passwordHash' | 'organisationId' | 'personId' | 'roles' | 'locale'
> &
  Partial<Pick<User, 'totpSecret' | 'mfaEnrolledAt'>>;

function toUser(row: Record<string, unknown>, roles: string[]): User {
  return {
    id: row.id as string,
    email: row.email as string,
    displayName: row.display_name as string,
    passwordHash: (row.password_hash as string | null) ?? null,
    organisationId: row.organisation_id as string,
    personId: (row.person_id as string | null) ?? null,
    roles: roles.filter(isRole),
    totpSecret: (row.totp_secret as string | null) ?? null,
    mfaEnrolledAt: readOptionalTimestamp(row.mfa_enrolled_at),
    totpLastStep: row.totp_last_step === null || row.totp_last_step === undefined ? null : Number(row.totp_last_step),
    failedLoginCount: Number(row.failed_login_count),
    lockedUntil: readOptionalTimestamp(row.locked_until),
    sessionEpoch: Number(row.session_epoch),
    locale: row.locale === 'cy' ? 'cy' : 'en',
    lastLoginAt: readOptionalTimestamp(row.last_login_at),
    disabledAt: readOptionalTimestamp(row.disabled_at),
    createdAt: readTimestamp(row.created_at),
  };
}

/** Storage of user accounts and their roles. */
export class UsersRepository {
  constructor(private readonly db: Knex) {}

  private async withRoles(rows: Record<string, unknown>[]): Promise<User[]> {
    if (rows.length === 0) return [];
    const roleRows = await this.db('user_roles')
      .whereIn(
        'user_id',
        rows.map((r) => r.id as string),
      )
      .select('user_id', 'role_slug');
    const byUser = new Map<string, string[]>();
    for (const r of roleRows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r.role_slug]);
    return rows.map((row) => toUser(row, byUser.get(row.id as string) ?? []));
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.db('users').where({ id }).first();
    return row ? ((await this.withRoles([row]))[0] ?? null) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.db('users').where({ email: email.trim().toLowerCase() }).first();
    return row ? ((await this.withRoles([row]))[0] ?? null) : null;
  }

  async list(filter: {
    organisationId?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: User[]; total: number }> {
    const base = this.db('users');
    if (filter.organisationId) base.where('organisation_id', filter.organisationId);
    const [count, rows] = await Promise.all([
      base.clone().count<{ n: number }[]>({ n: '*' }).first(),
      base.clone().select('*').orderBy('email').limit(filter.limit).offset(filter.offset),
    ]);
    return { items: await this.withRoles(rows), total: Number(count?.n ?? 0) };
  }

  async count(): Promise<number> {
    const row = await this.db('users').count<{ n: number }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async insert(user: NewUser, now: Date, trx?: Knex.Transaction): Promise<void> {
    const run = async (t: Knex | Knex.Transaction) => {
      await t('users').insert({
        id: user.id,
        email: user.email.trim().toLowerCase(),
        display_name: user.displayName,
        password_hash: user.passwordHash,
        organisation_id: user.organisationId,
        person_id: user.personId,
        totp_secret: user.totpSecret ?? null,
        mfa_enrolled_at: user.mfaEnrolledAt?.toISOString() ?? null,
        locale: user.locale,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      if (user.roles.length)
        await t('user_roles').insert(user.roles.map((role) => ({ user_id: user.id, role_slug: role })));
    };
    if (trx) await run(trx);
    else await this.db.transaction(run);
  }

  async setRoles(userId: string, roles: readonly Role[], now: Date): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('user_roles').where({ user_id: userId }).delete();
      if (roles.length) await trx('user_roles').insert(roles.map((role) => ({ user_id: userId, role_slug: role })));
      await trx('users').where({ id: userId }).update({ updated_at: now.toISOString() });
    });
  }

  async update(
    userId: string,
    changes: Partial<{
      passwordHash: string | null;
      totpSecret: string | null;
      mfaEnrolledAt: Date | null;
      totpLastStep: number | null;
      failedLoginCount: number;
      lockedUntil: Date | null;
      locale: 'en' | 'cy';
      lastLoginAt: Date | null;
      disabledAt: Date | null;
      displayName: string;
    }>,
    now: Date,
  ): Promise<void> {
    const row: Record<string, unknown> = { updated_at: now.toISOString() };
    const columns: Record<string, string> = {
      passwordHash: 'password_hash',
      totpSecret: 'totp_secret',
      mfaEnrolledAt: 'mfa_enrolled_at',
      totpLastStep: 'totp_last_step',
      failedLoginCount: 'failed_login_count',
      lockedUntil: 'locked_until',
      locale: 'locale',
      lastLoginAt: 'last_login_at',
      disabledAt: 'disabled_at',
      displayName: 'display_name',
    };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      row[columns[key] as string] = value instanceof Date ? value.toISOString() : value;
    }
    await this.db('users').where({ id: userId }).update(row);
  }

  /** Records a failed sign-in atomically; returns the new count. */
  async incrementFailedLogins(userId: string, now: Date): Promise<number> {
    await this.db('users')
      .where({ id: userId })
      .increment('failed_login_count', 1)
      .update({ updated_at: now.toISOString() });
    const row = await this.db('users').where({ id: userId }).first('failed_login_count');
    return Number(row?.failed_login_count ?? 0);
  }

  /** Voids every existing session of the user ("sign out everywhere"). */
  async bumpSessionEpoch(userId: string, now: Date): Promise<void> {
    await this.db('users')
      .where({ id: userId })
      .increment('session_epoch', 1)
      .update({ updated_at: now.toISOString() });
  }

  /** Accepts a TOTP step only if it is newer than the last one accepted (no replay), atomically. */
  async acceptTotpStep(userId: string, step: number, now: Date): Promise<boolean> {
    const changed = await this.db('users')
      .where({ id: userId })
      .andWhere((w) => w.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
      .update({ totp_last_step: step, updated_at: now.toISOString() });
    return changed === 1;
  }
}
