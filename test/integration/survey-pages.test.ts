import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import type { NewPerson } from '../../src/people/people-types.js';
import { newId } from '../../src/shared/ids.js';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  csrfFrom,
  formFields,
  signIn,
  TEST_PASSWORD,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/*
 * Issue 17 §4, §6, §7, §8: the staff pages of needs-assessment surveys, driven through their forms. Respondents
 * answer through the API with the tokens their invitation emails carried (NA-2: nothing else links them).
 */

type Agent = ReturnType<typeof request.agent>;

const DAY = 86_400_000;

/** A unit under `parentId` with `count` people who have work email addresses. */
async function unitWithPeople(t: TestPlatform, w: World, name: string, count: number, parentId: string | null) {
  const unitId = newId();
  await t.platform.repositories.people.insertUnit(
    { id: unitId, organisationId: w.host.id, name, code: null, parentUnitId: parentId },
    t.clock.now(),
  );
  const people = Array.from({ length: count }, () => {
    const id = newId();
    return buildPerson(w.host.id, { id, unitId, workEmail: `s-${id}@force.example` });
  });
  await t.platform.repositories.people.insertPeople(people, t.clock.now());
  return { unitId, people };
}

/** Each person's invitation token, read from their queued invitation email. */
async function tokensOf(t: TestPlatform, people: readonly NewPerson[]): Promise<string[]> {
  const rows = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
    payload: string;
  }>;
  const byAddress = new Map<string, string>();
  for (const row of rows) {
    const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as {
      to: string;
      text: string;
    };
    const token = /\/survey\?t=([A-Za-z0-9_-]+)/.exec(payload.text)?.[1];
    if (token) byAddress.set(payload.to, token);
  }
  return people.map((p) => {
    const token = byAddress.get(p.workEmail!);
    if (!token) throw new Error(`no invitation email for ${p.workEmail}`);
    return token;
  });
}

/** Answers over the API as a respondent does: start with the token, save, submit. */
async function respond(t: TestPlatform, token: string, answers: Record<string, unknown>): Promise<void> {
  const start = await request(t.app).post('/api/v1/responses').send({ invitationToken: token });
  expect(start.status).toBe(201);
  const key = { 'X-Response-Key': start.body.responseKey as string };
  const saved = await request(t.app).put(`/api/v1/responses/${start.body.id}/answers`).set(key).send({ answers });
  expect(saved.status).toBe(200);
  const submitted = await request(t.app).post(`/api/v1/responses/${start.body.id}/submit`).set(key).send();
  expect(submitted.status).toBe(200);
}

const hse = (value: number, comment?: string) => ({
  ...Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`hse-${i + 1}`, String(value)])),
  ...(comment ? { 'hse-comments': comment } : {}),
});

/** Launches a survey through the form; returns the campaign page's address. */
async function launch(agent: Agent, fields: Record<string, string>): Promise<string> {
  const form = await agent.get('/surveys/new');
  expect(form.status).toBe(200);
  const [year, month, day] = ['2026', '11', '22'];
  const res = await agent
    .post('/surveys/new')
    .type('form')
    .send({
      _csrf: csrfFrom(form.text),
      mode: 'anonymous',
      breakdown: 'unit',
      'opensOn-day': day,
      'opensOn-month': month,
      'opensOn-year': year,
      'closesOn-day': '6',
      'closesOn-month': '12',
      'closesOn-year': '2026',
      ...fields,
    });
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  return res.headers.location as string;
}

/** The text of a table's row headed `name`, tags stripped. */
function rowText(html: string, testId: string, name: string): string {
  const table = new RegExp(`data-testid="${testId}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';
  const row = [...table.matchAll(/<tr[\s\S]*?<\/tr>/g)].map(([r]) => r.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
  return row.find((r) => r.includes(name)) ?? '';
}

/** One group's cell in the table of domain means by group. */
function groupCell(html: string, domain: string, group: string): string {
  const table = /data-testid="hse-groups"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, c]) => c!.trim());
  const rows = [...table.matchAll(/<tr[\s\S]*?<\/tr>/g)].map(([r]) => cells(r));
  const column = rows[0]!.indexOf(group);
  return rows.find((r) => r[0] === domain)?.[column] ?? '';
}

describe('survey pages', () => {
  let t: TestPlatform;
  let w: World;
  let oh: Agent;
  let campaignPath: string;
  let units: Record<'alpha' | 'bravo' | 'delta', { unitId: string; people: NewPerson[] }>;
  let parentId: string;

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
    parentId = newId();
    await t.platform.repositories.people.insertUnit(
      { id: parentId, organisationId: w.host.id, name: 'Operations', code: null, parentUnitId: null },
      t.clock.now(),
    );
    units = {
      alpha: await unitWithPeople(t, w, 'Alpha shift', 12, parentId),
      bravo: await unitWithPeople(t, w, 'Bravo shift', 12, parentId),
      delta: await unitWithPeople(t, w, 'Delta shift', 12, parentId),
    };
    oh = await signIn(t, w.users.ohAdmin.email);
  });
  afterAll(async () => t.destroy());

  it('when the launch form is sent with no survey and closing before it opens, then it comes back with 422, the words of each problem and the values kept', async () => {
    const form = await oh.get('/surveys/new');
    const res = await oh
      .post('/surveys/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        title: 'Kept title',
        mode: 'anonymous',
        populationKind: 'unit',
        unitRef: '',
        breakdown: 'unit',
      });
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Kept title"');
    expect(res.text).toContain('Select the survey to send');
    expect(res.text).toContain('Enter the closing date');
    expect(res.text).not.toMatch(/>[^<]*(questionnaireId|unitRef|NA-\d)[^<]*</);
    const again = await oh
      .post('/surveys/new')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        questionnaireId: 'hse-indicator-tool',
        title: 'Kept title',
        mode: 'anonymous',
        populationKind: 'unit',
        breakdown: 'unit',
        ...{ 'opensOn-day': '22', 'opensOn-month': '11', 'opensOn-year': '2026' },
        ...{ 'closesOn-day': '21', 'closesOn-month': '11', 'closesOn-year': '2026' },
      });
    expect(again.status).toBe(422);
    expect(again.text).toContain('Select the unit');
    expect(again.text).toMatch(/value="hse-indicator-tool" aria-describedby="[^"]+" checked/);
  });

  it('when OH sends the HSE survey to a unit through the form, then the campaign page says who was asked and how many', async () => {
    campaignPath = await launch(oh, {
      questionnaireId: 'hse-indicator-tool',
      title: 'Operations stress survey',
      populationKind: 'unit',
      unitRef: parentId,
    });
    expect(campaignPath).toMatch(/^\/surveys\/[0-9a-f-]{36}$/);
    const page = await oh.get(campaignPath);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Survey sent');
    expect(page.text).toContain('Everyone in Operations and the units under it');
    expect(page.text).toMatch(/Invited<\/dt>\s*<dd[^>]*>36</);
    const list = await oh.get('/surveys');
    expect(list.text).toContain('Operations stress survey');
    expect(list.text).toContain('0% (Below adequate)');
  });

  it('when 10, 9 and 5 people of three units have answered and the survey has closed, then the group of 9 shows "fewer than 10" and the group of 10 its numbers, and the CSV hides exactly what the page hides', async () => {
    const answerAll = async (people: NewPerson[], n: number, value: number) => {
      const tokens = await tokensOf(t, people.slice(0, n));
      for (const token of tokens) await respond(t, token, hse(value, `A comment from a ${value}`));
    };
    await answerAll(units.alpha.people, 10, 4);
    await answerAll(units.bravo.people, 9, 2);
    await answerAll(units.delta.people, 5, 3);
    t.clock.advance(15 * DAY);

    const page = await oh.get(campaignPath);
    expect(page.status).toBe(200);
    // CONF-5: by group, the 10 are shown and the 9 and the 5 are not.
    expect(rowText(page.text, 'groups', 'Alpha shift')).toContain('12 10');
    expect(rowText(page.text, 'groups', 'Bravo shift')).toContain('fewer than 10');
    expect(rowText(page.text, 'groups', 'Delta shift')).toContain('fewer than 10');
    expect(rowText(page.text, 'hse-domains', 'Demands')).toMatch(/Demands \d\.\d+/);
    // Demands items are reversed (NA-3): Alpha's answers of 4 score 2.
    expect(groupCell(page.text, 'Demands', 'Alpha shift')).toBe('2');
    expect(groupCell(page.text, 'Demands', 'Bravo shift')).toBe('fewer than 10');
    expect(groupCell(page.text, 'Demands', 'Delta shift')).toBe('fewer than 10');
    expect(page.text).toContain('data-testid="hse-chart"');
    expect(page.text).toContain('A comment from a 4');
    expect(page.text).not.toMatch(/>[^<]*(manager-support|peer-support|hse-\d+\b)[^<]*</);

    const csv = await oh.get(`${campaignPath}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split(/\r?\n/);
    const line = (code: string) => lines.find((l) => l.startsWith(`${code},`)) ?? '';
    expect(line(`group.${units.alpha.unitId}.responses`)).toMatch(/,10,10,no$/);
    expect(line(`group.${units.bravo.unitId}.responses`)).toMatch(/,,9,yes$/);
    expect(line(`hse.demands.${units.bravo.unitId}.mean`)).toMatch(/,,9,yes$/);
    expect(line('hse.demands.mean')).toContain('Demands: average');
    // Every figure hidden on the page is hidden in the CSV, and no hidden figure carries a value.
    for (const l of lines.slice(1)) if (l.endsWith(',yes')) expect(l).toMatch(/,,\d+,yes$/);

    const chart = await oh
      .get(`${campaignPath}/charts/hse.svg`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
    expect(chart.status).toBe(200);
    expect(chart.headers['content-type']).toContain('image/svg+xml');
    const svg = chart.body as string;
    expect(svg).toContain('<svg');
    expect(svg).toContain('Demands');
    expect(svg).toContain('Relationships');
    // Suppressed means are not drawn: Alpha's page only has its own bars, everyone's are drawn from 24 answers.
    expect(svg).not.toContain('fewer than');
  });

  it('when one group is asked for on its own and it, or everyone outside it, is too few, then the page says so in words rather than failing', async () => {
    const refused = await oh.get(`${campaignPath}?group=${units.bravo.unitId}`);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain('data-testid="group-refused"');
    expect(refused.text).toContain('Too few people answered in this group');
    const shown = await oh.get(`${campaignPath}?group=${units.alpha.unitId}`);
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain('data-testid="group-refused"');
    expect(shown.text).toContain('Answers shown: 10.');
  });

  it('when an action is recorded from the results, then it is on its owner’s worklist in words with a link to the campaign, and marking it done there shows on the plan', async () => {
    const page = await oh.get(campaignPath);
    const fields = formFields(page.text, `${campaignPath}/actions`);
    const res = await oh
      .post(`${campaignPath}/actions`)
      .type('form')
      .send({
        ...fields,
        topic: 'demands',
        description: 'Review shift patterns with the team',
        ownerPersonId: w.manager.id,
        'dueOn-day': '20',
        'dueOn-month': '1',
        'dueOn-year': '2027',
      });
    expect(res.status, res.text.slice(0, 1500)).toBe(303);
    const plan = await oh.get(campaignPath);
    expect(plan.text).toContain('Review shift patterns with the team');
    expect(plan.text).toContain('Morgan Manager');

    const manager = await signIn(t, w.users.lineManager.email);
    const worklist = await manager.get('/worklist');
    expect(worklist.text).toContain('Survey action to complete');
    const link = /<a href="(\/surveys\/actions\/[0-9a-f-]{36})">Survey action to complete<\/a>/.exec(
      worklist.text,
    )?.[1];
    expect(link).toBeTruthy();
    // The owner reaches the campaign page from the worklist only when the campaign is within their reach.
    const followed = await oh.get(link!);
    expect(followed.status).toBe(303);
    expect(followed.headers.location).toBe(`${campaignPath}#actions`);

    const task = /action="(\/tasks\/[0-9a-f-]{36}\/complete)"/.exec(worklist.text)![1]!;
    const done = await manager
      .post(task)
      .type('form')
      .send({ _csrf: csrfFrom(worklist.text), note: 'Rotas changed' });
    expect(done.status).toBe(303);
    const after = await oh.get(campaignPath);
    expect(rowText(after.text, 'actions', 'Review shift patterns')).toContain('Done');
    expect(after.text).not.toContain('Mark as done<span class="nhsuk-u-visually-hidden">: Review shift patterns');

    // Marked done from the plan itself: its worklist task is completed with it.
    const second = await oh
      .post(`${campaignPath}/actions`)
      .type('form')
      .send({
        ...formFields(after.text, `${campaignPath}/actions`),
        topic: 'role',
        description: 'Write down who covers which calls',
        ownerPersonId: w.manager.id,
        ...{ 'dueOn-day': '1', 'dueOn-month': '2', 'dueOn-year': '2027' },
      });
    expect(second.status).toBe(303);
    const withSecond = await oh.get(campaignPath);
    const doneForm = /action="(\/surveys\/[0-9a-f-]{36}\/actions\/[0-9a-f-]{36}\/done)"/.exec(withSecond.text)![1]!;
    expect(
      (
        await oh
          .post(doneForm)
          .type('form')
          .send({ _csrf: csrfFrom(withSecond.text) })
      ).status,
    ).toBe(303);
    expect(rowText((await oh.get(campaignPath)).text, 'actions', 'Write down who covers')).toContain('Done');
    expect((await manager.get('/worklist')).text).not.toContain('Survey action to complete');
  });

  it('when the same people are surveyed again, then each action of the previous survey shows the change in its area since then', async () => {
    const next = await launch(oh, {
      questionnaireId: 'hse-indicator-tool',
      title: 'Operations stress survey, again',
      populationKind: 'unit',
      unitRef: parentId,
      ...{ 'opensOn-day': '7', 'opensOn-month': '12', 'closesOn-day': '20' },
    });
    const emails = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: string;
    }>;
    const tokens = emails
      .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { to: string; text: string })
      .filter((p) => p.text.includes('Operations stress survey, again'))
      .map((p) => /\/survey\?t=([A-Za-z0-9_-]+)/.exec(p.text)![1]!);
    for (const token of tokens.slice(0, 10)) await respond(t, token, hse(5));
    const page = await oh.get(next);
    // Demands (reversed, NA-3): 2.96 before (24 answers), 1 now.
    expect(rowText(page.text, 'hse-domains', 'Demands')).toContain('2.96');
    expect(rowText(page.text, 'previous-actions', 'Review shift patterns')).toContain('−1.96');
  });

  it('when OH appoints a facilitator for one unit, then the facilitator signs in, sees the Surveys link and only that unit’s campaigns, and may send one there', async () => {
    const id = newId();
    await t.platform.repositories.users.insert(
      {
        id,
        email: 'facilitator@test.example',
        displayName: 'Fran Facilitator',
        passwordHash: await hashPassword(TEST_PASSWORD),
        organisationId: w.host.id,
        personId: units.alpha.people[11]!.id,
        roles: ['staff'],
        locale: 'en',
      },
      t.clock.now(),
    );
    const admin = await oh.get('/surveys/facilitators');
    expect(admin.status).toBe(200);
    const appoint = await oh
      .post('/surveys/facilitators')
      .type('form')
      .send({ _csrf: csrfFrom(admin.text), userId: id, unitId: units.delta.unitId });
    expect(appoint.status).toBe(303);
    expect((await oh.get('/surveys/facilitators')).text).toContain('Fran Facilitator');

    const facilitator = await signIn(t, 'facilitator@test.example');
    const home = await facilitator.get('/');
    expect(home.text).toContain('href="/surveys"');
    const before = await facilitator.get('/surveys');
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('Operations stress survey');
    const own = await launch(facilitator, {
      questionnaireId: 'hse-indicator-tool',
      title: 'Delta team check-in',
      populationKind: 'unit',
      unitRef: units.delta.unitId,
      breakdown: 'none',
      'opensOn-day': '7',
      'opensOn-month': '12',
      'closesOn-day': '20',
    });
    const list = await facilitator.get('/surveys');
    expect(list.text).toContain('Delta team check-in');
    expect(list.text).not.toContain('Operations stress survey');
    expect((await facilitator.get(campaignPath)).status).toBe(404);
    expect((await facilitator.get(own)).status).toBe(200);

    const unappointed = await signIn(t, w.users.staff.email);
    expect((await unappointed.get('/')).text).not.toContain('href="/surveys"');
  });

  it('when a confidential risk assessment is answered, then an OH clinician sees who answered, reads the answers in words and records the review; the FHIR bundle downloads', async () => {
    const clinician = await signIn(t, w.users.clinician.email);
    const path = await launch(clinician, {
      questionnaireId: 'psychological-risk-assessment',
      title: 'Digital forensics risk assessment',
      mode: 'confidential',
      populationKind: 'unit',
      unitRef: units.alpha.unitId,
      breakdown: 'none',
      'opensOn-day': '7',
      'opensOn-month': '12',
      'closesOn-day': '20',
    });
    const person = units.alpha.people[0]!;
    const rows = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: string;
    }>;
    const token = rows
      .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { to: string; text: string })
      .filter((p) => p.to === person.workEmail && p.text.includes('Digital forensics risk assessment'))
      .map((p) => /\/survey\?t=([A-Za-z0-9_-]+)/.exec(p.text)?.[1])
      .find(Boolean);
    expect(token).toBeTruthy();
    await respond(t, token!, {
      'role-type': 'digital-forensics',
      'exposure-frequency': 'daily',
      'critical-incident': true,
      sleep: 'often',
      'intrusive-memories': 'sometimes',
      avoidance: 'not-at-all',
      irritability: 'sometimes',
      'alcohol-change': 'same',
      'oh-contact': true,
      'phq4-1': '2',
      'phq4-2': '1',
      'phq4-3': '0',
      'phq4-4': '1',
    });

    const campaign = await clinician.get(path);
    expect(campaign.text).toContain(`href="${path}/responses"`);
    const who = await clinician.get(`${path}/responses`);
    expect(who.status).toBe(200);
    expect(who.text).toContain(`${person.givenName} ${person.familyName}`);
    expect(who.text).toContain('To review');
    const responseLink = /href="(\/surveys\/responses\/[0-9a-f-]{36})"/.exec(who.text)![1]!;
    const review = await clinician.get(responseLink);
    expect(review.text).toContain('Digital forensics');
    expect(review.text).not.toContain('digital-forensics<');
    const saved = await clinician
      .post(responseLink)
      .type('form')
      .send({ _csrf: csrfFrom(review.text), outcome: 'structured-interview', note: 'Offer an appointment' });
    expect(saved.status).toBe(303);
    expect((await clinician.get(`${path}/responses`)).text).toContain('Structured interview');

    const bundle = await clinician.get(`${path}/responses.json`);
    expect(bundle.status).toBe(200);
    const parsed = JSON.parse(bundle.text) as {
      resourceType: string;
      entry: Array<{ resource: { resourceType: string } }>;
    };
    expect(parsed.resourceType).toBe('Bundle');
    expect(parsed.entry.map((e) => e.resource.resourceType)).toEqual(['QuestionnaireResponse']);

    // NA-2, NA-8: the OH administrator has no clinician's access to confidential answers.
    expect((await oh.get(`${path}/responses`)).status).toBe(403);
  });

  it('when anyone reads the published questionnaires, then each is listed with its version and its FHIR file downloads', async () => {
    const page = await oh.get('/admin/questionnaires');
    expect(page.status).toBe(200);
    expect(page.text).toContain('HSE');
    const file = await oh.get('/admin/questionnaires/hse-indicator-tool/export');
    expect(file.status).toBe(200);
    expect(JSON.parse(file.text).resourceType).toBe('Questionnaire');
  });
});
