/** The platform's roles (domain brief §1). Slugs are stable identifiers used in the CLI, tokens and the database. */
export const ROLES = [
  'oh-clinician',
  'oh-administrator',
  'line-manager',
  'hr-manager',
  'health-board-lead',
  'staff',
  'system-administrator',
] as const;

export type Role = (typeof ROLES)[number];

/**
 * An NHS partner's software calling the partner-facing FHIR API (domain brief §1, FHIR-8). Not a
 * user role: nobody signs in as one; a registered partner client presents an access token.
 */
export const PARTNER_SYSTEM = 'partner-system' as const;
/** Who a route policy may name: a user role, or a partner system. */
export type ActorRole = Role | typeof PARTNER_SYSTEM;

/** Roles that must pass TOTP multi-factor authentication before doing anything. */
export const MFA_ROLES: ReadonlySet<Role> = new Set<Role>(['oh-clinician', 'oh-administrator', 'system-administrator']);

/** Roles that work across every organisation the OH unit serves; all others are scoped to their own organisation. */
export const CROSS_ORGANISATION_ROLES: ReadonlySet<Role> = new Set<Role>([
  'oh-clinician',
  'oh-administrator',
  'system-administrator',
]);

/** When a user holds several roles, the one they act as on sign-in (most restricted first). */
const DEFAULT_ORDER: readonly Role[] = [
  'staff',
  'line-manager',
  'hr-manager',
  'health-board-lead',
  'oh-administrator',
  'oh-clinician',
  'system-administrator',
];

/** True when `value` is a role slug. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when any of the roles requires MFA. */
export function requiresMfa(roles: readonly Role[]): boolean {
  return roles.some((r) => MFA_ROLES.has(r));
}

/** The role a user acts as by default. */
export function defaultRole(roles: readonly Role[]): Role | undefined {
  return DEFAULT_ORDER.find((r) => roles.includes(r));
}
