import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
    expect(page.text).toContain('Back pain or injury');
    expect(page.text).toContain('Phone call on the 4th day');
    expect(page.text).toContain('Medical certificate (by day 8)');
    const spellId = /action="\/absences\/([0-9a-f-]+)\/return"/.exec(page.text)?.[1];
    const back = await agent
      .post(`/absences/${spellId}/return`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), endDate: '2026-11-19' });
    expect(back.status).toBe(303);
    const after = await agent.get(`/people/${w.report.id}/attendance`);
    expect(after.text).toContain('19 November 2026');
    expect(after.text).not.toContain('Still absent');
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
