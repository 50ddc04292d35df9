import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** The form's own values as posted back: every input of the page with its value. */
function inputsOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

describe('policy pages: the attendance policy as data HR and OH administrators edit (issue 3)', () => {
  let t: TestPlatform;
  let w: World;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-20T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when HR opens the attendance policy, then the seed’s values are shown as the defaults in force', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/admin/policies/attendance');
    expect(page.status).toBe(200);
    expect(page.text).toContain('The platform&#x27;s default values are in force');
    const inputs = inputsOf(page.text);
    expect(inputs).toMatchObject({
      bradfordThreshold: '200',
      'milestones.callOnDay': '4',
      'formalProcedure.meetingNoticeWorkingDays': '5',
      'sickPay.scale.5.fullPayDays': '180',
      'sickPay.scale.6.fullPayDays': '',
    });
  });

  it('when a value is out of range, then the form comes back with the field named and the values kept; when valid, a version is published and used', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/admin/policies/attendance');
    const inputs = { ...inputsOf(page.text), _csrf: csrfFrom(page.text) };
    const bad = await agent
      .post('/admin/policies/attendance')
      .type('form')
      .send({ ...inputs, bradfordThreshold: '250', 'milestones.callOnDay': 'four', effectiveFrom: '2026-11-21' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#milestones-callOnDay"');
    expect(bad.text).toMatch(/id="bradfordThreshold"[^>]*value="250"/);
    const ok = await agent
      .post('/admin/policies/attendance')
      .type('form')
      .send({ ...inputs, bradfordThreshold: '250', effectiveFrom: '2026-11-21', note: 'Raised after consultation' });
    expect(ok.status).toBe(303);
    const after = await agent.get('/admin/policies/attendance');
    expect(after.text).toContain('Raised after consultation');
    const version = await request(t.app)
      .get('/api/v1/policies/attendance?asOf=2026-11-21')
      .set({ Authorization: `Bearer ${w.tokens.hr}` });
    expect(version.body).toMatchObject({
      version: 1,
      effectiveFrom: '2026-11-21',
      content: { bradfordThreshold: 250, milestones: { callOnDay: 4 } },
    });
    expect(version.body.content.sickPay.scale).toHaveLength(6);
    expect(
      await t.database.db('audit_events').where({ entity_type: 'policy', action: 'create' }).first(),
    ).toBeDefined();
  });

  it('when the sick pay scale is edited out of order, then it is refused; a line manager cannot open the page at all', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/admin/policies/attendance');
    const inputs = { ...inputsOf(page.text), _csrf: csrfFrom(page.text) };
    const bad = await agent
      .post('/admin/policies/attendance')
      .type('form')
      .send({ ...inputs, 'sickPay.scale.1.serviceFromMonths': '0', effectiveFrom: '2026-12-01' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Rows go up in months of service');
    // A rule about a pair of fields is shown on the first of them.
    const upsideDown = await agent
      .post('/admin/policies/attendance')
      .type('form')
      .send({
        ...inputs,
        'formalProcedure.stage1ReviewMonths.min': '4',
        'formalProcedure.stage1ReviewMonths.max': '2',
        effectiveFrom: '2026-12-01',
      });
    expect(upsideDown.status).toBe(422);
    expect(upsideDown.text).toContain('href="#formalProcedure-stage1ReviewMonths-min"');
    expect(upsideDown.text).toMatch(/id="formalProcedure-stage1ReviewMonths-min-error"/);
    expect((await (await signIn(t, w.users.lineManager.email)).get('/admin/policies/attendance')).status).toBe(403);
  });

  it('when the surveys policy gets an HSE benchmark for two domains, then it is kept, and a later edit keeps it (NA-5)', async () => {
    const agent = await signIn(t, w.users.hr.email);
    const page = await agent.get('/admin/policies/surveys');
    expect(page.status).toBe(200);
    const inputs: Record<string, string> = { ...inputsOf(page.text), _csrf: csrfFrom(page.text) };
    expect(inputs['hseBenchmark.demands.p20']).toBe('');
    const ok = await agent
      .post('/admin/policies/surveys')
      .type('form')
      .send({
        ...inputs,
        'hseBenchmark.demands.p20': '3.1',
        'hseBenchmark.demands.p50': '3.5',
        'hseBenchmark.demands.p80': '3.9',
        'hseBenchmark.role.p20': '3.8',
        'hseBenchmark.role.p50': '4.1',
        'hseBenchmark.role.p80': '4.4',
        effectiveFrom: '2026-11-21',
      });
    expect(ok.status).toBe(303);
    const inForce = async () => (await t.platform.services.policy.inForce(w.host.id, 'surveys', '2026-11-25')).content;
    expect((await inForce()).hseBenchmark).toEqual({
      demands: { p20: 3.1, p50: 3.5, p80: 3.9 },
      role: { p20: 3.8, p50: 4.1, p80: 4.4 },
    });
    // The next day, changing only the reminder days from the form as shown keeps the benchmark.
    t.clock.set('2026-11-21T10:00:00Z');
    const again = await agent.get('/admin/policies/surveys?organisationId=' + w.host.id);
    const shown: Record<string, string> = { ...inputsOf(again.text), _csrf: csrfFrom(again.text) };
    expect(shown['hseBenchmark.role.p80']).toBe('4.4');
    const edited = await agent
      .post('/admin/policies/surveys')
      .type('form')
      .send({ ...shown, reminderDaysBeforeClose: '5', effectiveFrom: '2026-11-22' });
    expect(edited.status).toBe(303);
    expect(await inForce()).toMatchObject({ reminderDaysBeforeClose: 5, hseBenchmark: { role: { p80: 4.4 } } });
  });

  it('when a partner agency’s HR asks for the host force’s policy, then 404', async () => {
    const agent = await signIn(t, w.users.partnerHr.email);
    expect((await agent.get(`/admin/policies/attendance?organisationId=${w.host.id}`)).status).toBe(404);
  });
});
