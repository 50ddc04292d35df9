import type { Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import QRCode from 'qrcode';
import { z } from 'zod';
import { checkInput, fieldMessages, parseInput } from '../shared/validation.js';
import { newId } from '../shared/ids.js';
import type { AppDependencies } from '../web/app-dependencies.js';
import { AppError, TooManyRequestsError, ValidationError, isAppError } from '../shared/errors.js';
import { anonymousContext, authenticateLocal, createPassport, requestContext } from '../web/authenticate.js';
import { ensureCsrfToken, parseCookie } from '../web/middleware.js';
import { renderFormErrors, renderPage } from '../web/render.js';
import type { RouteDefinition } from '../web/route-registry.js';
import { policies } from './access-policy.js';
import {
  firstAdminFormSchema,
  languageFormSchema,
  loginFormSchema,
  mfaFormSchema,
  roleFormSchema,
  safeReturnTo,
  setPasswordFormSchema,
  tokenFormSchema,
} from './auth-schemas.js';
import { totpUri } from './totp.js';
import { isLocale } from '../i18n/i18n.js';
import { notify } from '../web/notice.js';

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
}
function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())));
}
function destroy(req: Request): Promise<void> {
  return new Promise((resolve) => req.session.destroy(() => resolve()));
}

function page(req: Request, res: Response, view: string, locals: Record<string, unknown> = {}, status = 200) {
  ensureCsrfToken(req);
  renderPage(req, res, view, locals, status);
}

/** Sign-in, MFA, sign-out, language, role switching, account and API tokens, set-up links. */
export function authPages(deps: AppDependencies): RouteDefinition[] {
  const { auth } = deps.services;
  const passport = createPassport(auth);
  /**
   * A per-address limit on one form's failures: successes (a redirect) are not counted, so many people
   * signing in behind one NAT address are not locked out (issue 14 defect 8). Each form has its own.
   */
  const failureLimiter = (limit: number) =>
    rateLimit({
      windowMs: 15 * 60_000,
      limit,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) =>
        next(
          new TooManyRequestsError(
            'too-many-sign-in-attempts',
            'Too many sign-in attempts from here. Wait 15 minutes and try again.',
            900,
          ),
        ),
    });
  const loginLimiter = failureLimiter(30);
  const mfaLimiter = failureLimiter(30);
  const setPasswordLimiter = failureLimiter(10);
  const setupLimiter = failureLimiter(10);

  const pendingUser = async (req: Request) => {
    if (!req.session.userId || !req.session.mfaPending) return null;
    return auth.findUser(req.session.userId);
  };

  const finishSignIn = async (req: Request, res: Response, userId: string, epoch: number, returnTo: string) => {
    // A language chosen on the sign-in page is the user's choice from now on.
    const chosen = parseCookie(req.headers.cookie, 'lang');
    if (isLocale(chosen)) await auth.setLocale(userId, chosen);
    await regenerate(req);
    req.session.userId = userId;
    req.session.epoch = epoch;
    ensureCsrfToken(req);
    await save(req);
    res.redirect(303, safeReturnTo(returnTo));
  };

  return [
    {
      method: 'get',
      path: '/login',
      kind: 'page',
      policy: policies.public,
      summary: 'The sign-in form.',
      handler: (req, res) => {
        if (req.actor) return res.redirect(303, '/');
        page(req, res, 'auth/login', {
          values: { returnTo: safeReturnTo(String(req.query.returnTo ?? '/')) },
          hideNav: true,
        });
      },
    },
    {
      method: 'post',
      path: '/login',
      kind: 'page',
      policy: policies.public,
      summary: 'Checks email and password; starts MFA for roles that need it.',
      before: [loginLimiter],
      handler: async (req, res) => {
        const parsed = checkInput(loginFormSchema, req.body);
        const values = { email: String(req.body?.email ?? ''), returnTo: safeReturnTo(req.body?.returnTo) };
        if (!parsed.success) {
          ensureCsrfToken(req);
          return renderFormErrors(req, res, 'auth/login', values, fieldMessages(parsed.error), { hideNav: true });
        }
        const result = await authenticateLocal(passport, req, res);
        if ('failure' in result) {
          ensureCsrfToken(req);
          if (result.retryAfterSeconds) res.setHeader('Retry-After', String(result.retryAfterSeconds));
          const message = req.t(result.failure === 'account-locked' ? 'login.locked' : 'login.invalid');
          return renderPage(
            req,
            res,
            'auth/login',
            {
              values,
              errors: { email: message },
              errorList: [{ field: 'email', message, href: '#email' }],
              hideNav: true,
            },
            result.failure === 'account-locked' ? 429 : 401,
          );
        }
        const { user } = result;
        if (auth.mfaRequired(user)) {
          await regenerate(req);
          req.session.userId = user.id;
          req.session.epoch = user.sessionEpoch;
          req.session.mfaPending = true;
          // Wrong codes are counted against this pending sign-in as well as the account (issue 14 defect 8).
          req.session.pendingSignInId = newId();
          req.session.flash = values.returnTo;
          ensureCsrfToken(req);
          await save(req);
          return res.redirect(303, user.mfaEnrolledAt ? '/login/mfa' : '/mfa/setup');
        }
        await finishSignIn(req, res, user.id, user.sessionEpoch, values.returnTo);
      },
    },
    {
      method: 'get',
      path: '/login/mfa',
      kind: 'page',
      policy: policies.public,
      duringSignIn: true,
      summary: 'The second-factor form.',
      handler: async (req, res) => {
        const user = await pendingUser(req);
        if (!user) return res.redirect(303, '/login');
        if (!user.mfaEnrolledAt) return res.redirect(303, '/mfa/setup');
        page(req, res, 'auth/mfa', { hideNav: true, values: {} });
      },
    },
    {
      method: 'post',
      path: '/login/mfa',
      kind: 'page',
      policy: policies.public,
      duringSignIn: true,
      summary: 'Checks the TOTP code and completes sign-in.',
      before: [mfaLimiter],
      handler: async (req, res) => {
        const user = await pendingUser(req);
        if (!user) return res.redirect(303, '/login');
        const parsed = checkInput(mfaFormSchema, req.body);
        if (!parsed.success)
          return renderFormErrors(req, res, 'auth/mfa', {}, fieldMessages(parsed.error), { hideNav: true });
        const outcome = await auth.verifySecondFactor(
          anonymousContext(req),
          user,
          parsed.data.code,
          req.session.pendingSignInId ?? req.sessionID,
        );
        if (outcome === 'wrong')
          return renderFormErrors(req, res, 'auth/mfa', {}, { code: req.t('mfa.wrongCode') }, { hideNav: true });
        if (outcome !== 'accepted') {
          // The pending sign-in ends: start again from the password (the account may now be locked).
          await regenerate(req);
          ensureCsrfToken(req);
          if (outcome === 'locked') res.setHeader('Retry-After', String(deps.config.login.lockoutMinutes * 60));
          const message = req.t(outcome === 'locked' ? 'login.locked' : 'mfa.startAgain');
          return renderPage(
            req,
            res,
            'auth/login',
            {
              values: { returnTo: '/' },
              errors: { email: message },
              errorList: [{ field: 'email', message, href: '#email' }],
              hideNav: true,
            },
            outcome === 'locked' ? 429 : 401,
          );
        }
        await finishSignIn(req, res, user.id, user.sessionEpoch, req.session.flash ?? '/');
      },
    },
    {
      method: 'get',
      path: '/mfa/setup',
      kind: 'page',
      policy: policies.public,
      duringSignIn: true,
      summary: 'Enrolment in TOTP multi-factor authentication.',
      handler: async (req, res) => {
        const user = await pendingUser(req);
        if (!user) return res.redirect(303, '/login');
        if (user.mfaEnrolledAt) return res.redirect(303, '/login/mfa');
        req.session.enrolSecret ??= auth.newEnrolmentSecret();
        const uri = totpUri(req.session.enrolSecret, user.email);
        const qr = await QRCode.toString(uri, { type: 'svg', margin: 1 });
        page(req, res, 'auth/mfa-setup', { hideNav: true, secret: req.session.enrolSecret, qr, values: {} });
      },
    },
    {
      method: 'post',
      path: '/mfa/setup',
      kind: 'page',
      policy: policies.public,
      duringSignIn: true,
      summary: 'Confirms MFA enrolment with a first code, then completes sign-in.',
      before: [mfaLimiter],
      handler: async (req, res) => {
        const user = await pendingUser(req);
        if (!user || !req.session.enrolSecret) return res.redirect(303, '/login');
        const secret = req.session.enrolSecret;
        const parsed = checkInput(mfaFormSchema, req.body);
        const errors = !parsed.success
          ? fieldMessages(parsed.error)
          : (await auth.confirmEnrolment(anonymousContext(req), user, secret, parsed.data.code))
            ? null
            : { code: req.t('mfa.wrongCode') };
        if (errors) {
          const qr = await QRCode.toString(totpUri(secret, user.email), { type: 'svg', margin: 1 });
          return renderFormErrors(req, res, 'auth/mfa-setup', {}, errors, { hideNav: true, secret, qr });
        }
        delete req.session.enrolSecret;
        await finishSignIn(req, res, user.id, user.sessionEpoch, req.session.flash ?? '/');
      },
    },
    {
      method: 'post',
      path: '/logout',
      kind: 'page',
      policy: policies.public,
      summary: 'Signs out of this browser.',
      handler: async (req, res) => {
        if (req.actor)
          await deps.services.audit.record(requestContext(req), {
            action: 'sign-out',
            entityType: 'user',
            entityId: req.actor.userId,
          });
        await destroy(req);
        res.clearCookie(deps.config.session.secureCookies ? '__Host-blp.sid' : 'blp.sid', { path: '/' });
        res.redirect(303, '/login');
      },
    },
    {
      method: 'post',
      path: '/logout-everywhere',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Signs out of every browser and device at once.',
      handler: async (req, res) => {
        await auth.signOutEverywhere(requestContext(req), req.actor!.userId);
        await destroy(req);
        res.redirect(303, '/login');
      },
    },
    {
      method: 'post',
      path: '/language',
      kind: 'page',
      policy: policies.public,
      summary: 'Switches between English and Welsh, remembered for the user.',
      handler: async (req, res) => {
        const parsed = checkInput(languageFormSchema, req.body);
        if (!parsed.success) throw new ValidationError(fieldMessages(parsed.error));
        res.cookie('lang', parsed.data.lang, {
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.config.session.secureCookies,
          maxAge: 365 * 86_400_000,
          path: '/',
        });
        if (req.actor) await auth.setLocale(req.actor.userId, parsed.data.lang);
        res.redirect(303, safeReturnTo(parsed.data.returnTo));
      },
    },
    {
      method: 'post',
      path: '/role',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Switches which of the user’s roles they act as.',
      handler: async (req, res) => {
        const parsed = checkInput(roleFormSchema, req.body);
        if (!parsed.success || !req.actor!.roles.includes(parsed.data.role))
          throw new ValidationError({ role: 'You do not hold that role' });
        req.session.role = parsed.data.role;
        await save(req);
        res.redirect(303, '/');
      },
    },
    {
      method: 'get',
      path: '/account',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'The user’s account: roles, MFA, API tokens, signing out everywhere.',
      handler: async (req, res) => {
        const tokens = await auth.listTokens(req.actor!.userId);
        const user = await auth.findUser(req.actor!.userId);
        page(req, res, 'auth/account', {
          tokens,
          mfaEnrolled: Boolean(user?.mfaEnrolledAt),
          values: {},
          roleOptions: req.actor!.roles.map((r) => ({ slug: r, name: req.t(`roles.${r}`) })),
        });
      },
    },
    {
      method: 'post',
      path: '/account/tokens',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Creates an API token for the signed-in user (shown once).',
      handler: async (req, res) => {
        const actor = req.actor!;
        const parsed = checkInput(tokenFormSchema, req.body);
        const user = (await auth.findUser(actor.userId))!;
        const tokens = await auth.listTokens(actor.userId);
        const locals = {
          tokens,
          mfaEnrolled: Boolean(user.mfaEnrolledAt),
          roleOptions: actor.roles.map((r) => ({ slug: r, name: req.t(`roles.${r}`) })),
        };
        if (!parsed.success)
          return renderFormErrors(req, res, 'auth/account', req.body, fieldMessages(parsed.error), locals);
        const expiresAt = parsed.data.expiresInDays
          ? new Date(deps.clock.now().getTime() + parsed.data.expiresInDays * 86_400_000)
          : null;
        try {
          const { token } = await auth.createToken(requestContext(req), user, {
            name: parsed.data.name,
            role: parsed.data.role ?? actor.role,
            expiresAt,
          });
          page(
            req,
            res,
            'auth/account',
            { ...locals, tokens: await auth.listTokens(actor.userId), newToken: token, values: {} },
            201,
          );
        } catch (error) {
          if (isAppError(error) && error.messages)
            return renderFormErrors(req, res, 'auth/account', req.body, error.messages, locals);
          throw error;
        }
      },
    },
    {
      method: 'post',
      path: '/account/tokens/:id/revoke',
      kind: 'page',
      policy: policies.signedIn,
      summary: 'Revokes one of the user’s API tokens.',
      handler: async (req, res) => {
        const { id } = parseInput(z.object({ id: z.uuid() }), req.params);
        await auth.revokeToken(requestContext(req), req.actor!.userId, id);
        notify(req, { heading: 'notices.tokenRevoked' });
        res.redirect(303, '/account');
      },
    },
    {
      method: 'get',
      path: '/set-password/:token',
      kind: 'page',
      policy: policies.public,
      summary: 'Sets a password from a one-time link.',
      handler: async (req, res) => {
        if (!(await auth.linkIsUsable(String(req.params.token), 'set-password'))) {
          throw new AppError({
            code: 'link-not-usable',
            status: 404,
            publicMessage: 'This link has expired or has already been used.',
          });
        }
        page(req, res, 'auth/set-password', { hideNav: true, values: {} });
      },
    },
    {
      method: 'post',
      path: '/set-password/:token',
      kind: 'page',
      policy: policies.public,
      summary: 'Saves the password chosen through a one-time link.',
      before: [setPasswordLimiter],
      handler: async (req, res) => {
        const parsed = checkInput(setPasswordFormSchema, req.body);
        if (!parsed.success)
          return renderFormErrors(req, res, 'auth/set-password', {}, fieldMessages(parsed.error), { hideNav: true });
        try {
          await auth.setPasswordWithLink(anonymousContext(req), String(req.params.token), parsed.data.password);
        } catch (error) {
          if (isAppError(error) && error.messages)
            return renderFormErrors(req, res, 'auth/set-password', {}, error.messages, { hideNav: true });
          throw error;
        }
        notify(req, { heading: 'notices.passwordSet', next: 'notices.passwordSetNext' });
        res.redirect(303, '/login');
      },
    },
    {
      method: 'get',
      path: '/setup/:token',
      kind: 'page',
      policy: policies.public,
      summary: 'Creates the first system administrator (production first start).',
      handler: async (req, res) => {
        if (!(await auth.linkIsUsable(String(req.params.token), 'first-administrator'))) {
          throw new AppError({
            code: 'link-not-usable',
            status: 404,
            publicMessage: 'This link has expired or has already been used.',
          });
        }
        page(req, res, 'auth/first-admin', { hideNav: true, values: {} });
      },
    },
    {
      method: 'post',
      path: '/setup/:token',
      kind: 'page',
      policy: policies.public,
      summary: 'Saves the first system administrator.',
      before: [setupLimiter],
      handler: async (req, res) => {
        const parsed = checkInput(firstAdminFormSchema, req.body);
        const values = {
          displayName: req.body?.displayName,
          email: req.body?.email,
          organisationName: req.body?.organisationName,
        };
        if (!parsed.success)
          return renderFormErrors(req, res, 'auth/first-admin', values, fieldMessages(parsed.error), { hideNav: true });
        if (!(await auth.linkIsUsable(String(req.params.token), 'first-administrator'))) {
          throw new AppError({
            code: 'link-not-usable',
            status: 404,
            publicMessage: 'This link has expired or has already been used.',
          });
        }
        const { people } = deps.services;
        let host = (await people.listOrganisations()).find((o) => o.kind === 'host-force');
        if (!host) {
          if (!parsed.data.organisationName) {
            return renderFormErrors(
              req,
              res,
              'auth/first-admin',
              values,
              { organisationName: 'Enter the name of your force' },
              { hideNav: true },
            );
          }
          host = await people.createOrganisation({
            name: parsed.data.organisationName,
            kind: 'host-force',
            odsCode: null,
            hostOrganisationId: null,
          });
        }
        try {
          await auth.createFirstAdministrator(anonymousContext(req), String(req.params.token), {
            displayName: parsed.data.displayName,
            email: parsed.data.email,
            password: parsed.data.password,
            organisationId: host.id,
          });
        } catch (error) {
          if (isAppError(error) && error.messages)
            return renderFormErrors(req, res, 'auth/first-admin', values, error.messages, { hideNav: true });
          throw error;
        }
        notify(req, { heading: 'notices.adminCreated', next: 'notices.passwordSetNext' });
        res.redirect(303, '/login');
      },
    },
  ];
}
