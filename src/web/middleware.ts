import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import { csrfSync } from 'csrf-sync';
import type { Knex } from 'knex';
import type { AuthService } from '../auth/auth-service.js';
import { isRole } from '../auth/roles.js';
import { isLocale, type Locale, type Translator } from '../i18n/i18n.js';
import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';

/** The longest caller-supplied request id kept: the audit trail's `caller_request_id` column holds 128. */
const CALLER_REQUEST_ID_LENGTH = 128;

/**
 * A caller's X-Request-Id made fit to keep beside ours (issue 14 §11): printable ASCII only (no control, bidi or
 * look-alike characters reach a log or a page), trimmed, at most 128 characters; null when nothing is left.
 */
export function callerRequestId(header: string | undefined): string | null {
  const kept = (header ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, CALLER_REQUEST_ID_LENGTH)
    .trim();
  return kept === '' ? null : kept;
}

/**
 * Gives every request our own id, echoed as X-Request-Id, for the log and the audit trail. A caller's
 * X-Request-Id is never taken as ours (it could name another request, or be chosen to mislead the trail);
 * sanitised, it is kept apart as `callerRequestId` so their logs and ours can still be matched.
 */
export const requestId: RequestHandler = (req, res, next) => {
  req.requestId = randomUUID();
  req.callerRequestId = callerRequestId(req.get('x-request-id'));
  res.setHeader('X-Request-Id', req.requestId);
  next();
};

/**
 * One log line per request: method, the matched route pattern (never the actual path,
 * which can carry one-time link secrets, nor the query string, which can carry names),
 * status, time and role. No bodies, cookies or queries.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      logger.info(
        {
          requestId: req.requestId,
          ...(req.callerRequestId ? { callerRequestId: req.callerRequestId } : {}),
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          role: req.actor?.role,
        },
        'request',
      );
    });
    next();
  };
}

/** Sessions stored in the database (table `sessions`), with secure cookie flags. */
export function sessionMiddleware(options: {
  db: Knex;
  secret: string;
  secure: boolean;
  maxAgeMinutes: number;
}): RequestHandler {
  const store = new ConnectSessionKnexStore({
    knex: options.db,
    tableName: 'sessions',
    createTable: false,
    cleanupInterval: 0,
  });
  return session({
    store,
    name: options.secure ? '__Host-blp.sid' : 'blp.sid',
    secret: options.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      path: '/',
      maxAge: options.maxAgeMinutes * 60_000,
    },
  });
}

const csrf = csrfSync({
  size: 32,
  getTokenFromRequest: (req) =>
    ((req.body as Record<string, unknown> | undefined)?._csrf as string | undefined) ?? req.get('x-csrf-token'),
});

/** CSRF protection on every form post (synchroniser token kept in the session). */
export const csrfProtection: RequestHandler = csrf.csrfSynchronisedProtection;

/** Makes sure the session holds a CSRF token for forms on the page being rendered. */
export function ensureCsrfToken(req: Request): string {
  return csrf.generateToken(req);
}

/** Chooses the language: the user's saved choice, else the `lang` cookie, else English. */
export function localeMiddleware(translator: Translator): RequestHandler {
  return (req, _res, next) => {
    const cookieLang = parseCookie(req.headers.cookie, 'lang');
    const locale: Locale = req.actor?.locale ?? (isLocale(cookieLang) ? cookieLang : 'en');
    req.locale = locale;
    req.t = translator.forLocale(locale);
    next();
  };
}

/** One cookie's value from a Cookie header; a value that is not validly percent-encoded counts as absent. */
export function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      // A browser keeps sending a bad cookie: refusing it would break every page for that person.
      return undefined;
    }
  }
  return undefined;
}

/**
 * Loads the signed-in user from the session. A session is void when its user is
 * disabled or has signed out everywhere since (epoch), or holds a role they no longer have.
 */
export function sessionActor(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    try {
      const s = req.session;
      if (s?.userId && !s.mfaPending) {
        const user = await auth.findUser(s.userId);
        if (!user || user.disabledAt || user.sessionEpoch !== s.epoch) {
          delete s.userId;
          delete s.role;
          delete s.epoch;
        } else {
          const actor = auth.actorFor(user, isRole(s.role) ? s.role : undefined, 'session');
          if (actor) {
            s.role = actor.role;
            req.actor = actor;
          }
        }
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

/**
 * NUL characters have no place in any input and PostgreSQL refuses them in text, so a
 * request carrying one (in the URL or the body) is rejected up front with 400.
 */
export const rejectNulCharacters: RequestHandler = (req, _res, next) => {
  if (/%00/.test(req.url) || containsNul(req.body)) {
    return next(
      new AppError({
        code: 'invalid-characters',
        status: 400,
        publicMessage: 'The request contains characters that are not allowed.',
      }),
    );
  }
  next();
};
