import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { auditRoutes } from './audit/audit-routes.js';
import { auditPages } from './audit/audit-pages.js';
import { authPages } from './auth/auth-pages.js';
import { peopleRoutes } from './people/people-routes.js';
import { peoplePages } from './people/people-pages.js';
import { usersPages } from './people/users-pages.js';
import { policyRoutes } from './policies/policy-routes.js';
import { attendanceRoutes } from './attendance/attendance-routes.js';
import { attendancePages } from './attendance/attendance-pages.js';
import { attendanceReportPages } from './attendance/report-pages.js';
import { procedureRoutes } from './attendance/procedure-routes.js';
import { procedurePages } from './attendance/procedure-pages.js';
import { statisticsPages } from './attendance/statistics-pages.js';
import { policyPages } from './policies/policy-pages.js';
import { worklistRoutes } from './worklist/worklist-routes.js';
import { worklistPages } from './worklist/worklist-pages.js';
import { pathwayRoutes } from './pathways/pathway-routes.js';
import { bbvRoutes } from './bbv/bbv-routes.js';
import { surveyRoutes } from './needs-assessment/survey-routes.js';
import { surveyAnswerPages } from './needs-assessment/survey-answer-pages.js';
import { bbvOwnPages } from './bbv/bbv-own-pages.js';
import { referralRoutes } from './pathways/referral-routes.js';
import { consentRoutes } from './consent/consent-routes.js';
import { consentPages } from './consent/consent-pages.js';
import { consentOhPages } from './consent/consent-oh-pages.js';
import { partnerRoutes } from './fhir/directory/partner-routes.js';
import { partnerPages } from './fhir/directory/partner-pages.js';
import { FHIR_BASE_PATH, fhirBodyCheck, fhirRoutes } from './fhir/partner-api/fhir-routes.js';
import { partnerClientRoutes } from './fhir/partner-api/smart/partner-client-routes.js';
import { labResultRoutes } from './fhir/partner-api/lab-result-routes.js';
import { partnerClientPages } from './fhir/partner-api/smart/partner-client-pages.js';
import { pathwayPages } from './pathways/pathway-pages.js';
import { bbvPages } from './bbv/bbv-pages.js';
import { surveyPages, surveysNavigation } from './needs-assessment/survey-pages.js';
import { surveyResultsPages } from './needs-assessment/survey-results-pages.js';
import { referralPages } from './pathways/referral-pages.js';
import { AppError } from './shared/errors.js';
import { createPassport, guardsFor } from './web/authenticate.js';
import { errorHandler, notFoundHandler } from './web/error-handler.js';
import {
  localeMiddleware,
  rejectNulCharacters,
  requestId,
  requestLogger,
  sessionActor,
  sessionMiddleware,
} from './web/middleware.js';
import { RouteRegistry } from './web/route-registry.js';
import { systemRoutes } from './web/system-routes.js';
import { homePages } from './web/home-pages.js';
import { configureViews } from './web/views.js';
import './web/express-augment.js';
import type { AppDependencies } from './web/app-dependencies.js';

export type { AppDependencies, AppServices } from './web/app-dependencies.js';
import { projectRoot } from './shared/project-root.js';
import { joinDateParts } from './web/date-parts.js';

export interface CreatedApp {
  app: Express;
  registry: RouteRegistry;
}

/** Builds every route of the platform into one registry. */
export function buildRegistry(deps: AppDependencies): RouteRegistry {
  const registry = new RouteRegistry();
  registry.add(...systemRoutes(deps, () => registry));
  registry.add(...authPages(deps));
  registry.add(...homePages(deps));
  registry.add(...peopleRoutes(deps));
  registry.add(...peoplePages(deps));
  registry.add(...usersPages(deps));
  registry.add(...auditRoutes(deps));
  registry.add(...auditPages(deps));
  registry.add(...policyRoutes(deps));
  registry.add(...attendanceRoutes(deps));
  registry.add(...attendancePages(deps));
  registry.add(...attendanceReportPages(deps));
  registry.add(...procedureRoutes(deps));
  registry.add(...procedurePages(deps));
  registry.add(...statisticsPages(deps));
  registry.add(...policyPages(deps));
  registry.add(...worklistRoutes(deps));
  registry.add(...worklistPages(deps));
  registry.add(...pathwayRoutes(deps));
  registry.add(...referralRoutes(deps));
  registry.add(...bbvRoutes(deps));
  registry.add(...surveyRoutes(deps));
  registry.add(...surveyAnswerPages(deps));
  registry.add(...bbvOwnPages(deps));
  registry.add(...consentRoutes(deps));
  registry.add(...partnerRoutes(deps));
  registry.add(...pathwayPages(deps));
  registry.add(...bbvPages(deps));
  registry.add(...surveyPages(deps));
  registry.add(...surveyResultsPages(deps));
  registry.add(...referralPages(deps));
  registry.add(...consentPages(deps));
  registry.add(...consentOhPages(deps));
  registry.add(...partnerPages(deps));
  registry.add(...partnerClientRoutes(deps));
  registry.add(...partnerClientPages(deps));
  registry.add(...labResultRoutes(deps));
  registry.add(...fhirRoutes(deps, () => registry));
  return registry;
}

/** The express app, without listening (tests drive it with supertest). */
export function createApp(deps: AppDependencies): CreatedApp {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Every response is personal and freshly rendered; hashing bodies for ETags only costs time.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.set('query parser', 'simple');
  configureViews(app, path.join(projectRoot, 'views'));

  app.use(requestId);
  app.use(requestLogger(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(config.session.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.isProduction,
      crossOriginEmbedderPolicy: false,
    }),
  );

  // API: JSON bodies only, bearer tokens, no session lookups.
  app.use('/api', (req, _res, next) => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      return next(
        new AppError({
          code: 'unsupported-media-type',
          status: 415,
          publicMessage: 'Send the request body as application/json.',
        }),
      );
    }
    next();
  });
  app.use(
    '/api',
    express.json({ limit: config.bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }),
  );
  // The partner-facing FHIR API: FHIR JSON bodies (a form for the token endpoint), partner access tokens, no session.
  app.use(FHIR_BASE_PATH, (req, _res, next) => next(fhirBodyCheck(req) ?? undefined));
  app.use(
    FHIR_BASE_PATH,
    express.json({ limit: config.bodyLimit, strict: true, type: ['application/json', 'application/fhir+json'] }),
  );
  app.use(`${FHIR_BASE_PATH}/token`, express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 20 }));
  // Pages: form posts, sessions, the signed-in user, language, CSRF.
  const pages = express.Router();
  pages.use(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 200 }));
  // Dates typed as day, month and year (and time) become the one field the schemas read.
  pages.use((req, _res, next) => {
    if (req.body && typeof req.body === 'object') req.body = joinDateParts(req.body as Record<string, unknown>);
    // A report's filter form is a GET: its dates arrive in the query.
    const query = joinDateParts(req.query as Record<string, unknown>);
    if (query !== req.query)
      Object.defineProperty(req, 'query', { value: query, configurable: true, enumerable: true });
    next();
  });
  pages.use(
    sessionMiddleware({
      db: deps.db,
      secret: deps.sessionSecret,
      secure: config.session.secureCookies,
      maxAgeMinutes: config.session.maxAgeMinutes,
    }),
  );
  pages.use(sessionActor(deps.services.auth));
  pages.use(surveysNavigation(deps.services));
  const isPageRequest = (p: string) =>
    !p.startsWith('/api/') &&
    !p.startsWith('/fhir/') &&
    !p.startsWith('/assets/') &&
    p !== '/healthz' &&
    p !== '/readyz';
  app.use((req, res, next) => (isPageRequest(req.path) ? pages(req, res, next) : next()));
  app.use(rejectNulCharacters);
  app.use(localeMiddleware(deps.translator));

  const registry = buildRegistry(deps);
  const passport = createPassport(deps.services.auth);
  for (const route of registry.list()) {
    app[route.method](
      route.path,
      ...guardsFor(route, passport, deps.services.audit, deps.services.partnerAuth),
      ...(route.before ?? []),
      async (req, res, next) => {
        try {
          await route.handler(req, res);
        } catch (error) {
          next(error);
        }
      },
    );
  }
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return { app, registry };
}
