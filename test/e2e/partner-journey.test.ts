import type { Bundle } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, type DemoAccount } from '../../src/demo/demo-data.js';
import { REFERRAL_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import type { RequestContext } from '../../src/shared/request-context.js';
import { londonDay, longDate, shortDateTime } from '../../src/shared/dates.js';
import { ukTime } from '../../src/web/appointment-view.js';
import { accessibilityProblems } from './support/browser.js';
import { useDemoBrowser } from './support/demo-browser.js';
import { submitWith } from './support/sign-in.js';

/** How long the clinician keeps reloading the pathway page for the sandbox partner's progress. */
const JOURNEY_DEADLINE_MS = 30_000;

const account = (role: DemoAccount['role']) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

/** A day and a time as the pages write them (UK time, the views' `date` and `dateTime`). */
const dayOf = (at: Date) => longDate(londonDay(at), 'en');
const dateTimeOf = (at: Date) => shortDateTime(at, 'en');
/** Where the sandbox partner's simulated staff book the physiotherapy appointment (issue 15 §8). */
const PLACE = 'Physiotherapy, Outpatients Department, Westshire General Hospital';

/**
 * Issue 6 §5 in the browser: a referral's journey at an NHS partner, end to end, against the
 * sandbox partner (`@medplum/fhir-router`) in its own process. The OH clinician shares a handover
 * referral under the officer's consent (§5c); the job runner delivers it as a BaRS message; the
 * partner's simulated staff report back over `/fhir/R4` with a SMART Backend Services token
 * (FHIR-8): received, accepted, booked. Each audience then sees the journey as CONF-1 says:
 * the clinician every step, the officer in plain English, the line manager nothing of it.
 */
describe('a referral’s journey at an NHS partner, in the browser', () => {
  const demo = useDemoBrowser({ sandbox: true });
  const clinician = account('oh-clinician');
  const officer = account('staff');
  const manager = account('line-manager');
  const reason = 'Knee pain since a fall on duty; needs NHS physiotherapy';

  /** Set up through the services: the officer's pathway, transferred, its handover referral awaiting consent to share. */
  let person: { id: string; name: string };
  let healthBoard: { id: string; name: string };
  let pathwayId: string;
  let referralId: string;
  /** The appointment the partner booked, once the clinician's test has seen it. */
  let appointmentAt: Date | undefined;

  beforeAll(async () => {
    const { services, repositories, clock } = demo.server.platform;
    const contextOf = async (a: DemoAccount): Promise<RequestContext> => {
      const user = await repositories.users.findByEmail(a.email);
      const actor = user && services.auth.actorFor(user, a.role, 'session');
      if (!actor) throw new Error(`the demo account ${a.email} has no ${a.role} role`);
      return { actor, requestId: 'e2e-partner-journey', ip: null };
    };
    const asClinician = await contextOf(clinician);
    const officerUser = await repositories.users.findByEmail(officer.email);
    if (!officerUser?.personId)
      throw new Error(`the demo account ${officer.email} is not linked to a workforce member`);
    person = { id: officerUser.personId, name: officerUser.displayName };
    // The health board's physiotherapy service the demo points at the sandbox partner.
    const msk = (await services.partners.list()).find(
      (p) =>
        p.service.serviceType === 'nhs-msk-physiotherapy' &&
        p.service.enabled &&
        p.service.baseUrl === demo.server.partner!.url,
    );
    if (!msk?.organisation) throw new Error('the demo has no MSK physiotherapy service at the sandbox partner');
    healthBoard = { id: msk.organisation.id, name: msk.organisation.name };

    // §5c: the officer's consent to share with the health board, given on a paper form that OH records.
    const consent = await services.consent.request(asClinician, person.id, {
      kind: 'nhs-sharing',
      partnerOrganisationId: healthBoard.id,
      purpose: 'continuity-of-care',
      dataCategories: ['demographics', 'referral-details', 'clinical-history'],
      periodStart: londonDay(clock.now()),
      periodEnd: null,
      description: 'Handover to NHS physiotherapy for your knee',
      noticeBy: 'letter',
    });
    await services.consent.decide(asClinician, consent.consent.id, {
      decision: 'given',
      method: 'paper',
      witness: null,
      documentReference: 'SCAN-E2E-0001',
      wishesToSeeReport: null,
    });
    const enrolled = await services.pathways.enrol(asClinician, {
      personId: person.id,
      definition: 'msk',
      startedAt: clock.now(),
      source: 'clinician',
    });
    const transferred = await services.pathways.transfer(asClinician, enrolled.pathway.id, {
      service: 'nhs-msk-physiotherapy',
      reason,
      priority: 'routine',
    });
    expect(transferred.referral.status).toBe('awaiting-consent');
    pathwayId = enrolled.pathway.id;
    referralId = transferred.referral.id;
  });

  /** The referral's lines on the clinician's pathway page. */
  const referralItem = (page: Page) => page.locator(`li[data-referral="${referralId}"]`);

  it('when an OH clinician shares the handover referral with the health board on the pathway page, then the sandbox partner receives it and the page shows its journey there up to the booked appointment, and passes axe', async () => {
    await demo.withPage(clinician, async (page) => {
      await page.goto(`${demo.server.baseUrl}/pathways/${pathwayId}`);
      await expect(referralItem(page).innerText()).resolves.toContain('Waiting to be shared under consent');
      await expect(referralItem(page).locator('[data-progress]').count()).resolves.toBe(0);

      await page
        .getByRole('group', { name: 'Which referral' })
        .getByLabel('NHS MSK physiotherapy (a handover)')
        .check();
      await page.getByLabel('NHS partner').selectOption({ label: healthBoard.name });
      await page
        .getByRole('group', { name: 'Also share' })
        .getByLabel('Relevant health history', { exact: true })
        .check();
      await submitWith(page, page.getByRole('button', { name: 'Share under consent' }));
      expect(new URL(page.url()).pathname).toBe(`/pathways/${pathwayId}`);
      await expect(page.locator('.nhsuk-error-summary').count()).resolves.toBe(0);
      const shared = await referralItem(page).innerText();
      expect(shared).toContain(`with ${healthBoard.name}`);
      expect(shared).toContain(
        'Shared: Name, date of birth and NHS number, Why they are referred, Relevant health history',
      );

      // The job runner delivers it; the partner's staff report back. Reload until the booking shows, for a bounded time.
      const deadline = Date.now() + JOURNEY_DEADLINE_MS;
      const steps = () => referralItem(page).locator('[data-progress] strong').allTextContents();
      while (!(await steps()).includes('Appointment booked') && Date.now() < deadline) {
        await page.waitForTimeout(500);
        await page.reload({ waitUntil: 'load' });
      }
      expect(await steps(), `the journey after ${JOURNEY_DEADLINE_MS / 1000} s`).toEqual([
        'Received',
        'Accepted',
        'Appointment booked',
      ]);

      const item = await referralItem(page).innerText();
      expect(item).toMatch(/: Sent with /);
      expect(item).toMatch(/Referral message: Delivered /);
      // The appointment shown is the one the partner reported, on its line of the journey.
      const journey = (await demo.server.platform.services.exchange.journeys([referralId])).get(referralId) ?? [];
      appointmentAt = journey.find((s) => s.status === 'booked')?.appointmentAt ?? undefined;
      expect(appointmentAt, 'the booked step carries the appointment').toBeInstanceOf(Date);
      expect(appointmentAt!.getTime()).toBeGreaterThan(Date.now());
      await expect(
        referralItem(page).locator('[data-progress]', { hasText: 'Appointment booked' }).innerText(),
      ).resolves.toContain(`appointment ${dateTimeOf(appointmentAt!)} – where: ${PLACE}`);
      expect(await accessibilityProblems(page, 'the pathway page with the journey at the partner')).toBe('');
    });

    // It really is at the partner: the sandbox holds the ServiceRequest for this referral.
    const atPartner = (await new Client({ baseUrl: demo.server.partner!.url }).search({
      resourceType: 'ServiceRequest',
      searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
    })) as unknown as Bundle;
    expect(atPartner.entry ?? []).toHaveLength(1);
  }, 90_000);

  it('when the officer opens their pathway, then they read where their referral has got to in plain English: they have an appointment on its day, at its time and place; the page passes axe', async () => {
    expect(appointmentAt, 'the clinician’s test saw the appointment booked').toBeInstanceOf(Date);
    await demo.withPage(officer, async (page) => {
      await page.goto(`${demo.server.baseUrl}/me`);
      await submitWith(page, page.getByRole('link', { name: 'My health pathways' }));
      await submitWith(page, page.locator(`a[href="/pathways/${pathwayId}"]`));
      const main = await page.locator('main').innerText();
      expect(main).toContain('Your referrals to other services');
      expect(main).toContain(
        `NHS MSK physiotherapy: you have an appointment on ${dayOf(appointmentAt!)} at ${ukTime(appointmentAt!, 'en')}. Where: ${PLACE}.`,
      );
      // Plain English, not the clinician's view of the journey.
      expect(main).not.toContain('Appointment booked');
      expect(main).not.toContain('At the service');
      expect(await accessibilityProblems(page, 'the officer’s pathway with their appointment')).toBe('');
    });
  });

  it('when the officer’s line manager looks for them wherever a manager can, then they see that OH support was in place and nothing of the referral, the partner or the appointment', async () => {
    expect(appointmentAt, 'the clinician’s test saw the appointment booked').toBeInstanceOf(Date);
    // Nothing of the referral or its journey: the service, the partner, the appointment, the reason for the transfer.
    const words = [
      'physiotherapy',
      'appointment',
      'sandbox',
      'at the service',
      'referrals to services',
      'handover',
      'knee pain',
      healthBoard.name,
      dateTimeOf(appointmentAt!),
      'Outpatients Department',
      'Westshire General Hospital',
    ];
    // The appointment's day too, on the pages about the officer (elsewhere another date may fall on that day).
    const aboutThem = [...words, dayOf(appointmentAt!)];
    const leaked = (text: string, list: string[]) => list.filter((w) => text.toLowerCase().includes(w.toLowerCase()));
    await demo.withPage(manager, async (page) => {
      const visit = async (path: string) => {
        const response = await page.goto(`${demo.server.baseUrl}${path}`);
        return { status: response?.status(), text: await page.locator('body').innerText() };
      };
      // The officer is in the manager's reach: their record opens.
      const record = await visit(`/people/${person.id}`);
      expect(record.status).toBe(200);
      expect(record.text).toContain(person.name);
      expect(leaked(record.text, aboutThem), 'their record').toEqual([]);

      const list = await visit(`/people/${person.id}/pathways`);
      expect(list.status).toBe(200);
      expect(leaked(list.text, aboutThem), 'their pathways').toEqual([]);
      // The pathway opens from there, showing only that OH support was in place (CONF-1).
      await submitWith(page, page.locator(`a[href="/pathways/${pathwayId}"]`));
      const pathway = await page.locator('body').innerText();
      expect(pathway).toMatch(/Occupational health support was in place from .+ to .+\./);
      expect(leaked(pathway, aboutThem), 'the pathway page').toEqual([]);
      expect(await page.locator('[data-referral], [data-progress]').count()).toBe(0);

      const reports = await visit(`/people/${person.id}/oh-reports`);
      expect(reports.status).toBe(200);
      expect(leaked(reports.text, aboutThem), 'OH reports released about them').toEqual([]);
      for (const path of [`/people/${person.id}/attendance`, '/worklist', '/']) {
        const seen = await visit(path);
        expect(seen.status, path).toBe(200);
        // Issue 16 §5: the worklist says on which days the officer has OH appointments, so duties can be
        // planned (the demo officer's exposure); never what they are for, nor anything of this referral's.
        const checked = path === '/worklist' ? words.filter((w) => w !== 'appointment') : words;
        expect(leaked(seen.text, checked), path).toEqual([]);
        expect(leaked(seen.text, ['HIV', 'hepatitis', 'blood-borne', 'blood test', 'exposure']), path).toEqual([]);
      }
      // OH's consent records about them (where the sharing consent is) are not the manager's to open.
      const consents = await visit(`/people/${person.id}/consents`);
      expect(consents.status).toBe(403);
      expect(leaked(consents.text, aboutThem), 'the refusal').toEqual([]);
    });
  });
});
