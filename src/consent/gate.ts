import type { IsoDate } from '../shared/dates.js';
import { sharingInForce, sharingStart } from './consent-rules.js';
import {
  SENSITIVE_CATEGORIES,
  type Consent,
  type DataCategory,
  type DisclosurePurpose,
  type EmployerRecipientRole,
  type SharingCategory,
} from './consent-types.js';

/** Who a proposed disclosure would go to. */
export type DisclosureRecipient =
  { type: 'nhs-partner'; organisationId: string } | { type: 'employer'; role: EmployerRecipientRole };

export interface DisclosureRequest {
  recipient: DisclosureRecipient;
  purpose: DisclosurePurpose;
  dataCategories: readonly DataCategory[];
  /** A report disclosure names the report consent it is about. */
  consentId?: string | null;
}

export const GATE_REASONS = [
  'recipient-not-named',
  'consent-not-given',
  'consent-refused',
  'consent-withdrawn',
  'consent-expired',
  'consent-not-yet-in-force',
  'purpose-not-covered',
  'category-not-covered',
  'sensitive-category-not-named',
  'report-not-released',
  'report-withheld',
  'nothing-to-disclose',
] as const;
export type GateReason = (typeof GATE_REASONS)[number];

export type GateDecision =
  { allow: true; consentIds: string[] } | { allow: false; reason: GateReason; message: string };

const deny = (reason: GateReason, message: string): GateDecision => ({ allow: false, reason, message });

/**
 * The gate (issue 5 §2): may this person's information go to this recipient, for this purpose,
 * in these categories, on `asOf`? Pure: the caller passes every consent the person has. Deny by
 * default; the reason says which consent is missing or why it does not reach.
 *  - To an NHS partner (§5c): one consent in force that names the partner, the purpose and every
 *    category; a sensitive category (mental health, sexual health/BBV) only where named. A consent
 *    is in force from its period's start but never before its decision was recorded, so nothing
 *    dated before the person consented is allowed, whatever period was asked for.
 *  - To the employer (AMRA-4, AMRA-5, §5b, CONF-1): only a report whose consent has been
 *    supplied to that recipient.
 */
export function decideDisclosure(
  consents: readonly Consent[],
  request: DisclosureRequest,
  asOf: IsoDate,
): GateDecision {
  if (request.dataCategories.length === 0) return deny('nothing-to-disclose', 'Name what would be disclosed.');
  return request.recipient.type === 'nhs-partner'
    ? toPartner(consents, request.recipient.organisationId, request, asOf)
    : toEmployer(consents, request.recipient.role, request);
}

function toPartner(
  consents: readonly Consent[],
  organisationId: string,
  request: DisclosureRequest,
  asOf: IsoDate,
): GateDecision {
  const naming = consents.filter(
    (c) =>
      c.kind === 'nhs-sharing' && c.recipient.type === 'nhs-partner' && c.recipient.organisationId === organisationId,
  );
  if (naming.length === 0)
    return deny(
      'recipient-not-named',
      'No consent names this partner organisation: the person has not agreed to share anything with it.',
    );
  const inForce = naming.filter((c) => sharingInForce(c, asOf));
  if (inForce.length === 0) return whyNotInForce(naming, asOf);
  const forPurpose = inForce.filter((c) => c.purpose === request.purpose);
  if (forPurpose.length === 0)
    return deny(
      'purpose-not-covered',
      `The person's consent to share with this partner does not cover ${request.purpose}.`,
    );
  const covering = forPurpose.filter((c) => request.dataCategories.every((d) => c.dataCategories.includes(d)));
  if (covering.length > 0) return { allow: true, consentIds: covering.map((c) => c.id) };
  const missing = request.dataCategories.filter((d) => !forPurpose.some((c) => c.dataCategories.includes(d)));
  const sensitive = missing.filter((d) => SENSITIVE_CATEGORIES.has(d as SharingCategory));
  if (sensitive.length)
    return deny(
      'sensitive-category-not-named',
      `Sensitive information (${sensitive.join(', ')}) is shared only where the consent names it (§5c).`,
    );
  return deny(
    'category-not-covered',
    missing.length
      ? `The consent does not cover: ${missing.join(', ')}.`
      : 'No single consent covers everything proposed; share less, or ask for a consent that covers it.',
  );
}

/** The most telling reason none of the consents naming a partner is in force. */
function whyNotInForce(naming: readonly Consent[], asOf: IsoDate): GateDecision {
  const latest = [...naming].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0]!;
  switch (latest.status) {
    case 'withdrawn':
      return deny('consent-withdrawn', 'The person withdrew their consent to share with this partner.');
    case 'refused':
      return deny('consent-refused', 'The person refused consent to share with this partner.');
    case 'requested':
      return deny('consent-not-given', 'The person has not yet given consent to share with this partner.');
    default: {
      // §5c: in force from its period's start, never before the decision was recorded.
      const start = sharingStart(latest);
      if (start === null)
        return deny('consent-not-given', 'The person has not given consent to share with this partner.');
      if (asOf < start)
        return deny('consent-not-yet-in-force', `The consent to share with this partner starts on ${start}.`);
      return deny('consent-expired', `The consent to share with this partner ended on ${latest.periodEnd}.`);
    }
  }
}

function toEmployer(
  consents: readonly Consent[],
  role: EmployerRecipientRole,
  request: DisclosureRequest,
): GateDecision {
  const reports = consents.filter(
    (c) =>
      (c.kind === 'amra-report' || c.kind === 'oh-report-release') &&
      c.recipient.type === 'employer' &&
      c.recipient.role === role &&
      (request.consentId == null || c.id === request.consentId) &&
      request.dataCategories.every((d) => c.dataCategories.includes(d)),
  );
  if (reports.length === 0)
    return deny('recipient-not-named', 'No report consent names this recipient for this information.');
  const supplied = reports.filter((c) => c.status === 'supplied');
  if (supplied.length) return { allow: true, consentIds: supplied.map((c) => c.id) };
  // AMRA-8: refused or withheld; the recipient is told only that no report is available.
  if (reports.some((c) => c.status === 'withheld' || c.status === 'refused' || c.status === 'withdrawn'))
    return deny('report-withheld', 'No report is available: decisions will be made on the facts available (AMRA-8).');
  return deny('report-not-released', 'The report has not been released.');
}
