import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../fhir/core/fhirpath.js';
import { BASE, EXTENSIONS, SYSTEMS, UCUM } from './definition-format.js';
import { exportDefinition, parseDefinition } from './definition.js';
import { addDuration } from './durations.js';
import { pause, pausedSince, planSteps, resume, stepRefusal, type PathwayState } from './engine.js';

const q = (value: number, unit: string) => ({ value, unit, system: UCUM, code: unit });
const action = (id: string, extra: Record<string, unknown>) => ({
  id,
  title: `Step ${id}`,
  description: `Do ${id}`,
  textEquivalent: `We will ${id}`,
  code: [{ coding: [{ system: SYSTEMS.stepKind, code: 'task' }] }],
  participant: [{ type: 'practitioner', role: { coding: [{ system: SYSTEMS.role, code: 'oh-clinician' }] } }],
  ...extra,
});

/** A small definition: triage in 0–5 days; a high-risk branch and a low-risk branch after it; a review 5–7 weeks after either. */
const resource = {
  resourceType: 'PlanDefinition',
  id: 'test',
  url: `${BASE}/PlanDefinition/test`,
  version: '1',
  name: 'Test',
  title: 'Test pathway',
  status: 'active',
  type: { coding: [{ system: SYSTEMS.planDefinitionType, code: 'clinical-protocol' }] },
  publisher: 'Tests',
  description: 'For the engine tests',
  extension: [{ url: EXTENSIONS.escalation, valueDuration: q(2, 'd') }],
  action: [
    action('triage', { timingRange: { low: q(0, 'd'), high: q(5, 'd') } }),
    action('high', {
      relatedAction: [
        { actionId: 'triage', relationship: 'after-end', offsetRange: { low: q(0, 'd'), high: q(1, 'd') } },
      ],
      condition: [{ kind: 'applicability', expression: { language: 'text/fhirpath', expression: "risk = 'high'" } }],
    }),
    action('low', {
      relatedAction: [
        { actionId: 'triage', relationship: 'after-end', offsetRange: { low: q(0, 'd'), high: q(7, 'd') } },
      ],
      condition: [{ kind: 'applicability', expression: { language: 'text/fhirpath', expression: "risk != 'high'" } }],
    }),
    action('review', {
      relatedAction: [
        { actionId: 'high', relationship: 'after-end', offsetRange: { low: q(5, 'wk'), high: q(7, 'wk') } },
        { actionId: 'low', relationship: 'after-end', offsetRange: { low: q(5, 'wk'), high: q(7, 'wk') } },
      ],
    }),
    action('incident-follow-up', {
      timingRange: { low: q(24, 'h'), high: q(48, 'h') },
      extension: [
        { url: EXTENSIONS.escalation, valueDuration: q(12, 'h') },
        { url: EXTENSIONS.anchor, valueString: 'incidentAt' },
      ],
    }),
  ],
};

const definition = parseDefinition(resource);
const start = new Date('2026-11-02T09:00:00Z');
const state = (over: Partial<PathwayState> = {}): PathwayState => ({
  status: 'active',
  startedAt: start,
  facts: {},
  pauses: [],
  steps: {},
  ...over,
});
const byId = (plans: ReturnType<typeof planSteps>) => Object.fromEntries(plans.map((p) => [p.stepId, p]));

describe('pathway engine', () => {
  it('when a pathway starts, then the first step is open with its window from the start and its escalation after the definition’s period', () => {
    const plans = byId(planSteps(definition, state(), evaluateCondition, start));
    expect(plans.triage).toMatchObject({
      status: 'open',
      dueFrom: new Date('2026-11-02T09:00:00Z'),
      dueBy: new Date('2026-11-07T09:00:00Z'),
      escalateAt: new Date('2026-11-09T09:00:00Z'),
    });
    // The branches wait for the fact they test; the review waits for the branches.
    expect(plans.high!.status).toBe('waiting');
    expect(plans.low!.status).toBe('waiting');
    expect(plans.review).toMatchObject({ status: 'waiting', dueFrom: null, dueBy: null });
  });

  it('when a step is counted from a date among the facts, then it waits for it and then counts from it in hours, escalating after its own period', () => {
    expect(byId(planSteps(definition, state(), evaluateCondition, start))['incident-follow-up']!.status).toBe(
      'waiting',
    );
    const plans = byId(
      planSteps(definition, state({ facts: { incidentAt: '2026-11-01T22:30:00.000Z' } }), evaluateCondition, start),
    );
    expect(plans['incident-follow-up']).toMatchObject({
      status: 'open',
      dueFrom: new Date('2026-11-02T22:30:00Z'),
      dueBy: new Date('2026-11-03T22:30:00Z'),
      escalateAt: new Date('2026-11-04T10:30:00Z'),
    });
  });

  it('when triage records high risk, then the high-risk branch opens from the triage and the other does not apply; the review counts from the later of them', () => {
    const doneAt = new Date('2026-11-04T10:00:00Z');
    const plans = byId(
      planSteps(
        definition,
        state({ facts: { risk: 'high' }, steps: { triage: { status: 'completed', resolvedAt: doneAt } } }),
        evaluateCondition,
        doneAt,
      ),
    );
    expect(plans.high).toMatchObject({ status: 'open', dueFrom: doneAt, dueBy: new Date('2026-11-05T10:00:00Z') });
    expect(plans.low).toMatchObject({ status: 'not-applicable', resolvedAt: doneAt });
    expect(plans.review!.status).toBe('waiting');
    const highDone = new Date('2026-11-05T08:00:00Z');
    const later = byId(
      planSteps(
        definition,
        state({
          facts: { risk: 'high' },
          steps: {
            triage: { status: 'completed', resolvedAt: doneAt },
            high: { status: 'completed', resolvedAt: highDone },
            low: { status: 'not-applicable', resolvedAt: doneAt },
          },
        }),
        evaluateCondition,
        highDone,
      ),
    );
    expect(later.review).toMatchObject({
      status: 'open',
      dueFrom: new Date('2026-12-10T08:00:00Z'),
      dueBy: new Date('2026-12-24T08:00:00Z'),
    });
  });

  it('when the step a branch depends on is skipped, so the fact is never recorded, then neither branch applies and the review goes on', () => {
    const skippedAt = new Date('2026-11-03T10:00:00Z');
    const plans = byId(
      planSteps(
        definition,
        state({ steps: { triage: { status: 'skipped', resolvedAt: skippedAt } } }),
        evaluateCondition,
        skippedAt,
      ),
    );
    expect([plans.high!.status, plans.low!.status]).toEqual(['not-applicable', 'not-applicable']);
    expect(plans.review).toMatchObject({ status: 'open', dueFrom: new Date('2026-12-08T10:00:00Z') });
    // A step timed from the start still waits for its fact.
    expect(plans['incident-follow-up']!.status).toBe('waiting');
  });

  it('when the risk is low, then the low branch opens and the high one does not apply', () => {
    const doneAt = new Date('2026-11-03T10:00:00Z');
    const plans = byId(
      planSteps(
        definition,
        state({ facts: { risk: 'low' }, steps: { triage: { status: 'completed', resolvedAt: doneAt } } }),
        evaluateCondition,
        doneAt,
      ),
    );
    expect(plans.low!.status).toBe('open');
    expect(plans.high!.status).toBe('not-applicable');
  });

  it('when the pathway is paused, then open steps are held; on resume their due dates move on by the length of the pause, and completed steps keep theirs', () => {
    const pausedAt = new Date('2026-11-03T09:00:00Z');
    const paused = pause(state(), pausedAt, 'in hospital');
    expect(byId(planSteps(definition, paused, evaluateCondition, pausedAt)).triage!.status).toBe('held');
    expect(stepRefusal(paused, { status: 'open', resolvedAt: null })).toBe('pathway-paused');
    const resumedAt = new Date('2026-11-13T09:00:00Z');
    const resumed = resume(paused, resumedAt);
    expect(pausedSince(resumed.pauses, start)).toBe(10 * 86_400_000);
    const plans = byId(planSteps(definition, resumed, evaluateCondition, resumedAt));
    expect(plans.triage).toMatchObject({
      status: 'open',
      dueFrom: new Date('2026-11-12T09:00:00Z'),
      dueBy: new Date('2026-11-17T09:00:00Z'),
    });
    // A step counted from after the pause is not moved.
    const doneAt = new Date('2026-11-14T09:00:00Z');
    const after = byId(
      planSteps(
        definition,
        { ...resumed, facts: { risk: 'low' }, steps: { triage: { status: 'completed', resolvedAt: doneAt } } },
        evaluateCondition,
        doneAt,
      ),
    );
    expect(after.low).toMatchObject({ dueFrom: doneAt, dueBy: new Date('2026-11-21T09:00:00Z') });
  });

  it('when the pathway is closed, then every unfinished step is cancelled and done steps stay done', () => {
    const closedAt = new Date('2026-11-05T09:00:00Z');
    const plans = byId(
      planSteps(
        definition,
        state({ status: 'closed', steps: { triage: { status: 'completed', resolvedAt: start } } }),
        evaluateCondition,
        closedAt,
      ),
    );
    expect(plans.triage!.status).toBe('completed');
    expect(['high', 'low', 'review', 'incident-follow-up'].map((s) => plans[s]!.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(stepRefusal(state({ status: 'closed' }), { status: 'open', resolvedAt: null })).toBe('pathway-closed');
  });

  it('when a step is done or not open, then acting on it is refused with a reason code', () => {
    expect(stepRefusal(state(), { status: 'completed', resolvedAt: start })).toBe('step-already-done');
    expect(stepRefusal(state(), { status: 'waiting', resolvedAt: null })).toBe('step-not-open');
    expect(stepRefusal(state(), { status: 'open', resolvedAt: null })).toBeNull();
  });
});

describe('pathway definitions', () => {
  it('when a definition is exported and read back, then it is the same definition and the same resource', () => {
    const exported = exportDefinition(definition);
    expect(parseDefinition(exported)).toEqual(definition);
    expect(exported).toEqual(resource);
  });

  it('when steps are timed from each other in a circle, from a missing step, or with two timings, then each problem is reported', () => {
    const bad = structuredClone(resource) as typeof resource;
    (bad.action[0] as Record<string, unknown>).relatedAction = [
      { actionId: 'review', relationship: 'after-end', offsetDuration: q(1, 'd') },
    ];
    (bad.action[1] as Record<string, unknown>).relatedAction = [
      { actionId: 'nowhere', relationship: 'after-end', offsetDuration: q(1, 'd') },
    ];
    try {
      parseDefinition(bad);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe('definition-invalid');
      expect((error as { fields: Record<string, string> }).fields).toMatchObject({
        'action.0.timing': expect.stringContaining('exactly one'),
        'action.1.relatedAction': 'there is no step nowhere',
      });
    }
    const circle = structuredClone(resource) as typeof resource;
    delete (circle.action[0] as Record<string, unknown>).timingRange;
    (circle.action[0] as Record<string, unknown>).relatedAction = [
      { actionId: 'review', relationship: 'after-end', offsetDuration: q(1, 'd') },
    ];
    expect(() => parseDefinition(circle)).toThrow(
      expect.objectContaining({ fields: { action: 'the steps are timed from each other in a circle' } }),
    );
  });

  it('when a month is added to the 31st, then it ends on the last day of the shorter month at the same time', () => {
    expect(addDuration(new Date('2026-01-31T10:00:00Z'), { value: 1, unit: 'mo' })).toEqual(
      new Date('2026-02-28T10:00:00Z'),
    );
    expect(addDuration(new Date('2027-03-15T00:00:00Z'), { value: -12, unit: 'mo' })).toEqual(
      new Date('2026-03-15T00:00:00Z'),
    );
    expect(addDuration(new Date('2028-02-29T00:00:00Z'), { value: 1, unit: 'a' })).toEqual(
      new Date('2029-02-28T00:00:00Z'),
    );
  });

  it('when days, weeks and months are added, then they are UK calendar ones at the same UK time, across both clock changes (One UK day)', () => {
    // 09:00 BST on Friday 23 October 2026; a week later is 09:00 GMT, after the clocks go back on the 25th.
    expect(addDuration(new Date('2026-10-23T08:00:00Z'), { value: 1, unit: 'wk' })).toEqual(
      new Date('2026-10-30T09:00:00Z'),
    );
    // 09:00 GMT on Friday 27 March 2026; two days later is 09:00 BST on Sunday the 29th.
    expect(addDuration(new Date('2026-03-27T09:00:00Z'), { value: 2, unit: 'd' })).toEqual(
      new Date('2026-03-29T08:00:00Z'),
    );
    // 00:30 BST on 1 July 2026 is 23:30 UTC on 30 June: a month later is 00:30 BST on 1 August, not 30 July.
    expect(addDuration(new Date('2026-06-30T23:30:00Z'), { value: 1, unit: 'mo' })).toEqual(
      new Date('2026-07-31T23:30:00Z'),
    );
    // Three and six months from an exposure at 00:30 BST on 31 August: the last day of November and of February, at 00:30 UK time.
    expect(addDuration(new Date('2026-08-30T23:30:00Z'), { value: 3, unit: 'mo' })).toEqual(
      new Date('2026-11-30T00:30:00Z'),
    );
    expect(addDuration(new Date('2026-08-30T23:30:00Z'), { value: 6, unit: 'mo' })).toEqual(
      new Date('2027-02-28T00:30:00Z'),
    );
    // Hours stay exact: 24 hours from 09:00 BST on Saturday 24 October is 08:00 GMT on the Sunday.
    expect(addDuration(new Date('2026-10-24T08:00:00Z'), { value: 24, unit: 'h' })).toEqual(
      new Date('2026-10-25T08:00:00Z'),
    );
  });
});

/** A window whose start and last UK day are facts (window-end-fact, as the BBV schedule's timepoints are), escalating the moment it closes. */
type WindowedResource = typeof resource & {
  action: Array<{
    extension: Array<{ url: string; valueString?: string; valueCode?: string; valueDuration?: unknown }>;
  }>;
};
const windowed = {
  ...resource,
  id: 'windowed',
  url: `${BASE}/PlanDefinition/windowed`,
  action: [
    action('sample', {
      timingDuration: q(0, 'd'),
      extension: [
        { url: EXTENSIONS.escalation, valueDuration: q(0, 'd') },
        { url: EXTENSIONS.anchor, valueString: 'windowStart' },
        { url: EXTENSIONS.windowEnd, valueString: 'windowEnd' },
        { url: EXTENSIONS.completedBy, valueCode: 'bbv-incident' },
      ],
    }),
  ],
} as unknown as WindowedResource;

describe('pathway engine: windows that end on a day, and escalation at once', () => {
  const def = parseDefinition(windowed);
  const sample = (facts: PathwayState['facts']) =>
    byId(planSteps(def, state({ facts }), evaluateCondition, start)).sample!;

  it('when the window’s last UK day is in winter (GMT), then the step is due from the start of its first day to the end of its last, and escalates then (period 0)', () => {
    expect(sample({ windowStart: '2026-12-01', windowEnd: '2026-12-15' })).toMatchObject({
      status: 'open',
      dueFrom: new Date('2026-12-01T00:00:00Z'),
      dueBy: new Date('2026-12-16T00:00:00Z'),
      escalateAt: new Date('2026-12-16T00:00:00Z'),
    });
  });

  it('when the window’s days are in summer (BST), then it opens and closes at UK midnight, 23:00 UTC the evening before', () => {
    expect(sample({ windowStart: '2027-07-01', windowEnd: '2027-07-29' })).toMatchObject({
      status: 'open',
      dueFrom: new Date('2027-06-30T23:00:00Z'),
      dueBy: new Date('2027-07-29T23:00:00Z'),
      escalateAt: new Date('2027-07-29T23:00:00Z'),
    });
    // A window that opens in GMT and closes in BST (the clocks go forward on 28 March 2027).
    expect(sample({ windowStart: '2027-03-20', windowEnd: '2027-04-03' })).toMatchObject({
      dueFrom: new Date('2027-03-20T00:00:00Z'),
      dueBy: new Date('2027-04-03T23:00:00Z'),
    });
  });

  it('when the window-end fact is not recorded yet, then the step waits', () => {
    expect(sample({ windowStart: '2026-12-01' }).status).toBe('waiting');
    expect(sample({}).status).toBe('waiting');
  });

  it('when an escalation period is 0, then it is accepted; a negative one is refused with the element named', () => {
    expect(def.steps[0]!.escalationPeriod).toEqual({ value: 0, unit: 'd' });
    const negative = structuredClone(windowed);
    negative.action[0]!.extension[0] = { url: EXTENSIONS.escalation, valueDuration: q(-1, 'h') };
    try {
      parseDefinition(negative);
      expect.unreachable();
    } catch (error) {
      expect((error as { fields: Record<string, string> }).fields['action.0.extension']).toContain('negative');
    }
  });

  it('when a window-end fact has no anchor fact, or completed-by names no capability, then it is refused', () => {
    const noAnchor = structuredClone(windowed);
    noAnchor.action[0]!.extension = noAnchor.action[0]!.extension.filter((e) => e.url !== EXTENSIONS.anchor);
    expect(() => parseDefinition(noAnchor)).toThrow(expect.objectContaining({ code: 'definition-invalid' }));
    const unknownOwner = structuredClone(windowed);
    unknownOwner.action[0]!.extension[3] = { url: EXTENSIONS.completedBy, valueCode: 'nobody' };
    expect(() => parseDefinition(unknownOwner)).toThrow(expect.objectContaining({ code: 'definition-invalid' }));
  });

  it('when a definition with window-end and completed-by is exported and read back, then both come back unchanged', () => {
    expect(def.steps[0]!.timing.until).toBe('windowEnd');
    expect(def.steps[0]!.completedBy).toBe('bbv-incident');
    const exported = exportDefinition(def);
    expect(parseDefinition(exported)).toEqual(def);
    const ext = (exported as { action: Array<{ extension: Array<{ url: string }> }> }).action[0]!.extension;
    expect(ext).toEqual(expect.arrayContaining(windowed.action[0]!.extension));
  });
});
