import { describe, expect, it } from 'vitest';
import { consentRequestHref } from './consent-request-link.js';

describe('the link to ask for the consent a share needed (issue 15 §3)', () => {
  const need = {
    personId: '11111111-1111-4111-8111-111111111111',
    pathwayId: '22222222-2222-4222-8222-222222222222',
    partnerOrganisationId: '33333333-3333-4333-8333-333333333333',
    purpose: 'treatment' as const,
    dataCategories: ['demographics', 'referral-details', 'mental-health'] as const,
    description: 'Sharing your referral to NHS Talking Therapies & more with Westshire Health Board',
  };

  it('when a share is refused, then the link opens the NHS sharing request for the person with every category repeated and the pathway to return to', () => {
    const href = consentRequestHref(need);
    const url = new URL(href, 'http://localhost');
    expect(url.pathname).toBe(`/people/${need.personId}/consents/new/nhs-sharing`);
    expect(url.searchParams.get('partnerOrganisationId')).toBe(need.partnerOrganisationId);
    expect(url.searchParams.get('purpose')).toBe('treatment');
    expect(url.searchParams.getAll('dataCategories')).toEqual(['demographics', 'referral-details', 'mental-health']);
    expect(url.searchParams.get('description')).toBe(need.description);
    expect(url.searchParams.get('returnTo')).toBe(`/pathways/${need.pathwayId}`);
    expect(href).toContain(`&returnTo=/pathways/${need.pathwayId}`);
  });

  it('when the description has characters that mean something in a query, then they are encoded and cannot add parameters', () => {
    const href = consentRequestHref({ ...need, description: 'a&purpose=results-to-oh #1 ?x' });
    const url = new URL(href, 'http://localhost');
    expect(url.searchParams.getAll('purpose')).toEqual(['treatment']);
    expect(url.searchParams.get('description')).toBe('a&purpose=results-to-oh #1 ?x');
    expect(href).not.toContain(' ');
  });
});
