import { z } from 'zod';
import type { DefinitionCode } from '../../pathways/definition-format.js';

/** The kinds of NHS service a partner offers (issue 6 §1); the NHS ones match the pathways' service types. */
export const PARTNER_SERVICE_TYPES = [
  'nhs-msk-physiotherapy',
  'nhs-talking-therapies',
  'sexual-health',
  'dental',
  'gp',
  'specialist',
  'laboratory',
] as const;
export type PartnerServiceType = (typeof PARTNER_SERVICE_TYPES)[number];

/** How a partner takes referrals: BaRS-style `$process-message` message bundles (FHIR-2) or REST `transaction` bundles (FHIR-3). */
export const PARTNER_MODES = ['bars', 'rest'] as const;
export type PartnerMode = (typeof PARTNER_MODES)[number];

export const PARTNER_AUTH_KINDS = ['none', 'bearer', 'smart-backend'] as const;

/** How we authenticate to a partner: nothing (the sandbox), a bearer token, or SMART Backend Services with our private key (FHIR-8). */
export type PartnerAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | {
      kind: 'smart-backend';
      clientId: string;
      tokenUrl: string;
      scope: string;
      privateKeyJwk: Record<string, unknown>;
    };

/** A partner's authentication as stored (opened from its sealed column), parsed when read (issue 14 §14). */
export const storedPartnerAuthSchema: z.ZodType<PartnerAuth> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('bearer'), token: z.string() }),
  z.object({
    kind: z.literal('smart-backend'),
    clientId: z.string(),
    tokenUrl: z.string(),
    scope: z.string(),
    privateKeyJwk: z.record(z.string(), z.unknown()),
  }),
]);

/** What may be shown of a partner's authentication: never a secret. */
export type PartnerAuthSummary =
  | { kind: 'none' }
  | { kind: 'bearer'; tokenSet: boolean }
  | { kind: 'smart-backend'; clientId: string; tokenUrl: string; scope: string; keySet: boolean; keyId: string | null };

export interface ConnectionCheck {
  ok: boolean;
  at: Date;
  message: string;
}

/** One service of an NHS partner organisation in the directory. */
export interface PartnerService {
  id: string;
  organisationId: string;
  name: string;
  serviceType: PartnerServiceType;
  baseUrl: string;
  mode: PartnerMode;
  auth: PartnerAuth;
  pathways: DefinitionCode[];
  enabled: boolean;
  lastCheck: ConnectionCheck | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The summary of a partner's authentication, for pages and the API. */
export function authSummary(auth: PartnerAuth): PartnerAuthSummary {
  if (auth.kind === 'none') return { kind: 'none' };
  if (auth.kind === 'bearer') return { kind: 'bearer', tokenSet: auth.token.length > 0 };
  return {
    kind: 'smart-backend',
    clientId: auth.clientId,
    tokenUrl: auth.tokenUrl,
    scope: auth.scope,
    keySet: true,
    keyId: typeof auth.privateKeyJwk.kid === 'string' ? auth.privateKeyJwk.kid : null,
  };
}
