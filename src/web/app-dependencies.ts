import type { Knex } from 'knex';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Config } from '../config/config.js';
import type { Translator } from '../i18n/i18n.js';
import type { PeopleService } from '../people/people-service.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { AbsenceService } from '../attendance/absence-service.js';
import type { AttendanceSweepService } from '../attendance/attendance-sweep-service.js';
import type { ReturnToWorkService } from '../attendance/return-to-work-service.js';
import type { SickPayService } from '../attendance/sick-pay-service.js';
import type { AbsenceImportService } from '../attendance/absence-import-service.js';
import type { AttendanceProcedureService } from '../attendance/procedure-service.js';
import type { AttendanceReportService } from '../attendance/attendance-report-service.js';
import type { WorklistService } from '../worklist/worklist-service.js';
import type { PathwayService } from '../pathways/pathway-service.js';
import type { ReferralService } from '../pathways/referral-service.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { PathwayReferralService } from '../pathways/pathway-referral-service.js';
import type { PathwayPageService } from '../pathways/pathway-page-service.js';
import type { PartnerDirectoryService } from '../fhir/directory/partner-directory-service.js';
import type { ReferralDeliveryService } from '../fhir/delivery/referral-delivery-service.js';
import type { PartnerAuthService } from '../fhir/partner-api/smart/partner-auth-service.js';
import type { PartnerExchangeService } from '../fhir/partner-api/partner-exchange-service.js';
import type { BbvService } from '../bbv/bbv-service.js';
import type { SurveyService } from '../needs-assessment/survey-service.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/**
 * What the composition root hands to every route family: configuration, the database, the
 * logger, the injected clock, the translator and the services. Routes import this type from here,
 * never from app.ts, so no route depends on the composition root.
 */
export interface AppServices {
  auth: AuthService;
  people: PeopleService;
  audit: AuditService;
  policy: PolicyService;
  absences: AbsenceService;
  returnToWork: ReturnToWorkService;
  sickPay: SickPayService;
  absenceImport: AbsenceImportService;
  attendanceSweep: AttendanceSweepService;
  attendanceProcedure: AttendanceProcedureService;
  attendanceReports: AttendanceReportService;
  worklist: WorklistService;
  pathways: PathwayService;
  referrals: ReferralService;
  consent: ConsentService;
  pathwayReferrals: PathwayReferralService;
  /** What the pathway page shows its reader, decided by the access policy. */
  pathwayPages: PathwayPageService;
  partners: PartnerDirectoryService;
  deliveries: ReferralDeliveryService;
  partnerAuth: PartnerAuthService;
  exchange: PartnerExchangeService;
  /** Blood-borne virus exposures (issue 16). */
  bbv: BbvService;
  surveys: SurveyService;
}

export interface AppDependencies {
  config: Config;
  db: Knex;
  logger: Logger;
  clock: Clock;
  translator: Translator;
  services: AppServices;
  sessionSecret: string;
  /** Readiness beyond the database (e.g. the job runner). */
  isReady?: () => boolean;
}
