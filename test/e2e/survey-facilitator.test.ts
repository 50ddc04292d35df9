import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../src/demo/demo-data.js';
import type { NewPerson } from '../../src/people/people-types.js';
import type { RequestContext } from '../../src/shared/request-context.js';
import { addDays, londonDay } from '../../src/shared/dates.js';
import { newId } from '../../src/shared/ids.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { fillDate } from './support/date-input.js';
import { checkBothWidths } from './support/reflow.js';
import { submitWith } from './support/sign-in.js';

/**
 * Issue 17 §6, §7 end to end in Chromium: a team facilitator (the demo line manager, appointed by OH for a team of
 * their own) reads the team's HSE results, a table with a chart beside it, and records an action for the team
 * (NA-7). Every page passes axe at 1280 and 320 px without scrolling sideways.
 */
describe('a facilitator reads a team’s HSE results and records an action', () => {
  const demo = useDemoBrowser();
  const manager = DEMO_ACCOUNTS.find((a) => a.role === 'line-manager')!;
  const ohAdmin = DEMO_ACCOUNTS.find((a) => a.role === 'oh-administrator')!;

  it('when ten of a facilitated team have answered the HSE survey, then the facilitator sees the domain means in a table with the chart beside it, and an action recorded from them is on the plan', async () => {
    const { baseUrl, platform } = demo.server;
    const { users, people } = platform.repositories;
    const admin = (await users.findByEmail(ohAdmin.email))!;
    const facilitator = (await users.findByEmail(manager.email))!;
    const now = new Date();
    const today = londonDay(now);

    // A team of twelve with email addresses, in a unit of its own.
    const unitId = newId();
    await people.insertUnit(
      { id: unitId, organisationId: admin.organisationId, name: 'Neighbourhood team', code: null, parentUnitId: null },
      now,
    );
    const team = Array.from({ length: 12 }, (_, i): NewPerson => ({
      id: newId(),
      organisationId: admin.organisationId,
      staffNumber: `E2E${String(i).padStart(4, '0')}`,
      collarNumber: null,
      givenName: 'Sam',
      familyName: `Neighbour${i}`,
      dateOfBirth: '1988-02-03',
      nhsNumber: null,
      role: 'officer',
      unitId,
      lineManagerId: facilitator.personId,
      serviceStartDate: '2015-09-01',
      leavingDate: null,
      workingPattern: { kind: 'weekly', days: [1, 2, 3, 4, 5] },
      protectedIdentity: false,
      workEmail: `neighbour${i}@westshire.police.test`,
      personalEmail: null,
    }));
    await people.insertPeople(team, now);

    // OH appoints the line manager to facilitate the team's unit and sends the HSE survey there.
    const ohCtx: RequestContext = {
      actor: {
        userId: admin.id,
        displayName: admin.displayName,
        email: admin.email,
        organisationId: admin.organisationId,
        personId: null,
        roles: ['oh-administrator'],
        role: 'oh-administrator',
        via: 'session',
        locale: 'en',
      },
      requestId: 'e2e-surveys',
      ip: null,
    };
    const surveys = platform.services.surveys;
    await surveys.appointFacilitator(ohCtx, facilitator.id, unitId);
    const campaign = await surveys.launch(ohCtx, {
      questionnaireId: 'hse-indicator-tool',
      title: 'Neighbourhood team stress survey',
      mode: 'anonymous',
      population: { kind: 'unit', ref: unitId },
      breakdown: 'none',
      opensOn: today,
      closesOn: addDays(today, 14),
    });

    // Ten answer, each with the token their invitation email carried.
    const rows = (await platform.db('jobs').where({ kind: 'email.send' }).select('payload')) as Array<{
      payload: unknown;
    }>;
    const tokens = rows
      .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { to: string; text: string })
      .filter((p) => p.to.startsWith('neighbour') && p.text.includes('Neighbourhood team stress survey'))
      .map((p) => /\/survey\?t=([A-Za-z0-9_-]+)/.exec(p.text)![1]!);
    expect(tokens.length).toBe(12);
    for (const [i, token] of tokens.slice(0, 10).entries()) {
      const handle = await surveys.startWithToken(token);
      await surveys.saveAnswers(
        handle,
        Object.fromEntries(Array.from({ length: 35 }, (_, k) => [`hse-${k + 1}`, String(1 + ((i + k) % 5))])),
      );
      await surveys.submit(handle);
    }

    await demo.withPage(manager, async (page) => {
      const errors = () => page.locator('.nhsuk-error-summary').allTextContents();
      if ((await page.locator('html').getAttribute('lang')) === 'cy')
        await submitWith(page, page.getByRole('button', { name: 'English' }));
      await page.goto(`${baseUrl}/`);
      await submitWith(page, page.getByRole('navigation').getByRole('link', { name: 'Surveys' }));
      expect(new URL(page.url()).pathname).toBe('/surveys');
      expect(await checkBothWidths(page, 'the surveys list')).toEqual([]);
      await submitWith(page, page.getByRole('link', { name: 'Neighbourhood team stress survey' }));
      expect(new URL(page.url()).pathname).toBe(`/surveys/${campaign.id}`);

      // The table is the primary content; the chart beside it is an image drawn from the same figures.
      const table = page.locator('[data-testid="hse-domains"]');
      await expect(table.innerText()).resolves.toMatch(/Manager support\s+\d(\.\d+)?\n/);
      const chart = page.locator('[data-testid="hse-chart"]');
      await expect(chart.getAttribute('alt')).resolves.toContain('Bar chart of the average score in each area');
      await expect(chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
      expect(await checkBothWidths(page, 'the team’s results')).toEqual([]);

      await page.getByLabel('What is it about?').selectOption({ label: 'Demands' });
      await page.getByLabel('What will be done').fill('Agree a fairer way to share out late jobs');
      await page.getByLabel('Owner').selectOption({ value: facilitator.personId! });
      await fillDate(page, 'dueOn', addDays(today, 30));
      await submitWith(page, page.getByRole('button', { name: 'Add the action' }));
      expect(new URL(page.url()).pathname, (await errors()).join()).toBe(`/surveys/${campaign.id}`);
      await expect(page.locator('.nhsuk-notification-banner').innerText()).resolves.toContain('Action added');
      await expect(page.locator('[data-testid="actions"]').innerText()).resolves.toContain(
        'Agree a fairer way to share out late jobs',
      );
      expect(await checkBothWidths(page, 'the results with the action plan')).toEqual([]);

      // The action is on the facilitator's own worklist, leading back to the plan.
      const recorded = await platform
        .db('survey_actions')
        .where({ campaign_id: campaign.id })
        .first<{ id: string }>('id');
      await page.goto(`${baseUrl}/worklist`);
      await submitWith(page, page.locator(`a[href="/surveys/actions/${recorded!.id}"]`));
      expect(new URL(page.url()).pathname).toBe(`/surveys/${campaign.id}`);
    });
  }, 180_000);
});
