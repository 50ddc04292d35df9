import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addTeamMembers,
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

describe('attendance pages', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a line manager records an absence with a mistake, then the form comes back; corrected, the attendance page shows it with milestones; then the return is recorded', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    const form = await agent.get(`/people/${w.report.id}/absences/new`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('own words');
    const csrf = csrfFrom(form.text);
    const bad = await agent
      .post(`/people/${w.report.id}/absences/new`)
      .type('form')
      .send({ _csrf: csrf, startDate: '2026-11-10', reasonCategory: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Select the reason for the absence');
    const ok = await agent
      .post(`/people/${w.report.id}/absences/new`)
      .type('form')
      .send({ _csrf: csrf, startDate: '2026-11-10', reasonCategory: 'musculoskeletal-back', certification: 'self' });
    expect(ok.status).toBe(303);
    const page = await agent.get(ok.headers.location as string);
    expect(page.text).toContain('The absence has been recorded');
    expect(page.text).toContain('Record the return here when the person is back.');
    expect(page.text).toContain('Back pain or injury');
    expect(page.text).toContain('Phone call on the 4th day');
    expect(page.text).toContain('Medical certificate (by day 8)');
    const spellId = /action="\/absences\/([0-9a-f-]+)\/return"/.exec(page.text)?.[1];
    // The last day is typed as day, month and year; each row's boxes have ids of their own.
    expect(page.text).toContain(`id="return-${spellId}-endDate"`);
    // A last day before the first: the page comes back with the problem beside this absence's boxes.
    const wrong = await agent
      .post(`/absences/${spellId}/return`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), 'endDate-day': '1', 'endDate-month': '11', 'endDate-year': '2026' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('nhsuk-error-summary');
    expect(wrong.text).toContain(`href="#return-${spellId}-endDate"`);
    expect(wrong.text).toContain(`id="return-${spellId}-endDate-error"`);
    expect(wrong.text).toContain('The end date must be on or after the start date');
    const back = await agent
      .post(`/absences/${spellId}/return`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), 'endDate-day': '19', 'endDate-month': '11', 'endDate-year': '2026' });
    expect(back.status).toBe(303);
    const after = await agent.get(`/people/${w.report.id}/attendance`);
    expect(after.text).toContain('The return to work has been recorded: the last day of absence was 19 November 2026');
    expect(after.text).toContain('Next, hold the return-to-work interview and record it here.');
    expect(after.text).toContain('19 November 2026');
    expect(after.text).not.toContain('Still absent');
    // Once: the next page has no banner.
    expect((await agent.get(`/people/${w.report.id}/attendance`)).text).not.toContain('has been recorded');
  });

  it('when the staff member opens their own attendance in Welsh, then it is in Welsh', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const home = await agent.get('/');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/' });
    const page = await agent.get(`/people/${w.report.id}/attendance`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Presenoldeb');
    expect(page.text).toContain('Sgôr Bradford');
    expect(page.text).toContain('Poen neu anaf i’r cefn');
    expect(page.text).not.toContain('Cofnodi absenoldeb');
  });

  it('when the Bradford score is shown, then it is explained with the period and the review points of the policy in force', async () => {
    // The person (who chose Welsh above) reads it in Welsh.
    const own = await (await signIn(t, w.users.staff.email)).get(`/people/${w.report.id}/attendance`);
    expect(own.text).toContain('Beth mae’r sgôr Bradford a’r pwyntiau adolygu yn ei olygu');
    expect(own.text).toContain('sgôr Bradford o 200 neu fwy');
    expect(own.text).toContain('3 chyfnod o absenoldeb salwch mewn 12 mis');
    {
      const page = await (await signIn(t, w.users.lineManager.email)).get(`/people/${w.report.id}/attendance`);
      expect(page.text).toContain('What the Bradford score and review points mean');
      expect(page.text).toContain('multiplied by itself, multiplied by the number of working days lost');
      expect(page.text).toMatch(/Here: 1 × 1 × 8 working days &#x3D; 8\./);
      expect(page.text).toMatch(/in the 52 weeks from \d+ \w+ 2025 to 20 November 2026/);
      expect(page.text).toContain('a Bradford score of 200 or more');
      expect(page.text).toContain('3 spells of sickness absence in 12 months');
      expect(page.text).toContain('28 days of continuous absence');
      expect(page.text).not.toMatch(/ATT-\d|policy version 0|1 spells/);
    }
    // The policy in force on the day: a version published from today changes the words.
    const published = await request(t.app)
      .post('/api/v1/policies/attendance/versions')
      .set({ Authorization: `Bearer ${w.tokens.hr}` })
      .send({ effectiveFrom: '2026-11-20', content: { bradfordThreshold: 150, spellsThreshold: 4 } });
    expect(published.status).toBe(201);
    const page = await (await signIn(t, w.users.lineManager.email)).get(`/people/${w.report.id}/attendance`);
    expect(page.text).toContain('a Bradford score of 150 or more');
    expect(page.text).toContain('4 spells of sickness absence in 12 months');
  });

  it('when a line manager opens the attendance of someone outside their team, then 404', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    expect((await agent.get(`/people/${w.outsider.id}/attendance`)).status).toBe(404);
  });
});

describe('recording what the notification gives (ATT-1, ATT-11)', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when the person wants no direct contact, then a nominated liaison is required; with one, the attendance page shows how to make contact and what to hand over', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    const form = await agent.get(`/people/${w.report.id}/absences/new`);
    const fields = {
      _csrf: csrfFrom(form.text),
      startDate: '2026-11-19',
      reasonCategory: 'mental-health-stress',
      noDirectContact: 'yes',
      handoverNotes: 'Court file for Monday is on the shared drive',
    };
    const bad = await agent.post(`/people/${w.report.id}/absences/new`).type('form').send(fields);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('must nominate a liaison');
    expect(bad.text).toContain('Court file for Monday is on the shared drive');
    const ok = await agent
      .post(`/people/${w.report.id}/absences/new`)
      .type('form')
      .send({ ...fields, nominatedLiaison: 'Sam (partner), 07700 900123' });
    expect(ok.status).toBe(303);
    const page = await agent.get(`/people/${w.report.id}/attendance`);
    expect(page.text).toContain('Contact through Sam (partner), 07700 900123');
    expect(page.text).toContain('Handover: Court file for Monday is on the shared drive');
    const stored = await t.database.db('absence_spells').where({ person_id: w.report.id }).first();
    expect(stored).toMatchObject({ nominated_liaison: 'Sam (partner), 07700 900123' });
  });
});

describe('your own record and self-referral, whatever your role (issue 15 §9)', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
    // HR and an OH administrator who are members of the force's workforce themselves.
    const [hrPerson] = await addTeamMembers(t, w, 1, { givenName: 'Harper', familyName: 'Hr', lineManagerId: null });
    const [ohPerson] = await addTeamMembers(t, w, 1, { givenName: 'Oakley', familyName: 'Oh', lineManagerId: null });
    await t.database.db('users').where({ id: w.users.hr.id }).update({ person_id: hrPerson!.id });
    await t.database.db('users').where({ id: w.users.ohAdmin.id }).update({ person_id: ohPerson!.id });
  });
  afterAll(async () => t.destroy());

  const cases: Array<{ user: 'lineManager' | 'hr' | 'ohAdmin' | 'staff'; name: string }> = [
    { user: 'lineManager', name: 'Morgan Manager' },
    { user: 'hr', name: 'Harper Hr' },
    { user: 'ohAdmin', name: 'Oakley Oh' },
    { user: 'staff', name: 'Riley Report' },
  ];
  for (const { user, name } of cases) {
    it(`when the ${user} opens their own record, then they see it and their attendance, and can refer themselves to OH`, async () => {
      const agent = await signIn(t, w.users[user].email);
      const home = await agent.get('/');
      expect(home.text).toContain('href="/me"');
      const me = await agent.get('/me');
      expect(me.status).toBe(200);
      expect(me.text).toContain(name);
      const personId = /href="\/people\/([0-9a-f-]+)\/attendance"/.exec(me.text)?.[1];
      expect(personId).toBeDefined();
      const attendance = await agent.get(`/people/${personId}/attendance`);
      expect(attendance.status).toBe(200);
      // Nobody records their own absence.
      expect(attendance.text).not.toContain('Record an absence');
      const form = await agent.get('/me/referrals/new');
      expect(form.status).toBe(200);
      expect(form.text).toContain('action="/me/referrals/new"');
      const sent = await agent
        .post('/me/referrals/new')
        .type('form')
        .send({ _csrf: csrfFrom(form.text), concern: 'welfare', description: 'I would like to talk to someone.' });
      expect(sent.status).toBe(303);
      const copy = await agent.get(sent.headers.location as string);
      expect(copy.status).toBe(200);
      const stored = await t.database.db('oh_referrals').where({ person_id: personId }).first();
      expect(stored).toBeDefined();
    });
  }

  it('when a user has no workforce record, then their record page and the self-referral say so plainly', async () => {
    const agent = await signIn(t, w.users.clinician.email);
    const me = await agent.get('/me');
    expect(me.status).toBe(200);
    expect(me.text).toContain('Your account is not linked to a workforce record yet');
    const form = await agent.get('/me/referrals/new');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Your account is not linked to a workforce record yet');
    expect(form.text).not.toContain('action="/me/referrals/new"');
  });

  it('when a health board lead (not part of the workforce) asks for /me, then it is not theirs to use', async () => {
    const agent = await signIn(t, w.users.healthBoardLead.email);
    expect((await agent.get('/me')).status).toBe(403);
    expect((await agent.get('/')).text).not.toContain('href="/me"');
  });
});
