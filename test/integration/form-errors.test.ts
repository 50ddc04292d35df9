import { beforeAll, describe, expect, it } from 'vitest';
import { unplainWords } from '../support/plain-words.js';
import { csrfFrom, signIn, useWorld, type WorldUser } from '../support/test-platform.js';

/** Forms whose post is not a question to answer (signing out, switching language or role), or that change access. */
const NOT_FORMS = /\/(logout|logout-everywhere|language|role|revoke|disable|enable|check|resume|release)$/;

/** Each post form on a page: its action and the hidden fields it carries (what the person did not type). */
function postForms(html: string): Array<{ action: string; hidden: Record<string, string> }> {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)]
    .filter(([, open]) => /method="post"/i.test(open!))
    .map(([, open, body]) => ({
      action: /action="([^"]+)"/.exec(open!)?.[1] ?? '',
      hidden: Object.fromEntries(
        [...body!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)].flatMap(([tag]) => {
          const name = /name="([^"]+)"/.exec(tag)?.[1];
          return name ? [[name, /value="([^"]*)"/.exec(tag)?.[1] ?? '']] : [];
        }),
      ),
    }))
    .filter((f) => f.action.startsWith('/') && !NOT_FORMS.test(f.action));
}

/** The error summary's messages, as the person reads them. */
function summary(html: string): Array<{ href: string; message: string }> {
  const box = /<div class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<li><a href="([^"]*)">([\s\S]*?)<\/a><\/li>/g)].map(([, href, message]) => ({
    href: href!,
    message: message!
      .replace(/&#x27;/g, '’')
      .replace(/&amp;/g, '&')
      .trim(),
  }));
}

describe('empty forms (issue 15 §1)', () => {
  const suite = useWorld();
  let pathwayId: string;

  beforeAll(async () => {
    const clinician = await signIn(suite.t, suite.w.users.clinician.email);
    const report = suite.w.report.id;
    const list = await clinician.get(`/people/${report}/pathways`);
    const started = await clinician
      .post(`/people/${report}/pathways`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text), definition: 'msk', startedAt: '2026-11-22' });
    pathwayId = /^\/pathways\/([0-9a-f-]{36})$/.exec(String(started.headers.location))![1]!;
  });

  const pages = (): Array<[WorldUser, string]> => [
    ['clinician', `/people/${suite.w.report.id}/pathways`],
    ['clinician', `/pathways/${pathwayId}`],
    // The pathway's changes, each on its own page (issue 15 §3).
    ...(['advice', 'pause', 'transfer', 'close'] as const).map((a): [WorldUser, string] => [
      'clinician',
      `/pathways/${pathwayId}/${a}`,
    ]),
    ['clinician', `/people/${suite.w.report.id}/consents/new/amra-report`],
    ['clinician', `/people/${suite.w.report.id}/consents/new/oh-report-release`],
    ['clinician', `/people/${suite.w.report.id}/consents/new/nhs-sharing`],
    ['hr', '/people/new'],
    ['hr', `/people/${suite.w.report.id}/absences/new`],
    ['hr', `/people/${suite.w.report.id}/attendance/procedure/informal`],
    ['hr', `/people/${suite.w.report.id}/attendance/procedure/stage`],
    ['hr', `/people/${suite.w.report.id}/attendance/disability-discount`],
    ['lineManager', `/people/${suite.w.report.id}/refer`],
    ['staff', '/me/referrals/new'],
    ['sysadmin', '/admin/users/new'],
  ];

  it('when each form is sent empty, then its error summary names every field in words, never in the code’s', async () => {
    const problems: string[] = [];
    let summaries = 0;
    for (const [user, url] of pages()) {
      const agent = await signIn(suite.t, suite.w.users[user].email);
      const page = await agent.get(url);
      expect(page.status, url).toBe(200);
      for (const form of postForms(page.text)) {
        const res = await agent
          .post(form.action)
          .type('form')
          .send({ ...form.hidden, _csrf: csrfFrom(page.text) });
        if (res.status !== 422) continue;
        const errors = summary(res.text);
        summaries += 1;
        if (errors.length === 0) problems.push(`${form.action}: 422 without an error summary`);
        for (const e of errors) {
          const why = unplainWords(e.message);
          if (why) problems.push(`${form.action} ${e.href}: "${e.message}" is ${why}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(summaries).toBeGreaterThan(10);
  });

  it('when "Ask for consent" is sent empty, then it asks which consent; a kind’s page asks for its own fields; an empty share asks for the partner', async () => {
    const agent = await signIn(suite.t, suite.w.users.clinician.email);
    const consents = await agent.get(`/people/${suite.w.report.id}/consents`);
    const ask = await agent
      .post(`/people/${suite.w.report.id}/consents`)
      .type('form')
      .send({ _csrf: csrfFrom(consents.text) });
    expect(ask.status).toBe(422);
    expect(summary(ask.text).map((e) => e.message)).toContain('Select which consent you are asking for');
    const sharing = await agent
      .post(`/people/${suite.w.report.id}/consents/new/nhs-sharing`)
      .type('form')
      .send({ _csrf: csrfFrom(consents.text) });
    expect(sharing.status).toBe(422);
    expect(summary(sharing.text).map((e) => e.message)).toContain('Select the NHS partner');

    const share = await agent.get(`/pathways/${pathwayId}/referrals/share`);
    const shared = await agent
      .post(`/pathways/${pathwayId}/referrals/share`)
      .type('form')
      .send({ _csrf: csrfFrom(share.text) });
    expect(shared.status).toBe(422);
    expect(summary(shared.text).map((e) => e.message)).toContain('Select the NHS partner');
  });

  it('when the absence form is sent empty in Welsh, then the error names the date in Welsh', async () => {
    const agent = await signIn(suite.t, suite.w.users.hr.email);
    const form = await agent.get(`/people/${suite.w.report.id}/absences/new`);
    await agent
      .post('/language')
      .type('form')
      .send({ lang: 'cy', returnTo: '/', _csrf: csrfFrom(form.text) });
    const again = await agent.get(`/people/${suite.w.report.id}/absences/new`);
    const res = await agent
      .post(`/people/${suite.w.report.id}/absences/new`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text) });
    expect(res.status).toBe(422);
    expect(summary(res.text).map((e) => e.message)).toContain('Rhowch y dyddiad y dechreuodd yr absenoldeb');
  });
});
