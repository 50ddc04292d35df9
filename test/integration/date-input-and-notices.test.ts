import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** Issue 15 §4 and §6: dates typed as day, month and year; a banner after a change that worked. */
describe('date input and confirmation banners', () => {
  let t: TestPlatform;
  let w: World;
  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when HR types a date as day, month and year, then a date that is not real comes back in the boxes as typed, and a real one is saved and confirmed once', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const form = await agent.get('/people/new');
    // The NHS.UK date input: three boxes in a fieldset, UK order, no browser date picker.
    expect(form.text).toContain('name="serviceStartDate-day"');
    expect(form.text).toContain('name="serviceStartDate-month"');
    expect(form.text).toContain('name="serviceStartDate-year"');
    expect(form.text).not.toContain('type="date"');
    const fields = {
      _csrf: csrfFrom(form.text),
      staffNumber: 'DATE-1',
      givenName: 'Dafydd',
      familyName: 'Dyddiad',
      role: 'officer',
      unitId: w.unit.id,
    };
    const bad = await agent
      .post('/people/new')
      .type('form')
      .send({
        ...fields,
        'serviceStartDate-day': '31',
        'serviceStartDate-month': '2',
        'serviceStartDate-year': '2020',
      });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#serviceStartDate"');
    expect(bad.text).toContain(
      'id="serviceStartDate" name="serviceStartDate-day" type="text" inputmode="numeric" value="31"',
    );
    expect(bad.text).toContain('name="serviceStartDate-month" type="text" inputmode="numeric" value="2"');
    const good = await agent
      .post('/people/new')
      .type('form')
      .send({ ...fields, 'serviceStartDate-day': '1', 'serviceStartDate-month': '9', 'serviceStartDate-year': '2015' });
    expect(good.status).toBe(303);
    const row = await t.database.db('people').where({ staff_number: 'DATE-1' }).first();
    expect(row.service_start_date).toBe('2015-09-01');
    const shown = await agent.get(good.headers.location as string);
    expect(shown.text).toContain('nhsuk-notification-banner--success');
    expect(shown.text).toContain('Dafydd Dyddiad has been added');
    // Shown once: the next page has no banner.
    expect((await agent.get(good.headers.location as string)).text).not.toContain('nhsuk-notification-banner');
  });

  it('when a report filter’s date is typed as parts, then the report is for that day', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const res = await agent.get('/reports/attendance/weekly?asOf-day=2&asOf-month=11&asOf-year=2026');
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="asOf-day" type="text" inputmode="numeric" value="2"');
    const nonsense = await agent.get('/reports/attendance/weekly?asOf-day=40&asOf-month=11&asOf-year=2026');
    expect(nonsense.status).toBe(422);
  });
});
