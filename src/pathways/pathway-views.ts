import type { Actor } from '../auth/actor.js';
import { isThePerson, maySeeClinicalDetail, maySeeOhRecords } from '../auth/access-policy.js';
import type { PathwayDefinition } from './definition.js';
import type { Pathway, PathwayStep } from './pathway-types.js';

/**
 * What each role sees of a pathway (CONF-1). OH clinicians: everything. OH administrators:
 * the steps and their dates, not the answers or facts. The person themselves: their steps in
 * plain English, not clinicians' notes or scores. Line managers and HR: that OH support is
 * in place and the functional advice, never which pathway or any step.
 */
export type PathwayAudience = 'clinical' | 'administrative' | 'self' | 'functional';

export function audienceOf(actor: Actor, pathway: Pick<Pathway, 'personId'>): PathwayAudience {
  if (maySeeClinicalDetail(actor)) return 'clinical';
  if (maySeeOhRecords(actor)) return 'administrative';
  if (isThePerson(actor, pathway.personId)) return 'self';
  return 'functional';
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function adviceJson(p: Pathway) {
  return {
    fitness: p.fitness,
    expectedDuration: p.expectedDuration,
    adjustments: p.adjustments,
    givenAt: iso(p.adviceGivenAt),
  };
}

function stepJson(d: PathwayDefinition, s: PathwayStep, audience: PathwayAudience) {
  const def = d.steps.find((x) => x.id === s.stepCode);
  const base = {
    id: s.id,
    code: s.stepCode,
    title: audience === 'self' ? (def?.staffText ?? s.stepCode) : (def?.title ?? s.stepCode),
    kind: def?.kind ?? 'task',
    performer: def?.performer ?? 'oh-clinician',
    status: s.status,
    dueFrom: iso(s.dueFrom),
    dueBy: iso(s.dueBy),
    resolvedAt: iso(s.resolvedAt),
  };
  if (audience === 'self') return base;
  const more = {
    ...base,
    escalationLevel: s.escalationLevel,
    assignee: s.assignee,
    questionnaire: def?.questionnaire ?? null,
  };
  return audience === 'clinical' ? { ...more, answers: s.answers, note: s.note } : more;
}

function isShownToThePerson(d: PathwayDefinition, s: PathwayStep): boolean {
  if (s.status === 'not-applicable') return false;
  return !(s.status === 'waiting' && d.steps.find((x) => x.id === s.stepCode)?.condition);
}

/** The pathway as the actor may see it. */
export function pathwayJson(
  actor: Actor,
  loaded: { pathway: Pathway; definition: PathwayDefinition; steps: readonly PathwayStep[] },
) {
  const { pathway: p, definition: d } = loaded;
  const audience = audienceOf(actor, p);
  const common = {
    id: p.id,
    personId: p.personId,
    status: p.status,
    startedAt: p.startedAt.toISOString(),
    closedAt: iso(p.closedAt),
    advice: adviceJson(p),
  };
  if (audience === 'functional') return { ...common, kind: 'occupational-health-support' as const };
  const steps = d.steps
    .map((sd) => loaded.steps.find((s) => s.stepCode === sd.id))
    .filter((s): s is PathwayStep => s !== undefined);
  return {
    ...common,
    definition: { code: d.code, version: d.version, title: d.title },
    enrolmentSource: p.enrolmentSource,
    outcome: p.outcome,
    ...(audience === 'clinical' ? { facts: p.facts, leadClinicianUserId: p.leadClinicianUserId } : {}),
    // The person sees the steps under way or to come, not ones that never applied nor ones that
    // apply only if something is found (an urgent risk review waiting on a questionnaire's answer).
    steps: steps.filter((s) => audience !== 'self' || isShownToThePerson(d, s)).map((s) => stepJson(d, s, audience)),
  };
}
