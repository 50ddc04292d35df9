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
});
