import { z } from 'zod';
import { ValidationError, type FieldErrors } from '../shared/errors.js';
import { fieldErrors } from '../shared/validation.js';
import {
  BASE,
  DURATION_UNITS,
  EXTENSIONS,
  PERFORMER_ROLES,
  SERVICE_TYPES,
  STEP_KINDS,
  SYSTEMS,
  TRANSLATION_EXTENSION,
  UCUM,
  WELSH,
  type PerformerRole,
  type ServiceType,
  STEP_OWNERS,
  type StepKind,
  type StepOwner,
} from './definition-format.js';
import type { Duration } from './durations.js';

/** When a step is due: a window counted from the start, from a date among the facts, or from when other steps were resolved. */
export interface StepTiming {
  anchor: { kind: 'start' } | { kind: 'fact'; fact: string } | { kind: 'steps'; stepIds: string[] };
  from: Duration;
  to: Duration;
  /** How the definition wrote it (kept so an export gives back the same resource). */
  written: 'range' | 'duration';
  /** The fact holding the window's last UK day (window-end-fact): when given, the step is due by the end of that day. */
  until?: string;
}

/** One action of a PlanDefinition, as the engine uses it. */
export interface StepDefinition {
  id: string;
  title: string;
  description: string;
  /** Plain English for the person on the pathway. */
  staffText: string;
  kind: StepKind;
  performer: PerformerRole;
  participantType: 'practitioner' | 'patient' | 'related-person';
  timing: StepTiming;
  /** FHIRPath over the facts; null = always applies. */
  condition: string | null;
  questionnaire: string | null;
  /** Overrides the definition's escalation period. */
  escalationPeriod: Duration | null;
  service: ServiceType | null;
  closesPathway: boolean;
  /** The capability that completes the step through its own form (completed-by), or null for the step form. */
  completedBy: StepOwner | null;
  /** The Welsh texts (HL7 translation extension on `_title`, `_description`, `_textEquivalent`). */
  cy?: Partial<Record<'title' | 'description' | 'staffText', string>>;
}

/** A pathway definition: one version of a PlanDefinition. */
export interface PathwayDefinition {
  code: string;
  version: number;
  url: string;
  name: string;
  title: string;
  description: string;
  publisher: string;
  date: string | null;
  escalationPeriod: Duration | null;
  sensitivity: string[];
  steps: StepDefinition[];
  /** The Welsh title and description (HL7 translation extension on `_title`, `_description`). */
  cy?: Partial<Record<'title' | 'description', string>>;
}

/** Escalation when neither the action nor the definition says (five days overdue). */
export const DEFAULT_ESCALATION: Duration = { value: 5, unit: 'd' };

const quantity = z
  .object({
    value: z.number().finite(),
    unit: z.enum(DURATION_UNITS),
    system: z.literal(UCUM),
    code: z.enum(DURATION_UNITS),
  })
  .refine((q) => q.unit === q.code, { message: 'unit and code must be the same UCUM unit' });
const range = z.object({ low: quantity, high: quantity });
const coding = z.object({ system: z.string(), code: z.string(), display: z.string().optional() });
const extension = z.object({ url: z.string() }).catchall(z.unknown());
/** A primitive's element (`_title`): its extensions, e.g. translations. */
const element = z.object({ extension: z.array(extension).optional() }).optional();

/**
 * The text a primitive element carries in `lang` (HL7 translation extension: `lang` and
 * `content`), or undefined when it has none.
 */
export function translationOf(
  el: { extension?: Array<Record<string, unknown>> } | undefined,
  lang: string = WELSH,
): string | undefined {
  for (const e of el?.extension ?? []) {
    if (e.url !== TRANSLATION_EXTENSION || !Array.isArray(e.extension)) continue;
    const parts = e.extension as Array<Record<string, unknown>>;
    const code = parts.find((p) => p.url === 'lang')?.valueCode;
    const content = parts.find((p) => p.url === 'content')?.valueString;
    if (code === lang && typeof content === 'string' && content.trim() !== '') return content;
  }
  return undefined;
}

/** The element (`_title`) that carries a text's translations. */
export function translationElement(translations: Partial<Record<string, string>>): Record<string, unknown> | null {
  const entries = Object.entries(translations).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (!entries.length) return null;
  return {
    extension: entries.map(([lang, content]) => ({
      url: TRANSLATION_EXTENSION,
      extension: [
        { url: 'lang', valueCode: lang },
        { url: 'content', valueString: content },
      ],
    })),
  };
}

const actionSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'lower-case letters, digits and hyphens'),
  title: z.string().min(1).max(200),
  description: z.string().min(1).max(4000),
  textEquivalent: z.string().min(1).max(2000),
  _title: element,
  _description: element,
  _textEquivalent: element,
  code: z.array(z.object({ coding: z.array(coding).min(1) })).length(1),
  participant: z
    .array(
      z.object({
        type: z.enum(['practitioner', 'patient', 'related-person']),
        role: z.object({ coding: z.array(coding).length(1) }),
      }),
    )
    .length(1),
  timingRange: range.optional(),
  timingDuration: quantity.optional(),
  relatedAction: z
    .array(
      z.object({
        actionId: z.string(),
        relationship: z.literal('after-end'),
        offsetDuration: quantity.optional(),
        offsetRange: range.optional(),
      }),
    )
    .min(1)
    .optional(),
  condition: z
    .array(
      z.object({
        kind: z.literal('applicability'),
        expression: z.object({ language: z.literal('text/fhirpath'), expression: z.string().min(1).max(1000) }),
      }),
    )
    .max(1)
    .optional(),
  definitionCanonical: z.string().startsWith(`${BASE}/Questionnaire/`).optional(),
  extension: z.array(extension).optional(),
});

const planDefinitionSchema = z.object({
  resourceType: z.literal('PlanDefinition'),
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
  url: z.string(),
  version: z.string().regex(/^[1-9]\d{0,5}$/, 'a whole number from 1'),
  name: z.string().min(1).max(100),
  title: z.string().min(1).max(200),
  status: z.literal('active'),
  type: z.object({ coding: z.array(coding).length(1) }),
  date: z.string().optional(),
  publisher: z.string().min(1).max(200),
  description: z.string().min(1).max(4000),
  _title: element,
  _description: element,
  extension: z.array(extension).optional(),
  action: z.array(actionSchema).min(1).max(100),
});

type RawAction = z.infer<typeof actionSchema>;
type RawQuantity = z.infer<typeof quantity>;

const toDuration = (q: RawQuantity): Duration => ({ value: q.value, unit: q.unit });
const toQuantity = (d: Duration) => ({ value: d.value, unit: d.unit, system: UCUM, code: d.unit });

function ext(list: RawAction['extension'], url: string): Record<string, unknown> | undefined {
  return list?.find((e) => e.url === url);
}

function durationExtension(list: RawAction['extension'], errors: FieldErrors, at: string): Duration | null {
  const found = ext(list, EXTENSIONS.escalation);
  if (!found) return null;
  const parsed = quantity.safeParse(found.valueDuration);
  if (!parsed.success) {
    errors[`${at}.extension`] = 'the escalation period must be a valueDuration in h, d, wk or mo';
    return null;
  }
  // Zero escalates the moment the step is overdue (the BBV risk assessment, BBV-1).
  if (parsed.data.value < 0) errors[`${at}.extension`] = 'the escalation period must not be negative';
  return toDuration(parsed.data);
}

function parseAction(a: RawAction, at: string, errors: FieldErrors): StepDefinition | null {
  const kindCoding = a.code[0]!.coding[0]!;
  const roleCoding = a.participant[0]!.role.coding[0]!;
  if (kindCoding.system !== SYSTEMS.stepKind || !(STEP_KINDS as readonly string[]).includes(kindCoding.code))
    errors[`${at}.code`] = `the step kind must be one of ${STEP_KINDS.join(', ')} from ${SYSTEMS.stepKind}`;
  if (roleCoding.system !== SYSTEMS.role || !(PERFORMER_ROLES as readonly string[]).includes(roleCoding.code))
    errors[`${at}.participant`] = `the performer must be one of ${PERFORMER_ROLES.join(', ')} from ${SYSTEMS.role}`;
  const timings = [a.timingRange, a.timingDuration, a.relatedAction].filter((t) => t !== undefined).length;
  if (timings !== 1) errors[`${at}.timing`] = 'give exactly one of timingRange, timingDuration or relatedAction';
  const anchorFact = ext(a.extension, EXTENSIONS.anchor)?.valueString;
  if (anchorFact !== undefined && (typeof anchorFact !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(anchorFact)))
    errors[`${at}.extension`] = 'the anchor fact must be a fact name';
  if (anchorFact !== undefined && a.relatedAction)
    errors[`${at}.extension`] = 'an anchor fact applies to timingRange or timingDuration, not relatedAction';
  const windowEnd = ext(a.extension, EXTENSIONS.windowEnd)?.valueString;
  if (windowEnd !== undefined && (typeof windowEnd !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(windowEnd)))
    errors[`${at}.extension`] = 'the window-end fact must be a fact name';
  else if (windowEnd !== undefined && anchorFact === undefined)
    errors[`${at}.extension`] = 'a window-end fact needs an anchor fact for the window’s start';
  const completedBy = ext(a.extension, EXTENSIONS.completedBy)?.valueCode;
  if (completedBy !== undefined && !(STEP_OWNERS as readonly unknown[]).includes(completedBy))
    errors[`${at}.extension`] = `completed-by must be one of ${STEP_OWNERS.join(', ')}`;
  let timing: StepTiming | null = null;
  if (a.relatedAction) {
    const offsets = a.relatedAction.map(
      (r) => r.offsetRange ?? (r.offsetDuration ? { low: r.offsetDuration, high: r.offsetDuration } : undefined),
    );
    const first = a.relatedAction[0]!;
    if (offsets.some((o) => o === undefined) || a.relatedAction.some((r) => r.offsetRange && r.offsetDuration))
      errors[`${at}.relatedAction`] = 'each related action needs exactly one of offsetDuration or offsetRange';
    else if (
      a.relatedAction.some(
        (r) =>
          JSON.stringify(r.offsetRange ?? r.offsetDuration) !==
          JSON.stringify(first.offsetRange ?? first.offsetDuration),
      )
    )
      errors[`${at}.relatedAction`] = 'every related action of one step must give the same offset';
    else
      timing = {
        anchor: { kind: 'steps', stepIds: a.relatedAction.map((r) => r.actionId) },
        from: toDuration(offsets[0]!.low),
        to: toDuration(offsets[0]!.high),
        written: first.offsetRange ? 'range' : 'duration',
      };
  } else if (a.timingRange || a.timingDuration) {
    const r = a.timingRange ?? { low: a.timingDuration!, high: a.timingDuration! };
    timing = {
      anchor: typeof anchorFact === 'string' ? { kind: 'fact', fact: anchorFact } : { kind: 'start' },
      from: toDuration(r.low),
      to: toDuration(r.high),
      written: a.timingRange ? 'range' : 'duration',
      ...(typeof windowEnd === 'string' ? { until: windowEnd } : {}),
    };
  }
  if (timing && timing.anchor.kind !== 'fact' && (timing.from.value < 0 || timing.to.value < 0))
    errors[`${at}.timing`] = 'offsets may be negative only when counted from a date among the facts';
  const kind = kindCoding.code as StepKind;
  if ((kind === 'form' || kind === 'decision') && !a.definitionCanonical)
    errors[`${at}.definitionCanonical`] = 'a form or decision step needs its questionnaire (definitionCanonical)';
  const serviceCode = ext(a.extension, EXTENSIONS.service)?.valueCode;
  if (kind === 'referral' && !(SERVICE_TYPES as readonly unknown[]).includes(serviceCode))
    errors[`${at}.extension`] = `a referral step needs its service (${SERVICE_TYPES.join(', ')})`;
  if (kind !== 'referral' && serviceCode !== undefined)
    errors[`${at}.extension`] = 'only referral steps name a service';
  const closes = ext(a.extension, EXTENSIONS.closes)?.valueBoolean === true;
  if (closes && kind !== 'decision') errors[`${at}.extension`] = 'only a decision step can close the pathway';
  const escalationPeriod = durationExtension(a.extension, errors, at);
  if (!timing) return null;
  return {
    id: a.id,
    title: a.title,
    description: a.description,
    staffText: a.textEquivalent,
    kind,
    performer: roleCoding.code as PerformerRole,
    participantType: a.participant[0]!.type,
    timing,
    condition: a.condition?.[0]?.expression.expression ?? null,
    questionnaire: a.definitionCanonical ?? null,
    escalationPeriod,
    service: kind === 'referral' ? (serviceCode as ServiceType) : null,
    closesPathway: closes,
    completedBy: typeof completedBy === 'string' ? (completedBy as StepOwner) : null,
    ...welshOf({ title: a._title, description: a._description, staffText: a._textEquivalent }),
  };
}

/** `{ cy: { … } }` with the Welsh each element carries, or nothing when none does. */
function welshOf<K extends string>(
  elements: Record<K, { extension?: Array<Record<string, unknown>> } | undefined>,
): { cy?: Partial<Record<K, string>> } {
  const cy: Partial<Record<K, string>> = {};
  for (const [k, el] of Object.entries(elements) as Array<[K, { extension?: Array<Record<string, unknown>> }]>) {
    const text = translationOf(el);
    if (text !== undefined) cy[k] = text;
  }
  return Object.keys(cy).length ? { cy } : {};
}

/** Steps in an order where every step comes after the steps it is timed from; null when they form a cycle. */
export function orderSteps(steps: readonly StepDefinition[]): StepDefinition[] | null {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: StepDefinition[] = [];
  const visit = (s: StepDefinition): boolean => {
    if (done.has(s.id)) return true;
    if (visiting.has(s.id)) return false;
    visiting.add(s.id);
    if (s.timing.anchor.kind === 'steps')
      for (const id of s.timing.anchor.stepIds) if (!visit(byId.get(id)!)) return false;
    visiting.delete(s.id);
    done.add(s.id);
    out.push(s);
    return true;
  };
  for (const s of steps) if (!visit(s)) return null;
  return out;
}

/**
 * Reads a PlanDefinition (already parsed from JSON) into a pathway definition, checking
 * everything the engine relies on. Problems are reported together, each under the path of
 * the element at fault. FHIR structure itself is checked by the caller with @medplum/core.
 */
export function parseDefinition(resource: unknown): PathwayDefinition {
  const parsed = planDefinitionSchema.safeParse(resource);
  if (!parsed.success) {
    throw new ValidationError(
      fieldErrors(parsed.error),
      'The pathway definition is not in the expected form.',
      'definition-invalid',
    );
  }
  const raw = parsed.data;
  const errors: FieldErrors = {};
  if (raw.url !== `${BASE}/PlanDefinition/${raw.id}`) errors.url = `the url must be ${BASE}/PlanDefinition/${raw.id}`;
  const type = raw.type.coding[0]!;
  if (type.system !== SYSTEMS.planDefinitionType || type.code !== 'clinical-protocol')
    errors.type = 'the type must be plan-definition-type clinical-protocol';
  const steps: StepDefinition[] = [];
  const seen = new Set<string>();
  raw.action.forEach((a, i) => {
    if (seen.has(a.id)) errors[`action.${i}.id`] = `the step id ${a.id} is used twice`;
    seen.add(a.id);
    const step = parseAction(a, `action.${i}`, errors);
    if (step) steps.push(step);
  });
  steps.forEach((s, i) => {
    if (s.timing.anchor.kind !== 'steps') return;
    for (const id of s.timing.anchor.stepIds) {
      if (!seen.has(id)) errors[`action.${i}.relatedAction`] = `there is no step ${id}`;
      if (id === s.id) errors[`action.${i}.relatedAction`] = 'a step cannot be timed from itself';
    }
  });
  if (Object.keys(errors).length === 0 && !orderSteps(steps))
    errors.action = 'the steps are timed from each other in a circle';
  if (Object.keys(errors).length === 0 && !steps.some((s) => s.timing.anchor.kind !== 'steps'))
    errors.action = 'at least one step must be timed from the start or a date';
  const escalationPeriod = durationExtension(raw.extension, errors, 'extension');
  const sensitivity = (raw.extension ?? []).filter((e) => e.url === EXTENSIONS.sensitivity).map((e) => e.valueCode);
  if (sensitivity.some((c) => typeof c !== 'string' || !/^[A-Z]{1,10}$/.test(c)))
    errors.extension = 'sensitivity labels are v3-ActCode codes such as MH or PSY';
  if (Object.keys(errors).length > 0)
    throw new ValidationError(errors, 'The pathway definition has problems.', 'definition-invalid');
  return {
    code: raw.id,
    version: Number(raw.version),
    url: raw.url,
    name: raw.name,
    title: raw.title,
    description: raw.description,
    publisher: raw.publisher,
    date: raw.date ?? null,
    escalationPeriod,
    sensitivity: sensitivity as string[],
    steps,
    ...welshOf({ title: raw._title, description: raw._description }),
  };
}

/**
 * Where a definition lacks Welsh for a title, a description or the person's own words of a step
 * (issue 15 §8): each under the element that needs its translation. Shipped and uploaded
 * definitions must have none; versions published before Welsh was carried still read.
 */
export function missingWelsh(d: PathwayDefinition): FieldErrors {
  const errors: FieldErrors = {};
  const need = 'needs its Welsh text (translation extension, lang cy)';
  if (!d.cy?.title) errors._title = need;
  if (!d.cy?.description) errors._description = need;
  d.steps.forEach((s, i) => {
    if (!s.cy?.title) errors[`action.${i}._title`] = need;
    if (!s.cy?.description) errors[`action.${i}._description`] = need;
    if (!s.cy?.staffText) errors[`action.${i}._textEquivalent`] = need;
  });
  return errors;
}

/**
 * The definition as a reader of `lang` reads it: its title, description and steps' words in
 * Welsh where the definition carries them, in English otherwise. Everything else is unchanged.
 */
export function inLanguage(d: PathwayDefinition, lang: string): PathwayDefinition {
  if (lang !== WELSH) return d;
  return {
    ...d,
    title: d.cy?.title ?? d.title,
    description: d.cy?.description ?? d.description,
    steps: d.steps.map((s) => ({
      ...s,
      title: s.cy?.title ?? s.title,
      description: s.cy?.description ?? s.description,
      staffText: s.cy?.staffText ?? s.staffText,
    })),
  };
}

function translated(key: string, cy: string | undefined): Record<string, unknown> {
  const el = cy === undefined ? null : translationElement({ [WELSH]: cy });
  return el ? { [key]: el } : {};
}

function durationExt(d: Duration) {
  return { url: EXTENSIONS.escalation, valueDuration: toQuantity(d) };
}

function exportAction(s: StepDefinition): Record<string, unknown> {
  const extensions: Array<Record<string, unknown>> = [];
  if (s.escalationPeriod) extensions.push(durationExt(s.escalationPeriod));
  if (s.timing.anchor.kind === 'fact') extensions.push({ url: EXTENSIONS.anchor, valueString: s.timing.anchor.fact });
  if (s.service) extensions.push({ url: EXTENSIONS.service, valueCode: s.service });
  if (s.closesPathway) extensions.push({ url: EXTENSIONS.closes, valueBoolean: true });
  if (s.timing.until) extensions.push({ url: EXTENSIONS.windowEnd, valueString: s.timing.until });
  if (s.completedBy) extensions.push({ url: EXTENSIONS.completedBy, valueCode: s.completedBy });
  const window =
    s.timing.written === 'range' ? { low: toQuantity(s.timing.from), high: toQuantity(s.timing.to) } : null;
  const timing =
    s.timing.anchor.kind === 'steps'
      ? {
          relatedAction: s.timing.anchor.stepIds.map((actionId) => ({
            actionId,
            relationship: 'after-end',
            ...(window ? { offsetRange: window } : { offsetDuration: toQuantity(s.timing.from) }),
          })),
        }
      : window
        ? { timingRange: window }
        : { timingDuration: toQuantity(s.timing.from) };
  return {
    ...(extensions.length ? { extension: extensions } : {}),
    id: s.id,
    title: s.title,
    ...translated('_title', s.cy?.title),
    description: s.description,
    ...translated('_description', s.cy?.description),
    textEquivalent: s.staffText,
    ...translated('_textEquivalent', s.cy?.staffText),
    code: [{ coding: [{ system: SYSTEMS.stepKind, code: s.kind }] }],
    ...(s.condition
      ? { condition: [{ kind: 'applicability', expression: { language: 'text/fhirpath', expression: s.condition } }] }
      : {}),
    ...timing,
    participant: [{ type: s.participantType, role: { coding: [{ system: SYSTEMS.role, code: s.performer }] } }],
    ...(s.questionnaire ? { definitionCanonical: s.questionnaire } : {}),
  };
}

/** The definition as a FHIR R4 PlanDefinition (FHIR-7), for partners and for publishing; parseDefinition reads it back unchanged. */
export function exportDefinition(d: PathwayDefinition): Record<string, unknown> {
  const extensions: Array<Record<string, unknown>> = [];
  if (d.escalationPeriod) extensions.push(durationExt(d.escalationPeriod));
  for (const code of d.sensitivity) extensions.push({ url: EXTENSIONS.sensitivity, valueCode: code });
  return {
    resourceType: 'PlanDefinition',
    id: d.code,
    ...(extensions.length ? { extension: extensions } : {}),
    url: d.url,
    version: String(d.version),
    name: d.name,
    title: d.title,
    ...translated('_title', d.cy?.title),
    type: { coding: [{ system: SYSTEMS.planDefinitionType, code: 'clinical-protocol' }] },
    status: 'active',
    ...(d.date ? { date: d.date } : {}),
    publisher: d.publisher,
    description: d.description,
    ...translated('_description', d.cy?.description),
    action: d.steps.map(exportAction),
  };
}

/** The escalation period that applies to a step. */
export function escalationPeriodOf(d: PathwayDefinition, s: StepDefinition): Duration {
  return s.escalationPeriod ?? d.escalationPeriod ?? DEFAULT_ESCALATION;
}

/**
 * The person's own steps, as their pathway page lists them (`title` is the step's words for the
 * person), in `lang` where the definition carries it.
 */
export function ownStepsIn<T extends { code: string; title: string }>(
  d: PathwayDefinition,
  steps: readonly T[],
  lang: string,
): T[] {
  if (lang !== WELSH) return [...steps];
  return steps.map((s) => {
    const cy = d.steps.find((x) => x.id === s.code)?.cy?.staffText;
    return cy ? { ...s, title: cy } : s;
  });
}
