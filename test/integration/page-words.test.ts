import fs from 'node:fs';
import path from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seedDemo } from '../../src/demo/demo-data.js';
import { ENUM_LABELS } from '../../src/i18n/enum-labels.js';
import { prepareFirstStart } from '../../src/server.js';
import { createTestPlatform, csrfFrom, formFields, signIn, type TestPlatform } from '../support/test-platform.js';
import { heldInterviewForm } from '../support/return-to-work-answers.js';

/**
 * Issue 15 §1: every page, as every demo user sees it with the demo data, in English and in Welsh,
 * speaks to its reader: no rule id, no camelCase identifier, no bare enum value, no locale key, no
 * broken plural or leftover. The crawl follows each user's links from the home page; the views the
 * app rendered are recorded, and every page template must have been rendered by the end.
 */
type Agent = ReturnType<typeof supertest.agent>;

/** Words a reader must never see, and why. */
const UNPLAIN: Array<[string, RegExp]> = [
  ['a rule id', /\b(ATT|AMRA|CONF|FHIR|BBV|NA|BEN|MH|MSK|TRIM|PW|CONS)-\d+\b|§\s?\d|\(form [A-Z]\d+\)/],
  ['a camelCase identifier', /\b[a-z]+[A-Z][a-z]+[A-Za-z]*\b/],
  ['a locale key', /\b[a-z]+\.[a-z]+[A-Za-z]*\.[a-zA-Z.]+\b|\b[a-z]+\.[a-z]+[A-Z][A-Za-z]*\b/],
  ['an unfilled placeholder', /\{\{|\}\}|__[a-z]+__/],
  ['a broken plural', /\b1 [a-z]{3,}s\b(?<!\b1 (?:this|is|was|has|days?|ones|its|plus|less|bus))|\w\(s\)/],
  ['a doubled word', /\b([A-Z][a-z]{2,}) \1 [a-z]/],
  ['a version leftover', /\bversion 0\b/i],
  ['zod’s words', /\b(Invalid input|Invalid option|expected string|received undefined|discriminator)\b/],
];

/** Enum values written as codes (with a hyphen), which a page must show by their label instead. */
const ENUM_CODES = new Set(
  Object.values(ENUM_LABELS)
    .flatMap((e) => [...(e.values as readonly (string | boolean)[])])
    .filter((v): v is string => typeof v === 'string' && /^[a-z0-9]+(-[a-z0-9]+)+$/.test(v)),
);
/** Codes that are also ordinary English (or Welsh) words as written. */
const ALSO_WORDS = new Set([
  'sign-in',
  'pregnancy-related',
  'return-to-work',
  'follow-up',
  'self-referral',
  'long-term',
  'short-term',
  'in-person',
]);

/** The text a reader sees (and hears): text nodes, and the attributes read aloud or shown. */
function visibleText(html: string): string {
  const body = html
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<pre\b[\s\S]*?<\/pre>/gi, ' ')
    // What a form holds is the user's own text (a key, a note), not the page's words.
    .replace(/<textarea\b[\s\S]*?<\/textarea>/gi, ' ');
  const attrs = [...body.matchAll(/\s(?:aria-label|title|placeholder|alt)="([^"]*)"/g)].map((m) => m[1]);
  const buttons = [...body.matchAll(/<(?:input|button)\b[^>]*type="submit"[^>]*value="([^"]*)"/g)].map((m) => m[1]);
  const text = body
    // Items of a list, options and cells are read apart: one ending as the next begins is not a doubled word.
    .replace(/<\/(option|li|td|th|dt|dd|h[1-6]|p|label|legend)>/gi, ' | ')
    .replace(/(<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*)<\/span>/g, '$1 | ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
  return [text, ...attrs, ...buttons]
    .join(' \n ')
    .replace(/\S+@\S+|https?:\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ');
}

/** What is wrong with a page's words, one line per problem. */
function problemsIn(html: string): string[] {
  const text = visibleText(html);
  const out: string[] = [];
  for (const [why, pattern] of UNPLAIN) {
    const m = pattern.exec(text);
    if (m) out.push(`${why}: “${text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40).trim()}”`);
  }
  for (const token of text.match(/\b[a-z0-9]+(?:-[a-z0-9]+)+\b/g) ?? [])
    if (ENUM_CODES.has(token) && !ALSO_WORDS.has(token)) out.push(`a bare enum value: “${token}”`);
  return [...new Set(out)];
}

/** A path with its ids replaced, so one page of each kind is enough. */
const shapeOf = (p: string) =>
  p.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id').replace(/\?.*$/, '');

/** GET links a crawl must not follow: they change something, or are not pages. */
const NOT_PAGES = /^\/(logout|language|api\/|fhir\/|assets\/|healthz|readyz|openapi)|\.csv$|\.json$|\/export$|format=/;

const TEMPLATES_ROOT = path.resolve('views');
/** Page templates: everything under views/ but layouts, partials and emails. */
const PAGE_TEMPLATES = fs
  .readdirSync(TEMPLATES_ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.hbs') && !/^(layouts|partials|emails)\//.test(f))
  .map((f) => f.replace(/\.hbs$/, ''));

describe('page words', () => {
  let t: TestPlatform;
  const rendered = new Set<string>();
  const problems = new Map<string, string[]>();

  beforeAll(async () => {
    t = await createTestPlatform({ DEMO_DATA: 'true' });
    await seedDemo(t.platform, { people: 40, seed: 1988, years: 1 });
    const app = t.app as unknown as { render: (...args: unknown[]) => unknown };
    const render = app.render.bind(app);
    app.render = (name: unknown, ...rest: unknown[]) => {
      rendered.add(String(name));
      return render(name, ...rest);
    };
  }, 120_000);
  afterAll(async () => t.destroy());

  /** Looks at one page's words, whatever route led to it. */
  function look(where: string, html: string): void {
    const found = problemsIn(html);
    if (found.length) problems.set(where, found);
  }

  async function crawl(agent: Agent, who: string, lang: string, start: string[] = ['/']): Promise<void> {
    const seen = new Set<string>();
    const queue = [...start];
    while (queue.length && seen.size < 120) {
      const url = queue.shift()!;
      const shape = shapeOf(url);
      if (seen.has(shape)) continue;
      seen.add(shape);
      const res = await agent.get(url);
      if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
      look(`${who} (${lang}) ${url}`, res.text);
      for (const [, href] of res.text.matchAll(/href="(\/[^"#]*)"/g)) {
        const link = href!.replace(/&#x3D;/gi, '=').replace(/&amp;/g, '&');
        if (!NOT_PAGES.test(link) && !seen.has(shapeOf(link))) queue.push(link);
      }
    }
  }

  const demoAgent = (email: string) => signIn(t, email, { password: DEMO_PASSWORD, totpSecret: DEMO_TOTP_SECRET });
  const toWelsh = async (agent: Agent) => {
    const home = await agent.get('/');
    await agent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(home.text), lang: 'cy', returnTo: '/' });
  };
  const userRow = async (email: string) =>
    (await t.database.db('users').where({ email }).first()) as { person_id: string; organisation_id: string };

  /** Launches a survey to the demo organisation and answers one invitation through the pages, looking at each. */
  async function answerASurvey(officer: string): Promise<void> {
    const ohAdmin = await t.platform.repositories.users.findByEmail('oh.admin@westshire.police.test');
    const { token: adminToken } = await t.platform.services.auth.createToken(
      { actor: null, requestId: 'page-words', ip: null },
      ohAdmin!,
      { name: 'page-words-surveys' },
    );
    const launched = await supertest(t.app)
      .post('/api/v1/campaigns')
      .set({ Authorization: `Bearer ${adminToken}` })
      .send({
        questionnaireId: 'community-needs-assessment',
        title: 'Westshire wellbeing survey',
        mode: 'anonymous',
        population: { kind: 'organisation', ref: (await userRow('officer@westshire.police.test')).organisation_id },
        breakdown: 'none',
        opensOn: '2026-11-22',
        closesOn: '2026-12-20',
      });
    expect(launched.status, 'the survey is launched').toBe(201);
    const own = (await t.database.db('people').where({ id: officer }).first()) as {
      work_email: string | null;
      personal_email: string | null;
    };
    const jobs = (await t.database.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: unknown;
    }>;
    const token = jobs
      .map((j) => (typeof j.payload === 'string' ? j.payload : JSON.stringify(j.payload)))
      .filter((text) => text.includes('Westshire wellbeing survey'))
      .filter((text) => ![own.work_email, own.personal_email].some((e) => e && text.includes(e)))
      .map((text) => /\/survey\?t=([A-Za-z0-9_-]+)/.exec(text)?.[1])
      .find(Boolean)!;
    const respondent = supertest.agent(t.app);
    const statement = await respondent.get(`/survey?t=${token}`);
    look('a respondent (en) the survey statement', statement.text);
    const started = await respondent
      .post('/survey/start')
      .type('form')
      .send(formFields(statement.text, '/survey/start'));
    const first = started.headers.location as string;
    const id = /answer\/([0-9a-f-]{36})\//.exec(first)![1]!;
    const page = await respondent.get(first);
    look('a respondent (en) a survey page', page.text);
    await respondent
      .post(first)
      .type('form')
      .send({ ...formFields(page.text, first), action: 'save' });
    look('a respondent (en) answers saved', (await respondent.get('/survey/saved')).text);
    const check = await respondent.get(`/survey/answer/${id}/check`);
    look('a respondent (en) checking answers', check.text);
    const refused = await respondent
      .post(`/survey/answer/${id}/check`)
      .type('form')
      .send(formFields(check.text, `/survey/answer/${id}/check`));
    look('a respondent (en) questions still to answer', refused.text);
    await respondent
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(check.text), lang: 'cy', returnTo: '/' });
    look('a respondent (cy) the wellbeing page', (await respondent.get(`/survey/answer/${id}/page/12`)).text);
    const answers = {
      ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((i) => [`swemwbs-${i}`, '3'])),
      ...Object.fromEntries([1, 2, 3, 4].map((i) => [`phq4-${i}`, '1'])),
    };
    const saved = await supertest(t.app)
      .put(`/api/v1/responses/${id}/answers`)
      .set({ 'X-Response-Key': token })
      .send({ answers });
    expect(saved.status, 'the wellbeing answers are saved').toBe(200);
    const complete = await respondent.get(`/survey/answer/${id}/check`);
    const sent = await respondent
      .post(`/survey/answer/${id}/check`)
      .type('form')
      .send(formFields(complete.text, `/survey/answer/${id}/check`));
    expect(sent.status, 'the answers are sent').toBe(303);
    look('a respondent (cy) answers sent', (await respondent.get(sent.headers.location as string)).text);
    look('a respondent (cy) a link used twice', (await respondent.get(`/survey?t=${token}`)).text);
  }

  /**
   * The pages the demo data alone does not reach (a case at a formal stage, a management referral, a new
   * user's first sign-in, errors): made through the pages, as people would, then walked like the rest.
   */
  async function rarePages(): Promise<Record<string, string[]>> {
    const officer = (await userRow('officer@westshire.police.test')).person_id;
    const longest = (await t.database
      .db('absence_spells')
      .where({ person_id: officer })
      .orderBy('start_date', 'asc')
      .first()) as { id: string };

    // A needs-assessment survey (issue 17): the demo officer finds it on their home page; someone else answers
    // theirs from the invitation link through its pages, saves for later, checks and sends.
    await answerASurvey(officer);

    // A blood-borne virus exposure of the officer (issue 16): their own page shows its next test.
    const clinicianUser = await t.platform.repositories.users.findByEmail('clinician@westshire.police.test');
    const { token } = await t.platform.services.auth.createToken(
      { actor: null, requestId: 'page-words', ip: null },
      clinicianUser!,
      { name: 'page-words' },
    );
    const exposure = await supertest(t.app)
      .post('/api/v1/bbv-incidents')
      .set({ Authorization: `Bearer ${token}` })
      .send({
        personId: officer,
        occurredAt: '2026-11-20T10:00:00Z',
        exposureType: 'spit',
        bodyFluid: 'blood-stained-fluid',
        sourceKnown: false,
        highRiskHcv: false,
      });
    expect(exposure.status, 'the exposure is recorded').toBe(201);

    const manager = await demoAgent('manager@westshire.police.test');
    const refer = await manager.get(`/people/${officer}/refer`);
    const referred = await manager
      .post(`/people/${officer}/refer`)
      .type('form')
      .send({
        ...formFields(refer.text, `/people/${officer}/refer`),
        reason: 'Struggling with night shifts after a back injury',
        questions: 'Is the officer fit for night shifts?',
        adjustmentsTried: 'Day shifts for two weeks',
        currentlyAbsent: 'no',
        personInformed: 'yes',
      });
    expect(referred.status, 'the management referral is made').toBe(303);

    // A return-to-work interview held after one of the officer's absences: its own page shows it.
    const closed = (await t.database
      .db('absence_spells as s')
      .leftJoin('return_to_work_interviews as i', 'i.absence_id', 's.id')
      .whereNull('i.id')
      .where('s.person_id', officer)
      .where('s.end_date', '<', '2026-11-01')
      .orderBy('s.end_date', 'desc')
      .first('s.id')) as { id: string };
    const rtw = await manager.get(`/absences/${closed.id}/return-to-work`);
    const held = await manager
      .post(`/absences/${closed.id}/return-to-work`)
      .type('form')
      .send({
        _csrf: csrfFrom(rtw.text),
        ...heldInterviewForm('2026-11-20'),
      });
    expect(held.status, 'the interview is recorded').toBe(303);

    const sysadmin = await demoAgent('sysadmin@westshire.police.test');
    const newUser = await sysadmin.get('/admin/users/new');
    const created = await sysadmin
      .post('/admin/users/new')
      .type('form')
      .send({
        _csrf: csrfFrom(newUser.text),
        email: 'new.clinician@westshire.police.test',
        displayName: 'New Clinician',
        organisationId: (await userRow('sysadmin@westshire.police.test')).organisation_id,
        roles: 'oh-clinician',
      });
    expect(created.status, 'the user is created').toBe(201);
    look('system-administrator (en) the new user’s link', created.text);
    const link = /\/set-password\/[A-Za-z0-9_-]+/.exec(created.text)![0];
    const newcomer = supertest.agent(t.app);
    const setPassword = await newcomer.get(link);
    look('a new user (en) setting a password', setPassword.text);
    const password = 'a-long-new-password-2026';
    const set = await newcomer
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(setPassword.text), password, confirm: password });
    expect(set.status, 'the password is set').toBe(303);
    const login = await newcomer.get('/login');
    await newcomer
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: 'new.clinician@westshire.police.test', password });
    look('a new user (en) setting up MFA', (await newcomer.get('/mfa/setup')).text);

    // A blood-borne virus exposure (issue 16 §8): a bite the day before, recorded by OH with its risk assessment.
    const clinicianAgent = await demoAgent('clinician@westshire.police.test');
    const bbvNew = `/people/${officer}/bbv-incidents/new`;
    const bbvForm = await clinicianAgent.get(bbvNew);
    const bbv = await clinicianAgent
      .post(bbvNew)
      .type('form')
      .send({
        ...formFields(bbvForm.text, bbvNew),
        'occurredAt-day': '21',
        'occurredAt-month': '11',
        'occurredAt-year': '2026',
        'occurredAt-time': '08:00',
        exposureType: 'bite',
        skinBroken: 'yes',
        otherPartyKind: 'not-staff',
        otherPartyDescription: 'Detained person, custody ref 12/3456',
        sourceKnown: 'yes',
        highRiskHcv: 'no',
      });
    expect(bbv.status, 'the exposure is recorded').toBe(303);
    const incident = bbv.headers.location!;
    const bbvPages = [
      incident,
      bbvNew,
      ...['risk-assessment', 'pep', 'hepatitis-b', 'accident-report', 'results/new'].map((p) => `${incident}/${p}`),
    ];

    const hr = await demoAgent('hr@westshire.police.test');
    const informal = await hr.get(`/people/${officer}/attendance/procedure/informal`);
    await hr
      .post(`/people/${officer}/attendance/procedure/informal`)
      .type('form')
      .send({ _csrf: csrfFrom(informal.text), actionDate: '2026-10-05', notes: 'Talked through recent absences' });
    const stage = await hr.get(`/people/${officer}/attendance/procedure/stage`);
    const invited = await hr
      .post(`/people/${officer}/attendance/procedure/stage`)
      .type('form')
      .send({
        _csrf: csrfFrom(stage.text),
        step: 'stage-1',
        ohReportRequestedOn: '2026-11-02',
        invitationDate: '2026-11-16',
        meetingDate: '2026-11-30',
        meetingTime: '10:30',
        meetingLocation: 'Room 4, Headquarters',
        chairName: 'Insp. Gwen Price',
      });
    expect(invited.status, 'the stage invitation is made').toBe(303);
    // The meeting is held; the outcome is given the day after.
    t.clock.set('2026-12-01T10:00:00Z');
    const caseView = await hr.get(`/people/${officer}/attendance/procedure`);
    const stepId = /\/attendance-procedure\/([0-9a-f-]+)\/outcome/.exec(caseView.text)![1];
    look('hr-manager (en) postponement', (await hr.get(`/attendance-procedure/${stepId}/postponement`)).text);
    const outcomeForm = await hr.get(`/attendance-procedure/${stepId}/outcome`);
    const outcome = await hr
      .post(`/attendance-procedure/${stepId}/outcome`)
      .type('form')
      .send({
        _csrf: csrfFrom(outcomeForm.text),
        outcome: 'first-written-improvement-notice',
        outcomeDate: '2026-12-01',
        reviewEndDate: '2027-02-26',
        notes: 'Weekly check-ins for three months',
      });
    expect(outcome.status, 'the outcome is recorded').toBe(303);
    // A pathway paused by its clinician: its page offers to resume it.
    const clinician = await demoAgent('clinician@westshire.police.test');
    const active = (await t.database.db('pathways').where({ status: 'active' }).orderBy('started_at').first()) as {
      id: string;
    };
    const pauseForm = await clinician.get(`/pathways/${active.id}/pause`);
    const paused = await clinician
      .post(`/pathways/${active.id}/pause`)
      .type('form')
      .send({ ...formFields(pauseForm.text, `/pathways/${active.id}/pause`), pauseReason: 'Off work for surgery' });
    expect(paused.status, 'the pathway is paused').toBe(303);

    // The first administrator's page: only a platform with no users shows it.
    const fresh = await createTestPlatform();
    try {
      const first = await prepareFirstStart(fresh.platform);
      const setup = await supertest(fresh.app).get(new URL(first.setupLink!).pathname);
      expect(setup.status).toBe(200);
      look('first start (en) the first administrator', setup.text);
      if (setup.text.includes('name="password"')) rendered.add('auth/first-admin');
    } finally {
      await fresh.destroy();
    }

    const report = (await t.database
      .db('consents')
      .where({ person_id: officer, kind: 'oh-report-release' })
      .first()) as { id: string };
    // The demo's confidential risk assessment (NA-8): who answered, and one person's answers with the review form.
    const confidential = (await t.database.db('survey_identified_responses').first('id', 'campaign_id')) as {
      id: string;
      campaign_id: string;
    };
    const surveyPages = [`/surveys/${confidential.campaign_id}/responses`, `/surveys/responses/${confidential.id}`];
    return {
      'manager@westshire.police.test': [`/absences/${closed.id}/return-to-work-interview`],
      'hr@westshire.police.test': [
        '/reports/attendance?from=2025-12-01&to=2026-11-21',
        '/reports/attendance/cases?from=2025-12-01&to=2026-11-21&measure=contact-within-24h',
        `/people/${officer}/attendance/procedure`,
        `/absences/${longest.id}/sick-pay-extension`,
        `/absences/${longest.id}/letters/sick-pay`,
        '/people/not-a-uuid',
        '/no-such-page',
      ],
      'officer@westshire.police.test': ['/me/bbv', '/me/referrals', `/me/consents/${report.id}/report`, '/admin/users'],
      'clinician@westshire.police.test': ['/referrals', `/pathways/${active.id}/resume`, ...bbvPages, ...surveyPages],
      'oh.admin@westshire.police.test': ['/admin/policies/attendance', incident],
      'sysadmin@westshire.police.test': ['/admin/policies/attendance'],
    };
  }

  it('when every demo user walks every page they can reach, in English and in Welsh, then no page shows the code’s words', async () => {
    const rare = await rarePages();
    for (const account of DEMO_ACCOUNTS) {
      const agent = await demoAgent(account.email);
      const start = ['/', ...(rare[account.email] ?? [])];
      await crawl(agent, account.role, 'en', start);
      await toWelsh(agent);
      await crawl(agent, account.role, 'cy', start);
    }
    const report = [...problems].map(([where, what]) => `${where}\n  ${what.join('\n  ')}`).join('\n');
    expect(report).toBe('');
  }, 240_000);

  it('when the walk is done, then it has rendered every page template', () => {
    const missed = PAGE_TEMPLATES.filter((v) => !rendered.has(v));
    expect(missed).toEqual([]);
  });
});
