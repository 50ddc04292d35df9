import { z } from 'zod';
import { DEFINITION_CODES } from '../../pathways/definition-format.js';
import type { Organisation } from '../../people/people-types.js';
import type { PartnerServiceInput } from './partner-directory-service.js';
import { authSummary, PARTNER_MODES, PARTNER_SERVICE_TYPES, type PartnerService } from './partner-types.js';

const text = (max: number) => z.string().trim().min(1, 'Enter an answer').max(max);
const httpUrl = z
  .string()
  .trim()
  .max(500)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'Enter an http or https address, without a user name or password in it');

/** A private key as a JWK: RSA or EC, with its private part (FHIR-8: RS384 or ES384). */
const privateJwk = z
  .looseObject({ kty: z.enum(['RSA', 'EC']), d: z.string().min(1, 'The key has no private part') })
  .describe('Our private key as a JWK (RS384 or ES384); stored, never shown again');

export const partnerAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('bearer'),
      token: z
        .string()
        .trim()
        .min(8, 'At least 8 characters')
        .max(4000)
        .nullable()
        .optional()
        .describe('Leave out on a change to keep the one stored'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('smart-backend'),
      clientId: text(200),
      tokenUrl: httpUrl,
      scope: text(500).describe('For example system/ServiceRequest.c system/Task.rs'),
      privateKeyJwk: privateJwk.nullable().optional().describe('Leave out on a change to keep the one stored'),
    })
    .strict(),
]);

export const partnerServiceSchema = z
  .object({
    organisationId: z.uuid(),
    name: text(200),
    serviceType: z.enum(PARTNER_SERVICE_TYPES),
    baseUrl: httpUrl.describe('The FHIR base URL, e.g. https://fhir.example.nhs.uk/R4'),
    mode: z
      .enum(PARTNER_MODES)
      .describe('bars: $process-message message bundles (FHIR-2); rest: transaction bundles (FHIR-3)'),
    auth: partnerAuthSchema,
    pathways: z.array(z.enum(DEFINITION_CODES)).max(DEFINITION_CODES.length).default([]),
    enabled: z.boolean().default(true),
  })
  .strict();

export const partnerIdParam = z.object({ id: z.uuid() }).strict();

export const partnerServiceResponse = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string().nullable(),
  odsCode: z.string().nullable(),
  name: z.string(),
  serviceType: z.enum(PARTNER_SERVICE_TYPES),
  baseUrl: z.string(),
  mode: z.enum(PARTNER_MODES),
  auth: z
    .record(z.string(), z.unknown())
    .describe('What kind, and for SMART the client id, token URL and scope; never a secret'),
  pathways: z.array(z.string()),
  enabled: z.boolean(),
  lastCheck: z.object({ ok: z.boolean(), at: z.string(), message: z.string() }).nullable(),
});

export const checkResponse = z.object({ ok: z.boolean(), at: z.string(), message: z.string() });

/** A partner service as the API gives it: no secret. */
export function partnerServiceJson(
  s: PartnerService,
  organisation: Organisation | null,
): z.infer<typeof partnerServiceResponse> {
  return {
    id: s.id,
    organisationId: s.organisationId,
    organisationName: organisation?.name ?? null,
    odsCode: organisation?.odsCode ?? null,
    name: s.name,
    serviceType: s.serviceType,
    baseUrl: s.baseUrl,
    mode: s.mode,
    auth: authSummary(s.auth),
    pathways: s.pathways,
    enabled: s.enabled,
    lastCheck: s.lastCheck
      ? { ok: s.lastCheck.ok, at: s.lastCheck.at.toISOString(), message: s.lastCheck.message }
      : null,
  };
}

/** A parsed partner service body as the service's input (a secret left out is null: keep the one stored). */
export function partnerInput(body: z.infer<typeof partnerServiceSchema>): PartnerServiceInput {
  const auth = body.auth;
  return {
    ...body,
    auth:
      auth.kind === 'none'
        ? { kind: 'none' }
        : auth.kind === 'bearer'
          ? { kind: 'bearer', token: auth.token ?? null }
          : { ...auth, privateKeyJwk: auth.privateKeyJwk ?? null },
  };
}
