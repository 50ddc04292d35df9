import type { SharingCategory, SharingPurpose } from '../consent/index.js';

/** What a refused share needed: the consent to ask the person for, and the pathway to come back to. */
export interface ConsentRequestFor {
  personId: string;
  pathwayId: string;
  partnerOrganisationId: string;
  purpose: SharingPurpose;
  dataCategories: readonly SharingCategory[];
  /** Plain words for the person: what would be shared, with whom, and why. */
  description: string;
}

/**
 * The link that opens the consent request page for sharing with an NHS partner, pre-filled with
 * what a share refused for want of consent needed (issue 15 §3): the partner, the purpose, each
 * category (repeated), a description in plain words, and the pathway page to return to.
 */
export function consentRequestHref(need: ConsentRequestFor): string {
  const pairs: Array<[string, string]> = [
    ['partnerOrganisationId', need.partnerOrganisationId],
    ['purpose', need.purpose],
    ...need.dataCategories.map((c): [string, string] => ['dataCategories', c]),
    ['description', need.description],
  ];
  const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  // The path to return to is our own (never taken from input), written as it is read.
  const returnTo = `/pathways/${encodeURIComponent(need.pathwayId)}`;
  return `/people/${encodeURIComponent(need.personId)}/consents/new/nhs-sharing?${query}&returnTo=${returnTo}`;
}
