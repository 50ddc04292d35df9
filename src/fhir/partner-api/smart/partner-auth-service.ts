import type { AuditService } from '../../../audit/audit-service.js';
import type { PeopleService } from '../../../people/people-service.js';
import type { Clock } from '../../../shared/clock.js';
import { ConflictError, NotFoundError } from '../../../shared/errors.js';
import { newId, randomSecret, sha256 } from '../../../shared/ids.js';
import type { AnyContext, RequestContext } from '../../../shared/request-context.js';
import { assertionIssuer, ClientAssertionError, verifyClientAssertion } from './client-assertion.js';
import type { PartnerClient, PartnerClientRepository, PartnerToken } from './partner-client-repository.js';
import { grantScopes, scopeList } from './smart-scopes.js';

/** How long an access token lives. */
export const ACCESS_TOKEN_SECONDS = 300;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An OAuth 2.0 error from the token endpoint (RFC 6749 §5.2): its code, what went wrong, and the HTTP status. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_scope',
    readonly description: string,
    readonly status: 400 | 401 = 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** A registered partner client, as routes and pages see it (they never import the repository). */
export type { PartnerClient };

/** A partner client as entered by an OH administrator. */
export type PartnerClientInput = Omit<PartnerClient, 'id' | 'createdAt' | 'updatedAt'>;

const FAILURE_WORDS: Record<ClientAssertionError['reason'], string> = {
  malformed: 'The client assertion is not a signed JWT with the claims required.',
  'unknown-client': 'No client is registered with that client_id, or it is disabled.',
  'bad-signature': 'The client assertion is not signed (RS384 or ES384) by a key registered for this client.',
  expired: 'The client assertion has expired.',
  'too-long-lived': 'The client assertion expires more than 5 minutes after it was made.',
  'wrong-audience': 'The client assertion’s aud is not this token endpoint.',
  'wrong-issuer': 'The client assertion’s iss and sub must both be the client_id.',
  'no-jti': 'The client assertion has no jti.',
};

/**
 * Partner systems' access to the partner-facing FHIR API (issue 6 §4, FHIR-8): OH administrators
 * register each partner client with its public keys and the scopes it may have; the client
 * exchanges a signed client assertion (SMART Backend Services) for a short-lived access token;
 * each request presents the token. An assertion id is accepted once (replays refused).
 */
export class PartnerAuthService {
  constructor(
    private readonly repository: PartnerClientRepository,
    private readonly people: Pick<PeopleService, 'nhsPartner'>,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** The token endpoint's own URL: the `aud` assertions must name. */
    readonly tokenUrl: string,
  ) {}

  async list(): Promise<PartnerClient[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<PartnerClient> {
    const found = await this.repository.find(id);
    if (!found) throw new NotFoundError('partner client');
    return found;
  }

  private async assertPartner(organisationId: string): Promise<void> {
    await this.people.nhsPartner(organisationId);
  }

  async create(ctx: RequestContext, input: PartnerClientInput): Promise<PartnerClient> {
    await this.assertPartner(input.organisationId);
    const now = this.clock.now();
    const client: PartnerClient = { id: newId(), ...input, createdAt: now, updatedAt: now };
    if (!(await this.repository.insert(client)))
      throw new ConflictError('client-id-taken', 'Another partner client already has this client_id.', {
        clientId: 'Another partner client already has this client_id.',
      });
    await this.audit.record(ctx, {
      action: 'create',
      entityType: 'partner-client',
      entityId: client.id,
      purpose: 'partner-directory',
      details: { scopes: client.scopes, enabled: client.enabled },
    });
    return client;
  }

  async update(ctx: RequestContext, id: string, input: PartnerClientInput): Promise<PartnerClient> {
    const current = await this.get(id);
    await this.assertPartner(input.organisationId);
    const client: PartnerClient = { ...current, ...input, updatedAt: this.clock.now() };
    if (!(await this.repository.update(client)))
      throw new ConflictError('client-id-taken', 'Another partner client already has this client_id.', {
        clientId: 'Another partner client already has this client_id.',
      });
    await this.audit.record(ctx, {
      action: 'update',
      entityType: 'partner-client',
      entityId: id,
      purpose: 'partner-directory',
      details: { scopes: client.scopes, enabled: client.enabled },
    });
    return client;
  }

  /**
   * The token endpoint (FHIR-8): `grant_type=client_credentials` with a JWT client assertion.
   * The scopes granted are those asked for, narrowed to the client's registration.
   */
  async issueToken(
    ctx: AnyContext,
    form: Record<string, unknown>,
  ): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number; scope: string }> {
    const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
    if (field('grant_type') !== 'client_credentials')
      throw new OAuthError(
        'unsupported_grant_type',
        'Only grant_type=client_credentials is supported (SMART Backend Services).',
      );
    if (field('client_assertion_type') !== ASSERTION_TYPE)
      throw new OAuthError('invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}.`);
    const assertion = field('client_assertion');
    if (!assertion || assertion.length > 16_000)
      throw new OAuthError('invalid_request', 'client_assertion is required.');
    if (!field('scope').trim()) throw new OAuthError('invalid_request', 'scope is required, e.g. system/Task.rus.');
    const now = this.clock.now();
    let client: PartnerClient | null = null;
    try {
      const issuer = assertionIssuer(assertion);
      client = await this.repository.findByClientId(issuer.slice(0, 200));
      if (!client || !client.enabled) throw new ClientAssertionError('unknown-client');
      const { jti, expiresAt } = await verifyClientAssertion(assertion, client, this.tokenUrl, now);
      if (!(await this.repository.useJti(client.id, jti, expiresAt))) {
        await this.refused(ctx, client, 'assertion-replayed');
        throw new OAuthError('invalid_client', 'This client assertion (its jti) has been used before.', 401);
      }
    } catch (error) {
      if (!(error instanceof ClientAssertionError)) throw error;
      await this.refused(ctx, client, `assertion-${error.reason}`);
      throw new OAuthError('invalid_client', FAILURE_WORDS[error.reason], 401);
    }
    const granted = grantScopes(scopeList(field('scope')), client.scopes);
    if (granted.length === 0) {
      await this.refused(ctx, client, 'scope-not-granted');
      throw new OAuthError('invalid_scope', 'None of the scopes asked for is granted to this client.');
    }
    const token = `blpp_${randomSecret(32)}`;
    const expiresAt = new Date(now.getTime() + ACCESS_TOKEN_SECONDS * 1000);
    await this.repository.insertToken({
      digest: sha256(token),
      partnerClientId: client.id,
      scopes: granted,
      expiresAt,
      now,
    });
    await this.audit.record(
      {
        actor: null,
        partner: { clientId: client.id, organisationId: client.organisationId },
        requestId: ctx.requestId,
        callerRequestId: ctx.callerRequestId ?? null,
        ip: ctx.ip,
      },
      {
        action: 'sign-in',
        entityType: 'partner-client',
        entityId: client.id,
        purpose: 'fhir-api',
        details: { scopes: granted },
      },
    );
    return { access_token: token, token_type: 'bearer', expires_in: ACCESS_TOKEN_SECONDS, scope: granted.join(' ') };
  }

  private async refused(ctx: AnyContext, client: PartnerClient | null, reason: string): Promise<void> {
    await this.audit.record(ctx, {
      action: 'sign-in',
      entityType: 'partner-client',
      entityId: client?.id ?? null,
      purpose: 'fhir-api',
      outcome: 'denied',
      reason,
    });
  }

  /** The token a request presents, if it is ours, unexpired and its client still enabled. */
  async authenticate(token: string): Promise<PartnerToken | null> {
    if (!token.startsWith('blpp_') || token.length > 200) return null;
    return this.repository.findToken(sha256(token), this.clock.now());
  }

  /** Housekeeping: expired tokens and assertion ids. */
  async deleteExpired(now: Date): Promise<number> {
    return this.repository.deleteExpired(now);
  }
}
