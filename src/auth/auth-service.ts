import type { AuditService } from '../audit/audit-service.js';
import type { User, UsersRepository } from '../people/users-repository.js';
import type { Clock } from '../shared/clock.js';
import { AppError, ConflictError, ValidationError } from '../shared/errors.js';
import { newId, randomSecret, sha256 } from '../shared/ids.js';
import type { AnyContext } from '../shared/request-context.js';
import { isUniqueViolation } from '../db/knex.js';
import type { NotificationService } from '../notifications/notification-service.js';
import type { Actor } from './actor.js';
import type { ThrottleRepository } from './throttle-repository.js';
import type { OneTimeLinkPurpose, OneTimeLinkRepository } from './one-time-link-repository.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { defaultRole, requiresMfa, type Role } from './roles.js';
import type { ApiToken, TokenRepository } from './token-repository.js';
import { newTotpSecret, verifyTotp } from './totp.js';

export interface AuthSettings {
  maxAttempts: number;
  lockoutMinutes: number;
}

/** Wrong codes one pending sign-in may give before the password is asked for again (issue 14 defect 8). */
export const MFA_CODES_PER_SIGN_IN = 3;

/** What became of a code given at the second step. */
export type SecondFactorOutcome = 'accepted' | 'wrong' | 'start-again' | 'locked';

const TOKEN_PREFIX = 'blp_';
/** How long a process trusts a token check before asking the database again. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_SIZE = 2_000;

interface CachedToken {
  actor: Actor;
  tokenId: string;
  userId: string;
  tokenExpiresAt: Date | null;
  until: number;
}

/** Sign-in failed; the code says why, the message never says whether the email exists. */
export class SignInError extends AppError {
  /** For a lock: whole seconds until it ends (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: 'invalid-credentials' | 'account-locked', retryAfterSeconds?: number) {
    const seconds = retryAfterSeconds ? Math.max(1, Math.ceil(retryAfterSeconds)) : undefined;
    super({
      code,
      status: code === 'account-locked' ? 429 : 401,
      publicMessage:
        code === 'account-locked'
          ? 'Too many failed attempts. This account is locked for a while; try again later or ask an administrator.'
          : 'The email address or password is not right.',
      ...(seconds ? { headers: { 'Retry-After': String(seconds) } } : {}),
    });
    this.retryAfterSeconds = seconds;
  }
}

/** The throttle key of an account's wrong codes at the second step. */
function mfaAccountKey(userId: string): string {
  return `mfa-account:${userId}`;
}

/** The throttle key of an email address as typed at the password step: hashed, so no address is stored. */
function emailKey(email: string): string {
  return `email:${sha256(email.trim().toLowerCase())}`;
}

/**
 * Accounts and credentials: password sign-in with lockout, TOTP multi-factor
 * authentication, API bearer tokens, one-time links, signing out everywhere.
 */
export class AuthService {
  private readonly tokenCache = new Map<string, CachedToken>();
  private readonly tokenTouched = new Map<string, number>();

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenRepository,
    private readonly links: OneTimeLinkRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    private readonly throttles: ThrottleRepository,
    /** Tells an account holder their account was locked. */
    private readonly notifications: Pick<NotificationService, 'enqueueEmail'>,
  ) {}

  /**
   * Checks email and password. Failures are counted against the email address as typed, whether or not an
   * account has it, and lock it for a while after too many: a locked account and an unknown address answer
   * alike, with Retry-After (issue 14 defect 11). Every attempt is audited.
   */
  async signIn(ctx: AnyContext, email: string, password: string): Promise<User> {
    const now = this.clock.now();
    const key = emailKey(email);
    const throttle = await this.throttles.find(key);
    const user = await this.users.findByEmail(email);
    const ok = await verifyPassword(user?.passwordHash ?? null, password);
    if (throttle.lockedUntil && throttle.lockedUntil > now) {
      await this.audit.record(ctx, {
        action: 'sign-in',
        entityType: 'user',
        entityId: user?.id ?? null,
        outcome: 'denied',
        reason: 'account-locked',
      });
      throw new SignInError('account-locked', (throttle.lockedUntil.getTime() - now.getTime()) / 1000);
    }
    if (!user || user.disabledAt || !ok) {
      const lock = (await this.throttles.addFailure(key, now)) >= this.settings.maxAttempts;
      if (lock) await this.throttles.lock(key, new Date(now.getTime() + this.settings.lockoutMinutes * 60_000), now);
      await this.audit.record(ctx, {
        action: 'sign-in',
        entityType: 'user',
        entityId: user?.id ?? null,
        outcome: 'denied',
        reason: !user
          ? 'unknown-account'
          : user.disabledAt
            ? 'account-disabled'
            : lock
              ? 'locked-after-failures'
              : 'wrong-password',
      });
      throw lock
        ? new SignInError('account-locked', this.settings.lockoutMinutes * 60)
        : new SignInError('invalid-credentials');
    }
    // The account itself is locked (too many wrong codes at the second step): only someone who knows the
    // password learns that.
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.audit.record(ctx, {
        action: 'sign-in',
        entityType: 'user',
        entityId: user.id,
        outcome: 'denied',
        reason: 'account-locked',
      });
      throw new SignInError('account-locked', (user.lockedUntil.getTime() - now.getTime()) / 1000);
    }
    await this.throttles.clear([key]);
    await this.users.update(user.id, { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now }, now);
    await this.audit.record(ctx, {
      action: 'sign-in',
      entityType: 'user',
      entityId: user.id,
      details: { step: 'password' },
    });
    return user;
  }

  /** True when this user must pass MFA before doing anything (OH staff, system administrators). */
  mfaRequired(user: Pick<User, 'roles'>): boolean {
    return requiresMfa(user.roles);
  }

  /**
   * Checks a TOTP code for an enrolled user at the second step of `pendingSignInId`; refuses a code already
   * used. Wrong codes are counted per account and per pending sign-in, wherever they come from (issue 14
   * defect 8): after MFA_CODES_PER_SIGN_IN the sign-in starts again from the password; after `maxAttempts`
   * across sign-ins the account locks for `lockoutMinutes`, even for the right code, and its holder is told
   * by email.
   */
  async verifySecondFactor(
    ctx: AnyContext,
    user: User,
    code: string,
    pendingSignInId: string,
  ): Promise<SecondFactorOutcome> {
    const now = this.clock.now();
    const denied = (reason: string) =>
      this.audit.record(ctx, { action: 'sign-in', entityType: 'user', entityId: user.id, outcome: 'denied', reason });
    if (user.lockedUntil && user.lockedUntil > now) {
      await denied('account-locked');
      return 'locked';
    }
    const pendingKey = `mfa-sign-in:${pendingSignInId}`;
    const step = user.totpSecret && user.mfaEnrolledAt ? verifyTotp(user.totpSecret, code, now) : null;
    if (step !== null && (await this.users.acceptTotpStep(user.id, step, now))) {
      await this.throttles.clear([mfaAccountKey(user.id), pendingKey]);
      await this.audit.record(ctx, {
        action: 'sign-in',
        entityType: 'user',
        entityId: user.id,
        outcome: 'success',
        details: { step: 'mfa' },
      });
      return 'accepted';
    }
    const accountFailures = await this.throttles.addFailure(mfaAccountKey(user.id), now);
    const signInFailures = await this.throttles.addFailure(pendingKey, now);
    if (accountFailures >= this.settings.maxAttempts) {
      const until = new Date(now.getTime() + this.settings.lockoutMinutes * 60_000);
      await this.users.update(user.id, { lockedUntil: until }, now);
      await this.throttles.clear([mfaAccountKey(user.id), pendingKey]);
      await denied('locked-after-wrong-codes');
      await this.notifications.enqueueEmail(
        {
          to: user.email,
          subject: 'Your Blue Light Pathways account has been locked',
          text: `Hello ${user.displayName},\n\nSomeone gave the right password for your account but ${accountFailures} wrong sign-in codes, so we have locked the account for ${this.settings.lockoutMinutes} minutes.\n\nIf this was you, wait and sign in again. If it was not, someone else may know your password: tell your system administrator and ask for a new one.\n`,
        },
        undefined,
        { dedupeKey: `account-locked:${user.id}:${until.toISOString()}` },
      );
      return 'locked';
    }
    await denied('wrong-mfa-code');
    if (signInFailures >= MFA_CODES_PER_SIGN_IN) {
      await this.throttles.clear([pendingKey]);
      return 'start-again';
    }
    return 'wrong';
  }

  /** A fresh secret to show during enrolment (kept in the session until confirmed). */
  newEnrolmentSecret(): string {
    return newTotpSecret();
  }

  /** Confirms enrolment when the code matches the secret shown; stores the secret. */
  async confirmEnrolment(ctx: AnyContext, user: User, secret: string, code: string): Promise<boolean> {
    const now = this.clock.now();
    const step = verifyTotp(secret, code, now);
    if (step === null) {
      await this.audit.record(ctx, {
        action: 'update',
        entityType: 'user-mfa',
        entityId: user.id,
        outcome: 'denied',
        reason: 'wrong-mfa-code',
      });
      return false;
    }
    await this.users.update(user.id, { totpSecret: secret, mfaEnrolledAt: now, totpLastStep: step }, now);
    await this.audit.record(ctx, {
      action: 'update',
      entityType: 'user-mfa',
      entityId: user.id,
      details: { enrolled: true },
    });
    return true;
  }

  /** The actor a user acts as: `requested` if they hold it, otherwise their default role. */
  actorFor(user: User, requested: Role | undefined, via: Actor['via']): Actor | null {
    const role = requested && user.roles.includes(requested) ? requested : defaultRole(user.roles);
    if (!role) return null;
    return {
      userId: user.id,
      displayName: user.displayName,
      email: user.email,
      organisationId: user.organisationId,
      personId: user.personId,
      roles: user.roles,
      role,
      via,
      locale: user.locale,
    };
  }

  async findUser(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  async setLocale(userId: string, locale: 'en' | 'cy'): Promise<void> {
    await this.users.update(userId, { locale }, this.clock.now());
  }

  /** Voids every session of the user, including the current one. */
  async signOutEverywhere(ctx: AnyContext, userId: string): Promise<void> {
    await this.users.bumpSessionEpoch(userId, this.clock.now());
    await this.audit.record(ctx, {
      action: 'sign-out',
      entityType: 'user',
      entityId: userId,
      details: { everywhere: true },
    });
  }

  // API tokens ---------------------------------------------------------------

  /** Creates a bearer token for one user, acting as one of their roles. The secret is returned once and stored only as a digest. */
  async createToken(
    ctx: AnyContext,
    user: User,
    options: { name: string; role?: Role; expiresAt?: Date | null },
  ): Promise<{ token: string; record: ApiToken }> {
    const role = options.role ?? defaultRole(user.roles);
    if (!role || !user.roles.includes(role)) throw new ValidationError({ role: 'The user does not hold this role' });
    const id = newId();
    const secret = randomSecret(32);
    const token = `${TOKEN_PREFIX}${secret}`;
    const now = this.clock.now();
    const record = {
      id,
      userId: user.id,
      role,
      name: options.name,
      createdAt: now,
      expiresAt: options.expiresAt ?? null,
    };
    await this.tokens.insert({ ...record, tokenHash: sha256(token) });
    await this.audit.record(ctx, {
      action: 'create',
      entityType: 'api-token',
      entityId: id,
      details: { userId: user.id, role },
    });
    return { token, record: { ...record, lastUsedAt: null, revokedAt: null } };
  }

  /**
   * The actor a bearer token stands for, or null when it is unknown, revoked, expired or its
   * user disabled. Answers are cached for a few seconds so that API calls do not pay three
   * lookups each; revoking a token, disabling a user or changing their roles clears this
   * process's cache at once, and other processes within TOKEN_CACHE_MS.
   */
  async authenticateToken(token: string): Promise<Actor | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const hash = sha256(token);
    const now = this.clock.now();
    const cached = this.tokenCache.get(hash);
    if (cached && cached.until > now.getTime() && (!cached.tokenExpiresAt || cached.tokenExpiresAt > now)) {
      await this.noteTokenUse(cached.tokenId, now);
      return cached.actor;
    }
    this.tokenCache.delete(hash);
    const record = await this.tokens.findUsable(hash, now);
    if (!record) return null;
    const user = await this.users.findById(record.userId);
    if (!user || user.disabledAt || !user.roles.includes(record.role)) return null;
    const actor = this.actorFor(user, record.role, 'token');
    if (!actor) return null;
    if (this.tokenCache.size >= TOKEN_CACHE_SIZE) this.tokenCache.delete(this.tokenCache.keys().next().value as string);
    this.tokenCache.set(hash, {
      actor,
      tokenId: record.id,
      userId: user.id,
      tokenExpiresAt: record.expiresAt,
      until: now.getTime() + TOKEN_CACHE_MS,
    });
    await this.noteTokenUse(record.id, now);
    return actor;
  }

  /** Records when a token was last used, at most once a minute per token per process. */
  private async noteTokenUse(tokenId: string, now: Date): Promise<void> {
    const last = this.tokenTouched.get(tokenId) ?? 0;
    if (now.getTime() - last < 60_000) return;
    this.tokenTouched.set(tokenId, now.getTime());
    await this.tokens.touch(tokenId, now);
  }

  /** Forgets cached token answers for a user (or one token). */
  private forgetTokens(match: { userId?: string; tokenId?: string }): void {
    for (const [hash, entry] of this.tokenCache) {
      if (entry.userId === match.userId || entry.tokenId === match.tokenId) this.tokenCache.delete(hash);
    }
  }

  async listTokens(userId: string): Promise<ApiToken[]> {
    return this.tokens.listForUser(userId);
  }

  async revokeToken(ctx: AnyContext, userId: string, tokenId: string): Promise<boolean> {
    const revoked = await this.tokens.revoke(userId, tokenId, this.clock.now());
    this.forgetTokens({ tokenId });
    if (revoked)
      await this.audit.record(ctx, {
        action: 'update',
        entityType: 'api-token',
        entityId: tokenId,
        details: { revoked: true },
      });
    return revoked;
  }

  // Accounts -----------------------------------------------------------------

  /** Creates a user. With no password, returns a one-time link for them to set one. */
  async createUser(
    ctx: AnyContext,
    input: {
      email: string;
      displayName: string;
      roles: Role[];
      organisationId: string;
      personId?: string | null;
      password?: string;
      locale?: 'en' | 'cy';
    },
  ): Promise<{ user: User; setPasswordToken: string | null }> {
    if (input.roles.length === 0) throw new ValidationError({ roles: 'Choose at least one role' });
    if (input.password) {
      const problem = passwordProblem(input.password, input.email);
      if (problem) throw new ValidationError({ password: problem });
    }
    const now = this.clock.now();
    const id = newId();
    try {
      await this.users.insert(
        {
          id,
          email: input.email,
          displayName: input.displayName,
          passwordHash: input.password ? await hashPassword(input.password) : null,
          organisationId: input.organisationId,
          personId: input.personId ?? null,
          roles: input.roles,
          locale: input.locale ?? 'en',
        },
        now,
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(
          'duplicate-user',
          'A user with this email address (or for this person) already exists.',
          { email: 'Already in use' },
        );
      throw error;
    }
    await this.audit.record(ctx, {
      action: 'create',
      entityType: 'user',
      entityId: id,
      details: { roles: input.roles },
    });
    const user = (await this.users.findById(id))!;
    const setPasswordToken = input.password ? null : await this.createLink('set-password', id, 7 * 24 * 60);
    return { user, setPasswordToken };
  }

  /** Creates a one-time link token valid for `minutes`. */
  async createLink(purpose: OneTimeLinkPurpose, userId: string | null, minutes: number): Promise<string> {
    const token = randomSecret(32);
    const now = this.clock.now();
    await this.links.insert({
      id: newId(),
      purpose,
      userId,
      tokenHash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + minutes * 60_000),
    });
    return token;
  }

  /** In production, the first start with no users prints a link for creating the first administrator. */
  async firstAdministratorLink(): Promise<string | null> {
    if ((await this.users.count()) > 0) return null;
    return this.createLink('first-administrator', null, 24 * 60);
  }

  /** True when `token` is a usable link for `purpose`. */
  async linkIsUsable(token: string, purpose: OneTimeLinkPurpose): Promise<boolean> {
    return Boolean(await this.links.findUsable(sha256(token), purpose, this.clock.now()));
  }

  /** Sets a password through a set-password link; the link is used up. */
  async setPasswordWithLink(ctx: AnyContext, token: string, password: string): Promise<User> {
    const now = this.clock.now();
    const link = await this.links.findUsable(sha256(token), 'set-password', now);
    if (!link?.userId)
      throw new AppError({
        code: 'link-not-usable',
        status: 404,
        publicMessage: 'This link has expired or has already been used.',
      });
    const user = await this.users.findById(link.userId);
    if (!user)
      throw new AppError({
        code: 'link-not-usable',
        status: 404,
        publicMessage: 'This link has expired or has already been used.',
      });
    const problem = passwordProblem(password, user.email);
    if (problem) throw new ValidationError({ password: problem });
    if (!(await this.links.markUsed(link.id, now)))
      throw new AppError({
        code: 'link-not-usable',
        status: 404,
        publicMessage: 'This link has expired or has already been used.',
      });
    await this.users.update(
      user.id,
      { passwordHash: await hashPassword(password), failedLoginCount: 0, lockedUntil: null },
      now,
    );
    // A new password from a link starts the count again.
    await this.throttles.clear([emailKey(user.email), mfaAccountKey(user.id)]);
    await this.audit.record(ctx, {
      action: 'update',
      entityType: 'user',
      entityId: user.id,
      details: { passwordSet: true },
    });
    return user;
  }

  /** Uses up a first-administrator link by creating that administrator. */
  async createFirstAdministrator(
    ctx: AnyContext,
    token: string,
    input: { email: string; displayName: string; password: string; organisationId: string },
  ): Promise<User> {
    const now = this.clock.now();
    const link = await this.links.findUsable(sha256(token), 'first-administrator', now);
    if (!link || (await this.users.count()) > 0) {
      throw new AppError({
        code: 'link-not-usable',
        status: 404,
        publicMessage: 'This link has expired or has already been used.',
      });
    }
    const problem = passwordProblem(input.password, input.email);
    if (problem) throw new ValidationError({ password: problem });
    if (!(await this.links.markUsed(link.id, now)))
      throw new AppError({
        code: 'link-not-usable',
        status: 404,
        publicMessage: 'This link has expired or has already been used.',
      });
    const { user } = await this.createUser(ctx, { ...input, roles: ['system-administrator'] });
    return user;
  }

  async setRoles(ctx: AnyContext, userId: string, roles: Role[]): Promise<void> {
    if (roles.length === 0) throw new ValidationError({ roles: 'Choose at least one role' });
    await this.users.setRoles(userId, roles, this.clock.now());
    this.forgetTokens({ userId });
    await this.audit.record(ctx, { action: 'update', entityType: 'user', entityId: userId, details: { roles } });
  }

  async setDisabled(ctx: AnyContext, userId: string, disabled: boolean): Promise<void> {
    const now = this.clock.now();
    await this.users.update(userId, { disabledAt: disabled ? now : null }, now);
    this.forgetTokens({ userId });
    if (disabled) await this.users.bumpSessionEpoch(userId, now);
    await this.audit.record(ctx, { action: 'update', entityType: 'user', entityId: userId, details: { disabled } });
  }

  async listUsers(filter: { organisationId?: string; limit: number; offset: number }) {
    return this.users.list(filter);
  }
}
