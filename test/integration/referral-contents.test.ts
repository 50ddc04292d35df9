import { Client } from 'fhir-kit-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Consent, Patient, QuestionnaireResponse, ServiceRequest } from '@medplum/fhirtypes';
import { validateFhirResource } from '../../src/fhir/core/fhir-validation.js';
import { NHS_NUMBER, REFERRAL_SYSTEM } from '../../src/fhir/delivery/referral-bundle.js';
import { startPartnerProcess, type PartnerProcess } from '../support/fhir-partner.js';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  signIn,
  csrfFrom,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';
import { deliveryWorld } from './support/delivery-world.js';

/**
 * Issue 6 §2 acceptance against a real partner process: a referral arrives with every element the
 * issue lists and validates; a protected-identity officer's Patient carries no address or telecom
 * and the restricted label (CONF-3, FHIR-6); only the answers the clinician chose travel, with the
 * officer's venue and contact preferences (CONF-4).
 */
describe('what a referral carries to the partner', () => {
  let t: TestPlatform;
  let w: World;
  let d: ReturnType<typeof deliveryWorld>;
  let partner: PartnerProcess;
  let client: InstanceType<typeof Client>;
  const officer = { id: '', nhsNumber: '9434765919' };

  /** Everything the partner holds about one referral, by type. */
  async function atPartner(referralId: string) {
    const sr = (
      (await client.search({
        resourceType: 'ServiceRequest',
        searchParams: { identifier: `${REFERRAL_SYSTEM}|${referralId}` },
      })) as unknown as Bundle<ServiceRequest>
    ).entry![0]!.resource!;
    const read = async <T>(ref: string | undefined) => (ref ? ((await client.request(ref)) as T) : null);
    return {
      sr,
      patient: (await read<Patient>(sr.subject?.reference))!,
      consent: await read<Consent>(sr.supportingInfo?.find((s) => s.reference?.startsWith('Consent/'))?.reference),
      summary: await read<QuestionnaireResponse>(
        sr.supportingInfo?.find((s) => s.reference?.startsWith('QuestionnaireResponse/'))?.reference,
      ),
    };
  }

  /** A sharing consent with the health board the person gave on paper, recorded by OH; its id. */
  async function sharingConsentGiven(personId: string, dataCategories: string[]): Promise<string> {
    const consent = (
      await request(t.app).post(`/api/v1/people/${personId}/consents`).set(d.as('clinician')).send({
        kind: 'nhs-sharing',
        partnerOrganisationId: w.healthBoard.id,
        purpose: 'continuity-of-care',
        dataCategories,
        periodStart: '2027-01-04',
        description: 'Physiotherapy referral',
        noticeBy: 'letter',
      })
    ).body;
    await request(t.app)
      .post(`/api/v1/consents/${consent.id}/decision`)
      .set(d.as('clinician'))
      .send({ decision: 'given', method: 'paper', documentReference: `SCAN-${personId}` });
    return consent.id as string;
  }

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2027-01-04T09:00:00Z');
    w = await buildWorld(t);
    d = deliveryWorld(t, w);
    // A protected-identity officer (CONF-3) with an address-like personal email on record.
    const p = buildPerson(w.host.id, {
      unitId: w.unit.id,
      lineManagerId: w.manager.id,
      givenName: 'Jordan',
      familyName: 'Hidden',
      nhsNumber: officer.nhsNumber,
      protectedIdentity: true,
      personalEmail: 'jordan@home.example',
    });
    await t.platform.repositories.people.insertPeople([p], t.clock.now());
    officer.id = p.id;
    partner = await startPartnerProcess();
    client = new Client({ baseUrl: partner.url });
    // The partner's REST server keeps what a transaction creates, so every resource can be read back there.
    await d.partnerService(partner.url, 'rest');
    const consentId = await sharingConsentGiven(officer.id, [
      'demographics',
      'referral-details',
      'questionnaire-answers',
    ]);
    expect((await request(t.app).get(`/api/v1/consents/${consentId}`).set(d.as('clinician'))).body.status).toBe(
      'given',
    );
  });
  afterAll(async () => {
    await partner?.stop();
    await t?.destroy();
  });

  it('when a clinician shares a handover referral choosing two answers and the officer’s preferences, then the partner holds every element, valid, with only those answers, and nothing that locates a protected officer', async () => {
    const pathway = (
      await request(t.app)
        .post('/api/v1/pathways')
        .set(d.as('clinician'))
        .send({ personId: officer.id, definition: 'msk', startedAt: '2027-01-04' })
    ).body;
    const triage = await request(t.app)
      .post(`/api/v1/pathways/${pathway.id}/steps/triage/complete`)
      .set(d.as('clinician'))
      .send({
        answers: {
          backPain: true,
          bodySite: 'knee',
          onDuty: true,
          redFlags: false,
          triageNotes: 'Injured restraining a suspect',
        },
      });
    expect(triage.status, JSON.stringify(triage.body)).toBe(200);
    const referral = (
      await request(t.app).post(`/api/v1/pathways/${pathway.id}/transfer`).set(d.as('clinician')).send({
        service: 'nhs-msk-physiotherapy',
        reason: 'Knee pain after restraint',
        priority: 'urgent',
        venuePreference: 'Not Westshire General outpatients',
        confidentialityPreference: 'No voicemails',
      })
    ).body.referral;
    // The clinician's form: the answers to send, and the officer's preferences (CONF-4).
    const oh = await signIn(t, w.users.clinician.email);
    const page = await oh.get(`/pathways/${pathway.id}`);
    expect(page.text).toContain('Main area affected: Knee');
    const refused = await oh
      .post(`/pathways/${pathway.id}/referrals/share`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        shareReferral: referral.id,
        sharePartner: w.healthBoard.id,
        shareAnswers: ['bodySite', 'nope'],
      });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('id="shareAnswers-error"');
    const shared = await oh
      .post(`/pathways/${pathway.id}/referrals/share`)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        shareReferral: referral.id,
        sharePartner: w.healthBoard.id,
        shareAnswers: ['bodySite', 'onDuty'],
        shareConfidentiality: 'Contact only through occupational health',
      });
    expect(
      shared.status,
      [...shared.text.matchAll(/nhsuk-error-message[^>]*>([\s\S]*?)<\/span>\s*</g)].map((m) => m[0]).join(' | '),
    ).toBe(303);
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(referral.id)).toMatchObject({ status: 'sent' });

    const { sr, patient, consent, summary } = await atPartner(referral.id);
    for (const resource of [sr, patient, consent!, summary!])
      expect(validateFhirResource(resource), resource.resourceType).toEqual([]);
    expect(sr).toMatchObject({
      status: 'active',
      intent: 'plan',
      priority: 'urgent',
      identifier: [{ system: REFERRAL_SYSTEM, value: referral.id }],
      category: [{ coding: [{ code: '3457005' }] }],
      authoredOn: expect.any(String),
      reasonCode: [{ text: 'Knee pain after restraint' }],
      performer: [{ display: w.healthBoard.name }],
      requester: { reference: expect.stringMatching(/^PractitionerRole\//) },
      subject: { reference: expect.stringMatching(/^Patient\//) },
    });
    const notes = sr.note!.map((n) => n.text);
    expect(notes).toContain('Venue preference (CONF-4): Not Westshire General outpatients');
    expect(notes).toContain('Confidentiality preference (CONF-4): Contact only through occupational health');
    expect(notes.some((n) => n?.includes('Protected identity'))).toBe(true);
    // CONF-3: no address or telecom, restricted, contact through OH; the NHS number still identifies them.
    expect(patient.address).toBeUndefined();
    expect(patient.telecom).toBeUndefined();
    expect(patient.meta!.security).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }),
      ]),
    );
    expect(patient.identifier).toEqual([{ system: NHS_NUMBER, value: officer.nhsNumber }]);
    expect(patient.contact![0]!.organization!.display).toContain('occupational health');
    // The Consent that allows it; only the chosen answers in the summary.
    expect(consent).toMatchObject({ resourceType: 'Consent', status: 'active', policy: expect.any(Array) });
    expect(summary!.item!.map((i) => i.linkId).sort()).toEqual(['bodySite', 'onDuty']);
    expect(JSON.stringify(summary)).not.toContain('restraining');
  });

  it('when OH lifts a protected identity after the referral was shared, then what goes still carries no contact details and the restricted label until a fresh share (issue 14 defect 6, CONF-3)', async () => {
    const lifted = buildPerson(w.host.id, {
      unitId: w.unit.id,
      givenName: 'Lee',
      familyName: 'Lifted',
      protectedIdentity: true,
      personalEmail: 'lee@home.example',
    });
    await t.platform.repositories.people.insertPeople([lifted], t.clock.now());
    await sharingConsentGiven(lifted.id, ['demographics', 'referral-details']);
    const pathway = (
      await request(t.app)
        .post('/api/v1/pathways')
        .set(d.as('clinician'))
        .send({ personId: lifted.id, definition: 'msk', startedAt: '2027-01-04' })
    ).body;
    const referral = (
      await request(t.app)
        .post(`/api/v1/pathways/${pathway.id}/transfer`)
        .set(d.as('clinician'))
        .send({ service: 'nhs-msk-physiotherapy', reason: 'Shoulder pain', priority: 'routine' })
    ).body.referral;
    const shared = await request(t.app)
      .post(`/api/v1/pathway-referrals/${referral.id}/share`)
      .set(d.as('clinician'))
      .send({ partnerOrganisationId: w.healthBoard.id });
    expect(shared.body.status).toBe('ready');
    // Lifted before the delivery worker runs.
    const lift = await request(t.app)
      .put(`/api/v1/people/${lifted.id}/protected-identity`)
      .set(d.as('clinician'))
      .send({ protectedIdentity: false, reason: 'Officer moved out of the area' });
    expect(lift.status).toBe(200);
    expect(lift.body.protectedIdentity).toBe(false);
    await t.platform.jobs.runner.runDue();
    expect(await d.delivery(referral.id)).toMatchObject({ status: 'sent' });
    const { patient, sr } = await atPartner(referral.id);
    expect(patient.telecom).toBeUndefined();
    expect(JSON.stringify(patient)).not.toContain('lee@home.example');
    expect(patient.meta!.security).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'R' })]));
    expect(sr.note!.some((n) => n.text?.includes('Protected identity'))).toBe(true);
  });
});
