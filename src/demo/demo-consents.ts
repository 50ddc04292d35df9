import type { IsoDate } from '../shared/dates.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { Actor } from '../auth/actor.js';
import type { Organisation } from '../people/people-types.js';

/**
 * The demo officer's consents (src/demo/README.md): an OH report for their line manager waiting
 * for their review (they asked to see it first, §5b), and a request to share with the health
 * board waiting for their decision (§5c). Made through the consent service, as OH and the officer
 * would make them, so the history and audit trail are real.
 */
export async function seedDemoConsents(
  deps: { consent: ConsentService },
  input: { clinician: Actor; officer: Actor; healthBoard: Organisation; today: IsoDate },
): Promise<void> {
  const asClinician = { actor: input.clinician, requestId: 'demo', ip: null };
  const asOfficer = { actor: input.officer, requestId: 'demo', ip: null };
  const personId = input.officer.personId!;
  const release = await deps.consent.request(asClinician, personId, {
    kind: 'oh-report-release',
    recipientRole: 'line-manager',
    description: 'Return to work after a back injury: adjustments',
    noticeBy: 'letter',
  });
  await deps.consent.decide(asOfficer, release.consent.id, {
    decision: 'given',
    method: 'platform',
    witness: null,
    documentReference: null,
    wishesToSeeReport: true,
  });
  await deps.consent.recordReport(asClinician, release.consent.id, {
    text: 'Assessed on the day of this report. Fit for restricted duties for 4 weeks: no lifting over 10 kg, no prolonged driving (over an hour without a break), a sit–stand desk when office-based. Review in 4 weeks.',
    receivedOn: input.today,
    withheldParts: [],
  });
  await deps.consent.request(asClinician, personId, {
    kind: 'nhs-sharing',
    partnerOrganisationId: input.healthBoard.id,
    purpose: 'treatment',
    dataCategories: ['demographics', 'referral-details', 'clinical-history'],
    periodStart: input.today,
    periodEnd: null,
    description: 'Referral to NHS physiotherapy for your back',
    noticeBy: 'letter',
  });
}
