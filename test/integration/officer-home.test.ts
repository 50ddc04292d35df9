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

/** Issue 15 §8: the officer's home page counts what waits for them, with a link to each, in English and Welsh. */
describe('the officer’s home page', () => {
  let t: TestPlatform;
  let w: World;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-12-01T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  const askForConsent = async (description: string) => {
    const res = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/consents`)
      .set({ Authorization: `Bearer ${w.tokens.clinician}` })
      .send({ kind: 'oh-report-release', recipientRole: 'line-manager', description, noticeBy: 'letter' });
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };

  it('when nothing waits, then the home page says so; when OH asks for consent twice, then it counts 2 and links each request', async () => {
    const me = await signIn(t, w.users.staff.email);
    const empty = await me.get('/');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('Nothing is waiting for you');

    const first = await askForConsent('Fitness for driving duties');
    await askForConsent('Return to full duties');
    const home = await me.get('/');
    expect(home.text).toContain('2 things are waiting for you');
    expect(home.text).toContain(`href="/me/consents/${first}"`);
    expect(home.text).toContain('Decide on a request for your consent: Occupational health report');
    expect(home.text).toContain('Fitness for driving duties');
    expect(home.text).not.toMatch(/oh-report-release|awaiting-triage|consent-decision/);

    // Someone else's home page shows none of it (their own records only).
    const manager = await signIn(t, w.users.lineManager.email);
    const theirs = await manager.get('/');
    expect(theirs.text).not.toContain('Fitness for driving duties');
    expect(theirs.text).not.toContain('waiting for you');

    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/' });
    const cy = await me.get('/');
    expect(cy.text).toContain('<html lang="cy">');
    expect(cy.text).toContain('Mae 2 beth yn aros amdanoch chi');
    expect(cy.text).toContain('Penderfynu ar gais am eich cydsyniad');
  });

  it('when an officer refers themselves for their mental health, then the form and their copy signpost urgent help and the response time, and a banner confirms it was sent', async () => {
    const me = await signIn(t, w.users.staff.email);
    const home = await me.get('/');
    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'en', returnTo: '/' });
    const form = await me.get('/me/referrals/new');
    for (const words of [
      'If you need help now',
      'option 2',
      '116 123',
      '999',
      'TRiM',
      'Oscar Kilo',
      'on the working day it arrives',
    ])
      expect(form.text).toContain(words);
    const sent = await me
      .post('/me/referrals/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        concern: 'mental-health',
        description: 'Struggling since a fatal collision',
      });
    expect(sent.status).toBe(303);
    const copy = await me.get(String(sent.headers.location));
    expect(copy.text).toContain('nhsuk-notification-banner--success');
    expect(copy.text).toContain('Referral sent');
    expect(copy.text).toContain('116 123');
    // Not on the copy of a referral about something else.
    const back = await me
      .post('/me/referrals/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        concern: 'musculoskeletal',
        description: 'Knee pain after a fall',
      });
    expect((await me.get(String(back.headers.location))).text).not.toContain('116 123');
    // Shown once.
    expect((await me.get(String(sent.headers.location))).text).not.toContain('nhsuk-notification-banner--success');

    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), lang: 'cy', returnTo: '/' });
    const welsh = await me.get('/me/referrals/new');
    expect(welsh.text).toContain('Os oes angen help arnoch chi nawr');
    expect(welsh.text).toContain('y Samariaid');
  });

  it('when the officer is on the mental health pathway, then their questionnaire waits on the home page and, in Welsh, the pathway and the step are in Welsh with the instrument marked as English only', async () => {
    const enrol = await request(t.app)
      .post('/api/v1/pathways')
      .set({ Authorization: `Bearer ${w.tokens.clinician}` })
      .send({ personId: w.report.id, definition: 'mental-health', startedAt: '2026-12-01T09:00:00Z' });
    expect(enrol.status).toBe(201);
    const pathwayId = (enrol.body as { id: string }).id;
    const me = await signIn(t, w.users.staff.email);
    let home = await me.get('/');
    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'en', returnTo: '/' });
    home = await me.get('/');
    expect(home.text).toContain('Nine questions about how you have been feeling over the last two weeks.');
    const link = new RegExp(`href="(/pathways/${pathwayId}/steps/[^"]+)"`).exec(home.text)?.[1];
    expect(link).toBeDefined();

    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/' });
    home = await me.get('/');
    expect(home.text).toContain('Naw cwestiwn am sut rydych chi wedi bod yn teimlo dros y pythefnos diwethaf.');
    expect(home.text).toContain('Llwybr iechyd meddwl a thrawma');
    const step = await me.get(link!);
    expect(step.status).toBe(200);
    expect(step.text).toMatch(/<h1[^>]*>(Naw|Saith) cwestiwn/);
    expect(step.text).toContain('Does dim fersiwn Gymraeg swyddogol eto');
    const pathway = await me.get(`/pathways/${pathwayId}`);
    expect(pathway.text).toContain('Llwybr iechyd meddwl a thrawma');
    expect(pathway.text).toContain('Saith cwestiwn am boeni a gorbryder');
    expect(pathway.text).not.toContain('Mental health and trauma pathway');
    // Every mental-health page the person reads says where urgent help is: the pathway and its steps.
    for (const page of [step, pathway]) {
      expect(page.text).toContain('id="urgent-help"');
      expect(page.text).toContain('116 123');
    }
  });

  it('when the officer is on the MSK pathway, then its pages carry no mental-health signposting', async () => {
    const enrol = await request(t.app)
      .post('/api/v1/pathways')
      .set({ Authorization: `Bearer ${w.tokens.clinician}` })
      .send({ personId: w.report.id, definition: 'msk', startedAt: '2026-12-01T09:00:00Z' });
    expect(enrol.status).toBe(201);
    const me = await signIn(t, w.users.staff.email);
    const pathway = await me.get(`/pathways/${(enrol.body as { id: string }).id}`);
    expect(pathway.status).toBe(200);
    expect(pathway.text).not.toContain('id="urgent-help"');
  });
});
