import type { Actor } from './actor.js';
import { CROSS_ORGANISATION_ROLES, isRole, PARTNER_SYSTEM, ROLES, type ActorRole, type Role } from './roles.js';

/**
 * The access policy: the one module that decides who may do what.
 *
 * Two layers, both decided here:
 *  1. Route policies — which roles may use a route at all. Every route in the registry
 *     names one; a role outside it gets 403.
 *  2. Relationship rules — which records a permitted role may reach: OH staff and system
 *     administrators every organisation; HR their own organisation; a line manager their
 *     own team (everyone who reports to them, directly or through others) and themselves; a staff member
 *     only themselves; a health board lead no individual at all (aggregates only). A record
 *     outside reach is reported as not found (404), never as forbidden, so existence is
 *     not leaked.
 *
 * Clinical detail is for OH clinicians only (CONF-1); line managers and HR get
 * functional advice only, and sickness data is itself confidential (CONF-2).
 */
export interface RoutePolicy {
  readonly name: string;
  readonly description: string;
  /** null means the route is public: no sign-in needed. */
  readonly roles: readonly ActorRole[] | null;
}

function policy(name: string, description: string, roles: readonly ActorRole[] | null): RoutePolicy {
  return Object.freeze({ name, description, roles: roles ? Object.freeze([...roles]) : null });
}

const EVERYONE: readonly Role[] = ROLES;

/** Every route policy. Route files pick one of these; they never invent their own. */
export const policies = {
  public: policy('public', 'Anyone, signed in or not (sign-in, health checks, assets).', null),
  signedIn: policy('signed-in', 'Any signed-in user, whatever their role.', EVERYONE),
  peopleRead: policy('people:read', 'Read workforce records within reach.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'line-manager',
    'staff',
    'system-administrator',
  ]),
  peopleSearch: policy('people:search', 'Search workforce records within reach.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'line-manager',
    'system-administrator',
  ]),
  peopleWrite: policy('people:write', 'Create and update workforce records.', [
    'oh-administrator',
    'hr-manager',
    'system-administrator',
  ]),
  peopleProtectedIdentity: policy(
    'people:protected-identity',
    'Protect a person’s identity or lift the protection, with a reason (OH: contact is through OH, CONF-3).',
    ['oh-clinician', 'oh-administrator'],
  ),
  unitsRead: policy('units:read', 'List organisational units.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'line-manager',
    'health-board-lead',
    'system-administrator',
  ]),
  unitsWrite: policy('units:write', 'Create and rename organisational units.', [
    'oh-administrator',
    'hr-manager',
    'system-administrator',
  ]),
  organisationsRead: policy('organisations:read', 'List organisations served by the OH unit.', [
    'oh-clinician',
    'oh-administrator',
    'system-administrator',
  ]),
  policiesRead: policy('policies:read', "Read an organisation's policies (thresholds and periods).", [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'system-administrator',
  ]),
  policiesWrite: policy('policies:write', 'Publish a new version of a policy.', ['oh-administrator', 'hr-manager']),
  attendanceRead: policy(
    'attendance:read',
    'A person’s absences, Bradford score, triggers and milestones (the person, their managers, HR and OH).',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  attendanceRecord: policy('attendance:record', 'Record and change absences.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'line-manager',
  ]),
  attendanceDelete: policy('attendance:delete', 'Remove an absence recorded in error.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
  ]),
  attendanceProcedure: policy(
    'attendance:procedure',
    'Record informal action and formal stages of the attendance procedure.',
    ['hr-manager', 'line-manager', 'oh-administrator'],
  ),
  attendanceCaseDecision: policy(
    'attendance:case-decision',
    'Case decisions: whether disability-related absence is discounted (ATT-7), sick pay extended (ATT-29).',
    ['hr-manager', 'oh-administrator'],
  ),
  attendanceReports: policy(
    'attendance:reports',
    'Attendance reports: compliance, absence and cost (HR for their organisation; OH administrators).',
    ['hr-manager', 'oh-administrator'],
  ),
  worklist: policy('worklist', 'Tasks due on your own list or your team’s queue.', [
    'oh-clinician',
    'oh-administrator',
    'hr-manager',
    'line-manager',
  ]),
  bbvRecord: policy(
    'bbv:record',
    'Record a blood-borne virus exposure, its risk assessment, PEP and hepatitis B decisions and test results: OH clinicians only (clinical, FHIR-6). OH administrators are refused (403); line managers, HR and staff find no incident (404), as on reading one.',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  surveyRespond: policy(
    'surveys:respond',
    'Answer a survey: anyone holding an invitation token, or the secret their browser was given when they started; the service checks it (NA-2: anonymous respondents are not signed in).',
    null,
  ),
  questionnairesRead: policy(
    'questionnaires:read',
    'The published survey questionnaires (FHIR Questionnaire); nothing personal.',
    EVERYONE,
  ),
  surveyInvitations: policy(
    'surveys:invitations',
    'Start a survey one is invited to from the home page: anyone with a workforce record.',
    ['staff', 'line-manager', 'hr-manager', 'oh-clinician', 'oh-administrator', 'health-board-lead'],
  ),
  campaignsManage: policy(
    'campaigns:manage',
    'Launch and read survey campaigns, their suppressed results and action plans: OH, and appointed team facilitators for their units (the service applies campaignReach); a line manager, HR or staff member who facilitates nothing finds none.',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  surveyFacilitators: policy(
    'surveys:facilitators',
    'Appoint and remove team survey facilitators (seed 002): OH administrators.',
    ['oh-administrator'],
  ),
  identifiedResponsesRead: policy(
    'surveys:identified',
    'Confidential (identified) answers to clinical questionnaires, their clinician review (NA-8) and FHIR export: OH clinicians only.',
    ['oh-clinician'],
  ),
  bbvRead: policy(
    'bbv:read',
    'A blood-borne virus incident and its testing schedule: OH clinicians in full, OH administrators the schedule without results, the person their own in plain words. Line managers and HR never find one (404): they see only that appointments exist.',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  pathwaysEnrol: policy('pathways:enrol', 'Put a person on a health pathway (OH clinicians).', ['oh-clinician']),
  pathwaysRead: policy(
    'pathways:read',
    'A pathway within reach, as the role may see it: OH in full (answers for clinicians only), the person their own steps, managers and HR only that OH support is in place and the functional advice (CONF-1).',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  pathwaysWork: policy(
    'pathways:work',
    'Complete a pathway step that is on your list (OH, the person’s manager or HR for their own steps, the person for theirs).',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
  pathwaysManage: policy(
    'pathways:manage',
    'Skip or reassign steps, pause, resume, close or transfer a pathway, record functional advice (OH clinicians).',
    ['oh-clinician'],
  ),
  pathwaysHistory: policy('pathways:history', 'A pathway’s full history of transitions (OH).', [
    'oh-clinician',
    'oh-administrator',
  ]),
  pathwayDefinitionsRead: policy(
    'pathway-definitions:read',
    'Pathway definitions as FHIR PlanDefinitions, for review and for partners (OH).',
    ['oh-clinician', 'oh-administrator'],
  ),
  pathwayDefinitionsPublish: policy(
    'pathway-definitions:publish',
    'Publish a new version of a pathway definition (the OH clinical lead).',
    ['oh-clinician'],
  ),
  referralsManagement: policy(
    'referrals:management',
    'Refer a member of your team or organisation to OH (seed 003 §14.1).',
    ['line-manager', 'hr-manager'],
  ),
  referralsTriage: policy(
    'referrals:triage',
    'Referrals into OH waiting for triage, and triaging them into a pathway (OH clinicians).',
    ['oh-clinician'],
  ),
  consentsRequest: policy(
    'consents:request',
    'Ask a person for consent: a treating doctor’s report (AMRA), release of an OH report, sharing with an NHS partner (OH).',
    ['oh-clinician', 'oh-administrator'],
  ),
  consentsRead: policy('consents:read', 'Consents and their history: the person their own, OH every one.', [
    'oh-clinician',
    'oh-administrator',
    'staff',
  ]),
  consentsAct: policy(
    'consents:act',
    'Act on a consent: the person gives, refuses, withdraws, asks to see the report, asks for corrections, adds a statement, decides on supply (those four are the person’s alone); OH records a decision made on paper (or verbally, never for AMRA) and a withdrawal with how and when the person said so.',
    ['oh-clinician', 'oh-administrator', 'staff'],
  ),
  consentsOnBehalf: policy(
    'consents:on-behalf',
    'Record a step the person took in a letter: seen the report, agreed to or refused its supply, asked to see it (OH); asked for a correction or attached a statement (OH clinicians: the words are clinical, CONF-1). Audited as recorded on their behalf.',
    ['oh-clinician', 'oh-administrator'],
  ),
  consentsProcess: policy(
    'consents:process',
    'Record the application to the doctor, release a report once the rules allow, export a consent as FHIR (OH).',
    ['oh-clinician', 'oh-administrator'],
  ),
  consentsClinical: policy(
    'consents:clinical',
    'Record a report’s content and answer correction requests (OH clinicians: it is clinical).',
    ['oh-clinician'],
  ),
  consentsReport: policy(
    'consents:report',
    'Read a report held under consent: the person (while held and for 6 months after, AMRA-6) and OH clinicians.',
    ['oh-clinician', 'staff'],
  ),
  consentsCheck: policy('consents:check', 'Ask the consent gate whether a proposed disclosure is allowed (OH).', [
    'oh-clinician',
    'oh-administrator',
  ]),
  ohReportsReceived: policy(
    'oh-reports:received',
    'Reports released to you about someone in your reach: the report if released, otherwise only that none is available (AMRA-8, CONF-1).',
    ['line-manager', 'hr-manager'],
  ),
  pathwayReferralsRead: policy(
    'pathway-referrals:read',
    'The referrals a pathway made to services, with who they are shared with (OH).',
    ['oh-clinician', 'oh-administrator'],
  ),
  pathwayReferralsShare: policy(
    'pathway-referrals:share',
    'Share a referral with an NHS partner under the person’s consent (OH clinicians; the gate decides).',
    ['oh-clinician'],
  ),
  partnersRead: policy(
    'partners:read',
    'The partner directory: NHS partner services, how they are reached, the pathways they serve (OH). No secrets.',
    ['oh-clinician', 'oh-administrator'],
  ),
  partnersManage: policy(
    'partners:manage',
    'Add and change partner services and run their connectivity check (OH administrators).',
    ['oh-administrator'],
  ),
  partnerClientsManage: policy(
    'partner-clients:manage',
    'Register the NHS partner systems that may call the partner-facing FHIR API: their client ids, public keys and scopes (OH administrators).',
    ['oh-administrator'],
  ),
  partnerClientsRead: policy(
    'partner-clients:read',
    'The NHS partner systems registered to call the partner-facing FHIR API (OH).',
    ['oh-clinician', 'oh-administrator'],
  ),
  labResultsRead: policy(
    'lab-results:read',
    'Laboratory results partners sent back for a pathway (OH clinicians: clinical detail, CONF-1).',
    ['oh-clinician'],
  ),
  fhirPartner: policy(
    'fhir:partner',
    'The partner-facing FHIR API: an NHS partner system with an access token, only what is addressed to it, within the scopes it was granted (FHIR-8).',
    [PARTNER_SYSTEM],
  ),
  auditRead: policy('audit:read', 'Search and export the audit trail.', ['oh-administrator']),
  usersAdmin: policy('users:admin', 'Manage user accounts and roles.', ['system-administrator']),
  selfService: policy(
    'self-service',
    'Your own record and self-referral to OH: every role whose holder is a member of the workforce (staff, line managers, HR, OH); without a linked record the page says so.',
    ['oh-clinician', 'oh-administrator', 'hr-manager', 'line-manager', 'staff'],
  ),
} as const satisfies Record<string, RoutePolicy>;

export type PolicyName = keyof typeof policies;

/** Route-level decision: may this role use a route with this policy at all? */
export function roleMayUse(policyToCheck: RoutePolicy, role: ActorRole): boolean {
  return policyToCheck.roles === null || policyToCheck.roles.includes(role);
}

/** Which workforce records an actor can reach, as a filter the repository applies. */
export type PersonScope =
  | { kind: 'all' }
  | { kind: 'organisation'; organisationId: string }
  | { kind: 'team'; organisationId: string; managerPersonId: string }
  | { kind: 'self'; personId: string }
  | { kind: 'none' };

/** The reach of an actor over workforce records. */
export function personScope(actor: Actor): PersonScope {
  if (CROSS_ORGANISATION_ROLES.has(actor.role)) return { kind: 'all' };
  switch (actor.role) {
    case 'hr-manager':
      return { kind: 'organisation', organisationId: actor.organisationId };
    case 'line-manager':
      return actor.personId
        ? { kind: 'team', organisationId: actor.organisationId, managerPersonId: actor.personId }
        : { kind: 'none' };
    case 'staff':
      return actor.personId ? { kind: 'self', personId: actor.personId } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

/**
 * The platform's own work — the job runner, the delivery worker, the timer sweep, the demo — reads every
 * record. Never for a request: a request's reach comes from its actor.
 */
export const PLATFORM_REACH: PersonScope = Object.freeze({ kind: 'all' });

/**
 * The person's own records only, whatever else their role reaches: the "my …" pages, where an OH clinician
 * reading "your consent" must see their own and nobody else's (issue 15 §9).
 */
export function ownScope(actor: Actor): PersonScope {
  return actor.personId ? { kind: 'self', personId: actor.personId } : { kind: 'none' };
}

/**
 * Whose consents an actor can reach: OH every one, the person their own. Line managers and HR never see
 * a consent (they learn only what the person agreed to release to them, through the reports received).
 */
export function consentScope(actor: Actor): PersonScope {
  if (maySeeOhRecords(actor)) return { kind: 'all' };
  // Anyone's own consents are theirs, whatever role they act as (self-service, issue 15 §9).
  return ownScope(actor);
}

/**
 * Which referrals into OH an actor can reach: OH every one; the person their own (a copy); a manager or
 * HR the management referrals they made themselves. The person's own words in a self-referral are for OH
 * and themselves only (CONF-1).
 */
export interface OhReferralReach {
  people: PersonScope;
  /** Management referrals made by this user are reachable too. */
  referredByUserId: string | null;
}

/** The platform's own work on referrals into OH (see PLATFORM_REACH). */
export const PLATFORM_OH_REFERRAL_REACH: OhReferralReach = Object.freeze({
  people: PLATFORM_REACH,
  referredByUserId: null,
});

export function ohReferralReach(actor: Actor): OhReferralReach {
  if (maySeeOhRecords(actor)) return { people: { kind: 'all' }, referredByUserId: null };
  return {
    people: actor.personId ? { kind: 'self', personId: actor.personId } : { kind: 'none' },
    referredByUserId: actor.role === 'line-manager' || actor.role === 'hr-manager' ? actor.userId : null,
  };
}

/**
 * The list an actor works from: tasks assigned to them as a person (a line manager's team's milestones and
 * reviews), to a user (a pathway's lead clinician), and the queues their role works from — OH
 * administrators' work for all of OH, clinical work (triage) for clinicians only, HR's for their own
 * organisation.
 */
export interface WorkQueues {
  personId: string | null;
  userId: string | null;
  roles: Array<{ role: string; organisationId: string | null }>;
}

/** The worklist's tasks: a line manager's own, and the OH and HR queues. */
export function taskQueues(actor: Actor): WorkQueues {
  const roles: WorkQueues['roles'] = [];
  if (maySeeOhRecords(actor)) roles.push({ role: 'oh-administrator', organisationId: null });
  if (maySeeClinicalDetail(actor)) roles.push({ role: 'oh-clinician', organisationId: null });
  if (actor.role === 'hr-manager') roles.push({ role: 'hr-manager', organisationId: actor.organisationId });
  return { personId: actor.role === 'line-manager' ? actor.personId : null, userId: null, roles };
}

/** Pathway steps on an actor's list: each OH role its own queue, a clinician theirs as lead, HR their organisation's, the person and their manager their own. */
export function stepQueues(actor: Actor): WorkQueues & { currentTeamOnly: boolean } {
  const roles: WorkQueues['roles'] = [];
  if (actor.role === 'oh-clinician') roles.push({ role: 'oh-clinician', organisationId: null });
  if (actor.role === 'oh-administrator') roles.push({ role: 'oh-administrator', organisationId: null });
  if (actor.role === 'hr-manager') roles.push({ role: 'hr-manager', organisationId: actor.organisationId });
  return {
    userId: actor.role === 'oh-clinician' ? actor.userId : null,
    personId: actor.role === 'line-manager' || actor.role === 'staff' ? actor.personId : null,
    // A manager's list holds only steps about people in their team now (a step stays with them if someone moves on only until it is reassigned).
    currentTeamOnly: actor.role === 'line-manager',
    roles,
  };
}

/**
 * May this actor work a pathway step? OH clinicians any step but a manager's or HR's (they can act for the
 * person, e.g. by phone); everyone else only what is assigned to them: as a user, as the person (the person
 * or their manager), or to their role's queue (HR for the step's organisation).
 */
export function mayWorkStep(
  actor: Actor,
  step: {
    assignee: { userId: string } | { personId: string } | { role: string } | null;
    organisationId: string;
  },
  performer: string,
): boolean {
  if (actor.role === 'oh-clinician') return performer !== 'line-manager' && performer !== 'hr-manager';
  const a = step.assignee;
  if (!a) return false;
  if ('userId' in a) return a.userId === actor.userId;
  if ('personId' in a)
    return actor.personId === a.personId && (actor.role === 'line-manager' || actor.role === 'staff');
  if (a.role === 'hr-manager') return actor.role === 'hr-manager' && actor.organisationId === step.organisationId;
  return actor.role === a.role;
}

/** May this user lead people's pathways (be their lead clinician)? An OH clinician whose account is in use. */
export function mayLeadPathways(user: { roles: readonly Role[]; disabledAt: Date | null }): boolean {
  return user.disabledAt === null && user.roles.includes('oh-clinician');
}

/** Is this actor the person themselves, as a member of staff (their own pathway, in plain words)? */
export function isThePerson(actor: Actor, personId: string): boolean {
  return actor.role === 'staff' && actor.personId === personId;
}

/**
 * May this actor read a report held under a consent: the person (while held, AMRA-6) and OH clinicians
 * (it is clinical, CONF-1)?
 */
export function mayReadHeldReport(actor: Actor, personId: string): boolean {
  return actor.personId === personId || maySeeClinicalDetail(actor);
}

/**
 * As which employer recipient an actor reads the reports released to the employer about someone in reach
 * (AMRA-8): a line manager or HR as themselves; nobody else reads them that way.
 */
export function employerRecipientRole(actor: Actor): 'line-manager' | 'hr-manager' | null {
  return actor.role === 'line-manager' || actor.role === 'hr-manager' ? actor.role : null;
}

/**
 * CONF-1: the detail of someone's attendance case — the reasons behind a case decision (they may carry
 * health information) and sick pay amounts — is for HR, OH and the person, not line managers.
 */
export function maySeeCaseDetail(actor: Actor, personId: string): boolean {
  return actor.role !== 'line-manager' || actor.personId === personId;
}

/**
 * Decisions made above the line manager: a stage 3 final hearing is called and recorded by HR with the head
 * of department (§19.13 – §19.16), and an appeal is decided above the manager who gave the outcome (§21.1).
 * A line manager records the informal action and stages 1 and 2.
 */
export function mayDecideAboveManager(actor: Actor): boolean {
  return actor.role !== 'line-manager';
}

/** The reach of an actor when writing workforce records (never wider than reading). */
export function personWriteScope(actor: Actor): PersonScope {
  if (actor.role === 'oh-administrator' || actor.role === 'system-administrator') return { kind: 'all' };
  if (actor.role === 'hr-manager') return { kind: 'organisation', organisationId: actor.organisationId };
  return { kind: 'none' };
}

/** Which organisations' units an actor can see. */
export function organisationReach(actor: Actor): { kind: 'all' } | { kind: 'own'; organisationId: string } {
  return CROSS_ORGANISATION_ROLES.has(actor.role)
    ? { kind: 'all' }
    : { kind: 'own', organisationId: actor.organisationId };
}

/** May this actor see OH clinical detail at all (CONF-1)? */
/**
 * Whose blood-borne virus incidents an actor reaches (issue 16 §6): OH every person it serves; the person
 * their own. Line managers and HR reach none (a 404: they learn only that appointments exist).
 */
export function bbvScope(actor: Actor): PersonScope {
  if (maySeeOhRecords(actor)) return personScope(actor);
  return ownScope(actor);
}

/** Which part of an incident an actor sees: all of it (OH clinicians), the schedule without results (OH administrators), or their own plain view. */
export function bbvView(actor: Actor): 'clinical' | 'administrative' | 'own' {
  if (maySeeClinicalDetail(actor)) return 'clinical';
  if (maySeeOhRecords(actor)) return 'administrative';
  return 'own';
}

export function maySeeClinicalDetail(actor: Actor): boolean {
  return actor.role === 'oh-clinician';
}

/**
 * May this actor record a step a person took in writing on their behalf (OH), and its words when they
 * are clinical, such as a correction asked of a report or a statement about it? Those are for OH
 * clinicians only (CONF-1): an edit never writes what the editor could not read back.
 */
export function mayRecordForPerson(actor: Actor, clinicalWords: boolean): boolean {
  return maySeeOhRecords(actor) && (!clinicalWords || maySeeClinicalDetail(actor));
}

/** May this actor see OH records such as the reason for absence in the person's own words (CONF-1)? */
export function maySeeOhRecords(actor: Actor): boolean {
  return actor.role === 'oh-clinician' || actor.role === 'oh-administrator';
}

/**
 * May this actor protect a person's identity or lift the protection (CONF-3)? Only OH, who are the
 * person's contact while it holds: anyone else lifting it would open the contact details it hid from them
 * (issue 14 defect 6).
 */
export function mayChangeProtectedIdentity(actor: Actor): boolean {
  return maySeeOhRecords(actor);
}

/** Which parts of a workforce record an actor may see (Caldicott: minimum necessary). */
export interface PersonFieldAccess {
  dateOfBirth: boolean;
  nhsNumber: boolean;
  contact: boolean;
}

/**
 * The fields of a workforce record behind each part of `PersonFieldAccess`. A view shows a field only when
 * its part is open to the actor, and an update may write it only then: an edit never writes what the
 * editor could not read back (issue 14 defect 7).
 */
export const PERSON_FIELD_GROUPS = {
  dateOfBirth: ['dateOfBirth'],
  nhsNumber: ['nhsNumber'],
  contact: ['workEmail', 'personalEmail'],
} as const satisfies Record<keyof PersonFieldAccess, readonly string[]>;

/** A field of a workforce record that some actors may not see. */
export type PersonGuardedField = (typeof PERSON_FIELD_GROUPS)[keyof PersonFieldAccess][number];

/** The fields of a workforce record this actor may neither see nor write (Caldicott; CONF-3). */
export function personHiddenFields(
  actor: Actor,
  person: { id: string; protectedIdentity: boolean },
): PersonGuardedField[] {
  const access = personFieldAccess(actor, person);
  return (Object.keys(PERSON_FIELD_GROUPS) as Array<keyof PersonFieldAccess>)
    .filter((part) => !access[part])
    .flatMap((part) => PERSON_FIELD_GROUPS[part]);
}

/** Field-level view of a workforce record for an actor who can already reach it. */
export function personFieldAccess(actor: Actor, person: { id: string; protectedIdentity: boolean }): PersonFieldAccess {
  const self = actor.personId === person.id;
  const oh = actor.role === 'oh-clinician' || actor.role === 'oh-administrator';
  return {
    dateOfBirth: self || oh || actor.role === 'hr-manager' || actor.role === 'system-administrator',
    nhsNumber: self || oh,
    // CONF-3: a protected-identity officer's contact details are for OH and themselves only.
    contact:
      self ||
      oh ||
      (!person.protectedIdentity && (actor.role === 'hr-manager' || actor.role === 'system-administrator')),
  };
}

/**
 * Which survey campaigns an actor reaches (issue 17 §4, §6): OH every campaign; anyone else those they launched,
 * those to a unit they are an appointed facilitator of (seed 002), and those whose results gave them an action
 * to own (NA-7). Applied in the repository query.
 */
export function campaignReach(
  actor: Actor,
  facilitatorUnitIds: readonly string[],
): { kind: 'all' } | { kind: 'facilitator'; userId: string; unitIds: readonly string[]; personId: string | null } {
  if (maySeeOhRecords(actor)) return { kind: 'all' };
  return { kind: 'facilitator', userId: actor.userId, unitIds: facilitatorUnitIds, personId: actor.personId };
}

/**
 * May this actor launch a campaign to this population, in this mode (issue 17 §4)? OH administrators and
 * clinicians to any population the OH unit serves; an appointed facilitator to a unit they facilitate or,
 * if they manage one, to their own team; confidential (identified) campaigns are OH's alone (NA-2, NA-8).
 */
export function mayLaunchCampaign(
  actor: Actor,
  facilitatorUnitIds: readonly string[],
  population: { kind: 'organisation' | 'unit' | 'team' | 'role'; ref: string },
  mode: 'anonymous' | 'confidential',
): boolean {
  if (maySeeOhRecords(actor)) return true;
  if (mode !== 'anonymous' || facilitatorUnitIds.length === 0) return false;
  if (population.kind === 'unit') return facilitatorUnitIds.includes(population.ref);
  return population.kind === 'team' && actor.personId !== null && population.ref === actor.personId;
}

/** May this actor read who answered a confidential campaign and what (NA-8)? OH clinicians only. */
export function mayReadIdentifiedAnswers(actor: Actor): boolean {
  return maySeeClinicalDetail(actor);
}

/** May someone holding these roles own a team action (NA-7)? Actions go on worklists, so only those who have one. */
export function mayOwnSurveyAction(roles: readonly string[]): boolean {
  return roles.some((r) => isRole(r) && roleMayUse(policies.worklist, r));
}
