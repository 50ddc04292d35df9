import { describe, expect, it } from 'vitest';
import type { Consent } from './consent-types.js';
import { newConsent } from './consent-rules.js';
import { decideDisclosure } from './gate.js';

function sharing(overrides: Partial<Consent> = {}): Consent {
  const requested = newConsent(
    {
      id: 's1',
      organisationId: 'o1',
      personId: 'p1',
      kind: 'nhs-sharing',
      recipient: { type: 'nhs-partner', organisationId: 'nhs1', name: 'Westshire Health Board', odsCode: '7A9' },
      purpose: 'treatment',
      description: 'Physiotherapy referral',
      dataCategories: ['demographics', 'referral-details'],
      periodStart: '2026-12-01',
      periodEnd: '2027-05-31',
      doctor: null,
      noticeBy: 'email',
      createdByUserId: null,
    },
    { today: '2026-12-01', now: '2026-12-01T09:00:00.000Z' },
  );
  const decision = {
    decision: 'given' as const,
    method: 'platform' as const,
    witness: null,
    documentReference: null,
    on: '2026-12-01' as const,
    at: '2026-12-01T10:00:00.000Z',
  };
  return { ...requested, status: 'given', decision, ...overrides };
}

const toPartner = (
  organisationId = 'nhs1',
  dataCategories: Consent['dataCategories'] = ['demographics', 'referral-details'],
  purpose: Consent['purpose'] = 'treatment',
) => ({
  recipient: { type: 'nhs-partner' as const, organisationId },
  purpose,
  dataCategories,
});

describe('the disclosure gate', () => {
  it('when a consent in force names the partner, purpose and every category, then the disclosure is allowed under it', () => {
    expect(decideDisclosure([sharing()], toPartner(), '2026-12-03')).toEqual({ allow: true, consentIds: ['s1'] });
  });

  it('when the partner is not named in any consent, then it is denied with recipient-not-named', () => {
    expect(decideDisclosure([sharing()], toPartner('nhs2'), '2026-12-03')).toMatchObject({
      allow: false,
      reason: 'recipient-not-named',
    });
    expect(decideDisclosure([], toPartner(), '2026-12-03')).toMatchObject({
      allow: false,
      reason: 'recipient-not-named',
    });
  });

  it('when the consent is withdrawn, refused, not yet given, expired or not yet started, then the reason says so', () => {
    expect(decideDisclosure([sharing({ status: 'withdrawn' })], toPartner(), '2026-12-03')).toMatchObject({
      reason: 'consent-withdrawn',
    });
    expect(decideDisclosure([sharing({ status: 'refused' })], toPartner(), '2026-12-03')).toMatchObject({
      reason: 'consent-refused',
    });
    expect(decideDisclosure([sharing({ status: 'requested' })], toPartner(), '2026-12-03')).toMatchObject({
      reason: 'consent-not-given',
    });
    expect(decideDisclosure([sharing()], toPartner(), '2027-06-01')).toMatchObject({ reason: 'consent-expired' });
    expect(decideDisclosure([sharing()], toPartner(), '2027-05-31')).toMatchObject({ allow: true });
    expect(decideDisclosure([sharing()], toPartner(), '2026-11-30')).toMatchObject({
      reason: 'consent-not-yet-in-force',
    });
  });

  it('when the period was backdated before the decision, then nothing dated before the decision is allowed, and the reason names the day it starts (§5c)', () => {
    // Given on 1 December 2026 for a period said to start 180 days earlier.
    const backdated = sharing({ periodStart: '2026-06-04', periodEnd: null });
    expect(decideDisclosure([backdated], toPartner(), '2026-09-02')).toEqual({
      allow: false,
      reason: 'consent-not-yet-in-force',
      message: 'The consent to share with this partner starts on 2026-12-01.',
    });
    expect(decideDisclosure([backdated], toPartner(), '2026-12-01')).toEqual({ allow: true, consentIds: ['s1'] });
    // A decision recorded after the period began: in force from the decision.
    const late = sharing({ decision: { ...sharing().decision!, on: '2026-12-05' as const } });
    expect(decideDisclosure([late], toPartner(), '2026-12-03')).toMatchObject({ reason: 'consent-not-yet-in-force' });
  });

  it('when the purpose or a category is not covered, then it is denied; sensitive categories need naming (§5c)', () => {
    expect(
      decideDisclosure([sharing()], toPartner('nhs1', ['demographics'], 'continuity-of-care'), '2026-12-03'),
    ).toMatchObject({ reason: 'purpose-not-covered' });
    expect(
      decideDisclosure([sharing()], toPartner('nhs1', ['demographics', 'test-results']), '2026-12-03'),
    ).toMatchObject({ reason: 'category-not-covered' });
    expect(
      decideDisclosure(
        [sharing({ dataCategories: ['demographics', 'clinical-history'] })],
        toPartner('nhs1', ['clinical-history', 'mental-health']),
        '2026-12-03',
      ),
    ).toMatchObject({ reason: 'sensitive-category-not-named' });
    expect(
      decideDisclosure(
        [sharing({ dataCategories: ['demographics', 'mental-health'] })],
        toPartner('nhs1', ['mental-health']),
        '2026-12-03',
      ),
    ).toMatchObject({ allow: true });
    expect(decideDisclosure([sharing()], toPartner('nhs1', []), '2026-12-03')).toMatchObject({
      reason: 'nothing-to-disclose',
    });
  });

  it('when an older consent is withdrawn but a newer one is in force, then the newer one allows it', () => {
    const older = sharing({ id: 'old', status: 'withdrawn', createdAt: '2026-11-01T00:00:00.000Z' });
    expect(decideDisclosure([older, sharing()], toPartner(), '2026-12-03')).toEqual({
      allow: true,
      consentIds: ['s1'],
    });
  });

  it('when a report goes to the employer, then only a supplied report consent for that recipient allows it (AMRA-8, CONF-1)', () => {
    const report = sharing({
      id: 'r1',
      kind: 'oh-report-release',
      recipient: { type: 'employer', role: 'line-manager' },
      purpose: 'employment',
      dataCategories: ['oh-report'],
      status: 'report-received',
    });
    const ask = {
      recipient: { type: 'employer' as const, role: 'line-manager' as const },
      purpose: 'employment' as const,
      dataCategories: ['oh-report' as const],
      consentId: 'r1',
    };
    expect(decideDisclosure([report], ask, '2026-12-03')).toMatchObject({ reason: 'report-not-released' });
    expect(decideDisclosure([{ ...report, status: 'withheld' }], ask, '2026-12-03')).toMatchObject({
      reason: 'report-withheld',
    });
    expect(decideDisclosure([{ ...report, status: 'supplied' }], ask, '2026-12-03')).toEqual({
      allow: true,
      consentIds: ['r1'],
    });
    expect(
      decideDisclosure(
        [{ ...report, status: 'supplied' }],
        { ...ask, recipient: { type: 'employer', role: 'hr-manager' } },
        '2026-12-03',
      ),
    ).toMatchObject({ reason: 'recipient-not-named' });
    expect(
      decideDisclosure(
        [{ ...report, status: 'supplied' }],
        { ...ask, dataCategories: ['medical-report'] },
        '2026-12-03',
      ),
    ).toMatchObject({ reason: 'recipient-not-named' });
  });
});
