import type { Role } from './roles.js';

/** Who is making a request, and as which role. Built by authentication, read by the access policy. */
export interface Actor {
  userId: string;
  displayName: string;
  email: string;
  organisationId: string;
  /** The workforce record this user is, if any (staff, line managers). */
  personId: string | null;
  /** Every role the user holds. */
  roles: Role[];
  /** The role this request acts as; access is decided on this role alone. */
  role: Role;
  via: 'session' | 'token';
  locale: 'en' | 'cy';
}
