import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unplainWords } from '../support/plain-words.js';
import {
  buildWorld,
  createTestPlatform,
  csrfFrom,
  signIn,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/** The error summary's messages and where each leads, as the person reads them. */
function summary(html: string): Array<{ href: string; message: string }> {
  const box = /<div class="nhsuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<li><a href="([^"]*)">([\s\S]*?)<\/a><\/li>/g)].map(([, href, message]) => ({
    href: href!,
    message: message!.replace(/&#x27;/g, '’').trim(),
  }));
}

/** The page's main content (the layout's own forms, such as the language switch, left out). */
const mainOf = (html: string) => /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;

/** What a page says to its reader: the main content's text, without tags, attributes or addresses. */
function visibleText(html: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  return main
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ')
    .replace(/\s+/g, ' ');
}

/** What a consent page must never show: an enum value, a rule id or a camelCase key (issue 15 §1). */
const CODE_WORDS =
  /\b(nhs-sharing|amra-report|oh-report-release|report-received|line-manager|hr-manager|clinical-history|referral-details|continuity-of-care|results-to-oh)\b|\b(AMRA|CONF)-\d|§\s?\d|YYYY/;

/** Issue 15 §5: consent is asked for one kind at a time, each page asking only what its kind needs. */
describe('consent requests, one kind at a time', () => {
  let t: TestPlatform;
  let w: World;

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-12-01T10:00:00Z');
    w = await buildWorld(t);
  });
  afterAll(async () => t.destroy());

  const pageOf = (kind: string) => `/people/${w.report.id}/consents/new/${kind}`;

  it('when OH opens a person’s consents, then each kind is offered in words, and each kind’s page asks only its own questions', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const list = await oh.get(`/people/${w.report.id}/consents`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Ask for consent to request a medical report from their doctor');
    expect(list.text).toContain('Ask for consent to release an occupational health report to their manager or HR');
    expect(list.text).toContain('Ask for consent to share information with an NHS service');
    expect(list.text).not.toContain('name="kind"');
    expect(visibleText(list.text)).not.toMatch(CODE_WORDS);

    const fieldsOf = (html: string) =>
      [...mainOf(html).matchAll(/<(?:input|select|textarea)\b[^>]*name="([^"]+)"/g)]
        .map(([, name]) => name!)
        .filter((name) => name !== '_csrf');
    const amra = await oh.get(pageOf('amra-report'));
    expect([...new Set(fieldsOf(amra.text))].sort()).toEqual(
      ['description', 'doctorName', 'doctorPractice', 'noticeBy', 'recipientRole'].sort(),
    );
    const release = await oh.get(pageOf('oh-report-release'));
    expect([...new Set(fieldsOf(release.text))].sort()).toEqual(['description', 'noticeBy', 'recipientRole'].sort());
    const sharing = await oh.get(pageOf('nhs-sharing'));
    expect([...new Set(fieldsOf(sharing.text))].sort()).toEqual(
      [
        'dataCategories',
        'description',
        'noticeBy',
        'partnerOrganisationId',
        'periodEnd-day',
        'periodEnd-month',
        'periodEnd-year',
        'periodStart-day',
        'periodStart-month',
        'periodStart-year',
        'purpose',
      ].sort(),
    );
    // Dates as day, month and year, today's filled in; no browser date picker, no "YYYY-MM-DD".
    expect(sharing.text).toContain('name="periodStart-day" type="text" inputmode="numeric" value="1"');
    expect(sharing.text).toContain('name="periodStart-month" type="text" inputmode="numeric" value="12"');
    for (const page of [amra, release, sharing]) expect(visibleText(page.text)).not.toMatch(CODE_WORDS);

    const unknown = await oh.get(pageOf('gossip'));
    expect(unknown.status).toBe(404);
    expect(mainOf(unknown.text)).not.toContain('gossip');
    expect(
      (
        await oh
          .post(pageOf('gossip'))
          .type('form')
          .send({ _csrf: csrfFrom(list.text) })
      ).status,
    ).toBe(404);
  });

  it('when each kind’s form is sent empty, then its error summary names each of its fields in words', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const expected: Record<string, string[]> = {
      'amra-report': ['#description', '#doctorName', '#recipientRole', '#noticeBy'],
      'oh-report-release': ['#description', '#recipientRole', '#noticeBy'],
      'nhs-sharing': [
        '#partnerOrganisationId',
        '#purpose',
        '#dataCategories',
        '#periodStart',
        '#description',
        '#noticeBy',
      ],
    };
    for (const [kind, hrefs] of Object.entries(expected)) {
      const page = await oh.get(pageOf(kind));
      const res = await oh
        .post(pageOf(kind))
        .type('form')
        .send({ _csrf: csrfFrom(page.text) });
      expect(res.status, kind).toBe(422);
      const errors = summary(res.text);
      expect(errors.map((e) => e.href).sort(), kind).toEqual([...hrefs].sort());
      for (const e of errors) expect(unplainWords(e.message), `${kind} ${e.href}: ${e.message}`).toBeNull();
      expect(res.text).not.toContain('discriminator');
    }
  });

  it('when the sharing page is opened from a refused share, then the query’s choices are made, a bad value is left out, and after asking the consent’s page says so once and leads back to the pathway', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const query = new URLSearchParams([
      ['partnerOrganisationId', w.healthBoard.id],
      ['purpose', 'continuity-of-care'],
      ['dataCategories', 'demographics'],
      ['dataCategories', 'clinical-history'],
      ['description', 'Physiotherapy for a back injury'],
      ['returnTo', '/pathways/3f0e2c1a-1111-4222-8333-444455556666'],
    ]);
    const page = await oh.get(`${pageOf('nhs-sharing')}?${query}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`<option value="${w.healthBoard.id}" selected>`));
    expect(page.text).toMatch(/value="continuity-of-care" checked/);
    expect(page.text).toMatch(/value="demographics" checked/);
    expect(page.text).toMatch(/value="clinical-history" checked/);
    expect(page.text).not.toMatch(/value="mental-health" checked/);
    expect(page.text).toContain('value="Physiotherapy for a back injury"');
    expect(page.text).toContain('name="returnTo" value="/pathways/3f0e2c1a-1111-4222-8333-444455556666"');

    const bad = new URLSearchParams([
      ['partnerOrganisationId', 'not-a-partner'],
      ['purpose', 'marketing'],
      ['dataCategories', 'everything'],
      ['dataCategories', 'test-results'],
      ['returnTo', '//evil.example/pathways'],
      ['description', 'x'.repeat(600)],
    ]);
    const ignored = await oh.get(`${pageOf('nhs-sharing')}?${bad}`);
    expect(ignored.status).toBe(200);
    expect(ignored.text).not.toMatch(/<option value="[^"]+" selected>/);
    expect(ignored.text).not.toMatch(/name="purpose"[^>]*checked/);
    expect(ignored.text).toMatch(/value="test-results" checked/);
    expect(mainOf(ignored.text)).not.toContain('name="returnTo"');
    expect(mainOf(ignored.text)).not.toContain('evil.example');
    // Another partner's id (the host force is not an NHS partner) is not chosen either.
    const notPartner = await oh.get(`${pageOf('nhs-sharing')}?partnerOrganisationId=${w.host.id}`);
    expect(notPartner.text).not.toMatch(/<option value="[^"]+" selected>/);

    const made = await oh
      .post(pageOf('nhs-sharing'))
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        partnerOrganisationId: w.healthBoard.id,
        purpose: 'continuity-of-care',
        dataCategories: ['demographics', 'clinical-history'],
        'periodStart-day': '1',
        'periodStart-month': '12',
        'periodStart-year': '2026',
        'periodEnd-day': '',
        'periodEnd-month': '',
        'periodEnd-year': '',
        description: 'Physiotherapy for a back injury',
        noticeBy: 'letter',
        returnTo: '/pathways/3f0e2c1a-1111-4222-8333-444455556666',
      });
    expect(made.status).toBe(303);
    const location = made.headers.location as string;
    expect(location).toMatch(
      /^\/consents\/[0-9a-f-]{36}\?returnTo=%2Fpathways%2F3f0e2c1a-1111-4222-8333-444455556666$/,
    );
    const shown = await oh.get(location);
    expect(shown.text).toContain('nhsuk-notification-banner--success');
    expect(shown.text).toContain('Consent has been asked for');
    expect(shown.text).toContain('Print the notice below and send it to them');
    expect(shown.text).toContain(
      '<a href="/pathways/3f0e2c1a-1111-4222-8333-444455556666" class="nhsuk-link" data-return-to>Back to the pathway</a>',
    );
    expect(visibleText(shown.text)).not.toMatch(CODE_WORDS);
    expect(visibleText(shown.text)).toContain('Continuity of care');
    // Once: the next page has no banner.
    expect((await oh.get(location)).text).not.toContain('nhsuk-notification-banner');
    const stored = await t.database
      .db('consents')
      .where({ id: location.split('/')[2]!.split('?')[0] })
      .first();
    expect(stored.kind).toBe('nhs-sharing');

    // Recording their decision keeps the way back to the pathway.
    const again = await oh.get(location);
    expect(again.text).toContain(
      '<input type="hidden" name="returnTo" value="/pathways/3f0e2c1a-1111-4222-8333-444455556666">',
    );
    const decided = await oh
      .post(`${location.split('?')[0]}/decision`)
      .type('form')
      .send({
        _csrf: csrfFrom(again.text),
        decision: 'given',
        method: 'paper',
        documentReference: 'SCAN-PRE-1',
        returnTo: '/pathways/3f0e2c1a-1111-4222-8333-444455556666',
      });
    expect([decided.status, decided.headers.location]).toEqual([303, location]);
    const afterDecision = await oh.get(location);
    expect(afterDecision.text).toContain('Their consent has been recorded');
    expect(afterDecision.text).toContain('What it covers can now be shared with the service');
    expect(afterDecision.text).toContain('Back to the pathway');

    // A returnTo that is not a local path is never followed.
    const sneaky = await oh.get(`${location.split('?')[0]}?returnTo=https://evil.example/`);
    expect(mainOf(sneaky.text)).not.toContain('evil.example');
  });

  it('when the old combined form is posted, then a named kind is still asked for and no kind is asked which one', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const list = await oh.get(`/people/${w.report.id}/consents`);
    const none = await oh
      .post(`/people/${w.report.id}/consents`)
      .type('form')
      .send({ _csrf: csrfFrom(list.text) });
    expect(none.status).toBe(422);
    expect(summary(none.text).map((e) => e.message)).toEqual(['Select which consent you are asking for']);
    const named = await oh
      .post(`/people/${w.report.id}/consents`)
      .type('form')
      .send({
        _csrf: csrfFrom(list.text),
        kind: 'oh-report-release',
        recipientRole: 'line-manager',
        description: 'Fitness for night shifts',
        noticeBy: 'letter',
      });
    expect(named.status).toBe(303);
    expect(named.headers.location).toMatch(/^\/consents\/[0-9a-f-]{36}$/);
  });

  it('when the officer decides and OH records on a consent, then each is confirmed once, in Welsh on a Welsh page, and the consent pages speak Welsh', async () => {
    const oh = await signIn(t, w.users.clinician.email);
    const form = await oh.get(pageOf('oh-report-release'));
    const made = await oh
      .post(pageOf('oh-report-release'))
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        recipientRole: 'line-manager',
        description: 'Return to full duties',
        noticeBy: 'letter',
      });
    const id = (made.headers.location as string).split('/').pop()!;
    const me = await signIn(t, w.users.staff.email);
    const show = await me.get(`/me/consents/${id}`);
    await me
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(show.text), lang: 'cy', returnTo: `/me/consents/${id}` });
    const cy = await me.get(`/me/consents/${id}`);
    expect(cy.text).toContain('<h1 class="nhsuk-heading-l">Adroddiad iechyd galwedigaethol</h1>');
    const decided = await me
      .post(`/me/consents/${id}/decision`)
      .type('form')
      .send({ _csrf: csrfFrom(cy.text), decision: 'given', wishesToSeeReport: 'yes' });
    expect(decided.status).toBe(303);
    const after = await me.get(`/me/consents/${id}`);
    expect(after.text).toContain('Rydych wedi rhoi eich caniatâd');
    expect((await me.get(`/me/consents/${id}`)).text).not.toContain('nhsuk-notification-banner');
    const mine = await me.get('/me/consents');
    expect(visibleText(mine.text)).not.toMatch(CODE_WORDS);

    // OH, in Welsh: the list, the kind's page and the consent's page.
    const ohList = await oh.get(`/people/${w.report.id}/consents`);
    await oh
      .post('/language')
      .type('form')
      .send({ _csrf: csrfFrom(ohList.text), lang: 'cy', returnTo: '/' });
    const cyList = await oh.get(`/people/${w.report.id}/consents`);
    expect(cyList.text).toContain('Gofyn am ganiatâd i rannu gwybodaeth â gwasanaeth GIG');
    expect(cyList.text).toContain('Caniatâd wedi’i roi');
    const cyForm = await oh.get(pageOf('nhs-sharing'));
    expect(cyForm.text).toContain('<title>Gofyn am ganiatâd i rannu gwybodaeth â gwasanaeth GIG');
    const cyShow = await oh.get(`/consents/${id}`);
    expect(cyShow.text).toContain('Caniatâd i ryddhau adroddiad iechyd galwedigaethol');
    expect(cyShow.text).toContain('Cofnodi’r adroddiad');
    expect(cyShow.text).toContain('name="receivedOn-day"');
    const recorded = await oh
      .post(`/consents/${id}/report`)
      .type('form')
      .send({
        _csrf: csrfFrom(cyShow.text),
        text: 'Fit for full duties.',
        'receivedOn-day': '1',
        'receivedOn-month': '12',
        'receivedOn-year': '2026',
      });
    expect(recorded.status).toBe(303);
    const cyAfter = await oh.get(`/consents/${id}`);
    expect(cyAfter.text).toContain('Mae’r adroddiad wedi’i gofnodi');
    expect(visibleText(cyAfter.text)).not.toMatch(CODE_WORDS);
  });
});
