import { Faker, en, en_GB } from '@faker-js/faker';
import { addDays, addYears, format, subYears } from 'date-fns';
import type { AttendanceRepository } from '../attendance/attendance-repository.js';
import type { AbsenceService } from '../attendance/absence-service.js';
import type { AttendanceSweepService } from '../attendance/attendance-sweep-service.js';
import { asSaved } from '../attendance/attendance-types.js';
import type { Role } from '../auth/roles.js';
import type { PeopleRepository } from '../people/people-repository.js';
import type { WorkforceRole, WorkingPattern } from '../people/people-schemas.js';
import type { NewPerson, Organisation, Unit } from '../people/people-types.js';
import type { UsersRepository } from '../people/users-repository.js';
import { hashPassword } from '../auth/passwords.js';
import type { Clock } from '../shared/clock.js';
import { addDays as addIsoDays, londonDay, type IsoDate } from '../shared/dates.js';
import { nhsCheckDigit } from '../shared/nhs-number.js';
import { generateAbsenceHistory } from './absence-history.js';
import { insertSpellsInBulk } from './spell-rows.js';
import { tellTeamStory } from './team-story.js';
import { seedDemoPathways } from './demo-pathways.js';
import { seedDemoConsents } from './demo-consents.js';
import { seedDemoBbv } from './demo-bbv.js';
import { seedDemoSurveys } from './demo-surveys.js';
import { SurveyRepository } from '../needs-assessment/survey-repository.js';
import type { SurveyService } from '../needs-assessment/survey-service.js';
import type { PolicyService } from '../policies/policy-service.js';
import type { BbvService } from '../bbv/bbv-service.js';
import type { PathwayReferralService } from '../pathways/pathway-referral-service.js';
import type { PathwayService } from '../pathways/pathway-service.js';
import type { ReferralService } from '../pathways/referral-service.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { AuthService } from '../auth/auth-service.js';
import type { PartnerDirectoryService } from '../fhir/directory/partner-directory-service.js';
import type { PartnerAuthService } from '../fhir/partner-api/smart/partner-auth-service.js';
import { SANDBOX_CLIENT_ID, sandboxPartnerKey } from '../fhir/sandbox/sandbox-key.js';
import { PARTNER_SCOPES } from '../fhir/partner-api/smart/smart-scopes.js';
import type { JWK } from 'jose';
import type { Knex } from 'knex';

/** The demo password and the base32 TOTP secret of the demo accounts that need MFA (documented in README; never used in production). */
export const DEMO_PASSWORD = 'Blue-Light-Demo-2026';
export const DEMO_TOTP_SECRET = 'BLUELIGHTDEMOMFA';

export interface DemoAccount {
  email: string;
  role: Role;
  organisation: 'host' | 'fire' | 'health-board';
  mfa: boolean;
  /** Which synthetic person the account belongs to, if any. */
  person?: 'line-manager' | 'team-member' | 'hr' | 'partner-hr';
}

/** One account per role, plus a partner agency's HR manager to show organisation scope. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'clinician@westshire.police.test', role: 'oh-clinician', organisation: 'host', mfa: true },
  { email: 'oh.admin@westshire.police.test', role: 'oh-administrator', organisation: 'host', mfa: true },
  {
    email: 'manager@westshire.police.test',
    role: 'line-manager',
    organisation: 'host',
    mfa: false,
    person: 'line-manager',
  },
  { email: 'hr@westshire.police.test', role: 'hr-manager', organisation: 'host', mfa: false, person: 'hr' },
  { email: 'lead@westshire-hb.nhs.test', role: 'health-board-lead', organisation: 'health-board', mfa: false },
  { email: 'officer@westshire.police.test', role: 'staff', organisation: 'host', mfa: false, person: 'team-member' },
  { email: 'sysadmin@westshire.police.test', role: 'system-administrator', organisation: 'host', mfa: true },
  { email: 'hr@westshire-fire.test', role: 'hr-manager', organisation: 'fire', mfa: false, person: 'partner-hr' },
];

export interface DemoSummary {
  organisations: number;
  units: number;
  people: number;
  users: number;
  /** Spells of absence in the history. */
  absenceSpells: number;
  password: string;
}

interface SeedDependencies {
  repositories: {
    people: PeopleRepository;
    users: UsersRepository;
    attendance: Pick<AttendanceRepository, 'transaction' | 'insert'>;
  };
  services: {
    absences: Pick<AbsenceService, 'syncTasks'>;
    attendanceSweep: Pick<AttendanceSweepService, 'dailySweep' | 'absencesDueOhReferral' | 'ohReferralMade'>;
    pathways: Pick<PathwayService, 'enrol' | 'completeStep'>;
    referrals: Pick<ReferralService, 'referFromAbsences'>;
    pathwayReferrals: Pick<PathwayReferralService, 'forPathway' | 'share'>;
    bbv: Pick<BbvService, 'recordIncident' | 'recordPep' | 'recordHbv' | 'recordResult'>;
    consent: ConsentService;
    auth: Pick<AuthService, 'actorFor'>;
    partners: Pick<PartnerDirectoryService, 'create'>;
    partnerAuth: Pick<PartnerAuthService, 'create'>;
    surveys: Pick<
      SurveyService,
      | 'launch'
      | 'questionnaire'
      | 'appointFacilitator'
      | 'storePublished'
      | 'recordAction'
      | 'startFromInvitation'
      | 'submit'
    >;
    policy: Pick<PolicyService, 'inForce'>;
  };
  db: Knex;
  clock: Clock;
  config: { sandboxPartner: { url: string } | null };
}

type UnitPlan = {
  name: string;
  code: string;
  weight: number;
  mix: Partial<Record<WorkforceRole, number>>;
  shift: boolean;
};

const HOST_UNITS: UnitPlan[] = [
  { name: 'Chief Officer Team', code: 'COT', weight: 0.5, mix: { officer: 0.6, 'police-staff': 0.4 }, shift: false },
  {
    name: 'Response – Northern Division',
    code: 'RESP-N',
    weight: 14,
    mix: { officer: 0.9, 'special-constable': 0.1 },
    shift: true,
  },
  {
    name: 'Response – Southern Division',
    code: 'RESP-S',
    weight: 14,
    mix: { officer: 0.9, 'special-constable': 0.1 },
    shift: true,
  },
  {
    name: 'Neighbourhood Policing',
    code: 'NHP',
    weight: 11,
    mix: { officer: 0.5, pcso: 0.4, volunteer: 0.1 },
    shift: true,
  },
  {
    name: 'Criminal Investigation Department',
    code: 'CID',
    weight: 9,
    mix: { officer: 0.8, 'police-staff': 0.2 },
    shift: false,
  },
  { name: 'Public Protection Unit', code: 'PPU', weight: 7, mix: { officer: 0.7, 'police-staff': 0.3 }, shift: false },
  { name: 'Roads Policing', code: 'RPU', weight: 5, mix: { officer: 1 }, shift: true },
  { name: 'Custody', code: 'CUST', weight: 6, mix: { officer: 0.4, 'police-staff': 0.6 }, shift: true },
  { name: 'Force Control Room', code: 'FCR', weight: 9, mix: { 'police-staff': 0.9, officer: 0.1 }, shift: true },
  { name: 'Professional Standards', code: 'PSD', weight: 2, mix: { officer: 0.6, 'police-staff': 0.4 }, shift: false },
  { name: 'People Services', code: 'HR', weight: 4, mix: { 'police-staff': 1 }, shift: false },
  { name: 'Occupational Health Unit', code: 'OHU', weight: 2, mix: { 'police-staff': 1 }, shift: false },
];

/** A 10-day response rota: two earlies, two lates, two nights, four rest days. */
const RESPONSE_ROTA = [true, true, true, true, true, true, false, false, false, false];

/**
 * Generates the demo organisation: a host force with units and line management, two
 * partner agencies that buy OH services (seed 001), the NHS health board, and one account
 * per role. Deterministic for a given seed and as-of date (the clock).
 */
export async function seedDemo(
  deps: SeedDependencies,
  options: { people: number; seed: number; years: number },
): Promise<DemoSummary> {
  const faker = new Faker({ locale: [en_GB, en] });
  faker.seed(options.seed);
  const now = deps.clock.now();
  // The UK day (never the UTC date, which is a day behind at 23:30 UTC in summer), as midnight for date arithmetic.
  const asOf = new Date(`${londonDay(now)}T00:00:00.000Z`);
  // A calendar date of the generator's UTC-midnight arithmetic (asOf is the UK day).
  const iso = (d: Date) => format(d, 'yyyy-MM-dd') as IsoDate;
  const repo = deps.repositories.people;

  const org = (
    name: string,
    kind: Organisation['kind'],
    odsCode: string | null,
    host: string | null,
  ): Organisation => ({
    id: faker.string.uuid(),
    name,
    kind,
    odsCode,
    hostOrganisationId: host,
  });
  const host = org('Westshire Police', 'host-force', null, null);
  const fire = org('Westshire Fire and Rescue Service', 'partner-agency', null, host.id);
  const ambulance = org('Westshire Ambulance Service', 'partner-agency', null, host.id);
  const healthBoard = org('Westshire University Health Board', 'nhs-partner', '7A9', null);
  const organisations = [host, fire, ambulance, healthBoard];

  const units: Unit[] = [];
  const people: NewPerson[] = [];
  const usedNhs = new Set<string>();
  let staffSeq = 10000;

  const nhsNumber = (): string => {
    for (;;) {
      const first = `999${faker.string.numeric(6)}`;
      const check = nhsCheckDigit(first);
      const value = check === null ? null : `${first}${check}`;
      if (value && !usedNhs.has(value)) {
        usedNhs.add(value);
        return value;
      }
    }
  };

  const makePerson = (
    o: Organisation,
    unit: Unit,
    role: WorkforceRole,
    manager: string | null,
    shift: boolean,
    prefix: string,
  ): NewPerson => {
    const age = faker.number.int({ min: 19, max: 63 });
    const birth = addDays(subYears(asOf, age), -faker.number.int({ min: 0, max: 364 }));
    const earliestStart = addYears(birth, 18);
    // About one in twelve joined within the last year (ATT-17 needs them).
    const recent = faker.number.float() < 0.08;
    const start = recent
      ? addDays(asOf, -faker.number.int({ min: 14, max: 360 }))
      : faker.date.between({
          from: earliestStart < subYears(asOf, 35) ? subYears(asOf, 35) : earliestStart,
          to: subYears(asOf, 1),
        });
    const givenName = faker.person.firstName();
    const familyName = faker.person.lastName();
    const pattern: WorkingPattern = shift
      ? { kind: 'rota', anchorDate: iso(addDays(asOf, -faker.number.int({ min: 0, max: 9 }))), cycle: RESPONSE_ROTA }
      : faker.number.float() < 0.12
        ? { kind: 'weekly', days: [1, 2, 3] }
        : { kind: 'weekly', days: [1, 2, 3, 4, 5] };
    const collared = role === 'officer' || role === 'pcso' || role === 'special-constable';
    staffSeq += 1;
    const local = `${givenName}.${familyName}`.toLowerCase().replace(/[^a-z.]/g, '');
    return {
      id: faker.string.uuid(),
      organisationId: o.id,
      staffNumber: `${prefix}${staffSeq}`,
      collarNumber: collared ? String(faker.number.int({ min: 1000, max: 9999 })) : null,
      givenName,
      familyName,
      dateOfBirth: iso(birth),
      nhsNumber: faker.number.float() < 0.85 ? nhsNumber() : null,
      role,
      unitId: unit.id,
      lineManagerId: manager,
      serviceStartDate: iso(start < earliestStart ? earliestStart : start),
      leavingDate: null,
      workingPattern: pattern,
      protectedIdentity: faker.number.float() < 0.02,
      workEmail: `${local}${staffSeq}@${o === host ? 'westshire.police.test' : o === fire ? 'westshire-fire.test' : 'westshire-ambulance.test'}`,
      personalEmail: faker.number.float() < 0.4 ? `${local}@example.org` : null,
    };
  };

  const pick = (mix: UnitPlan['mix']): WorkforceRole => {
    const r = faker.number.float();
    let acc = 0;
    for (const [role, share] of Object.entries(mix) as Array<[WorkforceRole, number]>) {
      acc += share;
      if (r < acc) return role;
    }
    return Object.keys(mix)[0] as WorkforceRole;
  };

  /** Builds one organisation's workforce: a head, unit heads under them, team leaders, members. */
  const buildWorkforce = (o: Organisation, plans: UnitPlan[], total: number, prefix: string) => {
    const orgUnits = plans.map((p) => ({
      id: faker.string.uuid(),
      organisationId: o.id,
      name: p.name,
      code: p.code,
      parentUnitId: null,
    }));
    units.push(...orgUnits);
    const top = makePerson(o, orgUnits[0]!, plans[0]!.mix.officer ? 'officer' : 'police-staff', null, false, prefix);
    people.push(top);
    const weights = plans.reduce((s, p) => s + p.weight, 0);
    let remaining = total - 1;
    plans.forEach((plan, i) => {
      const unit = orgUnits[i]!;
      const size =
        i === plans.length - 1
          ? remaining
          : Math.min(remaining, Math.max(2, Math.round(((total - 1) * plan.weight) / weights)));
      if (size <= 0) return;
      remaining -= size;
      const head = makePerson(
        o,
        unit,
        pick(plan.mix) === 'police-staff' ? 'police-staff' : plan.mix.officer ? 'officer' : 'police-staff',
        top.id,
        false,
        prefix,
      );
      people.push(head);
      let leader: NewPerson | null = null;
      for (let n = 1; n < size; n++) {
        if (leader === null || (n - 1) % 8 === 0) {
          leader = makePerson(o, unit, plan.mix.officer ? 'officer' : 'police-staff', head.id, plan.shift, prefix);
          people.push(leader);
          continue;
        }
        people.push(makePerson(o, unit, pick(plan.mix), leader.id, plan.shift, prefix));
      }
    });
  };

  const partnerSize = Math.max(6, Math.round(options.people * 0.05));
  const hostSize = Math.max(20, options.people - 2 * partnerSize);
  buildWorkforce(host, HOST_UNITS, hostSize, 'WP');
  buildWorkforce(
    fire,
    [
      { name: 'Fire Service Leadership', code: 'FRS-L', weight: 1, mix: { 'police-staff': 1 }, shift: false },
      { name: 'Operational Crews', code: 'FRS-OPS', weight: 6, mix: { 'police-staff': 1 }, shift: true },
      { name: 'Fire Service Support', code: 'FRS-SUP', weight: 2, mix: { 'police-staff': 1 }, shift: false },
    ],
    partnerSize,
    'FR',
  );
  buildWorkforce(
    ambulance,
    [
      { name: 'Ambulance Leadership', code: 'AMB-L', weight: 1, mix: { 'police-staff': 1 }, shift: false },
      { name: 'Emergency Operations', code: 'AMB-OPS', weight: 6, mix: { 'police-staff': 1 }, shift: true },
      { name: 'Clinical Contact Centre', code: 'AMB-CCC', weight: 2, mix: { 'police-staff': 1 }, shift: true },
    ],
    partnerSize,
    'AM',
  );

  // Leavers during the history window give later capabilities (attendance, retirement) realistic churn.
  const leavers = Math.round(people.length * 0.03 * Math.min(options.years, 10));
  const candidates = people.filter((p) => p.lineManagerId !== null && !people.some((q) => q.lineManagerId === p.id));
  for (const p of faker.helpers.arrayElements(candidates, Math.min(leavers, candidates.length))) {
    const leaving = addDays(asOf, -faker.number.int({ min: 1, max: Math.max(2, options.years * 365) }));
    if (iso(leaving) > p.serviceStartDate) p.leavingDate = iso(leaving);
  }

  // Accounts: tie the line manager, a team member and HR to real synthetic people.
  const inPost = (p: NewPerson) => !p.leavingDate;
  const hostPeople = people.filter((p) => p.organisationId === host.id && inPost(p));
  const respN = units.find((u) => u.code === 'RESP-N')?.id;
  const managing = new Set(people.map((p) => p.lineManagerId));
  const reportsOf = (m: NewPerson) => people.filter((q) => q.lineManagerId === m.id);
  const managers = hostPeople.filter((p) => managing.has(p.id) && p.lineManagerId !== null && p.unitId === respN);
  // Each account gets a different person, however small the organisation.
  const taken = new Set<string>();
  const take = (...choices: Array<NewPerson | undefined>): NewPerson => {
    const chosen = [...choices, ...hostPeople].find((p): p is NewPerson => p !== undefined && !taken.has(p.id))!;
    taken.add(chosen.id);
    return chosen;
  };
  // The line manager leads a small team (nobody in it manages anyone), of four or more in post: the story needs them.
  const lineManager = take(
    managers.find((m) => reportsOf(m).filter(inPost).length >= 4 && reportsOf(m).every((r) => !managing.has(r.id))),
    managers.find((m) => reportsOf(m).filter(inPost).length >= 3),
    managers[0],
  );
  const hrUnit = units.find((u) => u.code === 'HR')!;
  const hrPerson = take(hostPeople.find((p) => p.unitId === hrUnit.id && !taken.has(p.id)));
  // A small organisation may have no such team: move people who manage nobody into it.
  const spare = hostPeople.filter(
    (p) => p.lineManagerId !== null && p.lineManagerId !== lineManager.id && !taken.has(p.id) && !managing.has(p.id),
  );
  while (reportsOf(lineManager).filter(inPost).length < 4 && spare.length > 0) {
    const moved = spare.shift()!;
    moved.lineManagerId = lineManager.id;
    moved.unitId = lineManager.unitId;
  }
  const team = reportsOf(lineManager);
  const today = londonDay(now);
  const yearAgo = addIsoDays(today, -365);
  const teamMember = take(
    team.find((p) => inPost(p) && !p.protectedIdentity && p.serviceStartDate <= yearAgo),
    team.find((p) => inPost(p) && !p.protectedIdentity),
    team.find(inPost),
  );
  // The staff member's story spans a year of service (everyone is at least 19, so 18 a year ago).
  if (teamMember.serviceStartDate > yearAgo) teamMember.serviceStartDate = yearAgo;
  const partnerHr =
    people.find((p) => p.organisationId === fire.id && p.unitId === units.find((u) => u.code === 'FRS-SUP')?.id) ??
    people.find((p) => p.organisationId === fire.id)!;
  const personFor: Record<NonNullable<DemoAccount['person']>, NewPerson> = {
    'line-manager': lineManager,
    'team-member': teamMember,
    hr: hrPerson,
    'partner-hr': partnerHr,
  };
  const orgFor = { host, fire, 'health-board': healthBoard } as const;

  // Absence history (ATT-1), with the demo team's story told over it (README).
  const story = tellTeamStory({
    history: generateAbsenceHistory({ people, asOf: today, years: options.years, seed: options.seed }),
    team,
    teamMember,
    asOf: today,
    seed: options.seed,
    newId: () => faker.string.uuid(),
  });
  // The account holders are at work today, whatever the generator drew.
  const accountHolders = new Set(Object.values(personFor).map((p) => p.id));
  const history = story.history.filter((s) => s.endDate !== null || !accountHolders.has(s.personId));

  await repo.transaction(async (trx) => {
    for (const o of organisations) await repo.insertOrganisation(o, now, trx);
    for (const u of units) await repo.insertUnit(u, now, trx);
    // Managers before their reports, so every foreign key is satisfied in order.
    await repo.insertPeople(people, now, trx);
  });
  const spells = deps.repositories.attendance;
  await spells.transaction(async (trx) => insertSpellsInBulk(trx, history, now));
  // Milestone tasks for everyone absent today, as the daily job makes them (and escalates the overdue).
  await deps.services.attendanceSweep.dailySweep(today);
  // Then the story's absence, so that its overdue steps are still on the manager's list until
  // the next daily run, and the interview for the story's return (the sweep covers current spells only).
  await spells.transaction(async (trx) => spells.insert(story.absentNow, now, trx));
  const records = new Map(
    (await repo.findPersonsByIds([story.absentNow.personId, story.returned.personId])).map((p) => [p.id, p]),
  );
  for (const spell of [story.absentNow, story.returned])
    await deps.services.absences.syncTasks(asSaved(spell, now, now), records.get(spell.personId)!, today);

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const userIds = new Map<string, string>();
  for (const account of DEMO_ACCOUNTS) {
    const person = account.person ? personFor[account.person] : null;
    const userId = faker.string.uuid();
    userIds.set(account.email, userId);
    await deps.repositories.users.insert(
      {
        id: userId,
        email: account.email,
        displayName: person ? `${person.givenName} ${person.familyName}` : displayNameFor(account.role),
        passwordHash,
        organisationId: orgFor[account.organisation].id,
        personId: person?.id ?? null,
        roles: [account.role],
        locale: 'en',
        ...(account.mfa ? { totpSecret: DEMO_TOTP_SECRET, mfaEnrolledAt: now } : {}),
      },
      now,
    );
  }
  // Long absences past the OH referral point become referrals into OH, as the daily job does (ATT-12);
  // then a few pathways led by the demo clinician, so their worklist has work due.
  await deps.services.referrals.referFromAbsences(
    await deps.services.attendanceSweep.absencesDueOhReferral(),
    (id, note) => deps.services.attendanceSweep.ohReferralMade(id, note),
  );
  const clinician = DEMO_ACCOUNTS.find((a) => a.role === 'oh-clinician')!;
  const absentNow = history.filter((x) => x.endDate === null).map((x) => x.personId);
  await seedDemoPathways(deps.services, {
    people,
    exclude: new Set([...accountHolders, ...absentNow, story.absentNow.personId, story.returned.personId]),
    clinicianUserId: userIds.get(clinician.email)!,
    now,
  });
  // The demo officer's consents: an OH report waiting for their review, a sharing request waiting for their decision.
  const officer = DEMO_ACCOUNTS.find((a) => a.role === 'staff')!;
  const actorOf = async (email: string) =>
    deps.services.auth.actorFor((await deps.repositories.users.findById(userIds.get(email)!))!, undefined, 'session')!;
  await seedDemoConsents(deps.services, {
    clinician: await actorOf(clinician.email),
    officer: await actorOf(officer.email),
    healthBoard,
    today,
  });
  // The health board's services in the partner directory, at the sandbox partner `npm start` runs (issue 6 §6).
  if (deps.config.sandboxPartner) {
    const admin = {
      actor: await actorOf(DEMO_ACCOUNTS.find((a) => a.role === 'oh-administrator')!.email),
      requestId: 'demo',
      ip: null,
    };
    const sandbox = deps.config.sandboxPartner.url;
    await deps.services.partners.create(admin, {
      organisationId: healthBoard.id,
      name: 'Westshire MSK physiotherapy (sandbox)',
      serviceType: 'nhs-msk-physiotherapy',
      baseUrl: sandbox,
      mode: 'bars',
      auth: { kind: 'none' },
      pathways: ['msk'],
      enabled: true,
    });
    await deps.services.partners.create(admin, {
      organisationId: healthBoard.id,
      name: 'Westshire NHS Talking Therapies (sandbox)',
      serviceType: 'nhs-talking-therapies',
      baseUrl: sandbox,
      mode: 'rest',
      auth: { kind: 'none' },
      pathways: ['mental-health'],
      enabled: true,
    });
    await deps.services.partners.create(admin, {
      organisationId: healthBoard.id,
      name: 'Westshire sexual health clinic (sandbox)',
      serviceType: 'sexual-health',
      baseUrl: sandbox,
      mode: 'bars',
      auth: { kind: 'none' },
      pathways: ['bbv'],
      enabled: true,
    });
    // The sandbox reports progress back to us as the health board's system would (SMART Backend Services, FHIR-8).
    const { publicJwk } = await sandboxPartnerKey(deps.db);
    await deps.services.partnerAuth.create(admin, {
      organisationId: healthBoard.id,
      name: 'Westshire Health Board systems (sandbox)',
      clientId: SANDBOX_CLIENT_ID,
      jwks: { keys: [publicJwk as JWK] },
      scopes: [...PARTNER_SCOPES],
      enabled: true,
    });
  }
  // The officer's blood-borne virus exposure, its 3-month tests due now at the sexual health clinic (issue 16).
  await seedDemoBbv(deps.services, {
    clinician: await actorOf(clinician.email),
    manager: await actorOf(DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!.email),
    officer: await actorOf(officer.email),
    healthBoard,
    today,
    share: deps.config.sandboxPartner !== null,
  });
  // Needs-assessment surveys (issue 17): closed campaigns with results to read, and one open to the officer.
  const inPostBy = new Map<string, number>();
  for (const p of hostPeople) if (p.unitId) inPostBy.set(p.unitId, (inPostBy.get(p.unitId) ?? 0) + 1);
  await seedDemoSurveys(
    { surveys: deps.services.surveys, repository: new SurveyRepository(deps.db), policy: deps.services.policy },
    {
      organisationId: host.id,
      ohAdministrator: await actorOf(DEMO_ACCOUNTS.find((a) => a.role === 'oh-administrator')!.email),
      facilitatorUserId: userIds.get(DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!.email)!,
      facilitatorPersonId: lineManager.id,
      officerPersonId: teamMember.id,
      hseUnitId: lineManager.unitId,
      officerUnitId: teamMember.unitId,
      unitsBySize: [...inPostBy.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([u]) => u),
      today,
      seed: options.seed,
    },
  );
  return {
    organisations: organisations.length,
    units: units.length,
    people: people.length,
    users: DEMO_ACCOUNTS.length,
    absenceSpells: history.length + 1,
    password: DEMO_PASSWORD,
  };
}

function displayNameFor(role: Role): string {
  switch (role) {
    case 'oh-clinician':
      return 'Sam Okafor';
    case 'oh-administrator':
      return 'Rhian Davies';
    case 'health-board-lead':
      return 'Dr Alys Morgan';
    case 'system-administrator':
      return 'Priya Shah';
    default:
      return 'Demo user';
  }
}
