/** What other capabilities may use of consent: the gate, the queue hook for withdrawal, and the vocabulary. */
export type { DisclosureQueue } from './consent-service.js';
export type { DisclosureRecipient, DisclosureRequest, GateDecision, GateReason } from './gate.js';
export { SENSITIVE_CATEGORIES, SHARING_CATEGORIES, SHARING_PURPOSES } from './consent-types.js';
export type {
  Consent,
  ConsentKind,
  ConsentRecipient,
  ConsentStatus,
  DisclosureItem,
  DisclosurePurpose,
  SharingCategory,
  SharingPurpose,
} from './consent-types.js';

import type { Knex } from 'knex';
import type { IsoDate } from '../shared/dates.js';
import type { AnyContext } from '../shared/request-context.js';
import type { DisclosureRequest, GateDecision } from './gate.js';

/** The gate as a disclosing capability sees it (ConsentService.mayDisclose). */
export interface DisclosureGate {
  mayDisclose(
    ctx: AnyContext,
    personId: string,
    request: DisclosureRequest,
    asOf: IsoDate,
    trx?: Knex.Transaction,
  ): Promise<GateDecision>;
}
