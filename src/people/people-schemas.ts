import { z } from 'zod';
import { isIsoDate } from '../shared/dates.js';
import { isValidNhsNumber, normaliseNhsNumber } from '../shared/nhs-number.js';

/** Workforce roles (issue 2 §4). */
export const WORKFORCE_ROLES = ['officer', 'police-staff', 'pcso', 'special-constable', 'volunteer'] as const;
export type WorkforceRole = (typeof WORKFORCE_ROLES)[number];

export const ORGANISATION_KINDS = ['host-force', 'partner-agency', 'nhs-partner'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** A calendar date, YYYY-MM-DD; its output is an `IsoDate`. */
export const isoDate = z
  .templateLiteral([z.number().int(), '-', z.number().int(), '-', z.number().int()])
  .refine(isIsoDate, { message: 'validation.realDate' });
export const id = z.uuid();

/**
 * A working pattern (ATT-16): a weekly pattern of ISO weekdays (1 = Monday … 7 = Sunday),
 * or a rota cycle of on/off days anchored on a date. The default is Monday to Friday.
 */
export const workingPatternSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('weekly'),
      days: z
        .array(z.number().int().min(1).max(7))
        .min(1, 'At least one working day')
        .max(7)
        .refine((d) => new Set(d).size === d.length, 'Each day once'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('rota'),
      anchorDate: isoDate,
      cycle: z
        .array(z.boolean())
        .min(2)
        .max(84)
        .refine((c) => c.some(Boolean), 'At least one working day in the cycle'),
    })
    .strict(),
]);
export type WorkingPattern = z.infer<typeof workingPatternSchema>;
export const DEFAULT_WORKING_PATTERN: WorkingPattern = { kind: 'weekly', days: [1, 2, 3, 4, 5] };

const nhsNumber = z
  .string()
  .transform(normaliseNhsNumber)
  .refine(isValidNhsNumber, { message: 'Enter a valid 10-digit NHS number (the check digit does not match)' });

const staffNumber = z
  .string()
  .trim()
  .min(1, 'Enter a staff number')
  .max(30)
  .regex(/^[A-Za-z0-9-]+$/, 'Use letters, digits and hyphens only');
const name = (what: string) =>
  z.string().trim().min(1, `Enter the ${what}`).max(100, `The ${what} must be 100 characters or fewer`);
const email = z.email().max(254);

/** POST /api/v1/people body. Unknown fields are refused. */
export const createPersonSchema = z
  .object({
    staffNumber,
    collarNumber: z.string().trim().min(1).max(20).nullable().optional(),
    givenName: name('given name'),
    familyName: name('family name'),
    dateOfBirth: isoDate.nullable().optional(),
    nhsNumber: nhsNumber.nullable().optional(),
    role: z.enum(WORKFORCE_ROLES),
    organisationId: id.optional(),
    unitId: id.nullable().optional(),
    lineManagerId: id.nullable().optional(),
    serviceStartDate: isoDate,
    leavingDate: isoDate.nullable().optional(),
    workingPattern: workingPatternSchema.optional(),
    protectedIdentity: z.boolean().optional(),
    workEmail: email.nullable().optional(),
    personalEmail: email.nullable().optional(),
  })
  .strict();
export type CreatePersonInput = z.infer<typeof createPersonSchema>;

const protectedIdentityReason = z
  .string()
  .trim()
  .min(1, 'Give the reason for the change')
  .max(500, 'The reason must be 500 characters or fewer');

/**
 * PATCH /api/v1/people/{id} body: any subset of the creatable fields except the organisation. A change of
 * `protectedIdentity` (OH only) needs `protectedIdentityReason` (issue 14 defect 6).
 */
export const updatePersonSchema = createPersonSchema
  .omit({ organisationId: true })
  .extend({ protectedIdentityReason: protectedIdentityReason.optional() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'Give at least one field to change' });
export type UpdatePersonInput = z.infer<typeof updatePersonSchema>;

/** PUT /api/v1/people/{id}/protected-identity body (OH, CONF-3): the flag and why it changes. */
export const protectedIdentitySchema = z
  .object({ protectedIdentity: z.boolean(), reason: protectedIdentityReason.optional() })
  .strict();
export type ProtectedIdentityInput = z.infer<typeof protectedIdentitySchema>;

/** GET /api/v1/people query. */
export const searchPeopleSchema = z
  .object({
    q: z.string().trim().max(100).optional(),
    staffNumber: z.string().trim().max(30).optional(),
    unitId: id.optional(),
    organisationId: id.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    offset: z.coerce.number().int().min(0).max(100000).default(0),
  })
  .strict();
export type SearchPeopleInput = z.infer<typeof searchPeopleSchema>;

/** POST /api/v1/units body. */
export const createUnitSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter a name').max(200),
    code: z.string().trim().min(1).max(30).nullable().optional(),
    organisationId: id.optional(),
    parentUnitId: id.nullable().optional(),
  })
  .strict();
export type CreateUnitInput = z.infer<typeof createUnitSchema>;

export const listUnitsSchema = z.object({ organisationId: id.optional() }).strict();

export const idParamSchema = z.object({ id }).strict();
