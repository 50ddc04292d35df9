import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  csrfFrom,
  formFields,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

describe('pages', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when HR adds a person with mistakes, then the form returns 422 with each error beside its field and the values kept; fixed, it saves', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const form = await agent.get('/people/new');
    expect(form.status).toBe(200);
    const csrf = csrfFrom(form.text);
    const bad = await agent.post('/people/new').type('form').send({
      _csrf: csrf,
      staffNumber: 'HR-1',
      givenName: 'Gwen',
      familyName: '',
      role: 'officer',
      serviceStartDate: '2020-13-01',
      nhsNumber: '1234567890',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('nhsuk-error-summary');
    expect(bad.text).toContain('href="#familyName"');
    expect(bad.text).toContain('The date their service started must be a real date');
    expect(bad.text).toMatch(/NHS number/);
    expect(bad.text).toContain('value="Gwen"');
    const good = await agent.post('/people/new').type('form').send({
      _csrf: csrf,
      staffNumber: 'HR-1',
      givenName: 'Gwen',
      familyName: 'Hughes',
      role: 'pcso',
      serviceStartDate: '2020-12-01',
      unitId: w.unit.id,
      protectedIdentity: 'yes',
    });
    expect(good.status).toBe(303);
    const show = await agent.get(good.headers.location as string);
    expect(show.text).toContain('Gwen Hughes');
    expect(show.text).toContain('Protected identity');
    // The header names the signed-in user's role and the summary the person's (the two once shared a name, and the person's won).
    expect(show.text).toMatch(/nhsuk-header__account-item">[^<]*\(HR manager\)</);
    expect(show.text).toMatch(/nhsuk-summary-list__value">PCSO</);
    const dup = await agent.post('/people/new').type('form').send({
      _csrf: csrf,
      staffNumber: 'hr-1',
      givenName: 'Other',
      familyName: 'Person',
      role: 'officer',
      serviceStartDate: '2020-12-01',
    });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('This staff number is already in use');
  });

  it('when HR edits a person, then the change is saved and shown', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const edit = await agent.get(`/people/${w.outsider.id}/edit`);
    expect(edit.status).toBe(200);
    const res = await agent
      .post(`/people/${w.outsider.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfFrom(edit.text),
        staffNumber: w.outsider.staffNumber,
        givenName: 'Oliver',
        familyName: w.outsider.familyName,
        role: 'officer',
        serviceStartDate: w.outsider.serviceStartDate,
      });
    expect(res.status).toBe(303);
    expect((await agent.get(`/people/${w.outsider.id}`)).text).toContain('Oliver');
  });

  it('when HR or a system administrator saves the person form as it stands, then fields hidden from them are kept (issue 14 defect 7, CONF-3)', async () => {
    const officer = buildPerson(w.host.id, {
      unitId: w.unit.id,
      nhsNumber: '9434765919',
      protectedIdentity: true,
      workEmail: 'kept.work@force.example',
      personalEmail: 'kept.home@mail.example',
    });
    await t.platform.repositories.people.insertPeople([officer], t.clock.now());
    for (const editor of [w.users.hr.email, w.users.sysadmin.email]) {
      const agent = await signIn(t, editor);
      const edit = await agent.get(`/people/${officer.id}/edit`);
      expect(edit.status).toBe(200);
      // The form offers nothing the editor may not see: no blank to save over what is there.
      expect(edit.text).not.toContain('name="nhsNumber"');
      expect(edit.text).not.toContain('name="workEmail"');
      const saved = await agent
        .post(`/people/${officer.id}/edit`)
        .type('form')
        .send({ ...formFields(edit.text, `/people/${officer.id}/edit`), givenName: 'Kept' });
      expect(saved.status).toBe(303);
    }
    const row = await t.database.db('people').where({ id: officer.id }).first();
    expect(row).toMatchObject({
      given_name: 'Kept',
      nhs_number: '9434765919',
      work_email: 'kept.work@force.example',
      personal_email: 'kept.home@mail.example',
    });
  });

  it('when a line manager opens the people page, then they see their team and no add button', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    const page = await agent.get('/people');
    expect(page.text).toContain('Your team');
    expect(page.text).toContain('Report');
    expect(page.text).not.toContain('Outsider');
    expect(page.text).not.toContain('/people/new');
  });

  it('when a staff member switches to Welsh, then their record page is in Welsh and stays so next time', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const home = await agent.get('/');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/me' });
    const me = await agent.get('/me');
    expect(me.text).toContain('<html lang="cy">');
    expect(me.text).toContain('Fy nghofnod');
    expect(me.text).toContain('Rhif staff');
    const again = await signIn(t, w.users.staff.email);
    expect((await again.get('/')).text).toContain('Croeso');
  });

  it('when a system administrator adds a user, then a one-time set-password link is shown once', async () => {
    const agent = await signIn(t, w.users.sysadmin.email);
    const form = await agent.get('/admin/users/new');
    const csrf = csrfFrom(form.text);
    const bad = await agent
      .post('/admin/users/new')
      .type('form')
      .send({ _csrf: csrf, email: 'not-an-email', displayName: '', organisationId: w.host.id });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Choose at least one role');
    const ok = await agent.post('/admin/users/new').type('form').send({
      _csrf: csrf,
      email: 'new.hr@test.example',
      displayName: 'New HR',
      organisationId: w.host.id,
      roles: 'hr-manager',
      staffNumber: w.outsider.staffNumber,
    });
    expect(ok.status).toBe(201);
    expect(ok.text).toMatch(/set-password\/[A-Za-z0-9_-]{20,}/);
    const user = await t.platform.repositories.users.findByEmail('new.hr@test.example');
    expect(user?.personId).toBe(w.outsider.id);
  });

  it('when a page request fails validation of its id, then a friendly error page, not a stack trace', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const res = await agent.get('/people/not-a-uuid');
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is a problem');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});
