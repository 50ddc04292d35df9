import { addDays, isIsoDate, startOfLondonDay } from '../shared/dates.js';
import { escalationPeriodOf, orderSteps, type PathwayDefinition, type StepDefinition } from './definition.js';
import { addDuration } from './durations.js';
import type { Answer } from './questionnaire.js';

/**
 * The pathway engine's pure rules: given a definition, what has happened so far and the
 * moment to calculate for, which steps apply, which are open and when each is due
 * (issue 4 §2, FHIR-7). No clock, no storage: the service passes `now` and saves the result.
 */

export type Facts = Record<string, Answer>;
export const STEP_STATUSES = [
  'waiting',
  'open',
  'held',
  'completed',
  'skipped',
  'not-applicable',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const PATHWAY_STATUSES = ['active', 'paused', 'closed'] as const;
export type PathwayStatus = (typeof PATHWAY_STATUSES)[number];

/** A time the pathway stood still; `to` is null while it is still paused. */
export interface Pause {
  from: Date;
  to: Date | null;
  reason: string;
}

/** What the engine knows of a step between calculations. */
export interface StepProgress {
  status: StepStatus;
  resolvedAt: Date | null;
}

export interface PathwayState {
  status: PathwayStatus;
  startedAt: Date;
  facts: Facts;
  pauses: Pause[];
  /** By step id; a step not listed has not been calculated yet. */
  steps: Record<string, StepProgress>;
}

/** A step as calculated: its status and, once its anchor is known, its due window and when it escalates. */
export interface StepPlan {
  stepId: string;
  status: StepStatus;
  resolvedAt: Date | null;
  dueFrom: Date | null;
  dueBy: Date | null;
  escalateAt: Date | null;
}

/** Evaluates an applicability condition over the facts: true, false, or null while a fact it needs is unknown. */
export type ConditionEvaluator = (expression: string, facts: Facts) => boolean | null;

const RESOLVED: ReadonlySet<StepStatus> = new Set<StepStatus>(['completed', 'skipped', 'not-applicable']);
/** A date fact as an instant: a calendar date counts from its UK midnight (GMT or BST), a date-time as written; anything else is unknown. */
function factInstant(value: Answer | undefined): Date | null {
  // Outside 1900–2200 it is a slip, not a date to count from (and would not sort as one).
  if (typeof value !== 'string' || value < '1900' || value > '2201') return null;
  if (isIsoDate(value)) return startOfLondonDay(value);
  const t = Date.parse(value);
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(t) ? new Date(t) : null;
}

/**
 * How long the pathway stood still after `anchor`: the remaining steps' due dates move on by
 * the length of every pause that began at or after the moment they are counted from.
 */
export function pausedSince(pauses: readonly Pause[], anchor: Date): number {
  let ms = 0;
  for (const p of pauses) if (p.to && p.from.getTime() >= anchor.getTime()) ms += p.to.getTime() - p.from.getTime();
  return ms;
}

function anchorOf(step: StepDefinition, state: PathwayState, plans: ReadonlyMap<string, StepPlan>): Date | null {
  const anchor = step.timing.anchor;
  if (anchor.kind === 'start') return state.startedAt;
  if (anchor.kind === 'fact') return factInstant(state.facts[anchor.fact]);
  let latest: Date | null = null;
  for (const id of anchor.stepIds) {
    const p = plans.get(id);
    if (!p || !RESOLVED.has(p.status) || !p.resolvedAt) return null;
    if (!latest || p.resolvedAt > latest) latest = p.resolvedAt;
  }
  return latest;
}

/**
 * Calculates every step of a pathway at `now`:
 *  - completed and skipped steps stay as they are;
 *  - a closed pathway's unfinished steps are cancelled (those that never applied stay not applicable);
 *  - a step whose condition is false is not applicable (resolved now, so steps timed from it can go on);
 *  - a step whose condition or anchor is not yet known waits — unless the steps it is timed from
 *    are all resolved, when its condition can no longer become known and it does not apply;
 *  - otherwise it is open (held while the pathway is paused), due from anchor + `from` to anchor + `to`,
 *    both moved on by the pauses since the anchor, and escalating one escalation period after it is due.
 */
export function planSteps(
  definition: PathwayDefinition,
  state: PathwayState,
  evaluate: ConditionEvaluator,
  now: Date,
): StepPlan[] {
  const ordered = orderSteps(definition.steps) ?? definition.steps;
  const plans = new Map<string, StepPlan>();
  for (const step of ordered) {
    const before = state.steps[step.id];
    const plan = (
      status: StepStatus,
      resolvedAt: Date | null,
      window?: { dueFrom: Date; dueBy: Date; escalateAt: Date },
    ): StepPlan => ({
      stepId: step.id,
      status,
      resolvedAt,
      dueFrom: window?.dueFrom ?? null,
      dueBy: window?.dueBy ?? null,
      escalateAt: window?.escalateAt ?? null,
    });
    const window = (): { dueFrom: Date; dueBy: Date; escalateAt: Date } | null => {
      const anchor = anchorOf(step, state, plans);
      if (!anchor) return null;
      const paused = pausedSince(state.pauses, anchor);
      const shifted = new Date(anchor.getTime() + paused);
      let dueBy = addDuration(shifted, step.timing.to);
      if (step.timing.until) {
        // A window whose last day is a fact (BBV-7: the schedule's windows): due by the end of that UK day.
        const last = state.facts[step.timing.until];
        const end =
          typeof last === 'string' && isIsoDate(last) ? startOfLondonDay(addDays(last, 1)) : factInstant(last);
        if (!end) return null;
        dueBy = new Date(end.getTime() + paused);
      }
      return {
        dueFrom: addDuration(shifted, step.timing.from),
        dueBy,
        escalateAt: addDuration(dueBy, escalationPeriodOf(definition, step)),
      };
    };
    let result: StepPlan;
    if (before && (before.status === 'completed' || before.status === 'skipped')) {
      result = plan(before.status, before.resolvedAt, window() ?? undefined);
    } else if (state.status === 'closed') {
      // A step that never applied stays so; anything still to do is cancelled.
      result =
        before?.status === 'not-applicable' || before?.status === 'cancelled'
          ? plan(before.status, before.resolvedAt)
          : plan('cancelled', now);
    } else {
      let applies = step.condition === null ? true : evaluate(step.condition, state.facts);
      // Timed from steps that are all done, yet what it depends on was never recorded (a step
      // it branches on was skipped): it will never be known, so the step does not apply.
      if (applies === null && step.timing.anchor.kind === 'steps' && anchorOf(step, state, plans)) applies = false;
      if (applies === false)
        result = plan('not-applicable', before?.status === 'not-applicable' ? before.resolvedAt : now);
      else {
        const w = applies === null ? null : window();
        result = w ? plan(state.status === 'paused' ? 'held' : 'open', null, w) : plan('waiting', null);
      }
    }
    plans.set(step.id, result);
  }
  return definition.steps.map((s) => plans.get(s.id)!);
}

/** Why a step cannot be acted on now (a reason code), or null when it can. */
export function stepRefusal(state: PathwayState, progress: StepProgress | undefined): string | null {
  if (state.status === 'closed') return 'pathway-closed';
  if (state.status === 'paused') return 'pathway-paused';
  if (!progress) return 'step-not-found';
  if (progress.status === 'completed' || progress.status === 'skipped') return 'step-already-done';
  if (progress.status !== 'open') return 'step-not-open';
  return null;
}

/** Why the pathway cannot be paused, resumed or closed now (a reason code), or null. */
export function pathwayRefusal(state: PathwayState, change: 'pause' | 'resume' | 'close'): string | null {
  if (state.status === 'closed') return 'pathway-closed';
  if (change === 'pause' && state.status === 'paused') return 'pathway-already-paused';
  if (change === 'resume' && state.status !== 'paused') return 'pathway-not-paused';
  return null;
}

/** The state after pausing at `now`. */
export function pause(state: PathwayState, now: Date, reason: string): PathwayState {
  return { ...state, status: 'paused', pauses: [...state.pauses, { from: now, to: null, reason }] };
}

/** The state after resuming at `now`: the open pause ends, and remaining due dates move on by its length. */
export function resume(state: PathwayState, now: Date): PathwayState {
  return { ...state, status: 'active', pauses: state.pauses.map((p) => (p.to === null ? { ...p, to: now } : p)) };
}
