import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/people/people-types.js';
import { newId } from '../../src/shared/ids.js';
import { validateFhirResource } from '../../src/fhir/core/fhir-validation.js';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** Consent over the API (issue 5): the AMRA timeline, OH report release, sharing and the gate, with a fixed clock. */
describe('consent', () => {
  let t: TestPlatform;
  let w: World;
  let otherPartner: Organisation;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const at = (day: string) => t.clock.set(`${day}T10:00:00Z`);
  const post = (u: keyof World['tokens'], url: string, body: object = {}) =>
    request(t.app).post(url).set(as(u)).send(body);
  const get = (u: keyof World['tokens'], url: string) => request(t.app).get(url).set(as(u));
  const mails = () => {
    const outbox = path.join(t.dataDir, 'outbox');
    return fs.existsSync(outbox)
      ? fs.readdirSync(outbox).map((f) =>
          fs
            .readFileSync(path.join(outbox, f), 'utf8')
            .replace(/=\r?\n/g, '')
            .replace(/=3D/g, '=')
            .replace(/=E2=80=99/g, '’'),
        )
      : [];
  };

  beforeAll(async () => {
    t = await createTestPlatform();
    at('2026-12-01');
    w = await buildWorld(t);
    await t.database.db('people').where({ id: w.report.id }).update({ personal_email: 'riley@home.example' });
    otherPartner = {
      id: newId(),
      name: 'Eastshire Health Board',
      kind: 'nhs-partner',
      odsCode: '7A1',
      hostOrganisationId: null,
    };
    await t.platform.repositories.people.insertOrganisation(otherPartner, t.clock.now());
  });
  afterAll(async () => t.destroy());

  const amra = {
    kind: 'amra-report',
    recipientRole: 'hr-manager',
    description: 'Fitness for firearms duties',
    doctor: { name: 'Dr Asha Patel', practice: 'Westshire Road Surgery' },
    noticeBy: 'email',
  };
  const give = (id: string, wishesToSeeReport: boolean | null) =>
    post('staff', `/api/v1/consents/${id}/decision`, { decision: 'given', method: 'platform', wishesToSeeReport });
  const report = { text: 'Riley is fit for firearms duties; no restrictions.', receivedOn: '2026-12-10' };

  describe('AMRA medical report (§5a)', () => {
    let id: string;

    it('when OH asks, then the person is sent the written notice with their rights, and no application can be made before they consent (AMRA-1, AMRA-2)', async () => {
      const res = await post('clinician', `/api/v1/people/${w.report.id}/consents`, amra);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        kind: 'amra-report',
        status: 'requested',
        personId: w.report.id,
        recipient: { type: 'employer', role: 'hr-manager' },
        purpose: 'employment',
        wishesToSeeReport: null,
        applicationDate: null,
        earliestReleaseDate: null,
        retainUntil: null,
        history: [{ type: 'requested' }],
      });
      id = res.body.id;
      await t.platform.jobs.runner.runDue();
      const notice = mails().find(
        (m) => m.includes('riley@home.example') && m.includes('Application for a medical report'),
      );
      expect(notice).toContain('right to refuse consent');
      expect(notice).toContain('21 days');
      expect(notice).toContain(`/me/consents/${id}`);
      const early = await post('ohAdmin', `/api/v1/consents/${id}/application`, { applicationDate: '2026-12-01' });
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('consent-not-given');
    });

    it('when someone other than the person decides in the platform, or OH records a verbal AMRA decision, then it is refused (AMRA-1); the person consents and asks to see the report', async () => {
      expect(
        (
          await post('clinician', `/api/v1/consents/${id}/decision`, {
            decision: 'given',
            method: 'platform',
            wishesToSeeReport: true,
          })
        ).status,
      ).toBe(422);
      // AMRA-1, s.9: an AMRA decision is in writing; a verbal one is refused, witness or not.
      const verbal = await post('clinician', `/api/v1/consents/${id}/decision`, {
        decision: 'given',
        method: 'verbal',
        witness: 'Nurse J Jones',
        wishesToSeeReport: true,
      });
      expect(verbal.status).toBe(422);
      expect(verbal.body.error).toMatchObject({ code: 'verbal-not-allowed', fields: { method: expect.any(String) } });
      expect((await get('clinician', `/api/v1/consents/${id}`)).body.status).toBe('requested');
      // Outside the person and OH, the consent does not exist.
      expect((await get('lineManager', `/api/v1/consents/${id}`)).status).toBe(403);
      expect((await get('hr', `/api/v1/consents/${id}`)).status).toBe(403);
      const given = await give(id, true);
      expect(given.status).toBe(200);
      // OH's next step is on the administrators' queue: apply to the doctor (AMRA-3).
      const tasks = (await get('ohAdmin', '/api/v1/worklist')).body.items as Array<{ code: string; sourceId: string }>;
      expect(tasks).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'consent-apply', sourceId: id })]));
      expect(given.body).toMatchObject({
        status: 'given',
        wishesToSeeReport: true,
        decision: { decision: 'given', method: 'platform', on: '2026-12-01' },
      });
    });

    it('when the person asked to see the report and has not, then release is refused before day 21 and allowed on day 21 (AMRA-4)', async () => {
      at('2026-12-02');
      const applied = await post('ohAdmin', `/api/v1/consents/${id}/application`, { applicationDate: '2026-12-02' });
      expect(applied.body).toMatchObject({
        status: 'applied',
        applicationDate: '2026-12-02',
        earliestReleaseDate: '2026-12-23',
      });
      // Only a clinician records a report's content.
      expect((await post('ohAdmin', `/api/v1/consents/${id}/report`, report)).status).toBe(403);
      at('2026-12-10');
      expect((await post('clinician', `/api/v1/consents/${id}/report`, report)).body).toMatchObject({
        status: 'report-received',
        report: { receivedOn: '2026-12-10', seen: false },
      });
      at('2026-12-22');
      const early = await post('ohAdmin', `/api/v1/consents/${id}/release`);
      expect(early.status).toBe(409);
      expect(early.body.error.code).toBe('before-earliest-release-date');
      expect((await get('hr', `/api/v1/people/${w.report.id}/oh-reports`)).body.items).toEqual([
        expect.objectContaining({ available: false, report: null }),
      ]);
      const releaseTask = (
        (await get('ohAdmin', '/api/v1/worklist')).body.items as Array<{
          code: string;
          sourceId: string;
          dueDate: string;
        }>
      ).find((x) => x.sourceId === id);
      expect(releaseTask).toMatchObject({ code: 'consent-release-report', dueDate: '2026-12-23' });
      at('2026-12-23');
      const released = await post('ohAdmin', `/api/v1/consents/${id}/release`);
      expect(released.body).toMatchObject({ status: 'supplied', suppliedOn: '2026-12-23', retainUntil: '2027-06-23' });
      expect(released.body.history.map((e: { type: string }) => e.type)).toEqual([
        'requested',
        'given',
        'applied',
        'report-received',
        'supplied',
      ]);
      const hr = await get('hr', `/api/v1/people/${w.report.id}/oh-reports`);
      expect(hr.body.items).toEqual([
        expect.objectContaining({ id, available: true, report: expect.objectContaining({ text: report.text }) }),
      ]);
      // Addressed to HR, not the line manager.
      expect((await get('lineManager', `/api/v1/people/${w.report.id}/oh-reports`)).body.items).toEqual([]);
      expect(
        ((await get('ohAdmin', '/api/v1/worklist')).body.items as Array<{ sourceId: string }>).filter(
          (x) => x.sourceId === id,
        ),
      ).toEqual([]);
      const again = await post('ohAdmin', `/api/v1/consents/${id}/release`);
      expect(again.body.error.code).toBe('report-supplied');
    });

    it('when 6 months have passed since supply, then the person can no longer read the report (AMRA-6)', async () => {
      at('2027-06-23');
      expect((await get('staff', `/api/v1/consents/${id}/report`)).body).toMatchObject({
        text: report.text,
        retainUntil: '2027-06-23',
      });
      at('2027-06-24');
      const gone = await get('staff', `/api/v1/consents/${id}/report`);
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe('report-no-longer-held');
      at('2026-12-23');
    });

    it('when the person asks to see it only after the application, then the 21 days run from the request; seeing it, correcting it and refusing supply block it for good (AMRA-4, AMRA-5, AMRA-7)', async () => {
      at('2027-01-04');
      const c = (
        await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
          ...amra,
          description: 'Return to driving duties',
        })
      ).body.id;
      await give(c, false);
      await post('ohAdmin', `/api/v1/consents/${c}/application`, { applicationDate: '2027-01-04' });
      at('2027-01-08');
      expect((await post('staff', `/api/v1/consents/${c}/access-request`)).body).toMatchObject({
        wishesToSeeReport: true,
        accessRequestedOn: '2027-01-08',
        earliestReleaseDate: '2027-01-29',
      });
      at('2027-01-11');
      const withheld = await post('clinician', `/api/v1/consents/${c}/report`, {
        ...report,
        receivedOn: '2027-01-11',
        withheldParts: [{ ground: 'third-party', note: 'About a family member' }],
      });
      expect(withheld.body.report.withheldGrounds).toEqual(['third-party']);
      // Corrections come after seeing the report.
      expect(
        (await post('staff', `/api/v1/consents/${c}/corrections`, { text: 'The dates are wrong' })).body.error.code,
      ).toBe('report-not-seen');
      const read = await get('staff', `/api/v1/consents/${c}/report`);
      expect(read.body).toMatchObject({ withheldGrounds: ['third-party'] });
      expect(
        (
          await post('staff', `/api/v1/consents/${c}/corrections`, {
            text: 'My absence was six weeks, not six months.',
          })
        ).body.corrections,
      ).toHaveLength(1);
      // The clinicians answer it (AMRA-5); it is not the administrators' to see.
      expect(
        ((await get('clinician', '/api/v1/worklist')).body.items as Array<{ code: string; sourceId: string }>)
          .filter((x) => x.sourceId === c)
          .map((x) => x.code),
      ).toEqual(['consent-answer-correction']);
      expect(
        ((await get('ohAdmin', '/api/v1/worklist')).body.items as Array<{ sourceId: string }>).filter(
          (x) => x.sourceId === c,
        ),
      ).toEqual([]);
      await post('clinician', `/api/v1/consents/${c}/corrections/1/answer`, {
        response: 'declined',
        note: 'The doctor’s records show six months.',
      });
      expect(
        (
          await post('staff', `/api/v1/consents/${c}/statement`, {
            text: 'I was absent for six weeks; my fit notes show it.',
          })
        ).body.statement,
      ).toBe('I was absent for six weeks; my fit notes show it.');
      const refused = await post('staff', `/api/v1/consents/${c}/supply-decision`, { agree: false });
      expect(refused.body.status).toBe('withheld');
      at('2027-03-01');
      const supply = await post('ohAdmin', `/api/v1/consents/${c}/release`);
      expect(supply.status).toBe(409);
      expect(supply.body.error.code).toBe('report-withheld');
      expect((await post('staff', `/api/v1/consents/${c}/supply-decision`, { agree: true })).body.error.code).toBe(
        'report-withheld',
      );
      const hr = (await get('hr', `/api/v1/people/${w.report.id}/oh-reports`)).body.items.find(
        (r: { id: string }) => r.id === c,
      );
      expect(hr).toMatchObject({ available: false, report: null, notice: expect.stringContaining('facts available') });
      expect(JSON.stringify(hr)).not.toContain('six weeks');
    });

    it('when a transition is illegal, then it is a 409 with a code, never a 500', async () => {
      const c = (await post('clinician', `/api/v1/people/${w.report.id}/consents`, { ...amra, description: 'Another' }))
        .body.id;
      for (const [url, body, code] of [
        [`/api/v1/consents/${c}/withdraw`, {}, 'consent-not-given'],
        [`/api/v1/consents/${c}/release`, {}, 'consent-not-given'],
        [`/api/v1/consents/${c}/application`, { applicationDate: '2027-03-01' }, 'consent-not-given'],
      ] as const) {
        const res = await post(url.includes('withdraw') ? 'staff' : 'ohAdmin', url, body);
        expect([res.status, res.body.error.code]).toEqual([409, code]);
      }
      await post('staff', `/api/v1/consents/${c}/decision`, { decision: 'refused', method: 'platform' });
      expect((await post('staff', `/api/v1/consents/${c}/withdraw`)).body.error.code).toBe('consent-not-given');
      expect(
        (await post('ohAdmin', `/api/v1/consents/${c}/application`, { applicationDate: '2027-03-01' })).body.error.code,
      ).toBe('consent-refused');
      expect(
        (
          await post('staff', `/api/v1/consents/${c}/decision`, {
            decision: 'given',
            method: 'platform',
            wishesToSeeReport: false,
          })
        ).body.error.code,
      ).toBe('consent-refused');
      expect(
        (await post('clinician', `/api/v1/consents/${c}/corrections/9/answer`, { response: 'declined' })).body.error
          .code,
      ).toBe('consent-refused');
      expect(
        (await post('staff', `/api/v1/consents/${c}/decision`, { decision: 'maybe', method: 'platform' })).status,
      ).toBe(422);
    });
  });

  describe('OH report release (§5b)', () => {
    it('when the person wishes to review it, then release is blocked during the review period; a refusal is recorded and the manager sees no content (AMRA-8)', async () => {
      at('2027-03-01');
      const c = (
        await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
          kind: 'oh-report-release',
          recipientRole: 'line-manager',
          description: 'Adjustments after knee surgery',
          noticeBy: 'letter',
        })
      ).body.id;
      await give(c, true);
      // Monday 1 March 2027: the review period is 2 working days.
      const ready = await post('clinician', `/api/v1/consents/${c}/report`, {
        text: 'Fit for restricted duties: no kneeling for 6 weeks.',
        receivedOn: '2027-03-01',
      });
      expect(ready.body).toMatchObject({ reviewUntil: '2027-03-03', earliestReleaseDate: '2027-03-04' });
      at('2027-03-03');
      expect((await post('ohAdmin', `/api/v1/consents/${c}/release`)).body.error.code).toBe(
        'before-earliest-release-date',
      );
      expect((await get('lineManager', `/api/v1/people/${w.report.id}/oh-reports`)).body.items).toEqual([
        {
          id: c,
          requestedOn: '2027-03-01',
          available: false,
          kind: null,
          description: null,
          report: null,
          notice: 'No report is available yet.',
        },
      ]);
      await get('staff', `/api/v1/consents/${c}/report`);
      await post('staff', `/api/v1/consents/${c}/corrections`, { text: 'I can kneel on my left knee.' });
      const refused = await post('staff', `/api/v1/consents/${c}/supply-decision`, { agree: false });
      expect(refused.body).toMatchObject({ status: 'withheld' });
      expect(refused.body.history.map((e: { type: string }) => e.type)).toEqual([
        'requested',
        'given',
        'report-received',
        'seen',
        'correction-requested',
        'supply-refused',
      ]);
      const manager = await get('lineManager', `/api/v1/people/${w.report.id}/oh-reports`);
      expect(manager.body.items).toEqual([
        {
          id: c,
          requestedOn: '2027-03-01',
          available: false,
          kind: null,
          description: null,
          report: null,
          notice: expect.stringContaining('No report is available. Decisions will be made on the facts available'),
        },
      ]);
      expect(JSON.stringify(manager.body)).not.toMatch(/kneel|knee/);
      // OH administrators see that a correction was asked for, not what it says (CONF-1).
      const admin = await get('ohAdmin', `/api/v1/consents/${c}`);
      expect(admin.body.corrections).toEqual([expect.objectContaining({ number: 1, text: null })]);
      expect((await get('clinician', `/api/v1/consents/${c}`)).body.corrections[0].text).toBe(
        'I can kneel on my left knee.',
      );
      // Nobody outside reach asks after the person's reports.
      expect((await get('partnerHr', `/api/v1/people/${w.report.id}/oh-reports`)).status).toBe(404);
      at('2027-03-10');
      expect((await post('ohAdmin', `/api/v1/consents/${c}/release`)).body.error.code).toBe('report-withheld');
    });
  });

  describe('a report released with what travels with it', () => {
    it('when the person corrects, adds a statement and agrees, then the recipient gets the report with both; OH cannot agree for them (AMRA-5)', async () => {
      at('2027-03-04');
      const c = (
        await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
          kind: 'oh-report-release',
          recipientRole: 'hr-manager',
          description: 'Fitness for shift work',
          noticeBy: 'letter',
        })
      ).body.id;
      await give(c, true);
      await post('clinician', `/api/v1/consents/${c}/report`, {
        text: 'Fit for shift work; avoid consecutive nights for 4 weeks.',
        receivedOn: '2027-03-04',
      });
      await get('staff', `/api/v1/consents/${c}/report`);
      await post('staff', `/api/v1/consents/${c}/corrections`, { text: 'I already work no consecutive nights.' });
      const answered = await post('clinician', `/api/v1/consents/${c}/corrections/1/answer`, {
        response: 'declined',
        note: 'The advice stands.',
      });
      expect(answered.body.corrections[0]).toMatchObject({ response: 'declined', responseNote: 'The advice stands.' });
      await post('staff', `/api/v1/consents/${c}/statement`, { text: 'My rota already avoids consecutive nights.' });
      const forOh = await post('clinician', `/api/v1/consents/${c}/supply-decision`, { agree: true });
      expect([forOh.status, forOh.body.error.code]).toEqual([403, 'person-decides']);
      const agreed = await post('staff', `/api/v1/consents/${c}/supply-decision`, { agree: true });
      expect(agreed.body).toMatchObject({ status: 'supplied', suppliedOn: '2027-03-04', retainUntil: '2027-09-04' });
      expect(agreed.body.history.at(-1)).toMatchObject({ type: 'supply-agreed' });
      const hr = (await get('hr', `/api/v1/people/${w.report.id}/oh-reports`)).body.items.find(
        (r: { id: string }) => r.id === c,
      );
      expect(hr).toMatchObject({
        available: true,
        kind: 'oh-report-release',
        description: 'Fitness for shift work',
        report: {
          text: 'Fit for shift work; avoid consecutive nights for 4 weeks.',
          statement: 'My rota already avoids consecutive nights.',
          corrections: [{ text: 'I already work no consecutive nights.', response: 'declined' }],
          suppliedOn: '2027-03-04',
        },
      });
    });

    it('when consent was refused at the start, then release is refused with consent-refused', async () => {
      const c = (
        await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
          kind: 'oh-report-release',
          recipientRole: 'line-manager',
          description: 'Refused one',
          noticeBy: 'letter',
        })
      ).body.id;
      await post('staff', `/api/v1/consents/${c}/decision`, { decision: 'refused', method: 'platform' });
      const release = await post('ohAdmin', `/api/v1/consents/${c}/release`);
      expect([release.status, release.body.error.code]).toEqual([409, 'consent-refused']);
      expect(
        (await post('clinician', `/api/v1/consents/${c}/report`, { text: 'x', receivedOn: '2027-03-04' })).body.error
          .code,
      ).toBe('consent-refused');
    });
  });

  describe('sharing with an NHS partner (§5c) and the gate', () => {
    let sharingId: string;
    let referralId: string;

    it('when OH asks and the person gives consent, then the gate allows what it names and refuses another partner with a clear reason', async () => {
      at('2027-03-10');
      const res = await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
        kind: 'nhs-sharing',
        partnerOrganisationId: w.healthBoard.id,
        purpose: 'continuity-of-care',
        dataCategories: ['demographics', 'referral-details', 'clinical-history'],
        periodStart: '2027-03-10',
        periodEnd: '2027-09-10',
        description: 'Physiotherapy for knee surgery',
        noticeBy: 'email',
      });
      expect(res.status).toBe(201);
      sharingId = res.body.id;
      expect(
        (
          await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
            kind: 'nhs-sharing',
            partnerOrganisationId: w.host.id,
            purpose: 'treatment',
            dataCategories: ['demographics'],
            periodStart: '2027-03-10',
            description: 'x',
            noticeBy: 'letter',
          })
        ).status,
      ).toBe(422);
      const check = (organisationId: string, dataCategories: string[]) =>
        post('clinician', '/api/v1/consents/check', {
          personId: w.report.id,
          recipient: { type: 'nhs-partner', organisationId },
          purpose: 'continuity-of-care',
          dataCategories,
        });
      expect((await check(w.healthBoard.id, ['demographics'])).body).toMatchObject({
        allow: false,
        reason: 'consent-not-given',
      });
      await give(sharingId, null);
      expect((await check(w.healthBoard.id, ['demographics', 'clinical-history'])).body).toEqual({
        allow: true,
        consentIds: [sharingId],
      });
      const other = (await check(otherPartner.id, ['demographics'])).body;
      expect(other).toMatchObject({
        allow: false,
        reason: 'recipient-not-named',
        message: expect.stringContaining('No consent names this partner'),
      });
      expect((await check(w.healthBoard.id, ['mental-health'])).body).toMatchObject({
        allow: false,
        reason: 'sensitive-category-not-named',
      });
      // The gate's decisions are audited, allowed and denied alike.
      const audited = await t.database
        .db('audit_events')
        .where({ entity_type: 'disclosure', subject_person_id: w.report.id });
      expect(audited.map((a: { outcome: string }) => a.outcome)).toEqual(expect.arrayContaining(['success', 'denied']));
      expect(
        (
          await post('staff', '/api/v1/consents/check', {
            personId: w.report.id,
            recipient: { type: 'nhs-partner', organisationId: w.healthBoard.id },
            purpose: 'treatment',
            dataCategories: ['demographics'],
          })
        ).status,
      ).toBe(403);
    });

    it('when a referral to an NHS service is shared, then the gate decides: a partner not named is refused with its reason, the named one allowed', async () => {
      const pathway = (
        await post('clinician', '/api/v1/pathways', {
          personId: w.report.id,
          definition: 'msk',
          startedAt: '2027-03-10',
        })
      ).body;
      const transfer = await post('clinician', `/api/v1/pathways/${pathway.id}/transfer`, {
        service: 'nhs-msk-physiotherapy',
        reason: 'Needs NHS physiotherapy after surgery',
      });
      referralId = transfer.body.referral.id;
      expect(transfer.body.referral.status).toBe('awaiting-consent');
      const refused = await post('clinician', `/api/v1/pathway-referrals/${referralId}/share`, {
        partnerOrganisationId: otherPartner.id,
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('recipient-not-named');
      const shared = await post('clinician', `/api/v1/pathway-referrals/${referralId}/share`, {
        partnerOrganisationId: w.healthBoard.id,
        dataCategories: ['clinical-history'],
      });
      expect(shared.body).toMatchObject({
        status: 'ready',
        partnerOrganisationId: w.healthBoard.id,
        consentId: sharingId,
        dataCategories: ['demographics', 'referral-details', 'clinical-history'],
      });
      expect((await get('clinician', `/api/v1/pathways/${pathway.id}/referrals`)).body.items).toEqual([
        expect.objectContaining({ id: referralId, status: 'ready' }),
      ]);
    });

    it('when the person withdraws consent, then queued referrals under it are cancelled at once and the person sees what was stopped', async () => {
      at('2027-03-11');
      const res = await post('staff', `/api/v1/consents/${sharingId}/withdraw`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'withdrawn',
        withdrawal: {
          cancelled: [expect.objectContaining({ id: referralId, description: 'Referral to NHS physiotherapy' })],
          alreadySent: [],
        },
      });
      const referral = await t.database.db('pathway_referrals').where({ id: referralId }).first();
      expect(referral.status).toBe('cancelled');
      const check = await post('clinician', '/api/v1/consents/check', {
        personId: w.report.id,
        recipient: { type: 'nhs-partner', organisationId: w.healthBoard.id },
        purpose: 'continuity-of-care',
        dataCategories: ['demographics'],
      });
      expect(check.body).toMatchObject({ allow: false, reason: 'consent-withdrawn' });
      expect((await post('staff', `/api/v1/consents/${sharingId}/withdraw`)).body.error.code).toBe('consent-withdrawn');
      const mine = await get('staff', `/api/v1/people/${w.report.id}/consents`);
      expect(mine.body.items.find((c: { id: string }) => c.id === sharingId).withdrawal.cancelled).toHaveLength(1);
      expect((await get('staff', `/api/v1/people/${w.outsider.id}/consents`)).status).toBe(404);
    });

    it('when a referral is shared at the same moment the consent is withdrawn, then it never stays queued under the withdrawn consent', async () => {
      for (let round = 0; round < 3; round += 1) {
        at(`2027-04-0${round + 1}`);
        const consentId = (
          await post('clinician', `/api/v1/people/${w.report.id}/consents`, {
            kind: 'nhs-sharing',
            partnerOrganisationId: w.healthBoard.id,
            purpose: 'continuity-of-care',
            dataCategories: ['demographics', 'referral-details'],
            periodStart: `2027-04-0${round + 1}`,
            description: `Round ${round}`,
            noticeBy: 'letter',
          })
        ).body.id;
        await give(consentId, null);
        const pathway = (
          await post('clinician', '/api/v1/pathways', {
            personId: w.report.id,
            definition: 'msk',
            startedAt: `2027-04-0${round + 1}`,
          })
        ).body;
        const referral = (
          await post('clinician', `/api/v1/pathways/${pathway.id}/transfer`, {
            service: 'nhs-msk-physiotherapy',
            reason: 'Continuing care',
          })
        ).body.referral.id;
        const [shared, withdrawn] = await Promise.all([
          post('clinician', `/api/v1/pathway-referrals/${referral}/share`, { partnerOrganisationId: w.healthBoard.id }),
          post('staff', `/api/v1/consents/${consentId}/withdraw`),
        ]);
        expect(withdrawn.status).toBe(200);
        const row = await t.database.db('pathway_referrals').where({ id: referral }).first();
        // Either the share came first and the withdrawal cancelled it, or the withdrawal came first and the gate refused the share.
        if (shared.status === 200)
          expect([row.status, withdrawn.body.withdrawal.cancelled.map((x: { id: string }) => x.id)]).toEqual([
            'cancelled',
            [referral],
          ]);
        else expect([shared.body.error.code, row.status]).toEqual(['consent-withdrawn', 'awaiting-consent']);
      }
    });

    it('when a consent is exported as FHIR, then it is a valid R4 Consent naming the partner, and restricted for a protected-identity officer (FHIR-5, FHIR-6)', async () => {
      const res = await get('ohAdmin', `/api/v1/consents/${sharingId}/fhir`);
      expect(res.type).toBe('application/fhir+json');
      const resource = JSON.parse(res.text);
      expect(validateFhirResource(resource)).toEqual([]);
      expect(resource).toMatchObject({
        resourceType: 'Consent',
        status: 'inactive',
        patient: { reference: `Patient/${w.report.id}` },
        provision: { actor: [{ reference: { reference: `Organization/${w.healthBoard.id}` } }] },
      });
      const guarded = buildPerson(w.host.id, {
        givenName: 'Sam',
        familyName: 'Protected',
        protectedIdentity: true,
        workEmail: 'sam@force.example',
        personalEmail: null,
      });
      await t.platform.repositories.people.insertPeople([guarded], t.clock.now());
      // Never to a work address for a protected-identity officer (CONF-3).
      const byEmail = await post('clinician', `/api/v1/people/${guarded.id}/consents`, {
        kind: 'oh-report-release',
        recipientRole: 'line-manager',
        description: 'Fitness',
        noticeBy: 'email',
      });
      expect(byEmail.status).toBe(422);
      expect(byEmail.body.error.fields.noticeBy).toContain('CONF-3');
      const byLetter = await post('clinician', `/api/v1/people/${guarded.id}/consents`, {
        kind: 'oh-report-release',
        recipientRole: 'line-manager',
        description: 'Fitness',
        noticeBy: 'letter',
      });
      const fhir = JSON.parse((await get('clinician', `/api/v1/consents/${byLetter.body.id}/fhir`)).text);
      expect(fhir.meta.security).toEqual([expect.objectContaining({ code: 'R' })]);
      expect(validateFhirResource(fhir)).toEqual([]);
    });
  });
});
