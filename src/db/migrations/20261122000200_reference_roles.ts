import type { Knex } from 'knex';

/** Reference data: the platform's roles (domain brief §1). MFA is required for OH staff and system administrators. */
const ROLES = [
  { slug: 'oh-clinician', name: 'OH clinician', requires_mfa: true },
  { slug: 'oh-administrator', name: 'OH administrator', requires_mfa: true },
  { slug: 'line-manager', name: 'Line manager', requires_mfa: false },
  { slug: 'hr-manager', name: 'HR manager', requires_mfa: false },
  { slug: 'health-board-lead', name: 'Health board lead', requires_mfa: false },
  { slug: 'staff', name: 'Staff member', requires_mfa: false },
  { slug: 'system-administrator', name: 'System administrator', requires_mfa: true },
];

export async function up(knex: Knex): Promise<void> {
  await knex('roles').insert(ROLES);
}

export async function down(knex: Knex): Promise<void> {
  await knex('roles')
    .whereIn(
      'slug',
      ROLES.map((r) => r.slug),
    )
    .delete();
}
