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

/** Consent pages (issue 5): OH asks and records; the person decides, reads, corrects; forms re-render with 422. */
describe('consent pages', () => {
  let t: TestPlatform;
  let w: World;
  let consentId: string;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-12-01T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when OH asks for an AMRA report with a field missing, then the form comes back with 422 and the error beside it; complete, it is made and the notice prints with the rights', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const amraPage = `/people/${w.report.id}/consents/new/amra-report`;
    const page = await oh.get(amraPage);
    expect(page.status).toBe(200);
    const csrf = csrfFrom(page.text);
    const missing = await oh.post(amraPage).type('form').send({
      _csrf: csrf,
      recipientRole: 'hr-manager',
      description: 'Fitness for firearms duties',
      noticeBy: 'letter',
    });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('id="doctorName-error"');
    expect(missing.text).toContain('value="Fitness for firearms duties"');
    const made = await oh.post(amraPage).type('form').send({
      _csrf: csrf,
      recipientRole: 'hr-manager',
      description: 'Fitness for firearms duties',
      doctorName: 'Dr Asha Patel',
      noticeBy: 'letter',
    });
    expect(made.status).toBe(303);
    consentId = made.headers.location!.split('/').pop()!;
    const letter = await oh.get(`/consents/${consentId}/letter`);
    expect(letter.text).toContain('Application for a medical report');
    expect(letter.text).toContain('right to refuse consent');
    // Email is refused for someone with no address, and the form says why.
    const noAddress = await oh.post(`/people/${w.report.id}/consents/new/oh-report-release`).type('form').send({
      _csrf: csrf,
      recipientRole: 'line-manager',
      description: 'x',
      noticeBy: 'email',
    });
    expect(noAddress.status).toBe(422);
    expect(noAddress.text).toContain('id="noticeBy-error"');
  });

  it('when the person decides on the page, then a missing answer is a 422 beside the question; their decision is recorded, and OH can then apply and record the report', async () => {
    const me = await signIn(t, w.users.staff.email);
    const show = await me.get(`/me/consents/${consentId}`);
    expect(show.text).toContain('Waiting for your decision');
    const csrf = csrfFrom(show.text);
    const unanswered = await me
      .post(`/me/consents/${consentId}/decision`)
      .type('form')
      .send({ _csrf: csrf, decision: 'given' });
    expect(unanswered.status).toBe(422);
    expect(unanswered.text).toContain('id="wishesToSeeReport-error"');
    expect(
      (
        await me
          .post(`/me/consents/${consentId}/decision`)
          .type('form')
          .send({ _csrf: csrf, decision: 'given', wishesToSeeReport: 'yes' })
      ).status,
    ).toBe(303);

    const oh = await signIn(t, w.users.clinician.email);
    const ohPage = await oh.get(`/consents/${consentId}`);
    const ohCsrf = csrfFrom(ohPage.text);
    expect(
      (
        await oh
          .post(`/consents/${consentId}/application`)
          .type('form')
          .send({ _csrf: ohCsrf, applicationDate: '2026-12-01' })
      ).status,
    ).toBe(303);
    // A report dated in the future comes back beside its date.
    const future = await oh
      .post(`/consents/${consentId}/report`)
      .type('form')
      .send({ _csrf: ohCsrf, text: 'Fit for firearms duties.', receivedOn: '2026-12-09' });
    expect(future.status).toBe(422);
    expect(future.text).toContain('id="receivedOn-error"');
    expect(
      (
        await oh.post(`/consents/${consentId}/report`).type('form').send({
          _csrf: ohCsrf,
          text: 'Fit for firearms duties.',
          receivedOn: '2026-12-01',
          withheldGrounds: 'third-party',
        })
      ).status,
    ).toBe(303);
    // The person is told of the application (AMRA-3): the letter prints once it is made.
    expect((await oh.get(`/consents/${consentId}/letter?which=application`)).text).toContain(
      'We have applied for your medical report',
    );
    expect((await oh.get(`/consents/${consentId}/letter?which=nonsense`)).status).toBe(422);
    // Release before day 21 is refused on the page, with the rule's words.
    const early = await oh.post(`/consents/${consentId}/release`).type('form').send({ _csrf: ohCsrf });
    expect(early.status).toBe(422);
    expect(early.text).toContain('It cannot be released before 22 December 2026');
    expect(early.text).not.toContain('AMRA-4');
  });

  it('when the person reads the report, then the withheld grounds show; an empty correction is a 422 and a real one is listed', async () => {
    const me = await signIn(t, w.users.staff.email);
    const report = await me.get(`/me/consents/${consentId}/report`);
    expect(report.text).toContain('Fit for firearms duties.');
    expect(report.text).toContain('Information about someone else');
    const csrf = csrfFrom(report.text);
    const empty = await me
      .post(`/me/consents/${consentId}/corrections`)
      .type('form')
      .send({ _csrf: csrf, correction: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('id="correction-error"');
    expect(
      (
        await me
          .post(`/me/consents/${consentId}/corrections`)
          .type('form')
          .send({ _csrf: csrf, correction: 'The date of my injury is wrong.' })
      ).status,
    ).toBe(303);
    expect((await me.get(`/me/consents/${consentId}/report`)).text).toContain('Waiting for an answer');
    // In Welsh too (a self-service page), and the notice prints in Welsh with the rights (AMRA-2).
    const page = await me.get(`/me/consents/${consentId}`);
    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), lang: 'cy', returnTo: `/me/consents/${consentId}` });
    const cy = await me.get(`/me/consents/${consentId}`);
    expect(cy.text).toContain('Beth sydd wedi digwydd');
    const letter = await me.get(`/consents/${consentId}/letter`);
    expect(letter.text).toContain('Deddf Mynediad at Adroddiadau Meddygol 1988');
    expect(letter.text).toContain('Cais am adroddiad meddygol');
    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(cy.text), lang: 'en', returnTo: '/' });
  });

  it('when a clinician shares a pathway’s referral from the pathway page, then the gate decides and its reason shows beside the form', async () => {
    const token = { Authorization: `Bearer ${w.tokens.clinician}` };
    const pathway = (
      await request(t.app)
        .post('/api/v1/pathways')
        .set(token)
        .send({ personId: w.report.id, definition: 'msk', startedAt: '2026-12-01' })
    ).body;
    const referral = (
      await request(t.app)
        .post(`/api/v1/pathways/${pathway.id}/transfer`)
        .set(token)
        .send({ service: 'nhs-msk-physiotherapy', reason: 'Continuing care' })
    ).body.referral;
    const oh = await signIn(t, w.users.clinician.email);
    const page = await oh.get(`/pathways/${pathway.id}`);
    expect(page.text).toContain('Waiting to be shared under consent');
    const csrf = csrfFrom(page.text);
    const noChoice = await oh
      .post(`/pathways/${pathway.id}/referrals/share`)
      .type('form')
      .send({ _csrf: csrf, sharePartner: w.healthBoard.id });
    expect(noChoice.status).toBe(422);
    expect(noChoice.text).toContain('id="shareReferral-error"');
    const refused = await oh
      .post(`/pathways/${pathway.id}/referrals/share`)
      .type('form')
      .send({ _csrf: csrf, shareReferral: referral.id, sharePartner: w.healthBoard.id });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('No consent names this partner organisation');
    expect((await t.database.db('pathway_referrals').where({ id: referral.id }).first()).status).toBe(
      'awaiting-consent',
    );
    // The administrators see the referrals, without the share form (a clinical decision).
    const admin = await signIn(t, w.users.ohAdmin.email);
    const adminPage = await admin.get(`/pathways/${pathway.id}`);
    expect(adminPage.text).toContain('Referrals to services');
    expect(adminPage.text).not.toContain('Share under consent');
  });

  it('when someone else asks for the person’s consent pages, then they are refused or not found', async () => {
    const manager = await signIn(t, w.users.lineManager.email);
    // A manager has their own consent pages (issue 15 §9), where another person's consent is not found.
    expect((await manager.get(`/me/consents/${consentId}`)).status).toBe(404);
    expect((await manager.get(`/consents/${consentId}/letter`)).status).toBe(403);
    const page = await manager.get(`/people/${w.report.id}/oh-reports`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('No report has been requested for you about this person.');
    expect((await manager.get(`/people/${w.outsider.id}/oh-reports`)).status).toBe(404);
  });

  it('when an OH clinician who is in the workforce opens “your consents”, then they see their own and never another person’s there (issue 15 §9)', async () => {
    const [own] = await addTeamMembers(t, w, 1, { givenName: 'Ceri', familyName: 'Clinician', lineManagerId: null });
    await t.database.db('users').where({ id: w.users.clinician.id }).update({ person_id: own!.id });
    try {
      const clinician = await signIn(t, w.users.clinician.email);
      // The person's consent: OH reaches it on OH's pages, but it is not the clinician's own.
      expect((await clinician.get(`/consents/${consentId}`)).status).toBe(200);
      expect((await clinician.get(`/me/consents/${consentId}`)).status).toBe(404);
      const mine = await clinician.get('/me/consents');
      expect(mine.status).toBe(200);
      expect(mine.text).not.toContain(consentId);
    } finally {
      await t.database.db('users').where({ id: w.users.clinician.id }).update({ person_id: null });
    }
  });

  it('when a sharing consent’s period has ended, then the person sees it as ended and no longer offered for withdrawal', async () => {
    const token = { Authorization: `Bearer ${w.tokens.clinician}` };
    const made = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/consents`)
      .set(token)
      .send({
        kind: 'nhs-sharing',
        partnerOrganisationId: w.healthBoard.id,
        purpose: 'treatment',
        dataCategories: ['demographics'],
        periodStart: '2026-12-01',
        periodEnd: '2026-12-31',
        description: 'Short one',
        noticeBy: 'letter',
      });
    await request(t.app)
      .post(`/api/v1/consents/${made.body.id}/decision`)
      .set({ Authorization: `Bearer ${w.tokens.staff}` })
      .send({ decision: 'given', method: 'platform' });
    const me = await signIn(t, w.users.staff.email);
    expect((await me.get(`/me/consents/${made.body.id}`)).text).toContain('Withdraw my consent');
    t.clock.set('2027-01-01T10:00:00Z');
    const after = await me.get(`/me/consents/${made.body.id}`);
    expect(after.text).toContain('Ended (its period is over)');
    expect(after.text).not.toContain('Withdraw my consent');
    t.clock.set('2026-12-01T10:00:00Z');
  });
});
