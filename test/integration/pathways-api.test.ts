import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

interface StepJson {
  id: string;
  code: string;
  title: string;
  status: string;
  dueFrom: string | null;
  dueBy: string | null;
  escalationLevel?: number;
}

/** Each pathway end to end over the API with a fixed clock (issue 4, acceptance). */
describe('pathways API (issue 4)', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const steps = (body: { steps: StepJson[] }) => Object.fromEntries(body.steps.map((s) => [s.code, s]));
  const get = async (id: string, u: keyof World['tokens'] = 'clinician') =>
    (await request(t.app).get(`/api/v1/pathways/${id}`).set(as(u))).body;
  const complete = (id: string, step: string, body: object, u: keyof World['tokens'] = 'clinician') =>
    request(t.app).post(`/api/v1/pathways/${id}/steps/${step}/complete`).set(as(u)).send(body);
  const sweep = () => t.platform.services.pathways.sweep(t.clock.now());

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-02T09:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  describe('MSK', () => {
    let id: string;

    it('when a clinician enrols a person, then 201 with the steps and due windows from the definition’s offsets', async () => {
      const res = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.report.id, definition: 'msk', startedAt: '2026-11-02T09:00:00Z' });
      expect(res.status).toBe(201);
      id = res.body.id;
      expect(res.body.definition).toEqual({ code: 'msk', version: 1, title: 'Musculoskeletal (MSK) pathway' });
      const s = steps(res.body);
      expect(s.triage).toMatchObject({
        status: 'open',
        dueFrom: '2026-11-02T09:00:00.000Z',
        dueBy: '2026-11-07T09:00:00.000Z',
      });
      expect(s.startback).toMatchObject({ status: 'waiting', dueFrom: null, dueBy: null });
      expect(s.review!.status).toBe('waiting');
      expect(
        (
          await request(t.app)
            .post('/api/v1/pathways')
            .set(as('clinician'))
            .send({ personId: w.report.id, definition: 'msk', startedAt: '2026-11-02' })
        ).body.error.code,
      ).toBe('already-on-pathway');
    });

    it('when two enrolments for the same person and pathway arrive at once, then one is made and the other refused with 409', async () => {
      const p = buildPerson(w.host.id, { unitId: w.unit.id, lineManagerId: w.manager.id });
      await t.platform.repositories.people.insertPeople([p], t.clock.now());
      const send = () =>
        request(t.app)
          .post('/api/v1/pathways')
          .set(as('clinician'))
          .send({ personId: p.id, definition: 'retirement', startedAt: '2026-11-02' });
      const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409]);
      // Concurrent changes to one pathway are each applied or refused with a code, never a 500.
      const id = (await request(t.app).get(`/api/v1/people/${p.id}/pathways`).set(as('clinician'))).body.items[0].id;
      const advice = (fitness: string) =>
        request(t.app).post(`/api/v1/pathways/${id}/advice`).set(as('clinician')).send({ fitness });
      const results = await Promise.all([
        advice('fit'),
        advice('unfit'),
        advice('adjusted-duties'),
        request(t.app).post(`/api/v1/pathways/${id}/pause`).set(as('clinician')).send({ reason: 'Leave' }),
      ]);
      expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    });

    it('when a step is reassigned, then only to an active OH clinician or an OH queue, and a lead clinician must be one', async () => {
      const enrol = await request(t.app).post('/api/v1/pathways').set(as('clinician')).send({
        personId: w.outsider.id,
        definition: 'msk',
        startedAt: '2026-11-02',
        leadClinicianUserId: w.users.lineManager.id,
      });
      expect(enrol.status).toBe(422);
      expect(enrol.body.error.fields).toHaveProperty('leadClinicianUserId');
      expect(
        (
          await request(t.app).post('/api/v1/pathways').set(as('clinician')).send({
            personId: w.outsider.id,
            definition: 'msk',
            startedAt: '2026-11-02',
            leadClinicianUserId: '00000000-0000-4000-8000-000000000000',
          })
        ).status,
      ).toBe(422);
      const ok = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.outsider.id, definition: 'msk', startedAt: '2026-11-02' });
      const reassign = (body: object) =>
        request(t.app)
          .post(`/api/v1/pathways/${ok.body.id}/steps/triage/reassign`)
          .set(as('clinician'))
          .send({ reason: 'Cover', ...body });
      expect((await reassign({ userId: w.users.lineManager.id })).status).toBe(422);
      expect((await reassign({ role: 'hr-manager' })).status).toBe(422);
      const moved = await reassign({ role: 'oh-clinician' });
      expect(moved.status).toBe(200);
      expect(steps(moved.body).triage).toMatchObject({ assignee: { role: 'oh-clinician' } });
      expect(
        (
          await request(t.app)
            .post(`/api/v1/pathways/${ok.body.id}/steps/duties-plan/reassign`)
            .set(as('clinician'))
            .send({ reason: 'x', role: 'oh-clinician' })
        ).status,
      ).toBe(422);
      await request(t.app)
        .post(`/api/v1/pathways/${ok.body.id}/close`)
        .set(as('clinician'))
        .send({ outcome: 'entered-in-error' });
    });

    it('when dates are far outside any working life, then they are refused', async () => {
      const res = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.outsider.id, definition: 'dental', startedAt: '0001-01-01' });
      expect(res.status).toBe(422);
      expect((await request(t.app).get('/api/v1/worklist?asOf=9999-12-31').set(as('clinician'))).status).toBe(422);
    });

    it('when input is bad, the pathway is not available or the person unknown, then a clear error and nothing is created', async () => {
      const bad = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.report.id, definition: 'knees', startedAt: 'soon' });
      expect(bad.status).toBe(422);
      expect(Object.keys(bad.body.error.fields).sort()).toEqual(['definition', 'startedAt']);
      // Issue 16: a BBV exposure starts with its incident; without the incident's facts the fields are named.
      const bbv = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: w.report.id, definition: 'bbv', startedAt: '2026-11-02' });
      expect(bbv.status).toBe(422);
      expect(bbv.body.error.code).not.toBe('definition-unavailable');
      expect(Object.keys(bbv.body.error.fields).sort()).toEqual(['exposureType', 'sourceKnown']);
      expect(
        (
          await request(t.app)
            .post('/api/v1/pathways')
            .set(as('clinician'))
            .send({ personId: '00000000-0000-4000-8000-000000000000', definition: 'dental', startedAt: '2026-11-02' })
        ).status,
      ).toBe(404);
      expect(
        (
          await request(t.app)
            .post('/api/v1/pathways')
            .set(as('lineManager'))
            .send({ personId: w.report.id, definition: 'dental', startedAt: '2026-11-02' })
        ).status,
      ).toBe(403);
    });

    it('when the triage form is incomplete, then 422 names each question; a waiting step cannot be completed', async () => {
      const res = await complete(id, 'triage', { answers: { backPain: 'yes' } });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.error.fields).sort()).toEqual(['bodySite', 'onDuty', 'redFlags']);
      expect((await complete(id, 'startback', { answers: {} })).body.error.code).toBe('step-not-open');
    });

    it('when triage records back pain, then STarT Back opens from the triage and the general assessment does not apply', async () => {
      t.clock.set('2026-11-03T10:00:00Z');
      const res = await complete(id, 'triage', {
        answers: { backPain: true, bodySite: 'lower-back', onDuty: false, redFlags: false },
      });
      expect(res.status).toBe(200);
      const s = steps(res.body);
      expect(s.triage!.status).toBe('completed');
      expect(s.startback).toMatchObject({
        status: 'open',
        dueFrom: '2026-11-03T10:00:00.000Z',
        dueBy: '2026-11-05T10:00:00.000Z',
      });
      expect(s['msk-assessment']!.status).toBe('not-applicable');
      expect(s['duties-plan']).toMatchObject({
        status: 'open',
        dueFrom: '2026-11-05T10:00:00.000Z',
        dueBy: '2026-11-13T10:00:00.000Z',
      });
    });

    it('when STarT Back scores high risk, then psychologically informed care is added and the physiotherapy decision opens', async () => {
      const answers: Record<string, string> = { 'startback-9': 'very-much' };
      for (let i = 1; i <= 8; i++) answers[`startback-${i}`] = i >= 5 ? 'agree' : 'disagree';
      const res = await complete(id, 'startback', { answers });
      const s = steps(res.body);
      expect(s['psychologically-informed-care']!.status).toBe('open');
      expect(s['physio-route']!.status).toBe('open');
      expect(res.body.facts).toMatchObject({ startBackTotal: 5, startBackPsychosocial: 5, startBackRisk: 'high' });
    });

    it('when NHS physiotherapy is chosen, then only that referral step applies, and doing it asks for a referral awaiting consent', async () => {
      t.clock.set('2026-11-04T09:00:00Z');
      const s = steps(
        (
          await complete(id, 'physio-route', {
            answers: { physioProvider: 'nhs', priority: 'routine', referralReason: 'Acute low back pain' },
          })
        ).body,
      );
      expect([s['physio-in-house']!.status, s['physio-external']!.status, s['physio-nhs']!.status]).toEqual([
        'not-applicable',
        'not-applicable',
        'open',
      ]);
      expect(s.review).toMatchObject({
        status: 'open',
        dueFrom: '2026-12-09T09:00:00.000Z',
        dueBy: '2026-12-23T09:00:00.000Z',
      });
      expect((await complete(id, 'physio-nhs', {})).body.error.fields).toHaveProperty('note');
      expect((await complete(id, 'physio-nhs', { note: 'Referral form completed with the officer' })).status).toBe(200);
      const referrals = await t.database.db('pathway_referrals').where({ pathway_id: id });
      expect(referrals.map((r) => [r.service_type, r.kind, r.status])).toEqual([
        ['nhs-msk-physiotherapy', 'step', 'awaiting-consent'],
      ]);
    });

    it('when the pathway is paused for 10 days and resumed, then the remaining due dates move on by 10 days and nothing can be done while paused', async () => {
      t.clock.set('2026-11-05T09:00:00Z');
      const paused = await request(t.app)
        .post(`/api/v1/pathways/${id}/pause`)
        .set(as('clinician'))
        .send({ reason: 'Admitted to hospital' });
      expect(paused.body.status).toBe('paused');
      expect(steps(paused.body).review!.status).toBe('held');
      expect((await complete(id, 'review', { answers: {} })).body.error.code).toBe('pathway-paused');
      t.clock.set('2026-11-15T09:00:00Z');
      const resumed = await request(t.app).post(`/api/v1/pathways/${id}/resume`).set(as('clinician')).send({});
      const s = steps(resumed.body);
      expect(s.review).toMatchObject({
        status: 'open',
        dueFrom: '2026-12-19T09:00:00.000Z',
        dueBy: '2027-01-02T09:00:00.000Z',
      });
      expect(s['duties-plan']).toMatchObject({ dueBy: '2026-11-23T10:00:00.000Z' });
      expect(
        (await request(t.app).post(`/api/v1/pathways/${id}/resume`).set(as('clinician')).send({})).body.error.code,
      ).toBe('pathway-not-paused');
    });

    it('when the manager’s step is overdue by the escalation period, then the sweep moves it up (to HR, the manager having nobody above) once', async () => {
      t.clock.set('2026-11-28T10:00:01Z'); // duties plan due by 23 Nov, plus 5 days
      const fired = await sweep();
      expect(fired.escalate).toBeGreaterThanOrEqual(1);
      const hr = (await request(t.app).get('/api/v1/worklist?asOf=2026-11-28').set(as('hr'))).body;
      expect(
        hr.steps.map((s: { code: string; state: string; escalationLevel: number }) => [
          s.code,
          s.state,
          s.escalationLevel,
        ]),
      ).toEqual([['duties-plan', 'overdue', 1]]);
      expect((await request(t.app).get('/api/v1/worklist').set(as('lineManager'))).body.steps).toEqual([]);
      expect(hr.steps.every((s: { pathway: string | null }) => s.pathway === null)).toBe(true);
      expect((await sweep()).escalate).toBe(0);
      const history = (await request(t.app).get(`/api/v1/pathways/${id}/history`).set(as('clinician'))).body
        .items as Array<{ kind: string; reason: string | null; actorRole: string | null }>;
      expect(history.map((e) => e.kind)).toEqual(
        expect.arrayContaining([
          'enrolled',
          'step-completed',
          'paused',
          'resumed',
          'step-due',
          'step-overdue',
          'step-escalated',
        ]),
      );
      expect(history.find((e) => e.kind === 'paused')).toMatchObject({
        reason: 'Admitted to hospital',
        actorRole: 'oh-clinician',
      });
    });

    it('when a line manager or HR reads the pathway, then they see only that OH support is in place and the functional advice (CONF-1)', async () => {
      await request(t.app)
        .post(`/api/v1/pathways/${id}/advice`)
        .set(as('clinician'))
        .send({ fitness: 'adjusted-duties', expectedDuration: 'About 6 weeks', adjustments: 'No lifting over 10 kg' });
      for (const who of ['lineManager', 'hr'] as const) {
        const res = await request(t.app).get(`/api/v1/pathways/${id}`).set(as(who));
        expect(res.status).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual([
          'advice',
          'closedAt',
          'id',
          'kind',
          'personId',
          'startedAt',
          'status',
        ]);
        expect(res.body.advice).toMatchObject({ fitness: 'adjusted-duties', expectedDuration: 'About 6 weeks' });
        expect(JSON.stringify(res.body)).not.toMatch(/msk|musculo|STarT Back|back pain|physio|startBack/i);
      }
      expect((await request(t.app).get(`/api/v1/pathways/${id}`).set(as('partnerHr'))).status).toBe(404);
      expect((await request(t.app).get(`/api/v1/pathways/${id}/history`).set(as('lineManager'))).status).toBe(403);
    });

    it('when the person reads their own pathway, then they see their steps in plain English, not scores or notes', async () => {
      const own = await get(id, 'staff');
      expect(own.facts).toBeUndefined();
      expect(own.steps.find((s: StepJson) => s.code === 'triage').title).toBe(
        'An occupational health nurse or doctor will talk to you about your injury or pain.',
      );
      expect(own.steps.some((s: StepJson) => s.code === 'msk-assessment')).toBe(false);
      expect(JSON.stringify(own)).not.toContain('answers');
    });

    it('when the review discharges, then the closing decision closes the pathway with its outcome and cancels what is left', async () => {
      t.clock.set('2026-12-20T09:00:00Z');
      await complete(id, 'psychologically-informed-care', { note: 'Booked onto the pain programme' });
      await complete(id, 'review', { answers: { mskProgress: 'resolved', mskOutcome: 'discharge' } });
      const closed = await complete(id, 'discharge', {
        answers: { outcome: 'discharged', closeNotes: 'Back to full duties' },
      });
      expect(closed.body).toMatchObject({
        status: 'closed',
        outcome: 'discharged',
        closedAt: '2026-12-20T09:00:00.000Z',
      });
      const s = steps(closed.body);
      expect(s['onward-referral']!.status).toBe('not-applicable');
      expect(s['duties-plan']!.status).toBe('cancelled');
      expect((await complete(id, 'duties-plan', { answers: {} }, 'hr')).body.error.code).toBe('pathway-closed');
    });
  });

  describe('mental health and trauma', () => {
    let id: string;
    const phq9 = (item9: string) =>
      Object.fromEntries([...Array.from({ length: 8 }, (_, i) => [`phq9-${i + 1}`, '1']), ['phq9-9', item9]]);

    it('when enrolled after a traumatic incident, then TRiM planning is due 24–48 hours and the assessment about 72 hours after the incident', async () => {
      t.clock.set('2026-11-02T09:00:00Z');
      const res = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({
          personId: w.report.id,
          definition: 'mental-health',
          startedAt: '2026-11-02T09:00:00Z',
          facts: { incidentAt: '2026-11-01T22:00:00Z' },
        });
      expect(res.status).toBe(201);
      id = res.body.id;
      const s = steps(res.body);
      expect(s['trim-planning']).toMatchObject({
        status: 'open',
        dueFrom: '2026-11-02T22:00:00.000Z',
        dueBy: '2026-11-03T22:00:00.000Z',
      });
      expect(s['trim-assessment']).toMatchObject({
        dueFrom: '2026-11-04T10:00:00.000Z',
        dueBy: '2026-11-05T10:00:00.000Z',
      });
      expect(s.phq9).toMatchObject({ status: 'open', dueBy: '2026-11-09T09:00:00.000Z' });
    });

    it('when the person answers PHQ-9 themselves with item 9 above 0, then an urgent risk review opens for OH and escalates within hours', async () => {
      const res = await complete(id, 'phq9', { answers: phq9('1') }, 'staff');
      expect(res.status).toBe(200);
      const clinician = steps(await get(id));
      expect(clinician['risk-review']).toMatchObject({ status: 'open', dueBy: '2026-11-03T09:00:00.000Z' });
      // Escalation 4 hours after the deadline: the OH clinicians' queue, marked escalated.
      t.clock.set('2026-11-03T13:00:00Z');
      await sweep();
      expect(steps(await get(id))['risk-review']!.escalationLevel).toBe(1);
      const list = (await request(t.app).get('/api/v1/worklist?pathway=mental-health').set(as('clinician'))).body
        .steps as Array<{ code: string; state: string }>;
      expect(list.find((s) => s.code === 'risk-review')).toMatchObject({ state: 'overdue' });
    });

    it('when Talking Therapies is chosen, then the referral carries the venue and confidentiality preferences (CONF-4)', async () => {
      await complete(
        id,
        'gad7',
        { answers: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`gad7-${i + 1}`, '2'])) },
        'staff',
      );
      await complete(id, 'risk-review', {
        answers: {
          riskLevel: 'low',
          safetyPlanAgreed: true,
          urgentReferralMade: false,
          riskNotes: 'Passive thoughts only; safety plan agreed',
        },
      });
      const planned = steps((await complete(id, 'mh-plan', { answers: { mhRoute: 'talking-therapies' } })).body);
      expect([planned['talking-therapies']!.status, planned.counselling!.status]).toEqual(['open', 'not-applicable']);
      await complete(id, 'talking-therapies', {
        answers: {
          venuePreference: 'not-local-nhs-venue',
          confidentialityPreference: 'Do not mention police employment in letters',
          priority: 'routine',
          mhReferralReason: 'GAD-7 14, low mood',
        },
      });
      const [referral] = await t.database.db('pathway_referrals').where({ pathway_id: id });
      expect(referral.service_type).toBe('nhs-talking-therapies');
      expect(JSON.parse(referral.details)).toMatchObject({
        venuePreference: 'not-local-nhs-venue',
        confidentialityPreference: 'Do not mention police employment in letters',
      });
    });

    it('when transferred to an NHS service, then a handover referral with the history is requested and the pathway closes as transferred', async () => {
      const res = await request(t.app)
        .post(`/api/v1/pathways/${id}/transfer`)
        .set(as('clinician'))
        .send({ service: 'nhs-talking-therapies', reason: 'Continuing care with the NHS', priority: 'routine' });
      expect(res.status).toBe(200);
      expect(res.body.pathway).toMatchObject({ status: 'closed', outcome: 'transferred-to-nhs' });
      expect(res.body.referral).toMatchObject({ serviceType: 'nhs-talking-therapies', status: 'awaiting-consent' });
      const handover = await t.database.db('pathway_referrals').where({ id: res.body.referral.id }).first();
      expect(handover.kind).toBe('handover');
      expect(JSON.parse(handover.details).stepsDone.map((s: { step: string }) => s.step)).toEqual(
        expect.arrayContaining(['phq9', 'gad7', 'risk-review', 'mh-plan', 'talking-therapies']),
      );
      expect(
        (
          await request(t.app)
            .post(`/api/v1/pathways/${id}/transfer`)
            .set(as('clinician'))
            .send({ service: 'gp', reason: 'again' })
        ).body.error.code,
      ).toBe('pathway-closed');
      expect(
        (
          await request(t.app)
            .post(`/api/v1/pathways/${id}/transfer`)
            .set(as('clinician'))
            .send({ service: 'counselling', reason: 'x' })
        ).status,
      ).toBe(422);
    });
  });

  describe('dental injury', () => {
    it('when a replanted tooth is recorded, then the IADT follow-ups are scheduled from the assessment; without replanting they do not apply', async () => {
      t.clock.set('2026-11-10T08:00:00Z');
      const res = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({
          personId: w.indirectReport.id,
          definition: 'dental',
          startedAt: '2026-11-10T08:00:00Z',
          facts: { injuryAt: '2026-11-09T23:30:00Z' },
        });
      const id = res.body.id;
      expect(steps(res.body)['urgent-advice']).toMatchObject({ dueBy: '2026-11-10T23:30:00.000Z' });
      const assessed = await complete(id, 'dental-assessment', {
        answers: { avulsion: true, replanted: true, teethAffected: 'UR1', assaultOnDuty: true },
      });
      expect(assessed.body.error).toBeUndefined();
      const s = steps(assessed.body);
      expect(s['follow-up-2wk']).toMatchObject({
        status: 'open',
        dueFrom: '2026-11-24T08:00:00.000Z',
        dueBy: '2026-12-01T08:00:00.000Z',
      });
      expect(s['follow-up-3mo']).toMatchObject({ dueFrom: '2027-02-10T08:00:00.000Z' });
      expect(s['follow-up-1yr']).toMatchObject({ dueFrom: '2027-11-10T08:00:00.000Z' });
      expect(s['follow-up-5yr']).toMatchObject({ dueFrom: '2031-11-10T08:00:00.000Z' });
      expect(s['claim-notes']!.status).toBe('open');
      // HR records the claim notes for the assault on duty; the manager links the accident report.
      expect(
        (await complete(id, 'claim-notes', { answers: { criminalInjuriesClaim: true, sickPayDiscretion: true } }, 'hr'))
          .status,
      ).toBe(200);
      expect(
        (await complete(id, 'accident-report-link', { note: 'Report ACC-2291 linked' }, 'lineManager')).status,
      ).toBe(404); // the indirect report's manager is the report, not this manager

      const p = buildPerson(w.host.id, { unitId: w.unit.id, lineManagerId: w.manager.id });
      await t.platform.repositories.people.insertPeople([p], t.clock.now());
      const second = (
        await request(t.app)
          .post('/api/v1/pathways')
          .set(as('clinician'))
          .send({
            personId: p.id,
            definition: 'dental',
            startedAt: '2026-11-10T08:00:00Z',
            facts: { injuryAt: '2026-11-10T07:00:00Z' },
          })
      ).body.id;
      const s2 = steps(
        (
          await complete(second, 'dental-assessment', {
            answers: { avulsion: false, replanted: false, assaultOnDuty: false },
          })
        ).body,
      );
      expect(['follow-up-2wk', 'follow-up-1yr', 'follow-up-5yr'].map((c) => s2[c]!.status)).toEqual([
        'not-applicable',
        'not-applicable',
        'not-applicable',
      ]);
      expect(s2['dental-close']!.status).toBe('waiting'); // still waits for HR's claim notes
      expect(
        (await complete(second, 'accident-report-link', { note: 'Report ACC-2300 linked' }, 'lineManager')).status,
      ).toBe(200);
    });
  });

  describe('retirement preparation', () => {
    it('when enrolled 12 months before the planned leaving date, then the steps around leaving count from that date', async () => {
      t.clock.set('2026-11-30T09:00:00Z');
      const p = buildPerson(w.host.id, { unitId: w.unit.id, lineManagerId: w.manager.id, leavingDate: '2027-11-30' });
      await t.platform.repositories.people.insertPeople([p], t.clock.now());
      const res = await request(t.app)
        .post('/api/v1/pathways')
        .set(as('clinician'))
        .send({ personId: p.id, definition: 'retirement', startedAt: '2026-11-30' });
      expect(res.status).toBe(201);
      const s = steps(res.body);
      expect(s.offer).toMatchObject({ status: 'open', dueBy: '2026-12-14T00:00:00.000Z' });
      // UK days: a month before midnight (GMT) on 30 November is midnight on 30 October, still BST (23:00 UTC the day before).
      expect(s.signposting).toMatchObject({ dueFrom: '2027-10-29T23:00:00.000Z', dueBy: '2027-11-30T00:00:00.000Z' });
      expect(s['after-leaving-contact']).toMatchObject({
        dueFrom: '2027-12-30T00:00:00.000Z',
        dueBy: '2028-01-30T00:00:00.000Z',
      });
      // The GP summary waits for the person's consent, asked at the wellbeing review.
      expect(s['gp-summary']!.status).toBe('waiting');
      await request(t.app)
        .post(`/api/v1/pathways/${res.body.id}/steps/offer/complete`)
        .set(as('ohAdmin'))
        .send({ note: 'Offer letter sent' });
      const reviewed = steps(
        (
          await complete(res.body.id, 'wellbeing-review', {
            answers: { wellbeingConcerns: 'mental', gpSummaryConsent: true },
          })
        ).body,
      );
      expect(reviewed['gp-summary']).toMatchObject({
        status: 'open',
        dueFrom: '2027-09-29T23:00:00.000Z',
        dueBy: '2027-10-29T23:00:00.000Z',
      });
      expect(reviewed['mh-check']!.status).toBe('open');
    });
  });

  it('when the OH administrator reads a pathway, then they see the steps but no answers or facts', async () => {
    const [p] = (await request(t.app).get(`/api/v1/people/${w.report.id}/pathways`).set(as('ohAdmin'))).body.items;
    expect(p.facts).toBeUndefined();
    expect(p.steps.length).toBeGreaterThan(0);
    expect(p.steps.every((s: Record<string, unknown>) => !('answers' in s))).toBe(true);
    const audits = await t.database
      .db('audit_events')
      .where({ entity_type: 'pathway', action: 'read' })
      .count<{ n: number }[]>({ n: '*' });
    expect(Number(audits[0]!.n)).toBeGreaterThan(0);
  });
});
