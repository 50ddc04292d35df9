import type { Server } from 'node:http';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { createApp, type AppServices, type CreatedApp } from './app.js';
import { AuditRepository } from './audit/audit-repository.js';
import { AuditService } from './audit/audit-service.js';
import { mayLeadPathways } from './auth/access-policy.js';
import { ThrottleRepository } from './auth/throttle-repository.js';
import { AuthService } from './auth/auth-service.js';
import { OneTimeLinkRepository } from './auth/one-time-link-repository.js';
import { TokenRepository } from './auth/token-repository.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createDatabase, migrateToLatest, type Database } from './db/knex.js';
import { SettingsRepository } from './db/settings-repository.js';
import type { DemoSummary } from './demo/demo-data.js';
import { Translator } from './i18n/i18n.js';
import { PeopleRepository } from './people/people-repository.js';
import { PeopleService } from './people/people-service.js';
import { PolicyRepository } from './policies/policy-repository.js';
import { PolicyService } from './policies/policy-service.js';
import { AttendanceRepository } from './attendance/attendance-repository.js';
import { AbsenceService } from './attendance/absence-service.js';
import { AttendanceSweepService } from './attendance/attendance-sweep-service.js';
import { ReturnToWorkService } from './attendance/return-to-work-service.js';
import { SickPayService } from './attendance/sick-pay-service.js';
import { AbsenceImportService } from './attendance/absence-import-service.js';
import { AttendanceScoring } from './attendance/attendance-scoring.js';
import { ProcedureRepository } from './attendance/procedure-repository.js';
import { TriggerReviewService } from './attendance/trigger-review-service.js';
import { AttendanceProcedureService } from './attendance/procedure-service.js';
import { AttendanceReportService } from './attendance/attendance-report-service.js';
import { TASKS_COMPLETED_BY_FORM } from './attendance/procedure-types.js';
import { WorklistRepository } from './worklist/worklist-repository.js';
import { WorklistService } from './worklist/worklist-service.js';
import { DefinitionCatalogue } from './pathways/definition-catalogue.js';
import { PathwayRepository } from './pathways/pathway-repository.js';
import { PathwayService } from './pathways/pathway-service.js';
import { ReferralService, TRIAGE_TASK } from './pathways/referral-service.js';
import { evaluateCondition } from './fhir/core/fhirpath.js';
import { ConsentRepository } from './consent/consent-repository.js';
import { CONSENT_TASKS, ConsentService } from './consent/consent-service.js';
import { PathwayReferralService } from './pathways/pathway-referral-service.js';
import { PartnerDirectoryService } from './fhir/directory/partner-directory-service.js';
import { PartnerRepository } from './fhir/directory/partner-repository.js';
import { DeliveryRepository } from './fhir/delivery/delivery-repository.js';
import { ReferralDeliveryService } from './fhir/delivery/referral-delivery-service.js';
import { PathwayPageService } from './pathways/pathway-page-service.js';
import { BbvRepository } from './bbv/bbv-repository.js';
import { BbvService } from './bbv/bbv-service.js';
import { BbvReminderService } from './bbv/reminder-service.js';
import { SurveyCatalogue } from './needs-assessment/survey-catalogue.js';
import { SurveyRepository } from './needs-assessment/survey-repository.js';
import { SurveyService } from './needs-assessment/survey-service.js';
import { DeliveryOutbox } from './fhir/delivery/referral-outbox.js';
import { PartnerClientRepository } from './fhir/partner-api/smart/partner-client-repository.js';
import { PartnerAuthService } from './fhir/partner-api/smart/partner-auth-service.js';
import { ExchangeRepository } from './fhir/partner-api/exchange-repository.js';
import { PartnerExchangeService } from './fhir/partner-api/partner-exchange-service.js';
import { FHIR_BASE_PATH } from './fhir/partner-api/fhir-routes.js';
import { PartnerSignIn } from './fhir/directory/partner-connection.js';
import type { SimulatorOptions } from './fhir/sandbox/progress-simulator.js';
import { englandAndWalesCalendar } from './shared/working-days.js';
import { longDate } from './shared/dates.js';
import { UsersRepository } from './people/users-repository.js';
import { SessionRepository } from './auth/session-repository.js';
import { JobRepository, JobRunner } from './jobs/index.js';
import { registerDaily, registerEvery, registerMaintenance } from './jobs/maintenance.js';
import { createMailTransport, NotificationService, type Mailer } from './notifications/index.js';
import { systemClock, type Clock } from './shared/clock.js';
import { randomSecret } from './shared/ids.js';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './shared/secret-box.js';
import { createLogger, type Logger } from './shared/logger.js';

/** A known value sealed with the secrets key on first start, to tell at every later start that the key is the same. */
const SECRETS_KEY_CHECK = 'blue-light-pathways-secrets-key';

/** How long the demo's sandbox partner waits between steps of a referral it works (slow enough to watch). */
const SANDBOX_STEP_MS = 5_000;

/** How often pathway timers are swept: due, overdue and escalation within a quarter of an hour. */
const PATHWAY_SWEEP_MS = 15 * 60_000;

/** Everything the platform is made of, wired together. Built only here (the composition root). */
export interface Platform {
  config: Config;
  db: Database;
  logger: Logger;
  clock: Clock;
  services: AppServices;
  repositories: {
    people: PeopleRepository;
    users: UsersRepository;
    jobs: JobRepository;
    attendance: AttendanceRepository;
  };
  notifications: NotificationService;
  /** Background work; started by `npm start`, driven by hand (runDue) in tests and the CLI. */
  jobs: { runner: JobRunner; start(): Promise<void> };
  translator: Translator;
  app: CreatedApp;
  close(): Promise<void>;
}

/** Claim-and-run loops the platform's job runner keeps going at once (issue 6 §7: one batch of deliveries writes or waits on a partner while the next is checked). */
export const JOB_LANES = 2;

/** Connects, migrates and builds every service and the web app. Used by `npm start`, the CLI and the tests. */
export async function buildPlatform(
  config: Config,
  options: { clock?: Clock; logger?: Logger; db?: Database; jobLanes?: number } = {},
): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db = options.db ?? createDatabase(config.database);
  await migrateToLatest(db);

  const auditRepository = new AuditRepository(db);
  const peopleRepository = new PeopleRepository(db);
  const usersRepository = new UsersRepository(db);
  const audit = new AuditService(auditRepository, clock);
  const worklist = new WorklistService(
    new WorklistRepository(db),
    audit,
    clock,
    new Set([...TASKS_COMPLETED_BY_FORM, TRIAGE_TASK, ...CONSENT_TASKS]),
  );
  const people = new PeopleService(peopleRepository, audit, clock, worklist);

  const jobRepository = new JobRepository(db);
  const runner = new JobRunner({
    repository: jobRepository,
    clock,
    logger,
    workerId: `${os.hostname()}:${process.pid}:${randomSecret(4)}`,
    pollMs: config.jobs.pollMs,
    lanes: options.jobLanes ?? JOB_LANES,
  });
  const mailer: Mailer = createMailTransport(config.mail, { clock });
  const notifications = new NotificationService({ jobs: jobRepository, mailer, from: config.mail.from, clock });
  notifications.registerHandlers(runner);
  const throttles = new ThrottleRepository(db);
  const auth = new AuthService(
    usersRepository,
    new TokenRepository(db),
    new OneTimeLinkRepository(db),
    audit,
    clock,
    config.login,
    throttles,
    notifications,
  );
  const maintenance = registerMaintenance({
    runner,
    jobs: jobRepository,
    clock,
    deleteExpiredSessions: async (now) =>
      (await new SessionRepository(db).deleteExpired(now)) +
      (await new PartnerClientRepository(db).deleteExpired(now)) +
      // Sign-in failures untouched for a day are forgotten (a lock lasts minutes).
      (await throttles.deleteStale(new Date(now.getTime() - 24 * 3_600_000))),
  });
  let jobsRunning = false;
  const translator = await Translator.create();
  const sessionSecret =
    config.session.secret ?? (await new SettingsRepository(db).getOrCreate('session-secret', () => randomSecret(48)));
  const policy = new PolicyService(new PolicyRepository(db), audit, clock);
  const calendar = englandAndWalesCalendar();
  const attendanceRepository = new AttendanceRepository(db);
  const procedureRepository = new ProcedureRepository(db);
  const scoring = new AttendanceScoring(attendanceRepository, procedureRepository, policy, calendar);
  const triggerReview = new TriggerReviewService(
    attendanceRepository,
    procedureRepository,
    people,
    policy,
    scoring,
    worklist,
    calendar,
  );
  const absences = new AbsenceService(
    attendanceRepository,
    procedureRepository,
    people,
    policy,
    scoring,
    audit,
    clock,
    calendar,
    worklist,
    triggerReview,
  );
  const returnToWork = new ReturnToWorkService(
    attendanceRepository,
    absences,
    policy,
    audit,
    clock,
    calendar,
    worklist,
    triggerReview,
  );
  const sickPay = new SickPayService(attendanceRepository, absences, people, audit, clock);
  const absenceImport = new AbsenceImportService(attendanceRepository, absences, people, audit, clock);
  const attendanceSweep = new AttendanceSweepService(
    attendanceRepository,
    absences,
    returnToWork,
    people,
    policy,
    worklist,
    calendar,
    triggerReview,
  );
  const attendanceProcedure = new AttendanceProcedureService(
    procedureRepository,
    attendanceRepository,
    people,
    policy,
    scoring,
    audit,
    clock,
    calendar,
    worklist,
    triggerReview,
  );
  const attendanceReports = new AttendanceReportService(
    attendanceRepository,
    people,
    policy,
    scoring,
    audit,
    worklist,
    calendar,
    clock,
  );
  const pathwayRepository = new PathwayRepository(db);
  const isActiveClinician = async (userId: string) => {
    const user = await usersRepository.findById(userId);
    return user !== null && mayLeadPathways(user);
  };
  const pathways = new PathwayService(
    pathwayRepository,
    DefinitionCatalogue.load(),
    people,
    audit,
    clock,
    evaluateCondition,
    isActiveClinician,
  );
  await pathways.publishShipped();
  const referrals = new ReferralService(
    pathwayRepository,
    pathways,
    people,
    worklist,
    notifications,
    audit,
    clock,
    config.publicUrl,
  );
  const english = translator.forLocale('en');
  const consent = new ConsentService(
    new ConsentRepository(db),
    people,
    policy,
    notifications,
    audit,
    clock,
    calendar,
    worklist,
    config.publicUrl,
    { t: english, date: (iso) => longDate(iso, 'en') },
  );
  // Referrals to NHS services pass the consent gate, and a withdrawal cancels those not yet sent (§5c).
  // Shared referrals go to the partner through the delivery queue, committed with the share (issue 6 §3).
  const deliveryRepository = new DeliveryRepository(db);
  const outbox = new DeliveryOutbox(deliveryRepository, jobRepository, clock);
  const pathwayReferrals = new PathwayReferralService(pathwayRepository, consent, people, audit, clock, outbox);
  consent.registerQueue(pathwayReferrals);
  // Partner credentials are sealed at rest, with SECRETS_KEY or a key made on first start.
  const settings = new SettingsRepository(db);
  const secretsKey =
    config.secretsKey ??
    Buffer.from(await settings.getOrCreate('secrets-key', () => randomBytes(32).toString('base64')), 'base64');
  const secretBox = new SecretBox(secretsKey);
  // A different key from the one that sealed what is stored would make every partner credential unreadable: refuse to start, saying so.
  const sealedCheck = await settings.getOrCreate('secrets-key-check', () => secretBox.seal(SECRETS_KEY_CHECK));
  if (!secretBox.opens(sealedCheck, SECRETS_KEY_CHECK)) {
    if (!options.db) await db.destroy();
    throw new ConfigError([
      'SECRETS_KEY: this is not the key the stored partner credentials were sealed with; start with the same SECRETS_KEY as before (or enter the partners’ credentials again after clearing them)',
    ]);
  }
  const partnerRepository = new PartnerRepository(db, secretBox);
  const partners = new PartnerDirectoryService(partnerRepository, people, audit, clock, config.isProduction);
  // The partner-facing FHIR API (issue 6 §4): partner systems sign in with SMART Backend Services and see only what is addressed to them.
  const fhirBase = `${config.publicUrl}${FHIR_BASE_PATH}`;
  const partnerClients = new PartnerClientRepository(db);
  const partnerAuth = new PartnerAuthService(partnerClients, people, audit, clock, `${fhirBase}/token`);
  // Blood-borne virus exposures (issue 16): the incident runs its own pathway; partner laboratories' results reach it.
  const bbv = new BbvService({ repository: new BbvRepository(db), pathways, people, policy, audit, clock });
  const exchange = new PartnerExchangeService({
    results: bbv,
    repository: new ExchangeRepository(db),
    referrals: pathwayReferrals,
    deliveries: deliveryRepository,
    partners: partnerRepository,
    consent,
    audit,
    clock,
    baseUrl: fhirBase,
  });
  // A withdrawal stops partners reading again what went under the withdrawn consent (§5c).
  consent.registerQueue(exchange);
  const deliveries = new ReferralDeliveryService({
    deliveries: deliveryRepository,
    partners: partnerRepository,
    outbox,
    referrals: pathwayReferrals,
    consent,
    people,
    userNames: async (userIds) =>
      new Map(
        (await Promise.all(userIds.map((id) => usersRepository.findById(id)))).flatMap((u) =>
          u ? [[u.id, u.displayName] as const] : [],
        ),
      ),
    transaction: (work) => db.transaction(work),
    audit,
    clock,
    exchange,
    signIn: new PartnerSignIn(),
    senderEndpoint: `${fhirBase}/$process-message`,
  });
  deliveries.registerHandlers(runner);
  const bbvReminders = new BbvReminderService({
    bbv,
    people,
    notifications,
    policy,
    ohContact: config.ohContact,
    publicUrl: config.publicUrl,
  });
  // Needs-assessment surveys (issue 17): the questionnaires are checked at start-up, as the pathway definitions are.
  const surveys = new SurveyService({
    repository: new SurveyRepository(db),
    catalogue: SurveyCatalogue.load(),
    people,
    policy,
    audit,
    notifications,
    worklist,
    clock,
    secrets: secretBox,
    publicUrl: config.publicUrl,
  });
  const attendanceDaily = registerDaily({
    runner,
    jobs: jobRepository,
    clock,
    kind: 'attendance.daily',
    work: async (asOf) => {
      await attendanceSweep.dailySweep(asOf);
      // Absences past the OH referral point become referrals into OH (ATT-12, issue 4 §2).
      await referrals.referFromAbsences(await attendanceSweep.absencesDueOhReferral(), (id, note) =>
        attendanceSweep.ohReferralMade(id, note),
      );
      // Issue 16 §3: reminders before each BBV test window opens, through OH.
      await bbvReminders.remind(asOf);
      // Issue 17 §4: reminders to everyone whose survey invitation is unused; drafts of closed surveys deleted.
      await surveys.remind(asOf);
    },
  });
  const pathwaySweep = registerEvery({
    runner,
    jobs: jobRepository,
    clock,
    kind: 'pathways.sweep',
    everyMs: PATHWAY_SWEEP_MS,
    work: async (now) => void (await pathways.sweep(now)),
  });
  const services = {
    audit,
    people,
    auth,
    policy,
    absences,
    returnToWork,
    sickPay,
    absenceImport,
    attendanceSweep,
    attendanceProcedure,
    attendanceReports,
    worklist,
    pathways,
    referrals,
    consent,
    pathwayReferrals,
    // The pathway page's view: what each reader sees, from the services above.
    pathwayPages: new PathwayPageService({ pathways, referrals: pathwayReferrals, deliveries, exchange, people }),
    partners,
    deliveries,
    partnerAuth,
    exchange,
    bbv,
    surveys,
  };
  const app = createApp({ config, db, logger, clock, translator, services, sessionSecret, isReady: () => jobsRunning });

  return {
    config,
    db,
    logger,
    clock,
    services,
    repositories: {
      people: peopleRepository,
      users: usersRepository,
      jobs: jobRepository,
      attendance: attendanceRepository,
    },
    notifications,
    jobs: {
      runner,
      async start() {
        await maintenance.scheduleNext();
        await attendanceDaily.scheduleNext();
        await pathwaySweep.scheduleNext();
        runner.start();
        jobsRunning = true;
      },
    },
    translator,
    app,
    close: async () => {
      await runner.stop();
      jobsRunning = false;
      mailer.close();
      if (!options.db) await db.destroy();
    },
  };
}

/** On first start: demo data outside production, or a one-time set-up link in production. */
export async function prepareFirstStart(platform: Platform): Promise<{ demo?: DemoSummary; setupLink?: string }> {
  const { config, services, logger } = platform;
  const organisations = await services.people.listOrganisations();
  if (config.demo.enabled) {
    if (organisations.length > 0) return {};
    logger.info({ people: config.demo.people }, 'first start: seeding the demo organisation');
    // Loaded only when needed: the synthetic data generator (faker) is large and production never uses it.
    const { seedDemo } = await import('./demo/demo-data.js');
    const demo = await seedDemo(platform, { people: config.demo.people, seed: 1988, years: 3 });
    return { demo };
  }
  const token = await services.auth.firstAdministratorLink();
  return token ? { setupLink: `${config.publicUrl}/setup/${token}` } : {};
}

/**
 * How the sandbox partner reaches back to us, when the demo registered it as a partner system
 * (issue 6 §6); `delayMs` between its steps (the browser tests take a shorter one).
 */
export async function sandboxSimulation(
  platform: Platform,
  delayMs = SANDBOX_STEP_MS,
): Promise<SimulatorOptions | null> {
  const { SANDBOX_CLIENT_ID, sandboxPartnerKey } = await import('./fhir/sandbox/sandbox-key.js');
  const registered = (await platform.services.partnerAuth.list()).some(
    (c) => c.clientId === SANDBOX_CLIENT_ID && c.enabled,
  );
  if (!registered) return null;
  const { privateJwk } = await sandboxPartnerKey(platform.db);
  return {
    platformBase: `${platform.config.publicUrl}${FHIR_BASE_PATH}`,
    clientId: SANDBOX_CLIENT_ID,
    privateKeyJwk: privateJwk,
    delayMs,
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  let platform: Platform;
  try {
    platform = await buildPlatform(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const { logger } = platform;
  const first = await prepareFirstStart(platform);
  if (first.demo) {
    process.stdout.write(
      `\nDemo organisation ready: ${first.demo.people} people. Demo sign-ins are listed in README.md (password ${first.demo.password}).\n`,
    );
  }
  if (first.setupLink) {
    process.stdout.write(
      `\nNo users yet. Create the first administrator with this one-time link (valid 24 hours):\n  ${first.setupLink}\n\n`,
    );
  }

  // A sandbox NHS partner on loopback, so a newcomer can watch a referral travel (issue 6 §6).
  let sandbox: { url: string; close(): Promise<void> } | null = null;
  if (config.sandboxPartner) {
    const { startPartnerServer } = await import('./fhir/sandbox/partner-server.js');
    // The demo's sandbox reports progress back to us (as the health board's registered partner system) a few seconds apart.
    const simulate = config.demo.enabled ? await sandboxSimulation(platform) : null;
    try {
      sandbox = await startPartnerServer({
        port: config.sandboxPartner.port,
        host: '127.0.0.1',
        name: 'Westshire sandbox NHS partner',
        ...(simulate ? { simulate } : {}),
      });
      process.stdout.write(`Sandbox NHS partner (FHIR) at ${sandbox.url}\n`);
    } catch (error) {
      logger.warn(
        { error: (error as { code?: string }).code ?? 'unknown' },
        'the sandbox partner could not start (is its port in use?); set SANDBOX_PARTNER_PORT',
      );
    }
  }

  await platform.jobs.start();
  // Express 5 calls this on a listen error too (the port taken, say): only a clean listen is "running".
  const server: Server = platform.app.app.listen(config.port, config.host, (error?: Error) => {
    if (error) {
      process.stderr.write(
        `Could not listen on ${config.host}:${config.port} (${(error as { code?: string }).code ?? error.name}).\n`,
      );
      void sandbox?.close();
      void platform.close().finally(() => process.exit(1));
      return;
    }
    process.stdout.write(`Blue Light Pathways is running at ${config.publicUrl}\n`);
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    server.close(async () => {
      await sandbox?.close();
      await platform.close();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`Failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
