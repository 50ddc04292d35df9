import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  formFields,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** The page's visible words, without tags (as a reader sees them, roughly). */
const words = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** The OH clinician's pages for a blood-borne virus exposure (issue 16 §8), on a fixed clock. */
describe('BBV pages (issue 16 §8)', () => {
  let t: TestPlatform;
  let w: World;
  let incidentPath = '';

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-12-07T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when an OH clinician records a bite by someone who is not staff through the form, then the incident page shows its deadlines in UK time and its schedule', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const start = await clinician.get(`/people/${w.report.id}/pathways`);
    expect(start.text).toContain(`href="/people/${w.report.id}/bbv-incidents/new"`);
    const action = `/people/${w.report.id}/bbv-incidents/new`;
    const form = await clinician.get(action);
    expect(form.status).toBe(200);
    expect(words(form.text)).toContain('Record a blood-borne virus exposure');
    const res = await clinician
      .post(action)
      .type('form')
      .send({
        ...formFields(form.text, action),
        'occurredAt-day': '7',
        'occurredAt-month': '12',
        'occurredAt-year': '2026',
        'occurredAt-time': '09:30',
        exposureType: 'bite',
        skinBroken: 'yes',
        bloodInMouth: 'no',
        otherPartyKind: 'not-staff',
        otherPartyDescription: 'Detained person, custody ref 12/3456',
        otherPartyConsented: 'yes',
        otherPartyArrangedWith: 'Custody healthcare',
        bodyFluid: 'saliva',
        firstAidGiven: 'yes',
        sourceKnown: 'yes',
        sourceConsentedToTesting: 'yes',
        highRiskHcv: 'no',
        knownHbvResponder: 'unknown',
      });
    expect(res.status, words(res.text)).toBe(303);
    incidentPath = res.headers.location!;
    expect(incidentPath).toMatch(/^\/bbv-incidents\/[0-9a-f-]{36}$/);

    const page = await clinician.get(incidentPath);
    expect(page.status).toBe(200);
    const text = words(page.text);
    expect(text).toContain('The exposure has been recorded');
    expect(text).toContain('Happened at 09:30 on 7 December 2026');
    expect(text).toContain('Risk assessment recorded at 10:00 on 7 December 2026');
    expect(text).toContain('HIV PEP: best by 09:30 on 8 December 2026, not after 09:30 on 10 December 2026');
    // The countdown: the server's words first, the instant for the script beside them.
    // (Signing in passed 30 seconds on the fixed clock.)
    expect(text).toMatch(/HIV PEP: [^]*? in 23 hours (29|30) minutes What to do next/);
    expect(page.text).toContain('data-countdown="2026-12-08T09:30:00.000Z"');
    // What to do next: the PEP and hepatitis B decisions, the accident report; the assessment is done.
    expect(page.text).toContain(`href="${incidentPath}/pep"`);
    expect(page.text).toContain(`href="${incidentPath}/hepatitis-b"`);
    expect(page.text).toContain(`href="${incidentPath}/accident-report"`);
    expect(page.text).not.toContain(`href="${incidentPath}/risk-assessment"`);
    // The schedule, in words: the 4–6 week window counts from the UK day of the exposure.
    expect(text).toContain('4 to 6 weeks Not due yet');
    expect(text).toContain('4 January 2027 to 18 January 2027');
    expect(text).toContain('Hepatitis B surface antigen (HBsAg): no result yet');
    expect(text).toContain('Detained person, custody ref 12/3456');
    expect(page.text).toMatch(/href="\/pathways\/[0-9a-f-]{36}"/);
    expect(text).not.toMatch(/\b(4-6-weeks|HBsAg,|not-staff|needs-review|upcoming)\b/);
  });

  it('when the pathway page of the exposure is opened, then it links to the exposure record and its steps are done there', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const page = await clinician.get(incidentPath);
    const pathway = /href="(\/pathways\/[0-9a-f-]{36})"/.exec(page.text)![1]!;
    const show = await clinician.get(pathway);
    expect(show.status).toBe(200);
    expect(words(show.text)).toContain('Open the exposure record');
    expect(show.text).toContain(`href="${incidentPath}"`);
    expect(show.text).not.toMatch(/\/steps\/pep-decision"/);
  });

  it('when the 4–6 week window opens, then a result is recorded through the form and shows in the schedule', async () => {
    t.clock.set('2027-01-08T10:00:00Z');
    const clinician = await signIn(t, w.users.clinician.email);
    const page = await clinician.get(incidentPath);
    expect(words(page.text)).toContain('4 to 6 weeks Due now');
    const action = `${incidentPath}/results/new`;
    expect(page.text).toContain(`href="${action}?timepoint&#x3D;4-6-weeks"`);
    const form = await clinician.get(`${action}?timepoint=4-6-weeks`);
    expect(form.status).toBe(200);
    const fields = formFields(form.text, action);
    expect(fields.timepoint, 'the timepoint is chosen from the link').toBe('4-6-weeks');
    const res = await clinician
      .post(action)
      .type('form')
      .send({
        ...fields,
        test: 'HBsAg',
        result: 'negative',
        'sampleTakenAt-day': '8',
        'sampleTakenAt-month': '1',
        'sampleTakenAt-year': '2027',
        'sampleTakenAt-time': '09:00',
      });
    expect(res.status, words(res.text)).toBe(303);
    expect(res.headers.location).toBe(incidentPath);
    const after = words((await clinician.get(incidentPath)).text);
    expect(after).toContain('The result has been recorded');
    expect(after).toContain('Hepatitis B surface antigen (HBsAg): Negative');
    expect(after).toContain('4 to 6 weeks Some results in');
  });

  it('when an OH administrator opens the incident, then they see the schedule without results or clinical detail', async () => {
    const admin = await signIn(t, w.users.ohAdmin.email);
    const page = await admin.get(incidentPath);
    expect(page.status).toBe(200);
    const text = words(page.text);
    expect(text).toContain('4 to 6 weeks');
    expect(text).toContain('Hepatitis B surface antigen (HBsAg)');
    expect(text).not.toContain('Negative');
    expect(text).not.toContain('Detained person');
    expect(text).not.toContain('HIV PEP');
    expect(page.text).not.toContain(`href="${incidentPath}/pep"`);
    expect((await admin.get(`${incidentPath}/pep`)).status).toBe(403);
  });

  it('when a result comes back positive, then the clinician reads first that it needs them now, with the way to the urgent referral, and an administrator reads nothing of it (BBV-9)', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const action = `${incidentPath}/results/new`;
    const fields = formFields((await clinician.get(`${action}?timepoint=4-6-weeks`)).text, action);
    const res = await clinician
      .post(action)
      .type('form')
      .send({
        ...fields,
        test: 'HIV-Ag-Ab',
        result: 'positive',
        'sampleTakenAt-day': '8',
        'sampleTakenAt-month': '1',
        'sampleTakenAt-year': '2027',
        'sampleTakenAt-time': '09:00',
      });
    expect(res.status, words(res.text)).toBe(303);
    const page = await clinician.get(incidentPath);
    expect(page.text).toContain('data-testid="needs-review"');
    const text = words(page.text);
    expect(text).toContain('A result needs a clinician now');
    expect(text).toContain('4 to 6 weeks Needs a clinician now');
    expect(page.text).toMatch(/href="\/pathways\/[0-9a-f-]{36}">Open the pathway to review the result/);
    const admin = words((await (await signIn(t, w.users.ohAdmin.email)).get(incidentPath)).text);
    expect(admin).not.toContain('needs a clinician');
    expect(admin).not.toContain('Positive');
  });

  it('when a line manager or HR opens the incident, then it does not exist for them (404)', async () => {
    for (const user of [w.users.lineManager, w.users.hr]) {
      const agent = await signIn(t, user.email);
      expect((await agent.get(incidentPath)).status).toBe(404);
      expect((await agent.get(`${incidentPath}/risk-assessment`)).status).toBe(404);
    }
  });

  it('when the form is sent empty, then the error summary names each field in plain words', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const action = `/people/${w.report.id}/bbv-incidents/new`;
    const form = await clinician.get(action);
    const res = await clinician
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(form.text) });
    expect(res.status).toBe(422);
    const summary = words(/<div class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(res.text)![0]);
    expect(summary).toContain('There is a problem');
    expect(summary).toContain('Enter when the exposure happened');
    expect(summary).toContain('Select how the exposure happened');
    expect(summary).toContain('Select whether the source is known');
    expect(summary).not.toMatch(/occurredAt|exposureType|sourceKnown|validation\./);
    expect(res.text).toContain('href="#occurredAt"');
  });

  it('when a bite by a member of staff is recorded without choosing them, then the form says to select the member of staff', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const action = `/people/${w.report.id}/bbv-incidents/new`;
    const form = await clinician.get(action);
    const res = await clinician
      .post(action)
      .type('form')
      .send({
        ...formFields(form.text, action),
        'occurredAt-day': '8',
        'occurredAt-month': '1',
        'occurredAt-year': '2027',
        'occurredAt-time': '08:00',
        exposureType: 'bite',
        skinBroken: 'yes',
        otherPartyKind: 'staff',
        sourceKnown: 'yes',
      });
    expect(res.status).toBe(422);
    expect(words(res.text)).toContain('Select the member of staff');
  });

  it('when the PEP page is opened more than 72 hours after the exposure, then it says plainly PEP is not started now and offers no start', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const page = await clinician.get(`${incidentPath}/pep`);
    expect(page.status).toBe(200);
    expect(words(page.text)).toContain('PEP is not started now');
    expect(page.text).not.toContain('value="started"');
    expect(page.text).toContain('value="too-late"');
  });

  it('when a Welsh reader opens the incident, then its headings are in Welsh', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const page = await clinician.get(incidentPath);
    await clinician
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), lang: 'cy', returnTo: incidentPath });
    const welsh = words((await clinician.get(incidentPath)).text);
    expect(welsh).toContain('Dod i gysylltiad â feirws a gludir yn y gwaed');
    expect(welsh).toContain('Terfynau amser');
    expect(welsh).toContain('Amserlen brofi');
    expect(welsh).toContain('Ionawr 2027');
    expect(welsh).not.toContain('Testing schedule');
  });
});
