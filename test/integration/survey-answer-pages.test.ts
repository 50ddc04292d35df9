import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { addTeamMembers, csrfFrom, formFields, signIn, useWorld } from '../support/test-platform.js';

type Agent = ReturnType<typeof request.agent>;

/**
 * Issue 17 §2–3 (NA-2): an officer answers a needs assessment on the pages, from the invitation link or from
 * their home page: the statement before the first question, one page per question group, save and finish later,
 * resuming where they stopped, checking, sending, and a link that works once.
 */
describe('answering a survey on the pages', () => {
  const s = useWorld();
  let campaignId: string;
  const tokens: string[] = [];
  const PAGES = 14;

  beforeAll(async () => {
    const { t, w } = s;
    for (let i = 0; i < 8; i++) await addTeamMembers(t, w, 1, { workEmail: `member${i}@test.example` });
    const launched = await request(t.app)
      .post('/api/v1/campaigns')
      .set({ Authorization: `Bearer ${w.tokens.ohAdmin}` })
      .send({
        questionnaireId: 'community-needs-assessment',
        title: 'Response unit needs assessment',
        mode: 'anonymous',
        population: { kind: 'unit', ref: w.unit.id },
        breakdown: 'none',
        opensOn: '2026-11-22',
        closesOn: '2026-12-20',
      });
    expect(launched.status, JSON.stringify(launched.body)).toBe(201);
    campaignId = launched.body.id as string;
    const jobs = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: unknown;
    }>;
    for (const j of jobs) {
      const text = typeof j.payload === 'string' ? j.payload : JSON.stringify(j.payload);
      const m = /\/survey\?t=([A-Za-z0-9_-]+)/.exec(text);
      if (m) tokens.push(m[1]!);
    }
    expect(tokens.length).toBe(8);
  });

  /** Starts from an invitation link with a fresh browser; returns the agent and where it was sent. */
  async function startWith(token: string, agent: Agent = request.agent(s.t.app)) {
    const statement = await agent.get(`/survey?t=${token}`);
    expect(statement.status).toBe(200);
    const started = await agent.post('/survey/start').type('form').send(formFields(statement.text, '/survey/start'));
    return { agent, statement, started, location: started.headers.location as string };
  }

  /** Every radio group on a page answered with its first option (the form as a browser would post it). */
  function firstOptions(html: string, action: string): Record<string, string> {
    const fields: Record<string, string> = formFields(html, action);
    for (const m of html.matchAll(/name="([^"]+)" type="radio" value="([^"]*)"/g)) fields[m[1]!] ??= m[2]!;
    return fields;
  }

  it('when an officer opens their invitation link, then before any question they read who will see the answers and how long it takes, and can start', async () => {
    const res = await request(s.t.app).get(`/survey?t=${tokens[0]}`);
    expect(res.status).toBe(200);
    const text = res.text;
    expect(text).toContain('Police workforce community needs assessment');
    expect(text).toContain('Who will see your answers');
    expect(text).toContain('not occupational health, not the people who run this service');
    expect(text).toContain('groups of at least 10 people');
    expect(text).toContain('There are 14 pages of questions.');
    expect(text).toContain('20 December 2026');
    expect(text).not.toMatch(/type="radio"/);
    expect(formFields(text, '/survey/start').t).toBe(tokens[0]);
    expect(text).toContain('Start now');
  });

  it('when an officer starts, then the browser holds the response in an httpOnly, SameSite cookie for /survey until the day after closing, and nothing of the token is in the session', async () => {
    const { started, location } = await startWith(tokens[1]!);
    expect(started.status).toBe(303);
    expect(location).toMatch(/^\/survey\/answer\/[0-9a-f-]{36}\/page\/1$/);
    const cookie = (started.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('blp.survey='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/survey;/);
    expect(cookie).toMatch(/Expires=Mon, 21 Dec 2026 00:00:00 GMT/);
    const sessions = (await s.t.database.db('sessions').select('sess')) as Array<{ sess: unknown }>;
    expect(sessions.length).toBeGreaterThan(0);
    for (const row of sessions) expect(JSON.stringify(row.sess)).not.toContain(tokens[1]!);
  });

  it('when an officer answers a page, saves the next to finish later and comes back by the same link, then they land on that page with their answers kept, walk every page, check and send; the link then says it has been used', async () => {
    const token = tokens[2]!;
    const first = await startWith(token);
    const page1Path = first.location;
    const id = /answer\/([0-9a-f-]{36})\//.exec(page1Path)![1]!;
    const page1 = await first.agent.get(page1Path);
    expect(page1.text).toContain('Page 1 of 14');
    expect(page1.text).toContain('<h1 class="nhsuk-heading-l">Getting health care</h1>');
    // Two barriers, and how often care was put off.
    const barrierCodes = [...page1.text.matchAll(/name="barriers" type="checkbox" value="([^"]+)"/g)].map((m) => m[1]!);
    const putOff = /name="put-off-care" type="radio" value="([^"]+)"/.exec(page1.text)![1]!;
    const continued = await first.agent
      .post(page1Path)
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(page1.text))}&barriers=${barrierCodes[0]}&barriers=${barrierCodes[2]}&put-off-care=${putOff}&action=continue`,
      );
    expect(continued.status).toBe(303);
    expect(continued.headers.location).toBe(`/survey/answer/${id}/page/2`);

    const page2 = await first.agent.get(`/survey/answer/${id}/page/2`);
    expect(page2.text).toContain('Page 2 of 14');
    const caring = /name="caring-hours" type="radio" value="([^"]+)"/.exec(page2.text)![1]!;
    const saved = await first.agent
      .post(`/survey/answer/${id}/page/2`)
      .type('form')
      .send({ ...formFields(page2.text, `/survey/answer/${id}/page/2`), 'caring-hours': caring, action: 'save' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/survey/saved');
    const savedPage = await first.agent.get('/survey/saved');
    expect(savedPage.text).toContain('Your answers have been saved');
    expect(savedPage.text).toContain('use the same link in your invitation email');

    // Later, on another browser: the same link carries on where they stopped.
    const again = await startWith(token);
    expect(again.statement.text).toContain('Continue where you stopped');
    expect(again.location).toBe(`/survey/answer/${id}/page/2`);
    const agent = again.agent;
    const back2 = await agent.get(again.location);
    expect(back2.text).toMatch(new RegExp(`name="caring-hours" type="radio" value="${caring}" checked`));
    const back1 = await agent.get(`/survey/answer/${id}/page/1`);
    expect(back1.text).toMatch(new RegExp(`value="${barrierCodes[0]}" checked`));
    expect(back1.text).toMatch(new RegExp(`value="${barrierCodes[2]}" checked`));
    expect(back1.text).not.toMatch(new RegExp(`value="${barrierCodes[1]}" checked`));

    for (let n = 2; n <= PAGES; n++) {
      const path = `/survey/answer/${id}/page/${n}`;
      const page = await agent.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Page ${n} of ${PAGES}`);
      expect(page.text).toContain(`href="/survey/answer/${id}/page/${n - 1}"`);
      if (n === 12) {
        // Continue with the wellbeing questions unanswered: each is named, and leads to its question.
        const refused = await agent
          .post(path)
          .type('form')
          .send({ ...formFields(page.text, path), action: 'continue' });
        expect(refused.status).toBe(422);
        expect(refused.text).toContain('There is a problem');
        expect(refused.text).toContain('href="#swemwbs-1"');
        expect(refused.text).toContain('Select your answer to: I&#x27;ve been feeling optimistic about the future');
      }
      if (n === PAGES) expect(page.text).toMatch(/<h1 class="nhsuk-label-wrapper"><label[^>]*>Is there anything else/);
      const body: Record<string, string> = { ...firstOptions(page.text, path), action: 'continue' };
      if (n === PAGES) body['cna-comments'] = 'More evening clinics, please.';
      const next = await agent.post(path).type('form').send(body);
      expect(next.status, next.text.slice(0, 2000)).toBe(303);
      expect(next.headers.location).toBe(
        n === PAGES ? `/survey/answer/${id}/check` : `/survey/answer/${id}/page/${n + 1}`,
      );
    }

    const check = await agent.get(`/survey/answer/${id}/check`);
    expect(check.status).toBe(200);
    expect(check.text).toContain('Check your answers before sending them');
    expect(check.text).toContain('More evening clinics, please.');
    for (let n = 1; n <= PAGES; n++) expect(check.text).toContain(`href="/survey/answer/${id}/page/${n}#`);
    const sent = await agent
      .post(`/survey/answer/${id}/check`)
      .type('form')
      .send(formFields(check.text, `/survey/answer/${id}/check`));
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/survey/done?m=a');
    expect((sent.headers['set-cookie'] as unknown as string[]).join('\n')).toMatch(
      /blp\.survey=;.*Expires=Thu, 01 Jan 1970/,
    );
    const done = await agent.get('/survey/done?m=a');
    expect(done.text).toContain('Your answers have been sent');
    expect(done.text).toContain('we cannot show them to you again');

    // The link works once.
    const used = await request(s.t.app).get(`/survey?t=${token}`);
    expect(used.status).toBe(404);
    expect(used.text).toContain('This link has already been used');
    expect(used.text).not.toContain('type="submit">Start');
    // Its pages are gone too.
    const gone = await agent.get(`/survey/answer/${id}/check`);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('We could not find your answers');
  });

  it('when a Welsh reader reaches the wellbeing page, then a note in Welsh says the questionnaire stays in English; a page with Welsh has no note', async () => {
    const agent = request.agent(s.t.app);
    const statement = await agent.get(`/survey?t=${tokens[3]}`);
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(statement.text), lang: 'cy', returnTo: `/survey?t=${tokens[3]}` });
    const { location } = await startWith(tokens[3]!, agent);
    const page1 = await agent.get(location);
    expect(page1.text).toContain('Tudalen 1 o 14');
    expect(page1.text).not.toContain('Does dim cyfieithiad Cymraeg swyddogol');
    const page12 = await agent.get(location.replace(/page\/1$/, 'page/12'));
    expect(page12.text).toContain(
      'Does dim cyfieithiad Cymraeg swyddogol o’r holiadur hwn, felly mae’n cael ei ddangos yn Saesneg.',
    );
    expect(page12.text).toContain('I&#x27;ve been feeling optimistic about the future');

    // Sending with questions unanswered: the check page names them in Welsh, each leading to its page.
    const id = /answer\/([0-9a-f-]{36})\//.exec(location)![1]!;
    const check = await agent.get(`/survey/answer/${id}/check`);
    const refused = await agent
      .post(`/survey/answer/${id}/check`)
      .type('form')
      .send(formFields(check.text, `/survey/answer/${id}/check`));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(`href="/survey/answer/${id}/page/12#swemwbs-1"`);
    expect(refused.text).toContain('Mae problem');
  });

  it('when a browser holds no key for a response, then its pages say the answers could not be found and how to carry on', async () => {
    const res = await request(s.t.app).get('/survey/answer/00000000-0000-4000-8000-000000000000/page/1');
    expect(res.status).toBe(404);
    expect(res.text).toContain('We could not find your answers');
    expect(res.text).toContain('Use your invitation link again');
    const unknown = await request(s.t.app).get('/survey?t=not-a-token-we-ever-sent-anyone');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This link has already been used');
  });

  it('when an invited officer signs in, then home lists the survey; starting it from there leads to its first page, home then offers to continue it, and the invitation cannot start twice', async () => {
    const { t } = s;
    const agent = await signIn(t, s.w.users.staff.email);
    const home = await agent.get('/');
    expect(home.text).toContain('Surveys waiting for you');
    expect(home.text).toContain(`href="/surveys/invitations/${campaignId}"`);
    expect(home.text).not.toContain('Continue your survey');
    const statement = await agent.get(`/surveys/invitations/${campaignId}`);
    expect(statement.status).toBe(200);
    expect(statement.text).toContain('Who will see your answers');
    const started = await agent
      .post(`/surveys/invitations/${campaignId}`)
      .type('form')
      .send(formFields(statement.text, `/surveys/invitations/${campaignId}`));
    expect(started.status).toBe(303);
    expect(started.headers.location).toMatch(/^\/survey\/answer\/[0-9a-f-]{36}\/page\/1$/);
    const after = await agent.get('/');
    expect(after.text).toContain('Continue your survey');
    expect(after.text).not.toContain(`href="/surveys/invitations/${campaignId}"`);
    const resumed = await agent.get('/survey/continue');
    expect(resumed.status).toBe(303);
    expect(resumed.headers.location).toBe(started.headers.location);
    const twice = await agent
      .post(`/surveys/invitations/${campaignId}`)
      .type('form')
      .send({ _csrf: csrfFrom(after.text) });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('This link has already been used');
  });
});
