import type { Actor } from '../auth/actor.js';

/** What a use case needs to know about the request it serves: who, and for the audit trail, which request. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  ip: string | null;
}

/** A context for work the platform does itself (CLI, jobs, seeding). */
export interface SystemContext {
  actor: null;
  requestId: string;
  ip: null;
}

/** A request from an NHS partner system over the partner-facing FHIR API (issue 6 §4): no user, the partner's client. */
export interface PartnerContext {
  actor: null;
  partner: { clientId: string; organisationId: string };
  requestId: string;
  ip: string | null;
}

export type AnyContext = RequestContext | SystemContext | PartnerContext;

/** The partner system behind a context, if it is one. */
export function partnerOf(ctx: AnyContext): PartnerContext['partner'] | null {
  return 'partner' in ctx ? ctx.partner : null;
}
