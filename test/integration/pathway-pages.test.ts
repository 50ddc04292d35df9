import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** A form's fields as rendered by the partials: each group's name, kind, first choice and whether it is optional. */
function formGroups(html: string): Array<{
  name: string;
  kind: 'radio' | 'input' | 'textarea' | 'date';
  type: string;
  first: string;
  optional: boolean;
}> {
  const groups: Array<{
    name: string;
    kind: 'radio' | 'input' | 'textarea' | 'date';
    type: string;
    first: string;
    optional: boolean;
  }> = [];
  for (const block of html.split('<div class="nhsuk-form-group').slice(1)) {
    const optional = /\((optional|dewisol)\)/.test(block.slice(0, block.search(/<input|<textarea/)));
    const date = /name="([^"]+)-day" type="text"/.exec(block);
    const radio = /name="([^"]+)" type="radio" value="([^"]*)"/.exec(block);
    const input = /<input class="nhsuk-input[^"]*" id="[^"]*" name="([^"]+)" type="([^"]+)"/.exec(block);
    const area = /<textarea [^>]*name="([^"]+)"/.exec(block);
    if (date) groups.push({ name: date[1]!, kind: 'date', type: 'date', first: '', optional });
    else if (radio) groups.push({ name: radio[1]!, kind: 'radio', type: 'radio', first: radio[2]!, optional });
    else if (input) groups.push({ name: input[1]!, kind: 'input', type: input[2]!, first: '', optional });
    else if (area) groups.push({ name: area[1]!, kind: 'textarea', type: 'textarea', first: '', optional });
  }
  return groups;
}

/** An answer for each field: the first choice, or a value of the input's kind. */
function answersFor(groups: ReturnType<typeof formGroups>, html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of groups) {
    if (g.kind === 'radio') out[g.name] = g.first;
    else if (g.kind === 'date') {
      // NHS.UK date input: day, month and year (and the time, when the question asks for one).
      Object.assign(out, { [`${g.name}-day`]: '22', [`${g.name}-month`]: '11', [`${g.name}-year`]: '2026' });
      if (html.includes(`name="${g.name}-time"`)) out[`${g.name}-time`] = '08:30';
    } else if (new RegExp(`name="${g.name}" type="text" value=""[^>]*inputmode="numeric"`).test(html))
      out[g.name] = '2';
    else out[g.name] = 'Test answer';
  }
  return out;
}

/** Text as handlebars prints it. */
const html = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/`/g, '&#x60;')
    .replace(/=/g, '&#x3D;');

const longDate = (d: Date) =>
  d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

describe('pathway and referral pages (issue 4)', () => {
  let t: TestPlatform;
  let w: World;
  let pathwayId: string;

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  it('when a clinician starts MSK from the person’s page and completes the triage form, then a missing answer comes back with 422 and the values kept, and done properly the next step is open with its due date', async () => {
    const agent = await signIn(t, w.users.clinician.email);
    const list = await agent.get(`/people/${w.report.id}/pathways`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Start a pathway');
    expect(list.text).not.toContain('value="bbv"');
    const csrf = csrfFrom(list.text);

    const noChoice = await agent
      .post(`/people/${w.report.id}/pathways`)
      .type('form')
      .send({ _csrf: csrf, startedAt: '2026-11-22' });
    expect(noChoice.status).toBe(422);
    expect(noChoice.text).toContain('href="#definition"');
    expect(noChoice.text).toContain('Choose a pathway');

    const started = await agent
      .post(`/people/${w.report.id}/pathways`)
      .type('form')
      .send({ _csrf: csrf, definition: 'msk', startedAt: '2026-11-22' });
    expect(started.status).toBe(303);
    pathwayId = /^\/pathways\/([0-9a-f-]{36})$/.exec(String(started.headers.location))![1]!;
    // The banner says what happened and what comes next, once (issue 15 §4).
    const landed = await agent.get(`/pathways/${pathwayId}`);
    expect(landed.text).toContain('nhsuk-notification-banner--success');
    expect(landed.text).toContain('Musculoskeletal (MSK) pathway started');
    expect(landed.text).toContain('Its first steps are under What happens next');

    // Once at a time: a second MSK pathway is refused on the form.
    const again = await agent
      .post(`/people/${w.report.id}/pathways`)
      .type('form')
      .send({ _csrf: csrf, definition: 'msk', startedAt: '2026-11-22' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('already on that pathway');

    const page = await agent.get(`/pathways/${pathwayId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('nhsuk-notification-banner--success');
    // Built around the next action (issue 15 §3): what happens next first, the history folded away last.
    const nextAt = page.text.indexOf('<h2 class="nhsuk-heading-m" id="next">What happens next</h2>');
    expect(nextAt).toBeGreaterThan(0);
    expect(nextAt).toBeLessThan(page.text.indexOf('id="actions"'));
    expect(page.text.indexOf('id="actions"')).toBeLessThan(
      page.text.indexOf('<details class="nhsuk-details" id="history"'),
    );
    expect(page.text).toMatch(/Who: you\. By \d+ \w+ 2026/);
    // Every change has its own page; none of their forms is on the pathway page.
    for (const a of ['advice', 'pause', 'transfer', 'close']) {
      expect(page.text).toContain(`<a href="/pathways/${pathwayId}/${a}">`);
      expect(page.text).not.toContain(`action="/pathways/${pathwayId}/${a}"`);
    }
    expect(page.text).not.toContain(`href="/pathways/${pathwayId}/resume"`);
    // The steps table is the NHS.UK responsive table, each cell headed for narrow screens.
    const table = /<details class="nhsuk-details" id="history"[\s\S]*?<\/details>/.exec(page.text)![0];
    expect(table).toContain('<table class="nhsuk-table-responsive">');
    const cells = table.match(/<td class="nhsuk-table__cell">/g)!.length;
    expect(
      table.match(/<td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading" aria-hidden="true">/g)!
        .length,
    ).toBe(cells);
    const codes = [...page.text.matchAll(new RegExp(`href="/pathways/${pathwayId}/steps/([a-z0-9-]+)"`, 'g'))].map(
      (m) => m[1]!,
    );
    expect(codes.length).toBeGreaterThan(0);
    const triage = codes.find((c) => c.includes('triage')) ?? codes[0]!;

    const form = await agent.get(`/pathways/${pathwayId}/steps/${triage}`);
    expect(form.status).toBe(200);
    const groups = formGroups(form.text).filter((g) => g.name !== 'note');
    const answers = answersFor(groups, form.text);
    const missing = groups.find((g) => !g.optional)!;
    expect(missing).toBeDefined();
    const kept = groups.find((g) => g !== missing && g.kind === 'radio') ?? groups.find((g) => g !== missing);
    const partial = { ...answers, _csrf: csrfFrom(form.text) } as Record<string, string>;
    for (const k of Object.keys(partial)) if (k === missing.name || k.startsWith(`${missing.name}-`)) delete partial[k];

    const bad = await agent.post(`/pathways/${pathwayId}/steps/${triage}`).type('form').send(partial);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain(`href="#${missing.name}"`);
    expect(bad.text).toMatch(/(Select|Enter) your answer to: \S/);
    if (kept?.kind === 'radio')
      expect(bad.text).toContain(`name="${kept.name}" type="radio" value="${answers[kept.name]}" checked`);
    else if (kept) expect(bad.text).toContain(`value="${answers[kept.name]}"`);

    const ok = await agent
      .post(`/pathways/${pathwayId}/steps/${triage}`)
      .type('form')
      .send({ ...answers, _csrf: csrfFrom(form.text) });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/pathways/${pathwayId}`);

    const db = t.database.db;
    const done = await db('pathway_steps').where({ pathway_id: pathwayId, step_code: triage }).first();
    expect(done.status).toBe('completed');
    const next = await db('pathway_steps')
      .where({ pathway_id: pathwayId, status: 'open' })
      .whereNotNull('due_by')
      .orderBy('due_by')
      .first();
    expect(next).toBeDefined();
    const after = await agent.get(`/pathways/${pathwayId}`);
    expect(after.text).toMatch(/<h3 class="nhsuk-notification-banner__heading">[^<]*Triage[^<]*: saved<\/h3>/);
    const definition = await t.platform.services.pathways.exportDefinition('msk');
    const nextTitle = (definition.action as Array<{ id: string; title: string }>).find(
      (a) => a.id === next.step_code,
    )!.title;
    expect(after.text).toContain(html(nextTitle));
    expect(after.text).toContain(longDate(new Date(next.due_by)));
    // The tag says it is done; the date beside it says when, without saying "Done" twice.
    expect(after.text).toContain('on 22 November 2026');
    expect(after.text).not.toMatch(/Done<\/strong>\s*Done on/);
    // The clinician sees what the triage recorded, question by question.
    expect(after.text).toContain('Answers recorded: Triage');
    expect(after.text).toContain(html('Is the main problem back pain?'));

    // The nearest step is what happens next; the steps it came after are in the history.
    const nextSection = after.text.slice(after.text.indexOf('id="next"'), after.text.indexOf('id="actions"'));
    expect(nextSection).toContain(html(nextTitle));
    expect(nextSection).not.toContain('on 22 November 2026');

    // The clinician records the functional advice the manager will see, on its own page.
    const adviceForm = await agent.get(`/pathways/${pathwayId}/advice`);
    expect(adviceForm.status).toBe(200);
    expect(adviceForm.text).toContain('Record advice about work');
    expect(adviceForm.text).toContain(`action="/pathways/${pathwayId}/advice"`);
    const noFitness = await agent
      .post(`/pathways/${pathwayId}/advice`)
      .type('form')
      .send({ _csrf: csrfFrom(adviceForm.text), expectedDuration: '4 weeks' });
    expect(noFitness.status).toBe(422);
    // Refused on its own page, with what was typed kept, not on the pathway page.
    expect(noFitness.text).toContain('href="#fitness"');
    expect(noFitness.text).toContain('value="4 weeks"');
    expect(noFitness.text).not.toContain('id="next"');
    const advice = await agent
      .post(`/pathways/${pathwayId}/advice`)
      .type('form')
      .send({
        _csrf: csrfFrom(adviceForm.text),
        fitness: 'adjusted-duties',
        expectedDuration: '4 weeks',
        adjustments: 'No lifting over 10 kg',
      });
    expect(advice.status).toBe(303);
    expect(advice.headers.location).toBe(`/pathways/${pathwayId}`);
    expect((await agent.get(`/pathways/${pathwayId}`)).text).toContain('Advice about work saved');
    const pauseForm = await agent.get(`/pathways/${pathwayId}/pause`);
    expect(pauseForm.text).toContain('Why it is paused');
    const badPause = await agent
      .post(`/pathways/${pathwayId}/pause`)
      .type('form')
      .send({ _csrf: csrfFrom(pauseForm.text) });
    expect(badPause.status).toBe(422);
    expect(badPause.text).toContain('href="#pauseReason"');
    expect(badPause.text).not.toContain('id="next"');

    const worklist = await agent.get('/worklist');
    expect(worklist.status).toBe(200);
    expect(worklist.text).toContain(`/pathways/${pathwayId}/steps/`);
    const home = await agent.get('/');
    expect(home.text).toMatch(/pathway steps: \d+ open, \d+ due, \d+ overdue/);
  });

  it('when the line manager opens the pathway, then they see only that OH support is in place and the advice: no pathway, no step', async () => {
    const agent = await signIn(t, w.users.lineManager.email);
    const page = await agent.get(`/pathways/${pathwayId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Occupational health support is in place since 22 November 2026');
    expect(page.text).toContain('Fit for adjusted duties');
    expect(page.text).toContain('No lifting over 10 kg');
    const definition = await t.platform.services.pathways.exportDefinition('msk');
    expect(page.text).not.toContain(html(definition.title as string));
    for (const action of definition.action as Array<{ title: string; textEquivalent: string }>) {
      expect(page.text).not.toContain(html(action.title));
      expect(page.text).not.toContain(html(action.textEquivalent));
    }
    expect(page.text).not.toContain('MSK');
    expect(page.text).not.toMatch(/musculoskeletal/i);
    expect(page.text).not.toContain('/steps/');
    expect(page.text).not.toContain('Answers recorded');

    const list = await agent.get(`/people/${w.report.id}/pathways`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(html(definition.title as string));
    expect(list.text).not.toContain('Start a pathway');
  });

  it('when the staff member opens their own pathway, then they see their steps in plain English, in Welsh too', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const page = await agent.get(`/pathways/${pathwayId}`);
    expect(page.status).toBe(200);
    const definition = await t.platform.services.pathways.exportDefinition('msk');
    const actions = definition.action as Array<{ id: string; title: string; textEquivalent: string }>;
    const shown = await t.database
      .db('pathway_steps')
      .where({ pathway_id: pathwayId })
      .whereNot({ status: 'not-applicable' })
      .select('step_code');
    const first = actions.find((a) => a.id === shown[0]!.step_code)!;
    expect(page.text).toContain(html(first.textEquivalent));
    expect(page.text).toContain('Fit for adjusted duties');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), lang: 'cy', returnTo: `/pathways/${pathwayId}` });
    const welsh = await agent.get(`/pathways/${pathwayId}`);
    expect(welsh.text).toContain('Eich camau');
    expect(welsh.text).toContain('Cyngor am waith');
    const back = await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(welsh.text), lang: 'en', returnTo: '/' });
    expect(back.status).toBe(303);
  });

  it('when a staff member refers themselves, then a missing description is refused, and once sent they read their copy and what happens next', async () => {
    const agent = await signIn(t, w.users.staff.email);
    const form = await agent.get('/me/referrals/new');
    expect(form.status).toBe(200);
    const csrf = csrfFrom(form.text);
    const bad = await agent
      .post('/me/referrals/new')
      .type('form')
      .send({ _csrf: csrf, concern: 'mental-health', venuePreference: 'Not at my own station' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#description"');
    expect(bad.text).toContain('value="mental-health" checked');
    expect(bad.text).toContain('Not at my own station');
    const sent = await agent.post('/me/referrals/new').type('form').send({
      _csrf: csrf,
      concern: 'mental-health',
      description: 'Trouble sleeping since a fatal collision',
      venuePreference: 'Not at my own station',
      contactPreference: 'Personal mobile',
    });
    expect(sent.status).toBe(303);
    const copy = await agent.get(String(sent.headers.location));
    expect(copy.status).toBe(200);
    expect(copy.text).toContain('Referral sent');
    expect(copy.text).toContain('Trouble sleeping since a fatal collision');
    expect(copy.text).toContain('What happens next');
    expect((await agent.get('/me/referrals')).text).toContain('Self-referral');
  });

  it('when a line manager refers a team member, then they must say they told them; the person reads the copy; a clinician triages it into a pathway', async () => {
    const manager = await signIn(t, w.users.lineManager.email);
    const person = await manager.get(`/people/${w.report.id}`);
    expect(person.text).toContain(`href="/people/${w.report.id}/refer"`);
    const form = await manager.get(`/people/${w.report.id}/refer`);
    expect(form.status).toBe(200);
    const fields = {
      _csrf: csrfFrom(form.text),
      reason: 'Four short absences and struggling with night shifts',
      questions: 'Is she fit for night shifts? What adjustments would help?',
      currentlyAbsent: 'no',
    };
    const untold = await manager.post(`/people/${w.report.id}/refer`).type('form').send(fields);
    expect(untold.status).toBe(422);
    expect(untold.text).toContain('href="#personInformed"');
    expect(untold.text).toContain('Four short absences and struggling with night shifts');
    const sent = await manager
      .post(`/people/${w.report.id}/refer`)
      .type('form')
      .send({ ...fields, personInformed: 'yes' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/people/${w.report.id}?referred=1`);
    expect((await manager.get(String(sent.headers.location))).text).toContain('Referral sent');

    const referral = await t.database
      .db('oh_referrals')
      .where({ person_id: w.report.id, source: 'management' })
      .first();
    const staff = await signIn(t, w.users.staff.email);
    const copy = await staff.get(`/me/referrals/${referral.id}`);
    expect(copy.status).toBe(200);
    expect(copy.text).toContain('Your line manager referred you to occupational health');
    expect(copy.text).toContain('Is she fit for night shifts?');
    expect(copy.text).toContain('not a sanction');
    // Another person's referral is not theirs to read.
    const other = await t.database.db('oh_referrals').whereNot({ person_id: w.report.id }).first();
    if (other) expect((await staff.get(`/me/referrals/${other.id}`)).status).toBe(404);

    const clinician = await signIn(t, w.users.clinician.email);
    const queue = await clinician.get('/referrals');
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(`/referrals/${referral.id}`);
    const triage = await clinician.get(`/referrals/${referral.id}`);
    expect(triage.status).toBe(200);
    expect(triage.text).toContain('Is she fit for night shifts?');
    const csrf = csrfFrom(triage.text);
    const noChoice = await clinician
      .post(`/referrals/${referral.id}`)
      .type('form')
      .send({ _csrf: csrf, decision: 'accept' });
    expect(noChoice.status).toBe(422);
    expect(noChoice.text).toContain('href="#definition"');
    const onItAlready = await clinician
      .post(`/referrals/${referral.id}`)
      .type('form')
      .send({ _csrf: csrf, decision: 'accept', definition: 'msk' });
    expect(onItAlready.status).toBe(422);
    expect(onItAlready.text).toContain('already on that pathway');
    const accepted = await clinician
      .post(`/referrals/${referral.id}`)
      .type('form')
      .send({ _csrf: csrf, decision: 'accept', definition: 'mental-health', incidentAt: '2026-11-20T22:15' });
    expect(accepted.status).toBe(303);
    const newPathway = /^\/pathways\/([0-9a-f-]{36})$/.exec(String(accepted.headers.location))![1]!;
    expect((await clinician.get(String(accepted.headers.location))).status).toBe(200);
    const stored = await t.database.db('oh_referrals').where({ id: referral.id }).first();
    expect(stored).toMatchObject({ status: 'accepted', pathway_id: newPathway });
    const pathway = await t.database.db('pathways').where({ id: newPathway }).first();
    expect(pathway.enrolment_source).toBe('management-referral');
    expect(JSON.parse(pathway.facts).incidentAt).toBe('2026-11-20T22:15:00.000Z');
    expect((await clinician.get('/referrals')).text).not.toContain(`/referrals/${referral.id}"`);
    const task = await t.database.db('tasks').where({ source_id: referral.id, code: 'oh-referral-triage' }).first();
    expect(task?.status).toBe('completed');
  });

  it('when the clinical lead downloads a definition and publishes the next version, then problems are listed and, fixed, the new version is in the list', async () => {
    const agent = await signIn(t, w.users.clinician.email);
    const page = await agent.get('/admin/pathway-definitions');
    expect(page.status).toBe(200);
    expect(page.text).toContain(html('/admin/pathway-definitions/retirement/export?version=1'));
    const file = await agent.get('/admin/pathway-definitions/retirement/export?version=1');
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('application/fhir+json');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="?retirement-v1\.json"?$/);
    const resource = JSON.parse(file.text) as { version: string; action: Array<Record<string, unknown>> };

    const csrf = csrfFrom(page.text);
    const notJson = await agent
      .post('/admin/pathway-definitions')
      .type('form')
      .send({ _csrf: csrf, definition: '{ not json' });
    expect(notJson.status).toBe(422);
    expect(notJson.text).toContain('This is not valid JSON');
    const broken = {
      ...resource,
      version: '2',
      action: resource.action.map((a, i) => (i === 0 ? { ...a, id: 'Bad Id' } : a)),
    };
    const bad = await agent
      .post('/admin/pathway-definitions')
      .type('form')
      .send({ _csrf: csrf, definition: JSON.stringify(broken) });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('href="#definition"');
    expect(bad.text).toContain('action.0.id');
    const ok = await agent
      .post('/admin/pathway-definitions')
      .type('form')
      .send({ _csrf: csrf, definition: JSON.stringify({ ...resource, version: '2' }) });
    expect(ok.status).toBe(303);
    const after = await agent.get(String(ok.headers.location));
    expect(after.text).toContain('Version 2 of Retirement preparation is published');
    expect(after.text).toContain(html('/admin/pathway-definitions/retirement/export?version=2'));
  });
});

describe('the pathway page rebuilt around the next action (issue 15 §3, §4, §6)', () => {
  let t: TestPlatform;
  let w: World;

  beforeAll(async () => {
    t = await createTestPlatform();
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  /** Starts a pathway for the person through the page, as a clinician; its id. */
  const start = async (definition: string, personId = w.report.id) => {
    const agent = await signIn(t, w.users.clinician.email);
    const list = await agent.get(`/people/${personId}/pathways`);
    const started = await agent
      .post(`/people/${personId}/pathways`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text), definition, startedAt: '2026-11-22', incidentAt: '2026-11-21T22:15' });
    expect(started.status).toBe(303);
    return { agent, id: /^\/pathways\/([0-9a-f-]{36})$/.exec(String(started.headers.location))![1]! };
  };

  /** The banner's heading on the page, if any. */
  const banner = (page: string) =>
    /<h3 class="nhsuk-notification-banner__heading">([^<]*)<\/h3>/.exec(page)?.[1]?.replace(/&#x27;/g, '’');

  it('when a clinician pauses, resumes, transfers and closes from the actions list, then each is its own page, each refusal comes back there, and each success says so on the pathway page', async () => {
    const { agent, id } = await start('retirement');
    await agent.get(`/pathways/${id}`);
    // Resuming is not offered for an active pathway; its page says why instead of a form.
    const resume = await agent.get(`/pathways/${id}/resume`);
    expect(resume.status).toBe(200);
    expect(resume.text).toContain('Only a paused pathway can be resumed');
    expect(resume.text).not.toContain(`action="/pathways/${id}/resume"`);

    const pauseForm = await agent.get(`/pathways/${id}/pause`);
    const paused = await agent
      .post(`/pathways/${id}/pause`)
      .type('form')
      .send({ _csrf: csrfFrom(pauseForm.text), pauseReason: 'In hospital for a week' });
    expect(paused.status).toBe(303);
    const whilePaused = await agent.get(`/pathways/${id}`);
    expect(banner(whilePaused.text)).toBe('Pathway paused');
    expect(whilePaused.text).toContain('Nothing falls due while it is paused');
    expect(whilePaused.text).toContain(`href="/pathways/${id}/resume"`);
    expect(whilePaused.text).not.toContain(`href="/pathways/${id}/pause"`);
    expect(whilePaused.text).toContain('The pathway is paused, so nothing is due');

    const resumeForm = await agent.get(`/pathways/${id}/resume`);
    expect(resumeForm.text).toContain(`action="/pathways/${id}/resume"`);
    const resumed = await agent
      .post(`/pathways/${id}/resume`)
      .type('form')
      .send({ _csrf: csrfFrom(resumeForm.text) });
    expect(resumed.status).toBe(303);
    expect(banner((await agent.get(`/pathways/${id}`)).text)).toBe('Pathway resumed');

    const transferForm = await agent.get(`/pathways/${id}/transfer`);
    expect(transferForm.text).toContain('value="routine" checked');
    const noService = await agent
      .post(`/pathways/${id}/transfer`)
      .type('form')
      .send({ _csrf: csrfFrom(transferForm.text), transferReason: 'Needs NHS care', transferPriority: 'urgent' });
    expect(noService.status).toBe(422);
    expect(noService.text).toContain('href="#transferService"');
    expect(noService.text).toContain('Needs NHS care');
    expect(noService.text).toContain('value="urgent" checked');
    const transferred = await agent
      .post(`/pathways/${id}/transfer`)
      .type('form')
      .send({
        _csrf: csrfFrom(transferForm.text),
        transferService: 'nhs-msk-physiotherapy',
        transferReason: 'Needs NHS care',
        transferPriority: 'routine',
      });
    expect(transferred.status).toBe(303);
    const after = await agent.get(`/pathways/${id}`);
    expect(banner(after.text)).toBe('Handover referral to NHS MSK physiotherapy prepared');
    expect(after.text).toContain('This pathway is closed: nothing more will happen on it.');
    // A closed pathway has no actions, and its action pages say it is closed.
    expect(after.text).not.toContain('id="actions"');
    const closeForm = await agent.get(`/pathways/${id}/close`);
    expect(closeForm.text).toContain('This pathway is closed.');
    expect(closeForm.text).not.toContain(`action="/pathways/${id}/close"`);

    const other = await start('dental');
    const closeOther = await other.agent.get(`/pathways/${other.id}/close`);
    const noOutcome = await other.agent
      .post(`/pathways/${other.id}/close`)
      .type('form')
      .send({ _csrf: csrfFrom(closeOther.text), closeNote: 'Treatment finished' });
    expect(noOutcome.status).toBe(422);
    expect(noOutcome.text).toContain('href="#closeOutcome"');
    expect(noOutcome.text).toContain('Treatment finished');
    const outcome = /name="closeOutcome" type="radio" value="([^"]+)"/.exec(closeOther.text)![1]!;
    const closed = await other.agent
      .post(`/pathways/${other.id}/close`)
      .type('form')
      .send({ _csrf: csrfFrom(closeOther.text), closeOutcome: outcome });
    expect(closed.status).toBe(303);
    expect(banner((await other.agent.get(`/pathways/${other.id}`)).text)).toMatch(/^Pathway closed: \S/);
    expect((await t.database.db('pathways').where({ id: other.id }).first()).status).toBe('closed');
  });

  it('when a share is refused for want of consent, then the page offers "Ask for consent for this" pre-filled with the partner, purpose, every category and the way back; given consent, the share goes and the banner says what comes next', async () => {
    const { agent, id } = await start('msk');
    const token = { Authorization: `Bearer ${w.tokens.clinician}` };
    const referral = (
      await request(t.app)
        .post(`/api/v1/pathways/${id}/transfer`)
        .set(token)
        .send({ service: 'nhs-msk-physiotherapy', reason: 'Continuing care' })
    ).body.referral as { id: string };
    const page = await agent.get(`/pathways/${id}`);
    expect(page.text).not.toContain('Ask for consent for this');
    const refused = await agent
      .post(`/pathways/${id}/referrals/share`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        shareReferral: referral.id,
        sharePartner: w.healthBoard.id,
        shareCategories: 'clinical-history',
      });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('No consent names this partner organisation');
    expect(refused.text).not.toMatch(/§|\(CONF-|AMRA-/);
    const link = /<a href="([^"]+)">Ask for consent for this<\/a>/.exec(refused.text)?.[1];
    expect(link).toBeDefined();
    const url = new URL(link!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='), 'http://localhost');
    expect(url.pathname).toBe(`/people/${w.report.id}/consents/new/nhs-sharing`);
    expect(url.searchParams.get('partnerOrganisationId')).toBe(w.healthBoard.id);
    // A handover continues care elsewhere.
    expect(url.searchParams.get('purpose')).toBe('continuity-of-care');
    expect(url.searchParams.getAll('dataCategories').sort()).toEqual(
      ['clinical-history', 'demographics', 'referral-details'].sort(),
    );
    expect(url.searchParams.get('description')).toContain('NHS MSK physiotherapy');
    expect(url.searchParams.get('description')).toContain(w.healthBoard.name);
    expect(url.searchParams.get('returnTo')).toBe(`/pathways/${id}`);
    // What the clinician chose is kept.
    expect(refused.text).toContain('value="clinical-history" checked');

    // OH asks as the link would have it, and the person gives consent in the platform; the share goes.
    const consent = await request(t.app)
      .post(`/api/v1/people/${w.report.id}/consents`)
      .set(token)
      .send({
        kind: 'nhs-sharing',
        partnerOrganisationId: url.searchParams.get('partnerOrganisationId'),
        purpose: url.searchParams.get('purpose'),
        dataCategories: url.searchParams.getAll('dataCategories'),
        description: url.searchParams.get('description'),
        periodStart: '2026-11-22',
        periodEnd: '2027-11-22',
        noticeBy: 'letter',
      });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    const given = await request(t.app)
      .post(`/api/v1/consents/${consent.body.id}/decision`)
      .set({ Authorization: `Bearer ${w.tokens.staff}` })
      .send({ decision: 'given', method: 'platform', wishesToSeeReport: null });
    expect(given.status, JSON.stringify(given.body)).toBeLessThan(300);
    const shared = await agent
      .post(`/pathways/${id}/referrals/share`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        shareReferral: referral.id,
        sharePartner: w.healthBoard.id,
        shareCategories: 'clinical-history',
      });
    expect(shared.status).toBe(303);
    const after = await agent.get(`/pathways/${id}`);
    expect(banner(after.text)).toBe(`Referral to NHS MSK physiotherapy shared with ${html(w.healthBoard.name)}`);
    expect(after.text).toContain(`It is being delivered to ${html(w.healthBoard.name)} now`);

    // The journey's JSON says what the page says: the queued delivery, in the same words.
    const json = (await agent.get(`/pathways/${id}/journey.json`)).body as {
      referrals: Array<{ statusName: string; partnerText: string; lines: Array<Record<string, unknown>> }>;
    };
    const line = json.referrals[0]!.lines[0]!;
    expect(line).toMatchObject({ progress: false, label: 'Referral message', status: 'Queued to send' });
    expect(after.text).toContain(
      `<li class="nhsuk-u-margin-bottom-1">${html(String(line.label))}: <strong class="nhsuk-tag ${String(line.tag)}">${html(String(line.status))}</strong> ${html(String(line.detail))}</li>`,
    );
    expect(after.text).toContain(`data-referral-partner>${html(json.referrals[0]!.partnerText)}<`);
    // The person reads their own referral in their own words, the same in the JSON as on their page.
    const staff = await signIn(t, w.users.staff.email);
    const own = (await staff.get(`/pathways/${id}/journey.json`)).body as {
      referrals: Array<Record<string, unknown>>;
    };
    expect(Object.keys(own.referrals[0]!).sort()).toEqual(['id', 'statusText']);
    expect((await staff.get(`/pathways/${id}`)).text).toContain(
      `<span data-self-status aria-live="polite">${html(String(own.referrals[0]!.statusText))}</span>`,
    );
  });

  it('when the journey is asked for as JSON, then OH get each referral’s lines as the page words them, the person their own words, someone out of reach 404 with the denied read audited', async () => {
    const { agent, id } = await start('mental-health', w.indirectReport.id);
    await request(t.app)
      .post(`/api/v1/pathways/${id}/transfer`)
      .set({ Authorization: `Bearer ${w.tokens.clinician}` })
      .send({ service: 'nhs-talking-therapies', reason: 'Continuing care' });
    const page = await agent.get(`/pathways/${id}`);
    expect(page.text).toContain(`data-journey-src="/pathways/${id}/journey.json"`);
    const journey = await agent.get(`/pathways/${id}/journey.json`);
    expect(journey.status).toBe(200);
    expect(journey.headers['content-type']).toContain('application/json');
    const body = journey.body as { referrals: Array<{ id: string; statusName: string; lines: unknown[] }> };
    expect(body.referrals).toHaveLength(1);
    expect(body.referrals[0]!.statusName).toBe('Waiting to be shared under consent');
    expect(page.text).toContain(`data-referral="${body.referrals[0]!.id}"`);
    expect(Object.keys(body.referrals[0]!).sort()).toEqual(['id', 'lines', 'partnerText', 'statusName']);
    // The read is audited as the page's read is.
    const read = await t.database
      .db('audit_events')
      .where({ request_id: journey.headers['x-request-id'], entity_type: 'pathway', entity_id: id })
      .first();
    expect(read).toMatchObject({ action: 'read', outcome: 'success' });

    // Out of reach: the partner agency's HR may read pathways, but not this person's.
    const outsider = await signIn(t, w.users.partnerHr.email);
    const refused = await outsider.get(`/pathways/${id}/journey.json`);
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('Talking');
    const denied = await t.database.db('audit_events').where({ request_id: refused.headers['x-request-id'] }).first();
    expect(denied).toMatchObject({ outcome: 'denied', entity_id: id, reason: 'not-found-or-out-of-reach' });
    // A line manager over the person sees no referral at all (CONF-1).
    const manager = await signIn(t, w.users.lineManager.email);
    expect((await manager.get(`/pathways/${id}/journey.json`)).body).toEqual({ referrals: [] });
  });

  it('when a step asks for a date, then it is typed as day, month and year, a wrong date comes back with what was typed, and a right one is stored', async () => {
    const { agent, id } = await start('mental-health', w.outsider.id);
    const form = await agent.get(`/pathways/${id}/steps/trim-planning`);
    expect(form.status).toBe(200);
    expect(form.text).not.toContain('datetime-local');
    for (const part of ['day', 'month', 'year']) expect(form.text).toContain(`name="trimMeetingDate-${part}"`);
    const answers = { trimPeopleInvolved: '3', trimPlan: 'Meet on Friday with the team', _csrf: csrfFrom(form.text) };
    const wrong = await agent
      .post(`/pathways/${id}/steps/trim-planning`)
      .type('form')
      .send({ ...answers, 'trimMeetingDate-day': '31', 'trimMeetingDate-month': '2', 'trimMeetingDate-year': '2026' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('href="#trimMeetingDate"');
    expect(wrong.text).toContain('name="trimMeetingDate-day" type="text" inputmode="numeric" value="31"');
    const right = await agent
      .post(`/pathways/${id}/steps/trim-planning`)
      .type('form')
      .send({ ...answers, 'trimMeetingDate-day': '24', 'trimMeetingDate-month': '11', 'trimMeetingDate-year': '2026' });
    expect(right.status).toBe(303);
    const step = await t.database.db('pathway_steps').where({ pathway_id: id, step_code: 'trim-planning' }).first();
    expect(JSON.parse(step.answers).trimMeetingDate).toBe('2026-11-24');
    expect(banner((await agent.get(`/pathways/${id}`)).text)).toMatch(/: saved$/);
  });
});
