import type { Actor } from '../auth/actor.js';

/** What a use case needs to know about the request it serves: who, and for the audit trail, which request. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  /** The caller's own X-Request-Id, sanitised, kept beside ours in the audit trail (never used as ours). */
  callerRequestId?: string | null;
  ip: string | null;
}

/** A context for work the platform does itself (CLI, jobs, seeding). */
export interface SystemContext {
  actor: null;
  requestId: string;
  /** As in RequestContext. */
  callerRequestId?: string | null;
  ip: null;
}

/** A request from an NHS partner system over the partner-facing FHIR API (issue 6 §4): no user, the partner's client. */
export interface PartnerContext {
  actor: null;
  partner: { clientId: string; organisationId: string };
  requestId: string;
  /** As in RequestContext. */
  callerRequestId?: string | null;
  ip: string | null;
}

export type AnyContext = RequestContext | SystemContext | PartnerContext;

/** The partner system behind a context, if it is one. */
export function partnerOf(ctx: AnyContext): PartnerContext['partner'] | null {
  return 'partner' in ctx ? ctx.partner : null;
}
