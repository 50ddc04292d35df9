import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/**
 * Issue 14 §3, §4, §5, §11: OH records the person's letters (for someone with no account, or written
 * to by post) through the same rules as when the person acts; an AMRA decision is in writing; a sharing
 * consent allows nothing from before it was given; OH records how and when a person withdrew.
 */
describe('consent recorded on the person’s behalf', () => {
  let t: TestPlatform;
  let w: World;
  const as = (u: keyof World['tokens']) => ({ Authorization: `Bearer ${w.tokens[u]}` });
  const at = (day: string) => t.clock.set(`${day}T10:00:00Z`);
  const post = (u: keyof World['tokens'], url: string, body?: object) => {
    const req = request(t.app).post(url).set(as(u));
    return body === undefined ? req : req.send(body);
  };
  const get = (u: keyof World['tokens'], url: string) => request(t.app).get(url).set(as(u));
  const amra = {
    kind: 'amra-report',
    recipientRole: 'hr-manager',
    description: 'Fitness for firearms duties',
    doctor: { name: 'Dr Asha Patel', practice: 'Westshire Road Surgery' },
    noticeBy: 'letter',
  };

  /** A workforce member with no user account: written to by post, who answers by letter. */
  async function personWithoutAccount(): Promise<string> {
    const person = buildPerson(w.host.id, { givenName: 'Noel', familyName: 'Post' });
    await t.platform.repositories.people.insertPeople([person], t.clock.now());
    expect(await t.database.db('users').where({ person_id: person.id }).first()).toBeUndefined();
    return person.id;
  }

  /** An AMRA consent given on a signed paper form (AMRA-1). */
  async function amraOnPaper(personId: string, wishesToSeeReport: boolean): Promise<string> {
    const id = (await post('clinician', `/api/v1/people/${personId}/consents`, amra)).body.id as string;
    const given = await post('ohAdmin', `/api/v1/consents/${id}/decision`, {
      decision: 'given',
      method: 'paper',
      documentReference: 'SCAN-FORM-1',
      wishesToSeeReport,
    });
    expect(given.status).toBe(200);
    return id;
  }

  const letter = (u: keyof World['tokens'], id: string, body: object) =>
    post(u, `/api/v1/consents/${id}/on-behalf`, body);

  beforeAll(async () => {
    t = await createTestPlatform();
    at('2027-02-01');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a person with no account answers every AMRA step by letter, then OH records each one, the 21 days and the 6 months still hold, and the trail shows OH recording on their behalf (AMRA-1 … AMRA-6)', async () => {
    at('2027-02-01');
    const personId = await personWithoutAccount();
    const id = (await post('clinician', `/api/v1/people/${personId}/consents`, amra)).body.id as string;
    // AMRA-1, s.9: in writing.
    const verbal = await post('clinician', `/api/v1/consents/${id}/decision`, {
      decision: 'given',
      method: 'verbal',
      witness: 'Nurse J Jones',
      wishesToSeeReport: true,
    });
    expect([verbal.status, verbal.body.error.code]).toEqual([422, 'verbal-not-allowed']);
    expect(
      (
        await post('ohAdmin', `/api/v1/consents/${id}/decision`, {
          decision: 'given',
          method: 'paper',
          documentReference: 'SCAN-0201',
          wishesToSeeReport: true,
        })
      ).body,
    ).toMatchObject({ status: 'given', decision: { method: 'paper', on: '2027-02-01' }, wishesToSeeReport: true });
    at('2027-02-02');
    expect(
      (await post('ohAdmin', `/api/v1/consents/${id}/application`, { applicationDate: '2027-02-02' })).body,
    ).toMatchObject({ status: 'applied', earliestReleaseDate: '2027-02-23' });
    at('2027-02-10');
    await post('clinician', `/api/v1/consents/${id}/report`, {
      text: 'Fit for firearms duties.',
      receivedOn: '2027-02-10',
    });

    at('2027-02-12');
    // AMRA-4: before the 21 days, release is refused with the same code as when the person acts.
    const early = await post('ohAdmin', `/api/v1/consents/${id}/release`);
    expect([early.status, early.body.error.code]).toEqual([409, 'before-earliest-release-date']);
    // The person's own endpoints stay theirs; OH records their letter instead.
    for (const [path, body] of [
      ['supply-decision', { agree: true }],
      ['corrections', { text: 'x' }],
      ['statement', { text: 'x' }],
      ['access-request', {}],
    ] as const) {
      const own = await post('clinician', `/api/v1/consents/${id}/${path}`, body);
      expect([path, own.status, own.body.error.code]).toEqual([path, 403, 'person-decides']);
    }
    // A supply decision comes after seeing the report, by letter as in the platform (AMRA-4).
    const unseen = await letter('ohAdmin', id, {
      action: 'supply-decision',
      receivedOn: '2027-02-12',
      documentReference: 'LTR-0',
      agree: true,
    });
    expect([unseen.status, unseen.body.error.code]).toEqual([409, 'report-not-seen']);
    // The day received: not in the future, not before the report it answers.
    const future = await letter('ohAdmin', id, {
      action: 'seen-report',
      receivedOn: '2027-02-13',
      documentReference: 'LTR-1',
    });
    expect(future.status).toBe(422);
    expect(future.body.error).toMatchObject({
      code: 'letter-date-in-future',
      fields: { receivedOn: expect.any(String) },
    });
    const tooEarly = await letter('ohAdmin', id, {
      action: 'seen-report',
      receivedOn: '2027-02-09',
      documentReference: 'LTR-1',
    });
    expect([tooEarly.status, tooEarly.body.error.code]).toEqual([422, 'letter-before-step']);
    const seen = await letter('ohAdmin', id, {
      action: 'seen-report',
      receivedOn: '2027-02-11',
      documentReference: 'LTR-1',
    });
    expect(seen.status).toBe(200);
    // Having seen it, the report waits for their decision, whatever the 21 days say (AMRA-4).
    expect(seen.body).toMatchObject({ report: { seen: true }, earliestReleaseDate: null });

    at('2027-02-15');
    const correction = {
      action: 'correction',
      receivedOn: '2027-02-14',
      documentReference: 'LTR-2',
      text: 'My absence was six weeks, not six months.',
    };
    // Their words about the report are clinical (CONF-1): an OH clinician records them.
    const byAdmin = await letter('ohAdmin', id, correction);
    expect([byAdmin.status, byAdmin.body.error.code]).toEqual([403, 'clinical-content']);
    expect((await letter('clinician', id, correction)).body.corrections).toEqual([
      expect.objectContaining({ number: 1, text: correction.text, response: null }),
    ]);
    expect((await post('ohAdmin', `/api/v1/consents/${id}/release`)).body.error.code).toBe('correction-open');
    at('2027-02-16');
    await post('clinician', `/api/v1/consents/${id}/corrections/1/answer`, {
      response: 'declined',
      note: 'As recorded.',
    });
    const statement = { action: 'statement', documentReference: 'LTR-3', text: 'I was off for six weeks.' };
    const beforeDecline = await letter('clinician', id, { ...statement, receivedOn: '2027-02-15' });
    expect([beforeDecline.status, beforeDecline.body.error.code]).toEqual([422, 'letter-before-step']);
    expect((await letter('clinician', id, { ...statement, receivedOn: '2027-02-16' })).body.statement).toBe(
      'I was off for six weeks.',
    );

    at('2027-02-18');
    const agreed = await letter('ohAdmin', id, {
      action: 'supply-decision',
      receivedOn: '2027-02-17',
      documentReference: 'LTR-4',
      agree: true,
    });
    // Supplied today; the 6 months the report is kept run from the supply (AMRA-6).
    expect(agreed.body).toMatchObject({ status: 'supplied', suppliedOn: '2027-02-18', retainUntil: '2027-08-18' });
    const hr = (await get('hr', `/api/v1/people/${personId}/oh-reports`)).body.items;
    expect(hr).toEqual([
      expect.objectContaining({
        id,
        available: true,
        report: expect.objectContaining({ statement: 'I was off for six weeks.' }),
      }),
    ]);

    // AMRA-6: they may ask for it while it is kept, and not after; the same code as when the person reads it.
    at('2027-08-18');
    const kept = await letter('ohAdmin', id, {
      action: 'access-request',
      receivedOn: '2027-08-18',
      documentReference: 'LTR-5',
    });
    expect([kept.status, kept.body.history.at(-1)]).toEqual([200, expect.objectContaining({ type: 'copy-requested' })]);
    at('2027-08-20');
    const gone = await letter('ohAdmin', id, {
      action: 'access-request',
      receivedOn: '2027-08-19',
      documentReference: 'LTR-6',
    });
    expect([gone.status, gone.body.error.code]).toEqual([410, 'report-no-longer-held']);

    // Each letter is in the history and the audit trail as recorded by the OH user on the person's behalf.
    const events = await t.database.db('consent_events').where({ consent_id: id }).orderBy('at');
    const fromLetters = events
      .map((e: { type: string; by_user_id: string; details: unknown }) => ({
        type: e.type,
        by: e.by_user_id,
        details: typeof e.details === 'string' ? JSON.parse(e.details) : e.details,
      }))
      .filter((e) => e.details?.recordedOnBehalf);
    expect(fromLetters.map((e) => [e.type, e.by, e.details.receivedOn, e.details.documentReference])).toEqual([
      ['seen', w.users.ohAdmin.id, '2027-02-11', 'LTR-1'],
      ['correction-requested', w.users.clinician.id, '2027-02-14', 'LTR-2'],
      ['statement-attached', w.users.clinician.id, '2027-02-16', 'LTR-3'],
      ['supply-agreed', w.users.ohAdmin.id, '2027-02-17', 'LTR-4'],
      ['copy-requested', w.users.ohAdmin.id, '2027-08-18', 'LTR-5'],
    ]);
    const audited = await t.database
      .db('audit_events')
      .where({ entity_type: 'consent', entity_id: id, action: 'update', outcome: 'success' })
      .orderBy('id');
    const onBehalf = audited
      .map((a: { actor_user_id: string; actor_role: string; purpose: string; details: unknown }) => ({
        ...a,
        details: typeof a.details === 'string' ? JSON.parse(a.details) : a.details,
      }))
      .filter((a) => a.purpose === 'recorded-on-behalf');
    expect(onBehalf.map((a) => [a.details.action, a.actor_user_id, a.actor_role, a.details.recordedOnBehalf])).toEqual([
      ['seen-report', w.users.ohAdmin.id, 'oh-administrator', true],
      ['correction', w.users.clinician.id, 'oh-clinician', true],
      ['statement', w.users.clinician.id, 'oh-clinician', true],
      ['supply-decision', w.users.ohAdmin.id, 'oh-administrator', true],
      ['access-request', w.users.ohAdmin.id, 'oh-administrator', true],
    ]);
  });

  it('when their letter asks to see the report only after the application, then the 21 days run from the day it was received (AMRA-4)', async () => {
    at('2027-03-01');
    const personId = await personWithoutAccount();
    const id = await amraOnPaper(personId, false);
    await post('ohAdmin', `/api/v1/consents/${id}/application`, { applicationDate: '2027-03-01' });
    at('2027-03-08');
    const asked = await letter('ohAdmin', id, {
      action: 'access-request',
      receivedOn: '2027-03-05',
      documentReference: 'LTR-7',
    });
    expect(asked.body).toMatchObject({
      wishesToSeeReport: true,
      accessRequestedOn: '2027-03-05',
      earliestReleaseDate: '2027-03-26',
    });
    at('2027-03-10');
    await post('clinician', `/api/v1/consents/${id}/report`, { text: 'Fit.', receivedOn: '2027-03-10' });
    at('2027-03-25');
    expect((await post('ohAdmin', `/api/v1/consents/${id}/release`)).body.error.code).toBe(
      'before-earliest-release-date',
    );
    at('2027-03-26');
    expect((await post('ohAdmin', `/api/v1/consents/${id}/release`)).body).toMatchObject({
      status: 'supplied',
      suppliedOn: '2027-03-26',
    });
  });

  it('when a letter is junk, then it is a 422 naming the field, never a 500', async () => {
    at('2027-03-01');
    const id = await amraOnPaper(await personWithoutAccount(), true);
    for (const body of [
      {},
      { action: 'seen-report' },
      { action: 'nonsense', receivedOn: '2027-03-01', documentReference: 'x' },
      { action: 'seen-report', receivedOn: '2027-02-30', documentReference: 'x' },
      { action: 'supply-decision', receivedOn: '2027-03-01', documentReference: 'x' },
      { action: 'correction', receivedOn: '2027-03-01', documentReference: 'x', text: ' ' },
      { action: 'seen-report', receivedOn: '2027-03-01', documentReference: 'x', text: 'extra' },
    ]) {
      const res = await letter('clinician', id, body);
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([
        JSON.stringify(body),
        422,
        'validation-failed',
      ]);
    }
    expect((await letter('staff', id, { action: 'seen-report' })).status).toBe(403);
  });

  it('when a sharing consent is asked for with a backdated period, then it is refused; one stored with such a period allows nothing dated before its decision (§5c)', async () => {
    at('2027-04-01');
    const personId = await personWithoutAccount();
    const sharing = {
      kind: 'nhs-sharing',
      partnerOrganisationId: w.healthBoard.id,
      purpose: 'treatment',
      dataCategories: ['demographics'],
      description: 'Physiotherapy',
      noticeBy: 'letter',
    };
    const backdated = await post('clinician', `/api/v1/people/${personId}/consents`, {
      ...sharing,
      periodStart: '2026-10-03',
    });
    expect(backdated.status).toBe(422);
    expect(backdated.body.error).toMatchObject({
      code: 'period-before-consent',
      fields: { periodStart: expect.stringContaining('cannot start before today') },
    });
    const id = (
      await post('clinician', `/api/v1/people/${personId}/consents`, { ...sharing, periodStart: '2027-04-01' })
    ).body.id;
    at('2027-04-03');
    await post('ohAdmin', `/api/v1/consents/${id}/decision`, {
      decision: 'given',
      method: 'paper',
      documentReference: 'SCAN-S1',
    });
    const check = (asOf: string) =>
      post('clinician', '/api/v1/consents/check', {
        personId,
        recipient: { type: 'nhs-partner', organisationId: w.healthBoard.id },
        purpose: 'treatment',
        dataCategories: ['demographics'],
        asOf,
      });
    // Asked for from 1 April, given on 3 April: nothing dated before 3 April.
    expect((await check('2027-04-02')).body).toMatchObject({ allow: false, reason: 'consent-not-yet-in-force' });
    expect((await check('2027-04-03')).body).toEqual({ allow: true, consentIds: [id] });
    // A consent stored before this rule with its period backdated 180 days (existing data).
    const row = await t.database.db('consents').where({ id }).first();
    const state = typeof row.state === 'string' ? JSON.parse(row.state) : row.state;
    await t.database
      .db('consents')
      .where({ id })
      .update({ state: JSON.stringify({ ...state, periodStart: '2026-10-03' }) });
    expect((await check('2027-01-01')).body).toEqual({
      allow: false,
      reason: 'consent-not-yet-in-force',
      message: 'The consent to share with this partner starts on 2027-04-03.',
    });
    expect((await check('2027-04-03')).body).toEqual({ allow: true, consentIds: [id] });
  });

  it('when OH records a withdrawal, then it must say how and when the person said so; the person’s own withdrawal needs nothing (§5c)', async () => {
    at('2027-05-03');
    const sharing = (personId: string, periodStart: string) =>
      post('clinician', `/api/v1/people/${personId}/consents`, {
        kind: 'nhs-sharing',
        partnerOrganisationId: w.healthBoard.id,
        purpose: 'treatment',
        dataCategories: ['demographics'],
        periodStart,
        description: 'Physiotherapy',
        noticeBy: 'letter',
      });
    const id = (await sharing(await personWithoutAccount(), '2027-05-03')).body.id;
    await post('ohAdmin', `/api/v1/consents/${id}/decision`, {
      decision: 'given',
      method: 'paper',
      documentReference: 'SCAN-W1',
    });
    at('2027-05-10');
    const empty = await post('clinician', `/api/v1/consents/${id}/withdraw`);
    expect(empty.status).toBe(422);
    expect(empty.body.error).toMatchObject({
      code: 'withdrawal-statement-required',
      fields: { method: expect.any(String), saidOn: expect.any(String) },
    });
    const unreferenced = await post('clinician', `/api/v1/consents/${id}/withdraw`, {
      method: 'written',
      saidOn: '2027-05-09',
    });
    expect(unreferenced.body.error).toMatchObject({
      code: 'document-reference-required',
      fields: { documentReference: expect.any(String) },
    });
    for (const [saidOn, code] of [
      ['2027-05-11', 'withdrawal-date-in-future'],
      ['2027-05-02', 'withdrawal-before-consent'],
    ]) {
      const res = await post('clinician', `/api/v1/consents/${id}/withdraw`, { method: 'phone', saidOn });
      expect([res.status, res.body.error.code, Object.keys(res.body.error.fields)]).toEqual([422, code, ['saidOn']]);
    }
    expect((await get('clinician', `/api/v1/consents/${id}`)).body.status).toBe('given');
    const withdrawn = await post('clinician', `/api/v1/consents/${id}/withdraw`, {
      method: 'phone',
      saidOn: '2027-05-09',
    });
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn' });
    expect(withdrawn.body.history.at(-1)).toMatchObject({ type: 'withdrawn', byRole: 'oh-clinician' });
    const audit = await t.database
      .db('audit_events')
      .where({ entity_type: 'consent', entity_id: id, action: 'update', outcome: 'success' })
      .orderBy('id', 'desc')
      .first();
    expect({
      actor: audit.actor_user_id,
      purpose: audit.purpose,
      details: typeof audit.details === 'string' ? JSON.parse(audit.details) : audit.details,
    }).toMatchObject({
      actor: w.users.clinician.id,
      purpose: 'recorded-on-behalf',
      details: { event: 'withdrawn', recordedOnBehalf: true, method: 'phone', saidOn: '2027-05-09' },
    });

    // The person withdraws for themselves with nothing to add.
    const own = (await sharing(w.report.id, '2027-05-10')).body.id;
    await post('staff', `/api/v1/consents/${own}/decision`, { decision: 'given', method: 'platform' });
    const withBody = await post('staff', `/api/v1/consents/${own}/withdraw`, { method: 'phone', saidOn: '2027-05-10' });
    expect([withBody.status, Object.keys(withBody.body.error.fields)]).toEqual([422, ['method']]);
    expect((await post('staff', `/api/v1/consents/${own}/withdraw`)).body).toMatchObject({ status: 'withdrawn' });
  });

  it('when OH records a letter on the consent’s page, then a missing answer comes back beside its field in English and Welsh, an administrator is not offered a correction, and the letter shows in the history', async () => {
    at('2027-06-01');
    const id = await amraOnPaper(await personWithoutAccount(), true);
    await post('ohAdmin', `/api/v1/consents/${id}/application`, { applicationDate: '2027-06-01' });
    await post('clinician', `/api/v1/consents/${id}/report`, { text: 'Fit.', receivedOn: '2027-06-01' });
    at('2027-06-03');
    const oh = await signIn(t, w.users.clinician.email);
    const page = await oh.get(`/consents/${id}`);
    expect(page.text).toContain('Record a letter from the person');
    expect(page.text).toContain('They have seen the report');
    const csrf = csrfFrom(page.text);
    // The date the letter arrived is typed as day, month and year (issue 15 §6).
    expect(page.text).toContain('name="letterReceivedOn-day"');
    const arrived = { 'letterReceivedOn-day': '2', 'letterReceivedOn-month': '6', 'letterReceivedOn-year': '2027' };
    const missing = await oh
      .post(`/consents/${id}/on-behalf`)
      .type('form')
      .send({ _csrf: csrf, ...arrived });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('id="letterAction-error"');
    expect(missing.text).toContain('Choose what the letter says');
    expect(missing.text).toContain('id="letterReference-error"');
    expect(missing.text).toContain('name="letterReceivedOn-day" type="text" inputmode="numeric" value="2"');
    expect(missing.text).toContain('name="letterReceivedOn-month" type="text" inputmode="numeric" value="6"');
    const future = await oh
      .post(`/consents/${id}/on-behalf`)
      .type('form')
      .send({
        _csrf: csrf,
        letterAction: 'seen-report',
        ...arrived,
        'letterReceivedOn-day': '4',
        letterReference: 'LTR-P',
      });
    expect(future.status).toBe(422);
    expect(future.text).toContain('id="letterReceivedOn-error"');
    expect(future.text).toContain('The date the letter arrived cannot be in the future');
    await oh
      .post('/language')
      .type('form')
      .send({ _csrf: csrf, lang: 'cy', returnTo: `/consents/${id}` });
    const cy = await oh
      .post(`/consents/${id}/on-behalf`)
      .type('form')
      .send({ _csrf: csrf, letterReceivedOn: '2027-06-02' });
    expect(cy.status).toBe(422);
    expect(cy.text).toContain('Cofnodi llythyr gan yr unigolyn');
    expect(cy.text).toContain('Dewiswch beth mae’r llythyr yn ei ddweud');
    await oh
      .post('/language')
      .type('form')
      .send({ _csrf: csrf, lang: 'en', returnTo: `/consents/${id}` });
    const done = await oh
      .post(`/consents/${id}/on-behalf`)
      .type('form')
      .send({ _csrf: csrf, letterAction: 'seen-report', ...arrived, letterReference: 'LTR-P' });
    expect([done.status, done.headers.location]).toEqual([303, `/consents/${id}`]);
    const after = await oh.get(`/consents/${id}`);
    expect(after.text).toContain('Their letter has been recorded');
    expect(after.text).toContain('from their letter received on 2 June 2027 (reference LTR-P)');
    expect(after.text).toContain('They ask for a correction');
    const admin = await signIn(t, w.users.ohAdmin.email);
    const adminPage = await admin.get(`/consents/${id}`);
    expect(adminPage.text).toContain('They agree to the report being released');
    expect(adminPage.text).not.toContain('They ask for a correction');
    // An AMRA decision is not offered as verbal (AMRA-1).
    const fresh = (await post('clinician', `/api/v1/people/${w.report.id}/consents`, amra)).body.id;
    expect((await oh.get(`/consents/${fresh}`)).text).not.toContain('value="verbal"');
  });
});
