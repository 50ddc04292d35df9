import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../src/auth/roles.js';
import { totpCode } from '../../src/auth/totp.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { loadConfig } from '../../src/config/config.js';
import type { NewPerson, Organisation, Unit } from '../../src/people/people-types.js';
import type { User } from '../../src/people/users-repository.js';
import { buildPlatform, type Platform } from '../../src/server.js';
import { fixedClock } from '../../src/shared/clock.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const TEST_PASSWORD = 'correct-horse-battery-staple';
export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export interface TestPlatform {
  platform: Platform;
  database: TestDatabase;
  clock: ReturnType<typeof fixedClock>;
  app: Platform['app']['app'];
  dataDir: string;
  destroy(): Promise<void>;
}

/** A platform on its own fresh database with a fixed clock and no demo data. */
export async function createTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blp-data-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO_DATA: 'false', DATA_DIR: dataDir, ...env });
  const clock = fixedClock('2026-11-22T09:00:00Z');
  const platform = await buildPlatform(config, { clock, db: database.db, logger: createLogger({ level: 'silent' }) });
  return {
    platform,
    database,
    clock,
    app: platform.app.app,
    dataDir,
    async destroy() {
      await database.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let seq = 0;

/** Builds a workforce record with sensible defaults. */
export function buildPerson(organisationId: string, overrides: Partial<NewPerson> = {}): NewPerson {
  seq += 1;
  return {
    id: newId(),
    organisationId,
    staffNumber: `T${String(seq).padStart(6, '0')}`,
    collarNumber: null,
    givenName: 'Alex',
    familyName: `Tester${seq}`,
    dateOfBirth: '1985-04-12',
    nhsNumber: null,
    role: 'officer',
    unitId: null,
    lineManagerId: null,
    serviceStartDate: '2010-09-01',
    leavingDate: null,
    workingPattern: { kind: 'weekly', days: [1, 2, 3, 4, 5] },
    protectedIdentity: false,
    workEmail: null,
    personalEmail: null,
    ...overrides,
  };
}

/** The small world most access tests need: two employers, a health board, a team with a manager, and a user per role. */
export interface World {
  host: Organisation;
  partner: Organisation;
  healthBoard: Organisation;
  unit: Unit;
  partnerUnit: Unit;
  manager: NewPerson;
  report: NewPerson;
  indirectReport: NewPerson;
  outsider: NewPerson;
  partnerPerson: NewPerson;
  users: Record<WorldUser, User>;
  tokens: Record<WorldUser, string>;
}

export type WorldUser =
  'clinician' | 'ohAdmin' | 'lineManager' | 'hr' | 'partnerHr' | 'healthBoardLead' | 'staff' | 'sysadmin';

export const WORLD_ROLES: Record<WorldUser, Role> = {
  clinician: 'oh-clinician',
  ohAdmin: 'oh-administrator',
  lineManager: 'line-manager',
  hr: 'hr-manager',
  partnerHr: 'hr-manager',
  healthBoardLead: 'health-board-lead',
  staff: 'staff',
  sysadmin: 'system-administrator',
};

let worlds = 0;

/** The platform and world of a describe block: built before its tests, destroyed after them. */
export function useWorld(): { t: TestPlatform; w: World } {
  const suite = {} as { t: TestPlatform; w: World };
  beforeAll(async () => {
    suite.t = await createTestPlatform();
    suite.w = await buildWorld(suite.t);
  });
  afterAll(async () => suite.t.destroy());
  return suite;
}

/** Creates the world through the repositories (fast, no HTTP). */
export async function buildWorld(t: TestPlatform): Promise<World> {
  const { people, users } = t.platform.repositories;
  const now = t.clock.now();
  // Several worlds may share one database: names and emails carry the world's number.
  worlds += 1;
  const n = worlds === 1 ? '' : String(worlds);
  const org = (name: string, kind: Organisation['kind']): Organisation => ({
    id: newId(),
    name: `${name}${n}`,
    kind,
    odsCode: null,
    hostOrganisationId: null,
  });
  const host = org('Test Force', 'host-force');
  const partner = { ...org('Test Fire Service', 'partner-agency'), hostOrganisationId: host.id };
  const healthBoard = org('Test Health Board', 'nhs-partner');
  for (const o of [host, partner, healthBoard]) await people.insertOrganisation(o, now);
  const unit: Unit = { id: newId(), organisationId: host.id, name: 'Response', code: 'R', parentUnitId: null };
  const partnerUnit: Unit = { id: newId(), organisationId: partner.id, name: 'Crews', code: 'C', parentUnitId: null };
  await people.insertUnit(unit, now);
  await people.insertUnit(partnerUnit, now);
  const manager = buildPerson(host.id, { unitId: unit.id, givenName: 'Morgan', familyName: 'Manager' });
  const report = buildPerson(host.id, {
    unitId: unit.id,
    lineManagerId: manager.id,
    givenName: 'Riley',
    familyName: 'Report',
    nhsNumber: '9434765919',
  });
  const indirectReport = buildPerson(host.id, {
    unitId: unit.id,
    lineManagerId: report.id,
    givenName: 'Indy',
    familyName: 'Indirect',
  });
  const outsider = buildPerson(host.id, { unitId: unit.id, givenName: 'Olly', familyName: 'Outsider' });
  const partnerPerson = buildPerson(partner.id, {
    unitId: partnerUnit.id,
    role: 'police-staff',
    givenName: 'Pat',
    familyName: 'Partner',
  });
  await people.insertPeople([manager, report, indirectReport, outsider, partnerPerson], now);

  const passwordHash = await hashPassword(TEST_PASSWORD);
  const spec: Record<WorldUser, { organisationId: string; personId: string | null }> = {
    clinician: { organisationId: host.id, personId: null },
    ohAdmin: { organisationId: host.id, personId: null },
    lineManager: { organisationId: host.id, personId: manager.id },
    hr: { organisationId: host.id, personId: null },
    partnerHr: { organisationId: partner.id, personId: null },
    healthBoardLead: { organisationId: healthBoard.id, personId: null },
    staff: { organisationId: host.id, personId: report.id },
    sysadmin: { organisationId: host.id, personId: null },
  };
  const built = {} as Record<WorldUser, User>;
  const tokens = {} as Record<WorldUser, string>;
  for (const [key, s] of Object.entries(spec) as Array<[WorldUser, (typeof spec)[WorldUser]]>) {
    const role = WORLD_ROLES[key];
    const mfa = role === 'oh-clinician' || role === 'oh-administrator' || role === 'system-administrator';
    const id = newId();
    await users.insert(
      {
        id,
        email: `${key.toLowerCase()}${n}@test.example`,
        displayName: key,
        passwordHash,
        organisationId: s.organisationId,
        personId: s.personId,
        roles: [role],
        locale: 'en',
        ...(mfa ? { totpSecret: TEST_TOTP_SECRET, mfaEnrolledAt: now } : {}),
      },
      now,
    );
    built[key] = (await users.findById(id))!;
    tokens[key] = (
      await t.platform.services.auth.createToken({ actor: null, requestId: 'test', ip: null }, built[key], {
        name: 'test',
      })
    ).token;
  }
  return {
    host,
    partner,
    healthBoard,
    unit,
    partnerUnit,
    manager,
    report,
    indirectReport,
    outsider,
    partnerPerson,
    users: built,
    tokens,
  };
}

/**
 * New people in the world's line manager's team (override `lineManagerId` for someone else's, or
 * null for nobody's), inserted now: a test that records against them reads only what it wrote.
 */
export async function addTeamMembers(
  t: TestPlatform,
  w: World,
  count = 1,
  overrides: Partial<NewPerson> = {},
): Promise<NewPerson[]> {
  const people = Array.from({ length: count }, () =>
    buildPerson(w.host.id, { unitId: w.unit.id, lineManagerId: w.manager.id, ...overrides }),
  );
  await t.platform.repositories.people.insertPeople(people, t.clock.now());
  return people;
}

/** The CSRF token in a rendered page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/**
 * What a browser would post from the page's form with this action, as it stands: every named input with its
 * value (checkboxes and radios only when checked), each select's chosen option, each textarea's text.
 */
export function formFields(html: string, action: string): Record<string, string> {
  const form = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].find(([, open]) =>
    open!.includes(`action="${action}"`),
  )?.[2];
  if (form === undefined) throw new Error(`no form posting to ${action} on the page`);
  const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  const has = (tag: string, name: string) => new RegExp(`\\s${name}(?=[\\s>=/])`, 'i').test(tag);
  const decode = (text: string) =>
    text
      .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
      .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(tag, 'name');
    const type = (attr(tag, 'type') ?? 'text').toLowerCase();
    if (!name || type === 'submit' || ((type === 'checkbox' || type === 'radio') && !has(tag, 'checked'))) continue;
    fields[name] = decode(attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : ''));
  }
  for (const [, open, body] of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    const name = attr(open!, 'name');
    const options = [...body!.matchAll(/<option\b[^>]*>/gi)].map(([tag]) => tag);
    const chosen = options.find((tag) => has(tag, 'selected')) ?? options[0];
    if (name && chosen) fields[name] = decode(attr(chosen, 'value') ?? '');
  }
  for (const [, open, body] of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    const name = attr(open!, 'name');
    if (name) fields[name] = decode(body!.replace(/^\n/, ''));
  }
  return fields;
}

/** Signs a supertest agent in through the real forms, passing MFA when the user has it. */
export async function signIn(
  t: TestPlatform,
  email: string,
  options: { password?: string; totpSecret?: string } = {},
): Promise<ReturnType<typeof request.agent>> {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ email, password: options.password ?? TEST_PASSWORD, _csrf: csrfFrom(page.text) });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  if (res.headers.location === '/login/mfa') {
    const mfaPage = await agent.get('/login/mfa');
    // A fresh 30-second step each time, so no code is ever a replay of an earlier one.
    t.clock.advance(30_000);
    const done = await agent
      .post('/login/mfa')
      .type('form')
      .send({ code: totpCode(options.totpSecret ?? TEST_TOTP_SECRET, t.clock.now()), _csrf: csrfFrom(mfaPage.text) });
    if (done.status !== 303) throw new Error(`MFA failed with ${done.status}`);
  }
  return agent;
}
