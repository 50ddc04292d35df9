import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, createTestPlatform, type TestPlatform, type World } from '../support/test-platform.js';
import { addPeopleWithEmail, answer, hseAnswers, tokensFromEmails } from './survey-support.js';

/** Surveys over the API (issue 17 §9), on a fixed clock: launch, answer once, resume, results with suppression. */
describe('needs-assessment surveys API (issue 17)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const launch = (body: Record<string, unknown>, who: keyof World['tokens'] = 'ohAdmin') =>
    request(t.app)
      .post('/api/v1/campaigns')
      .set(as(who))
      .send({
        questionnaireId: 'hse-indicator-tool',
        title: 'Stress risk assessment',
        opensOn: t.clock.today(),
        closesOn: '2026-12-18',
        ...body,
      });

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('lists the questionnaires and returns each as a FHIR Questionnaire', async () => {
    const list = await request(t.app).get('/api/v1/questionnaires').set(as('staff'));
    expect(list.status).toBe(200);
    expect(list.body.map((q: { id: string }) => q.id).sort()).toEqual([
      'community-needs-assessment',
      'hse-indicator-tool',
      'psychological-risk-assessment',
    ]);
    const hse = await request(t.app).get('/api/v1/questionnaires/hse-indicator-tool').set(as('staff'));
    expect(hse.status).toBe(200);
    expect(hse.type).toBe('application/fhir+json');
    const body = JSON.parse(hse.text) as { resourceType: string; item: Array<{ item: unknown[] }> };
    expect(body.resourceType).toBe('Questionnaire');
    expect((await request(t.app).get('/api/v1/questionnaires/nope').set(as('staff'))).status).toBe(404);
  });

  it('when the population is smaller than the threshold, then the campaign is refused in words (CONF-5)', async () => {
    const res = await launch({ population: { kind: 'team', ref: w.manager.id }, breakdown: 'none' });
    expect(res.status).toBe(422);
    expect(res.body.error.fields.population).toContain('Fewer than 10 people');
  });

  it('when a line manager who facilitates nothing launches, then it is refused; appointed for the unit, they may', async () => {
    const team = await addPeopleWithEmail(t, w, 11, w.unit.id);
    expect(team.people).toHaveLength(11);
    const refused = await launch({ population: { kind: 'unit', ref: w.unit.id }, breakdown: 'none' }, 'lineManager');
    expect(refused.status).toBe(403);
    await t.platform.services.surveys.appointFacilitator(
      { actor: { ...ohAdminActor(), userId: w.users.ohAdmin.id }, requestId: 't', ip: null },
      w.users.lineManager.id,
      w.unit.id,
    );
    const confidential = await launch(
      { population: { kind: 'unit', ref: w.unit.id }, breakdown: 'none', mode: 'confidential' },
      'lineManager',
    );
    expect(confidential.status).toBe(403);
    const ok = await launch({ population: { kind: 'unit', ref: w.unit.id }, breakdown: 'none' }, 'lineManager');
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ invited: 15, responses: 0, status: 'open', responseRateBand: 'below-adequate' });
    // The facilitator reaches their own campaign; HR, who facilitates nothing, does not.
    expect((await request(t.app).get(`/api/v1/campaigns/${ok.body.id}`).set(as('lineManager'))).status).toBe(200);
    expect((await request(t.app).get(`/api/v1/campaigns/${ok.body.id}`).set(as('hr'))).status).toBe(404);
  });

  it('when dates are in the past or out of order, then each is named', async () => {
    const res = await launch({
      population: { kind: 'organisation', ref: w.host.id },
      opensOn: '2026-11-01',
      closesOn: '2026-10-01',
    });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.error.fields)).toContain('opensOn');
  });

  describe('answering', () => {
    let campaignId: string;
    let tokens: string[];
    beforeAll(async () => {
      const { people } = await addPeopleWithEmail(t, w, 12);
      const res = await launch({ population: { kind: 'unit', ref: people[0]!.unitId! }, breakdown: 'none' });
      expect(res.status).toBe(201);
      campaignId = res.body.id;
      tokens = (await tokensFromEmails(t, people)).map((i) => i.token);
    });

    it('when a half-finished response is started again with its token, then it resumes with its answers', async () => {
      const first = await request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[0] });
      expect(first.status).toBe(201);
      const key = { 'X-Response-Key': first.body.responseKey };
      const saved = await request(t.app)
        .put(`/api/v1/responses/${first.body.id}/answers`)
        .set(key)
        .send({
          answers: { 'hse-1': '5', 'hse-2': '4', 'hse-3': '3', 'hse-4': '2', 'hse-5': '1', 'hse-6': '2', 'hse-7': '3' },
        });
      expect(saved.status).toBe(200);
      expect(saved.body.nextPage).toBe(1);
      const again = await request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[0] });
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect(again.body.answers['hse-1']).toBe('5');
      expect(again.body.nextPage).toBe(1);
    });

    it('when an answer is not one the question takes, then it is refused naming the question, and nothing is lost', async () => {
      const start = await request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[0] });
      const key = { 'X-Response-Key': start.body.responseKey };
      const bad = await request(t.app)
        .put(`/api/v1/responses/${start.body.id}/answers`)
        .set(key)
        .send({ answers: { 'hse-1': '9', nonsense: 'x' } });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['hse-1', 'nonsense']);
      const state = await request(t.app).get(`/api/v1/responses/${start.body.id}`).set(key);
      expect(state.body.answers['hse-1']).toBe('5');
      // Without the key, or with another, there is nothing to find.
      expect((await request(t.app).get(`/api/v1/responses/${start.body.id}`)).status).toBe(404);
      expect(
        (await request(t.app).get(`/api/v1/responses/${start.body.id}`).set({ 'X-Response-Key': tokens[1]! })).status,
      ).toBe(404);
    });

    it('when submitted with questions unanswered, then they are named; complete, it is accepted once', async () => {
      const start = await request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[0] });
      const key = { 'X-Response-Key': start.body.responseKey };
      const early = await request(t.app).post(`/api/v1/responses/${start.body.id}/submit`).set(key);
      expect(early.status).toBe(422);
      expect(Object.keys(early.body.error.fields)).toContain('hse-35');
      await request(t.app)
        .put(`/api/v1/responses/${start.body.id}/answers`)
        .set(key)
        .send({ answers: hseAnswers(3) });
      const sent = await request(t.app).post(`/api/v1/responses/${start.body.id}/submit`).set(key);
      expect(sent.status).toBe(200);
      expect(sent.body).toEqual({ submitted: true, submittedOn: t.clock.today() });
      const twice = await request(t.app).post(`/api/v1/responses/${start.body.id}/submit`).set(key);
      expect(twice.status).toBe(409);
      expect(twice.body.error.code).toBe('response-submitted');
      const reused = await request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[0] });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('invitation-used');
      expect(reused.body.error.message).toContain('already been used');
    });

    it('when a client sends every answer with submit in one call, then it is recorded; incomplete, nothing is used', async () => {
      const incomplete = await request(t.app)
        .post('/api/v1/responses')
        .send({ invitationToken: tokens[11], answers: { 'hse-1': '3' }, submit: true });
      expect(incomplete.status).toBe(422);
      expect(Object.keys(incomplete.body.error.fields)).toContain('hse-2');
      const done = await request(t.app)
        .post('/api/v1/responses')
        .send({ invitationToken: tokens[11], answers: hseAnswers(3), submit: true });
      expect(done.status).toBe(201);
      expect(done.body).toEqual({ submitted: true, submittedOn: t.clock.today() });
      const again = await request(t.app)
        .post('/api/v1/responses')
        .send({ invitationToken: tokens[11], answers: hseAnswers(3), submit: true });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('invitation-used');
    });

    it('when the same token starts twice at once, then there is one response in progress and nothing fails', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => request(t.app).post('/api/v1/responses').send({ invitationToken: tokens[1] })),
      );
      expect(results.map((r) => r.status).every((s) => s === 201)).toBe(true);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });

    it('when many submit at once, then none fails and each is counted once', async () => {
      const statuses = await Promise.all(tokens.slice(2, 9).map((tk) => answer(t, tk, hseAnswers(4))));
      expect(statuses).toHaveLength(7);
      const c = await request(t.app).get(`/api/v1/campaigns/${campaignId}`).set(as('ohAdmin'));
      expect(c.body.responses).toBe(9);
    });

    it('when 9 have answered, then every figure is suppressed; at 10, figures are shown (CONF-5)', async () => {
      // Nine so far: tokens 0, 2–8 and 11.
      const nine = await request(t.app).get(`/api/v1/campaigns/${campaignId}/results`).set(as('ohAdmin'));
      expect(nine.status).toBe(200);
      const demands = (body: { figures: Array<{ code: string; value: number | null; suppressed: boolean }> }) =>
        body.figures.find((f) => f.code === 'hse.demands.mean')!;
      // Nine answers are never shown: they wait, sealed, until a tenth lets them be published together.
      expect(demands(nine.body).value).toBeNull();
      expect(nine.body.comments).toBeNull();
      await answer(t, tokens[10]!, hseAnswers(5, 'More breaks would help'));
      const ten = await request(t.app).get(`/api/v1/campaigns/${campaignId}/results`).set(as('ohAdmin'));
      expect(ten.body.responses).toMatchObject({ value: 10, n: 10, suppressed: false });
      expect(demands(ten.body).suppressed).toBe(false);
      expect(demands(ten.body).value).toBeGreaterThan(1);
      expect(ten.body.comments).toEqual(['More breaks would help']);
      // NA-5: raw means and no colour band until a benchmark is configured.
      const demandsDomain = (body: { hse: { domains: Array<{ domain: string; band: string | null }> } }) =>
        body.hse.domains.find((d) => d.domain === 'demands')!;
      expect(demandsDomain(ten.body).band).toBeNull();
    });

    it('when the organisation configures an HSE benchmark, then each domain mean carries its colour band (NA-5)', async () => {
      const published = await request(t.app)
        .post('/api/v1/policies/surveys/versions')
        .set(as('ohAdmin'))
        .send({
          organisationId: w.host.id,
          effectiveFrom: t.clock.today(),
          content: {
            reminderDaysBeforeClose: 7,
            hseBenchmark: { demands: { p20: 3.0, p50: 3.4, p80: 3.8 }, control: { p20: 3.2, p50: 3.5, p80: 3.9 } },
          },
        });
      expect(published.status).toBe(201);
      const res = await request(t.app).get(`/api/v1/campaigns/${campaignId}/results`).set(as('ohAdmin'));
      const domain = (name: string) =>
        (res.body.hse.domains as Array<{ domain: string; mean: { value: number }; band: string | null }>).find(
          (d) => d.domain === name,
        )!;
      const demands = domain('demands');
      const expected =
        demands.mean.value < 3.0
          ? 'red'
          : demands.mean.value < 3.4
            ? 'yellow'
            : demands.mean.value < 3.8
              ? 'aqua'
              : 'green';
      expect(demands.band).toBe(expected);
      expect(domain('role').band).toBeNull(); // no benchmark for this domain
    });
  });

  it('when an action is recorded for someone, then it is on their worklist and they may read the results it came from (NA-7)', async () => {
    const { unitId } = await addPeopleWithEmail(t, w, 10);
    const launched = await launch({ population: { kind: 'unit', ref: unitId }, breakdown: 'none' });
    const campaignId = launched.body.id as string;
    expect((await request(t.app).get(`/api/v1/campaigns/${campaignId}`).set(as('lineManager'))).status).toBe(404);
    // Actions go on worklists: someone without one (a member of staff) cannot own one.
    const refused = await request(t.app)
      .post(`/api/v1/campaigns/${campaignId}/actions`)
      .set(as('ohAdmin'))
      .send({ topic: 'demands', description: 'Rota review', ownerPersonId: w.report.id, dueOn: '2027-01-15' });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.error.fields)).toEqual(['ownerPersonId']);
    const action = await request(t.app).post(`/api/v1/campaigns/${campaignId}/actions`).set(as('ohAdmin')).send({
      topic: 'demands',
      description: 'Agree a rota with fewer back-to-back shifts',
      ownerPersonId: w.manager.id,
      dueOn: '2027-01-15',
    });
    expect(action.status).toBe(201);
    const worklist = await request(t.app).get('/api/v1/worklist').set(as('lineManager'));
    expect(worklist.status).toBe(200);
    const tasks = worklist.body.items as Array<{ code: string; sourceId: string }>;
    expect(tasks.some((task) => task.code === 'survey-action' && task.sourceId === action.body.id)).toBe(true);
    expect((await request(t.app).get(`/api/v1/campaigns/${campaignId}`).set(as('lineManager'))).status).toBe(200);
    const plan = await request(t.app).get(`/api/v1/campaigns/${campaignId}/actions`).set(as('lineManager'));
    expect(plan.body.actions.map((a: { id: string }) => a.id)).toContain(action.body.id);
  });

  describe('groups and differencing (CONF-5)', () => {
    let campaignId: string;
    beforeAll(async () => {
      const a = await addPeopleWithEmail(t, w, 12);
      const b = await addPeopleWithEmail(t, w, 12, undefined);
      // Both units under one parent, so the campaign to the parent breaks down by unit.
      const parent = a.unitId;
      await t.database.db('units').where('id', b.unitId).update({ parent_unit_id: parent });
      const res = await launch({ population: { kind: 'unit', ref: parent }, breakdown: 'unit' });
      expect(res.status).toBe(201);
      expect(res.body.groups.map((g: { invited: number }) => g.invited)).toEqual([12, 12]);
      campaignId = res.body.id;
      const invitedA = await tokensFromEmails(t, a.people);
      const invitedB = await tokensFromEmails(t, b.people);
      for (const i of invitedA.slice(0, 10)) await answer(t, i.token, hseAnswers(4));
      for (const i of invitedB.slice(0, 9)) await answer(t, i.token, hseAnswers(2));
      t.clock.set('2026-12-19T09:00:00Z');
    });
    afterAll(() => t.clock.set('2026-11-22T09:00:00Z'));

    it('when one group has 9 answers, then the other is hidden too, so the total minus it reveals nothing', async () => {
      const res = await request(t.app).get(`/api/v1/campaigns/${campaignId}/results`).set(as('ohAdmin'));
      expect(res.status).toBe(200);
      expect(res.body.responses.value).toBe(19);
      for (const g of res.body.groups) expect(g.responses.suppressed).toBe(true);
      const demands = res.body.hse.domains.find((d: { domain: string }) => d.domain === 'demands');
      expect(demands.mean.suppressed).toBe(false);
      for (const g of demands.byGroup) expect(g.mean).toMatchObject({ value: null, suppressed: true });
    });

    it('when a filter would differ from everyone by fewer than 10, then it is refused, in words', async () => {
      const c = await request(t.app).get(`/api/v1/campaigns/${campaignId}`).set(as('ohAdmin'));
      for (const g of c.body.groups) {
        const res = await request(t.app)
          .get(`/api/v1/campaigns/${campaignId}/results?group=${g.key}`)
          .set(as('ohAdmin'));
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('group-too-small');
      }
    });
  });

  it('every survey route is in the OpenAPI document', async () => {
    const doc = await request(t.app).get('/api/v1/openapi.json');
    const paths = Object.keys(doc.body.paths ?? {});
    for (const p of [
      '/api/v1/questionnaires',
      '/api/v1/campaigns',
      '/api/v1/responses',
      '/api/v1/responses/{id}/answers',
      '/api/v1/responses/{id}/submit',
      '/api/v1/campaigns/{id}/results',
    ])
      expect(paths).toContain(p);
  });
});

function ohAdminActor() {
  return {
    userId: '',
    displayName: 'OH admin',
    email: 'ohadmin@test.example',
    organisationId: '',
    personId: null,
    roles: ['oh-administrator' as const],
    role: 'oh-administrator' as const,
    via: 'token' as const,
    locale: 'en' as const,
  };
}
