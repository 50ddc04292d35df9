import type { Actor } from '../auth/actor.js';
import type { BbvService } from '../bbv/bbv-service.js';
import type { BbvTest } from '../bbv/bbv-types.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { PathwayReferralService } from '../pathways/pathway-referral-service.js';
import type { PathwayService } from '../pathways/pathway-service.js';
import type { Organisation } from '../people/people-types.js';
import { addDays, startOfLondonDay, type IsoDate } from '../shared/dates.js';

const HOUR = 3_600_000;
/** How many UK days before the demo's today the bite happened: the 3-month window is open today. */
export const DEMO_EXPOSURE_DAYS_AGO = 100;
/** The 4–6 week tests OH took (BBV-6; the HCV risk was not high, so HCV by PCR, not antibody). */
const FIRST_TESTS: readonly BbvTest[] = ['HBsAg', 'HCV-Ag-PCR', 'HIV-Ag-Ab'];

/**
 * The demo officer's blood-borne virus exposure (issue 16; src/demo/README.md): bitten by a detained
 * person about 100 days ago, assessed, PEP started and the hepatitis B course begun, the injury
 * reported by their manager, the 4–6 week results negative, and the 3-month window open today. The
 * testing referral to the sexual health clinic is shared with the health board under the officer's
 * consent (with their consent for results back to OH): when the sandbox partner runs, its clinic
 * books them in and sends the results that complete the 3-month timepoint. Made through the
 * services, as OH, the manager and the officer would, so the history and audit trail are real.
 * Returns the incident's id.
 */
export async function seedDemoBbv(
  deps: {
    bbv: Pick<BbvService, 'recordIncident' | 'recordPep' | 'recordHbv' | 'recordResult'>;
    pathways: Pick<PathwayService, 'completeStep'>;
    pathwayReferrals: Pick<PathwayReferralService, 'forPathway' | 'share'>;
    consent: Pick<ConsentService, 'request' | 'decide'>;
  },
  input: {
    clinician: Actor;
    manager: Actor;
    officer: Actor;
    healthBoard: Organisation;
    today: IsoDate;
    /** Whether the sexual health clinic is in the partner directory (the sandbox runs): only then is the referral shared. */
    share: boolean;
  },
): Promise<string> {
  const asClinician = { actor: input.clinician, requestId: 'demo', ip: null };
  const asManager = { actor: input.manager, requestId: 'demo', ip: null };
  const asOfficer = { actor: input.officer, requestId: 'demo', ip: null };
  const personId = input.officer.personId!;
  const exposureDay = addDays(input.today, -DEMO_EXPOSURE_DAYS_AGO);
  // 02:40 UK time: an arrest on a night shift.
  const occurredAt = new Date(startOfLondonDay(exposureDay).getTime() + 2 * HOUR + 40 * 60_000);
  const { incident } = await deps.bbv.recordIncident(asClinician, {
    personId,
    occurredAt,
    exposureType: 'bite',
    skinBroken: true,
    bloodInMouth: false,
    bodyFluid: 'saliva',
    firstAidGiven: true,
    sourceKnown: true,
    sourceRiskFactors: 'Says they inject drugs; hepatitis C status not known.',
    sourceConsentedToTesting: false,
    otherParty: {
      description: 'Detained person, custody record 26/4411',
      consentedToTesting: false,
      assessmentArrangedWith: 'Custody healthcare',
    },
    accidentReportRef: 'IOD-2026-0412',
    highRiskHcv: false,
    knownHbvResponder: null,
    followUpIndicated: true,
    baselineStoredAt: new Date(occurredAt.getTime() + 3 * HOUR),
    otherPartyAssessed: true,
    note: 'Bitten on the forearm during an arrest; the skin was broken. Washed and dressed at the scene.',
  });
  const id = incident.id;
  await deps.bbv.recordPep(asClinician, id, {
    decision: 'started',
    startedAt: new Date(occurredAt.getTime() + 4 * HOUR),
  });
  await deps.bbv.recordHbv(asClinician, id, {
    vaccination: 'accelerated',
    vaccinationDate: exposureDay,
    hbigGiven: false,
    hbigDate: null,
  });
  await deps.pathways.completeStep(asManager, incident.pathwayId, 'accident-report', {
    note: 'Reported as an injury on duty, reference IOD-2026-0412.',
  });
  // The 4–6 week sample, 30 days after the bite: every result negative.
  const sampleTakenAt = new Date(startOfLondonDay(addDays(exposureDay, 30)).getTime() + 10 * HOUR);
  for (const test of FIRST_TESTS)
    await deps.bbv.recordResult(asClinician, id, { timepoint: '4-6-weeks', test, result: 'negative', sampleTakenAt });
  await deps.pathways.completeStep(asClinician, incident.pathwayId, 'testing-referral', {
    note: 'Referred to the sexual health clinic for the 3 and 6 month blood tests.',
  });
  // The officer agreed to the clinic having the referral, and to its results coming back to OH (sexual health is sensitive, FHIR-6).
  for (const [purpose, dataCategories, description] of [
    [
      'treatment',
      ['demographics', 'referral-details', 'sexual-health'],
      'Follow-up blood tests at the sexual health clinic',
    ],
    ['results-to-oh', ['test-results', 'sexual-health'], 'Blood test results from the sexual health clinic back to OH'],
  ] as const) {
    const asked = await deps.consent.request(asClinician, personId, {
      kind: 'nhs-sharing',
      partnerOrganisationId: input.healthBoard.id,
      purpose,
      dataCategories: [...dataCategories],
      periodStart: input.today,
      periodEnd: null,
      description,
      noticeBy: 'letter',
    });
    await deps.consent.decide(asOfficer, asked.consent.id, {
      decision: 'given',
      method: 'platform',
      witness: null,
      documentReference: null,
      wishesToSeeReport: null,
    });
  }
  if (input.share) {
    const referral = (await deps.pathwayReferrals.forPathway(asClinician, incident.pathwayId)).find(
      (r) => r.serviceType === 'sexual-health',
    );
    if (referral)
      await deps.pathwayReferrals.share(asClinician, referral.id, {
        partnerOrganisationId: input.healthBoard.id,
        dataCategories: [],
      });
  }
  return id;
}
