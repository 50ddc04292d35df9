import type { Request, RequestHandler, Response } from 'express';
import passportModule from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { Strategy as LocalStrategy, type IVerifyOptions } from 'passport-local';
import type { Actor } from '../auth/actor.js';
import { roleMayUse } from '../auth/access-policy.js';
import { SignInError, type AuthService } from '../auth/auth-service.js';
import type { User } from '../people/users-repository.js';
import type { AuditService } from '../audit/audit-service.js';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors.js';
import type { PartnerContext, RequestContext, SystemContext } from '../shared/request-context.js';
import type { PartnerToken } from '../fhir/partner-api/smart/partner-client-repository.js';
import { scopesAllow } from '../fhir/partner-api/smart/smart-scopes.js';
import type { RouteDefinition } from './route-registry.js';
import { csrfProtection } from './middleware.js';

/** The context a use case gets for this request (requires a signed-in actor). */
export function requestContext(req: Request): RequestContext {
  if (!req.actor) throw new UnauthenticatedError();
  return { actor: req.actor, requestId: req.requestId, callerRequestId: req.callerRequestId, ip: req.ip ?? null };
}

/** The context of a partner system's request to the partner-facing FHIR API (requires its access token). */
export function partnerContext(req: Request): PartnerContext {
  if (!req.partner) throw new UnauthenticatedError();
  return {
    actor: null,
    partner: { clientId: req.partner.clientId, organisationId: req.partner.organisationId },
    requestId: req.requestId,
    callerRequestId: req.callerRequestId,
    ip: req.ip ?? null,
  };
}

/** A context for requests with no signed-in actor yet (signing in, set-up links). */
export function anonymousContext(req: Request): SystemContext {
  return { actor: null, requestId: req.requestId, callerRequestId: req.callerRequestId, ip: null };
}

/** Passport with the two ways in: email + password (then MFA) for pages, bearer tokens for the API. */
type Passport = InstanceType<typeof passportModule.Passport>;

export function createPassport(auth: AuthService): Passport {
  const passport = new passportModule.Passport();
  passport.use(
    'local',
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false },
      (req, email, password, done) => {
        auth
          .signIn(anonymousContext(req), email, password)
          .then((user) => done(null, user))
          .catch((error: unknown) =>
            error instanceof SignInError
              ? done(null, false, { message: error.code, retryAfterSeconds: error.retryAfterSeconds } as IVerifyOptions)
              : done(error),
          );
      },
    ),
  );
  passport.use(
    'bearer',
    new BearerStrategy((token, done) => {
      auth
        .authenticateToken(token)
        .then((actor) => done(null, actor ?? false))
        .catch((error: unknown) => done(error as Error));
    }),
  );
  return passport;
}

/** Runs passport's local strategy; resolves with the user, or the sign-in failure code. */
export function authenticateLocal(
  passport: Passport,
  req: Request,
  res: Response,
): Promise<{ user: User } | { failure: string; retryAfterSeconds?: number | undefined }> {
  return new Promise((resolve, reject) => {
    passport.authenticate(
      'local',
      { session: false },
      (error: unknown, user: User | false, info?: { message?: string; retryAfterSeconds?: number }) => {
        if (error) reject(error);
        else if (user) resolve({ user });
        else
          resolve({
            failure: info?.message === 'account-locked' ? 'account-locked' : 'invalid-credentials',
            retryAfterSeconds: info?.retryAfterSeconds,
          });
      },
    )(req, res, () => undefined);
  });
}

/** Bearer-token authentication for API routes: 401 JSON when missing or invalid. */
function bearer(passport: Passport): RequestHandler {
  return (req, res, next) => {
    passport.authenticate('bearer', { session: false }, (error: unknown, actor: Actor | false) => {
      if (error) return next(error);
      if (!actor) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="blue-light-pathways"');
        return next(new UnauthenticatedError('unauthenticated', 'A valid bearer token is required.'));
      }
      req.actor = actor;
      next();
    })(req, res, next);
  };
}

/** How a partner system's access token is checked (PartnerAuthService.authenticate). */
export interface PartnerTokens {
  authenticate(token: string): Promise<PartnerToken | null>;
}

/**
 * The partner-facing FHIR API's guards (FHIR-8): an access token from our token endpoint, then
 * the scope the route needs. A missing or unknown token is 401; a scope not granted is 403, audited.
 */
function partnerGuards(route: RouteDefinition, tokens: PartnerTokens, audit: AuditService): RequestHandler[] {
  return [
    async (req, res, next) => {
      try {
        const header = req.get('authorization') ?? '';
        const m = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header);
        const token = m ? await tokens.authenticate(m[1]!) : null;
        if (!token) {
          res.setHeader('WWW-Authenticate', `Bearer realm="fhir"${header ? ', error="invalid_token"' : ''}`);
          return next(
            new UnauthenticatedError(
              'unauthenticated',
              'A valid access token from the token endpoint is required (SMART Backend Services).',
            ),
          );
        }
        req.partner = { clientId: token.client.id, organisationId: token.client.organisationId, scopes: token.scopes };
        const scope = route.fhir?.scope;
        if (scope && !scopesAllow(token.scopes, scope.resourceType, scope.access)) {
          await audit.recordRefusal(partnerContext(req), 'fhir-resource', 'scope-not-granted', {
            needs: `system/${scope.resourceType}.${scope.access}`,
            method: req.method,
            route: route.path,
          });
          return next(
            new ForbiddenError(
              'insufficient-scope',
              `This access token does not allow it: it needs the scope system/${scope.resourceType}.${scope.access}.`,
            ),
          );
        }
        next();
      } catch (error) {
        next(error);
      }
    },
  ];
}

/**
 * The guard chain for one route: authenticate (bearer for the API, session for pages),
 * then ask the access policy whether the actor's role may use the route at all. Refusals
 * are audited.
 */
export function guardsFor(
  route: RouteDefinition,
  passport: Passport,
  audit: AuditService,
  partnerTokens: PartnerTokens,
): RequestHandler[] {
  // Every form post carries a CSRF token; checked after sign-in is established so a
  // signed-out visitor is sent to sign in rather than shown a form error.
  const csrf: RequestHandler[] = route.kind === 'page' && route.method !== 'get' ? [csrfProtection] : [];
  if (route.policy.roles === null) return csrf;
  if (route.kind === 'fhir') return partnerGuards(route, partnerTokens, audit);
  const chain: RequestHandler[] = [];
  if (route.kind === 'api') chain.push(bearer(passport));
  chain.push(async (req, res, next) => {
    try {
      if (!req.actor) {
        if (route.kind === 'page') {
          if (req.session?.mfaPending) return res.redirect(303, '/login/mfa');
          const returnTo = req.method === 'GET' ? `?returnTo=${encodeURIComponent(req.originalUrl)}` : '';
          return res.redirect(303, `/login${returnTo}`);
        }
        return next(new UnauthenticatedError());
      }
      if (!roleMayUse(route.policy, req.actor.role)) {
        await audit.recordRefusal(requestContext(req), 'route', 'role-not-permitted', {
          policy: route.policy.name,
          method: req.method,
          route: route.path,
        });
        return next(new ForbiddenError());
      }
      next();
    } catch (error) {
      next(error);
    }
  });
  return [...chain, ...csrf];
}
