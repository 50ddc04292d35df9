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

export type AnyContext = RequestContext | SystemContext;
