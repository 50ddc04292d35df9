import { z } from 'zod';
import type { PartnerClient } from './partner-auth-service.js';
import { parseScope } from './smart-scopes.js';

/**
 * The shapes of a registered partner system, for the API (partner-client-routes.ts) and the pages
 * (partner-client-pages.ts) alike (issue 6 §4, FHIR-8).
 */

/** A public key as a JWK: RSA (n, e) or EC (crv, x, y), never with a private part (FHIR-8: RS384 or ES384). */
const publicJwk = z
  .looseObject({
    kty: z.enum(['RSA', 'EC']),
    kid: z.string().max(200).optional(),
    alg: z.enum(['RS384', 'ES384']).optional(),
  })
  .refine((k) => !('d' in k), 'Give only the public key: this key has its private part (d) in it')
  .refine(
    (k) =>
      k.kty === 'RSA'
        ? typeof k.n === 'string' && typeof k.e === 'string'
        : typeof k.crv === 'string' && typeof k.x === 'string' && typeof k.y === 'string',
    'An RSA key needs n and e; an EC key needs crv, x and y',
  );

export const partnerClientSchema = z
  .object({
    organisationId: z.uuid(),
    name: z.string().trim().min(1, 'Enter a name').max(200),
    clientId: z
      .string()
      .trim()
      .min(1, 'Enter the client_id')
      .max(200)
      .describe('The client_id the partner puts in iss and sub of its client assertions'),
    jwks: z
      .object({ keys: z.array(publicJwk).min(1, 'Give at least one public key').max(10) })
      .describe('The partner’s public keys (a JWKS); assertions must be signed by one of them'),
    scopes: z
      .array(z.string().refine((s) => parseScope(s) !== null, 'A system scope such as system/Task.rus'))
      .min(1, 'Give at least one scope')
      .max(30)
      .describe(
        'What the client may be granted, e.g. system/ServiceRequest.rs system/Task.rus system/MessageHeader.c system/DiagnosticReport.c',
      ),
    enabled: z.boolean().default(true),
  })
  .strict();

export const partnerClientResponse = z.object({
  id: z.string(),
  organisationId: z.string(),
  name: z.string(),
  clientId: z.string(),
  keyIds: z.array(z.string().nullable()),
  scopes: z.array(z.string()),
  enabled: z.boolean(),
});

/** A partner client as the API gives it: its keys named, not repeated. */
export function partnerClientJson(c: PartnerClient): z.infer<typeof partnerClientResponse> {
  return {
    id: c.id,
    organisationId: c.organisationId,
    name: c.name,
    clientId: c.clientId,
    keyIds: c.jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : null)),
    scopes: c.scopes,
    enabled: c.enabled,
  };
}
