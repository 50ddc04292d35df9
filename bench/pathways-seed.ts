import { loadConfig } from '../src/config/config.js';
import { isPostgres } from '../src/db/knex.js';
import { mulberry32 } from '../src/demo/absence-history.js';
import { evaluateCondition } from '../src/fhir/core/fhirpath.js';
import type { NewPerson } from '../src/people/people-types.js';
import { assigneeFor, escalationTarget } from '../src/pathways/assignment.js';
import { DefinitionCatalogue } from '../src/pathways/definition-catalogue.js';
import { CLOSE_OUTCOMES } from '../src/pathways/definition-format.js';
import type { PathwayDefinition, StepDefinition } from '../src/pathways/definition.js';
import {
  planSteps,
  type ConditionEvaluator,
  type Facts,
  type StepPlan,
  type StepProgress,
} from '../src/pathways/engine.js';
import { PathwayRepository, type TimerKind } from '../src/pathways/pathway-repository.js';
import type {
  Assignee,
  EnrolmentSource,
  NewPathwayEvent,
  Pathway,
  PathwayStep,
} from '../src/pathways/pathway-types.js';
import { readAnswers, type Answer, type StepForm } from '../src/pathways/questionnaire.js';
import { buildPlatform, type Platform } from '../src/server.js';
import { fixedClock } from '../src/shared/clock.js';
import { londonDay } from '../src/shared/dates.js';
import { PARENT_WATCH_ENV, writeReady } from './support/child-process.js';
import { generateWorkforce } from './support/workforce.js';

/**
 * Loads the pathways benchmark's data into the database the environment names (migrating it
 * and publishing the shipped definitions first), then exits: bench/pathways-bench.ts runs
 * this as a short-lived process of its own so that the generated rows and the loading's
 * memory never count against the process that is measured. Options come as one JSON
 * argument; prints one JSON line when done.
 *
 * Every pathway is built in memory with the real engine, as PathwayService.enrol and the
 * changes after it would have built it: enrolled at its start (assignees from assigneeFor),
 * then its open steps done one after another by a seeded simulation (forms answered with
 * valid answers, read with readAnswers so the facts and scores later steps branch on are
 * the real ones; some steps never done, some done late), each change re-planned with
 * planSteps and evaluateCondition; then the timers that the 15-minute sweep would have fired
 * up to the previous sweep marked fired, with their history and escalations
 * (escalationTarget). What falls due between the previous sweep and `now` is left for the
 * measured sweep.
 */
export interface PathwaysSeedOptions {
  pathways: number;
  people: number;
  clinicians: number;
  /** Share of pathways with no lead clinician (their clinician steps sit in the OH clinicians' queue). */
  unassignedShare: number;
  /** Pathways start over this many days before `now`. */
  spreadDays: number;
  seed: number;
  /** The moment of the measured sweep (ISO). */
  now: string;
  /** The previous sweep (ISO): timers up to it have fired. */
  previousSweep: string;
}

/** What the seed prints when the data is loaded. */
export interface PathwaysLoaded {
  organisations: number;
  people: number;
  inPost: number;
  clinicians: Array<{ id: string; email: string; displayName: string; organisationId: string }>;
  pathways: number;
  /** Pathways generated that closed before now: not loaded, replaced by others. */
  finishedNotLoaded: number;
  unassignedPathways: number;
  byDefinition: Record<string, number>;
  steps: number;
  stepsByStatus: Record<string, number>;
  openSteps: { total: number; inWindow: number; overdue: number; escalated: number; inClinicianQueue: number };
  events: number;
  /** Timers the measured sweep has to fire (moment ≤ now, not fired by the previous sweep). */
  pendingTimers: Record<TimerKind, number>;
  /** Timers marked fired by the previous sweeps. */
  firedTimers: Record<TimerKind, number>;
  timingsMs: { generate: number; loadPeople: number; loadPathways: number; analyse: number };
  peakRssMb: number;
}

/** The definitions' shares of the running pathways. */
export const DEFINITION_SHARES: ReadonlyArray<readonly [string, number]> = [
  ['msk', 0.4],
  ['mental-health', 0.35],
  ['dental', 0.1],
  ['retirement', 0.15],
];

/** How likely each performer is to do a step at all (the rest stay open, overdue in time). */
const DONE_SHARE: Record<string, number> = {
  'oh-clinician': 0.98,
  'oh-administrator': 0.98,
  'line-manager': 0.94,
  'hr-manager': 0.95,
  staff: 0.94,
};
const SOURCES: ReadonlyArray<readonly [EnrolmentSource, number]> = [
  ['automatic', 0.4],
  ['clinician', 0.3],
  ['management-referral', 0.2],
  ['self-referral', 0.1],
];
/** The sweep job's period: timers fire at the first quarter hour after their moment. */
const SWEEP_MS = 15 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Pathways generated and inserted a transaction. */
const CHUNK = 2000;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const elapsed = (since: number) => Math.round(performance.now() - since);

interface Spec {
  definition: number;
  person: NewPerson;
  startedAt: Date;
  lead: string | null;
  source: EnrolmentSource;
}

interface Built {
  pathway: Pathway;
  steps: PathwayStep[];
  events: NewPathwayEvent[];
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '') as PathwaysSeedOptions;
  const now = new Date(o.now);
  const previous = new Date(o.previousSweep);
  const clock = fixedClock(now);
  const platform: Platform = await buildPlatform(loadConfig(), { clock });
  try {
    const rng = mulberry32(o.seed + 7);
    const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
    let sequence = 0;
    const id = () => {
      sequence += 1;
      const r = Array.from({ length: 8 }, () => HEX[int(0, 255)]!);
      return `${r[0]}${r[1]}${r[2]}${r[3]}-${r[4]}${r[5]}-4${r[6]!.slice(1)}${r[7]}-${'89ab'[int(0, 3)]}${HEX[int(0, 255)]!.slice(1)}${HEX[int(0, 255)]}-${sequence.toString(16).padStart(12, '0')}`;
    };
    const pick = <T>(weighted: ReadonlyArray<readonly [T, number]>): T => {
      const u = rng();
      let acc = 0;
      for (const [v, w] of weighted) if (u < (acc += w)) return v;
      return weighted[0]![0];
    };

    // The workforce, as the attendance benchmark loads it.
    let t = performance.now();
    const asOf = londonDay(now);
    const workforce = generateWorkforce({ size: o.people, seed: o.seed, asOf, years: 1 });
    let generateMs = elapsed(t);
    t = performance.now();
    const peopleRepo = platform.repositories.people;
    const host = workforce.organisations.find((x) => x.kind === 'host-force')!;
    const clinicians = Array.from({ length: o.clinicians }, (_, i) => ({
      id: id(),
      email: `clinician${String(i + 1).padStart(3, '0')}@bench.test`,
      displayName: `Bench OH clinician ${i + 1}`,
      organisationId: host.id,
    }));
    await peopleRepo.transaction(async (trx) => {
      for (const org of workforce.organisations) await peopleRepo.insertOrganisation(org, now, trx);
      for (const u of workforce.units) await peopleRepo.insertUnit(u, now, trx);
      await peopleRepo.insertPeople(workforce.people, now, trx);
      for (const c of clinicians)
        await platform.repositories.users.insert(
          { ...c, passwordHash: null, personId: null, roles: ['oh-clinician'], locale: 'en' },
          now,
          trx,
        );
    });
    const loadPeopleMs = elapsed(t);

    // The definitions as the engine reads them, and the versions the platform published.
    t = performance.now();
    const catalogue = DefinitionCatalogue.load();
    const published = await platform.services.pathways.definitions();
    const definitions = DEFINITION_SHARES.map(([code]) => {
      const definition = catalogue.shipped.find((d) => d.code === code);
      const record = published.filter((r) => r.code === code).at(-1);
      if (!definition || !record)
        throw new Error(`the shipped definition ${code} is missing (src/pathways/definitions/${code}.json)`);
      if (record.version !== definition.version)
        throw new Error(`${code}: the database has version ${record.version}, the file version ${definition.version}`);
      return { definition, recordId: record.id, ...factSources(definition, catalogue) };
    });

    // Who is on which pathway: each (person, definition) once at most, people in post only.
    const inPost = workforce.people.filter((p) => p.leavingDate === null && p.serviceStartDate < asOf);
    const managerOf = new Map(workforce.people.map((p) => [p.id, p.lineManagerId]));
    const counts = DEFINITION_SHARES.map(([, share]) => Math.floor(o.pathways * share));
    counts[0]! += o.pathways - counts.reduce((s, n) => s + n, 0);
    // Per definition, the people not on it yet, in a seeded random order; a finished pathway gives its person back.
    const pools = counts.map((n, d) => {
      if (n > inPost.length)
        throw new Error(
          `${n} ${DEFINITION_SHARES[d]![0]} pathways need as many people in post; there are ${inPost.length}: raise --people`,
        );
      const pool = [...inPost];
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return pool;
    });
    const spec = (d: number): Spec => {
      const person = pools[d]!.pop()!;
      const earliest = Math.max(now.getTime() - o.spreadDays * DAY, Date.parse(`${person.serviceStartDate}T09:00:00Z`));
      // A working-hours moment on a day in the spread.
      const day = earliest + rng() * (now.getTime() - HOUR - earliest);
      const midnight = Math.floor(day / DAY) * DAY;
      const startedAt = new Date(
        Math.min(now.getTime() - HOUR, Math.max(earliest, midnight + 8 * HOUR + rng() * 9 * HOUR)),
      );
      const lead = rng() < o.unassignedShare ? null : clinicians[int(0, clinicians.length - 1)]!.id;
      return { definition: d, person, startedAt, lead, source: pick(SOURCES) };
    };
    generateMs += elapsed(t);

    const stats = {
      finished: 0,
      unassigned: 0,
      byDefinition: {} as Record<string, number>,
      steps: 0,
      byStatus: {} as Record<string, number>,
      open: { total: 0, inWindow: 0, overdue: 0, escalated: 0, inClinicianQueue: 0 },
      events: 0,
      pending: { due: 0, overdue: 0, escalate: 0 } as Record<TimerKind, number>,
      fired: { due: 0, overdue: 0, escalate: 0 } as Record<TimerKind, number>,
    };

    /** One pathway from enrolment to `now`. */
    const build = (spec: Spec): Built | null => {
      const { definition, recordId, enrolmentFacts, forms } = definitions[spec.definition]!;
      const person = spec.person;
      const facts: Facts = {};
      for (const { fact, share } of enrolmentFacts)
        if (share >= 1 || rng() < share) facts[fact] = enrolmentFact(fact, spec.startedAt, rng);
      const pathwayId = id();
      const assignment = { personId: person.id, lineManagerId: person.lineManagerId, leadClinicianUserId: spec.lead };
      const byStep = new Map(definition.steps.map((s) => [s.id, s]));
      const planned = new Map<string, number>();
      const openedAt = new Map<string, number>();
      const done = new Map<
        string,
        { at: Date; answers: Record<string, Answer> | null; note: string | null; by: string | null }
      >();
      const events: NewPathwayEvent[] = [];
      const enrolledBy = spec.source === 'clinician' ? (spec.lead ?? clinicians[0]!.id) : null;
      events.push({
        pathwayId,
        stepId: null,
        kind: 'enrolled',
        at: spec.startedAt,
        actorUserId: enrolledBy,
        actorRole: enrolledBy ? 'oh-clinician' : 'system',
        reason: spec.source,
        details: { definition: definition.code, version: definition.version, startedAt: spec.startedAt.toISOString() },
      });
      let at = spec.startedAt;
      let progress: Record<string, StepProgress> = {};
      let plans: StepPlan[] = [];
      let changes = 0;
      for (;;) {
        plans = planSteps(
          definition,
          { status: 'active', startedAt: spec.startedAt, facts, pauses: [], steps: progress },
          evaluate,
          at,
        );
        progress = Object.fromEntries(plans.map((p) => [p.stepId, { status: p.status, resolvedAt: p.resolvedAt }]));
        let next: { stepId: string; at: number } | null = null;
        for (const p of plans) {
          if (p.status !== 'open') continue;
          if (!openedAt.has(p.stepId)) openedAt.set(p.stepId, at.getTime());
          let c = planned.get(p.stepId);
          if (c === undefined) {
            c = completionTime(byStep.get(p.stepId)!, p, at.getTime(), rng);
            planned.set(p.stepId, c);
          }
          if (c < now.getTime() && (!next || c < next.at)) next = { stepId: p.stepId, at: c };
        }
        if (!next) break;
        // The step is done: its answers become facts, and everything is planned again.
        at = new Date(next.at);
        changes += 1;
        const step = byStep.get(next.stepId)!;
        const by =
          step.performer === 'oh-clinician' ? (spec.lead ?? clinicians[int(0, clinicians.length - 1)]!.id) : null;
        let answers: Record<string, Answer> | null = null;
        let note: string | null = null;
        let added: string[] = [];
        if (step.questionnaire) {
          const read = answer(forms.get(step.questionnaire)!, at, rng);
          answers = read.answers;
          Object.assign(facts, read.facts);
          added = Object.keys(read.facts);
        } else note = 'Done (benchmark data).';
        // A closing decision closes the pathway (PathwayService.completeStep): it is finished, not running.
        if (
          step.closesPathway &&
          typeof answers?.outcome === 'string' &&
          (CLOSE_OUTCOMES as readonly string[]).includes(answers.outcome)
        )
          return null;
        done.set(step.id, { at, answers, note, by });
        progress[step.id] = { status: 'completed', resolvedAt: at };
        events.push({
          pathwayId,
          stepId: null,
          kind: 'step-completed',
          at,
          actorUserId: by,
          actorRole: by ? 'oh-clinician' : step.performer,
          reason: null,
          details: { step: step.id, facts: added },
        });
      }
      const pathway: Pathway = {
        id: pathwayId,
        organisationId: person.organisationId,
        personId: person.id,
        definitionId: recordId,
        definitionCode: definition.code,
        definitionVersion: definition.version,
        status: 'active',
        startedAt: spec.startedAt,
        enrolmentSource: spec.source,
        referralId: null,
        enrolledByUserId: enrolledBy,
        leadClinicianUserId: spec.lead,
        facts,
        pauses: [],
        outcome: null,
        closedAt: null,
        fitness: null,
        expectedDuration: null,
        adjustments: null,
        adviceGivenAt: null,
        revision: 1 + changes,
        createdAt: spec.startedAt,
        updatedAt: at,
      };
      const steps = definition.steps.map((s, i): PathwayStep => {
        const plan = plans[i]!;
        const work = done.get(s.id);
        const step: PathwayStep = {
          id: id(),
          pathwayId,
          organisationId: pathway.organisationId,
          personId: person.id,
          definitionCode: definition.code,
          stepCode: s.id,
          status: plan.status,
          dueFrom: plan.dueFrom,
          dueBy: plan.dueBy,
          escalateAt: plan.escalateAt,
          resolvedAt: plan.resolvedAt,
          assignee: assigneeFor(s.performer, assignment),
          escalationLevel: 0,
          dueFiredAt: null,
          overdueFiredAt: null,
          escalatedAt: null,
          answers: work?.answers ?? null,
          note: work?.note ?? null,
          completedByUserId: work?.by ?? null,
        };
        const opened = openedAt.get(s.id);
        if (opened === undefined || !plan.dueFrom || !plan.dueBy || !plan.escalateAt) return step;
        // The timers the sweeps fired while the step was open, up to the previous sweep.
        const openUntil = plan.status === 'open' ? Infinity : (plan.resolvedAt?.getTime() ?? Infinity);
        const timers: Array<[TimerKind, Date]> = [
          ['due', plan.dueFrom],
          ['overdue', plan.dueBy],
          ['escalate', plan.escalateAt],
        ];
        for (const [kind, moment] of timers) {
          const fires = firstSweepAfter(
            Math.max(moment.getTime(), opened),
            kind === 'overdue' && moment.getTime() >= opened,
          );
          if (fires >= openUntil) continue;
          if (fires > previous.getTime()) {
            if (plan.status === 'open' && moment.getTime() + (kind === 'overdue' ? 1 : 0) <= now.getTime())
              stats.pending[kind] += 1;
            continue;
          }
          stats.fired[kind] += 1;
          const firedAt = new Date(fires);
          let details: Record<string, unknown> = { step: s.id, at: moment.toISOString() };
          if (kind === 'due') step.dueFiredAt = firedAt;
          if (kind === 'overdue') step.overdueFiredAt = firedAt;
          if (kind === 'escalate') {
            step.escalatedAt = firedAt;
            const from = step.assignee;
            const to = escalationTarget(from, step, {
              ...assignment,
              managerOfAssignee: from && 'personId' in from ? (managerOf.get(from.personId) ?? null) : null,
            });
            step.assignee = to;
            step.escalationLevel = 1;
            details = { ...details, from, to, level: 1 };
          }
          const eventKind = kind === 'due' ? 'step-due' : kind === 'overdue' ? 'step-overdue' : 'step-escalated';
          events.push({
            pathwayId,
            stepId: step.id,
            kind: eventKind,
            at: firedAt,
            actorUserId: null,
            actorRole: 'system',
            reason: null,
            details,
            dedupeKey: `${step.id}:${kind}:${moment.toISOString()}`,
          });
        }
        return step;
      });
      for (const e of events)
        if (e.kind === 'step-completed')
          e.stepId = steps[definition.steps.findIndex((s) => s.id === (e.details as { step: string }).step)]!.id;

      stats.byDefinition[definition.code] = (stats.byDefinition[definition.code] ?? 0) + 1;
      if (!spec.lead) stats.unassigned += 1;
      stats.steps += steps.length;
      stats.events += events.length;
      for (const s of steps) {
        stats.byStatus[s.status] = (stats.byStatus[s.status] ?? 0) + 1;
        if (s.status !== 'open') continue;
        stats.open.total += 1;
        if (s.dueBy! < now) stats.open.overdue += 1;
        else if (s.dueFrom! <= now) stats.open.inWindow += 1;
        if (s.escalationLevel > 0) stats.open.escalated += 1;
        if (isQueue(s.assignee, 'oh-clinician')) stats.open.inClinicianQueue += 1;
      }
      return { pathway, steps, events };
    };

    // Rounds: the pathways of each definition still wanted, started at random over the spread
    // and inserted in the order they started; those that finished by now are dropped (they sit
    // outside every range the sweep and the worklists read) and replaced in the next round.
    const evaluate = rememberingEvaluator();
    const repo = new PathwayRepository(platform.db);
    let loadPathwaysMs = 0;
    const wanted = [...counts];
    for (let round = 1; wanted.some((n) => n > 0); round++) {
      if (round > 200) throw new Error('pathways keep finishing before now: cannot reach the number asked for');
      t = performance.now();
      const specs: Spec[] = [];
      wanted.forEach((n, d) => {
        if (n > pools[d]!.length)
          throw new Error(`not enough people left for the ${DEFINITION_SHARES[d]![0]} pathways: raise --people`);
        for (let i = 0; i < n; i++) specs.push(spec(d));
      });
      specs.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      generateMs += elapsed(t);
      for (let i = 0; i < specs.length; i += CHUNK) {
        t = performance.now();
        const built: Built[] = [];
        for (const s of specs.slice(i, i + CHUNK)) {
          const b = build(s);
          if (b) {
            built.push(b);
            wanted[s.definition]! -= 1;
          } else {
            stats.finished += 1;
            // Back into the pool at a random place (the one there goes to the end, drawn next).
            const pool = pools[s.definition]!;
            const j = Math.floor(rng() * (pool.length + 1));
            if (j === pool.length) pool.push(s.person);
            else {
              pool.push(pool[j]!);
              pool[j] = s.person;
            }
          }
        }
        generateMs += elapsed(t);
        t = performance.now();
        await repo.transaction((trx) =>
          repo.insertPathwaysBulk(
            built.map((b) => b.pathway),
            built.flatMap((b) => b.steps),
            trx,
            built.flatMap((b) => b.events),
          ),
        );
        loadPathwaysMs += elapsed(t);
      }
    }

    // A freshly bulk-loaded PostgreSQL table has no statistics and no visibility map until
    // autovacuum gets to it; a production database is measured in that steady state.
    t = performance.now();
    if (isPostgres(platform.db))
      await platform.db.raw('VACUUM ANALYZE people, users, pathways, pathway_steps, pathway_events');
    const analyseMs = elapsed(t);

    const loaded: PathwaysLoaded = {
      organisations: workforce.organisations.length,
      people: workforce.people.length,
      inPost: inPost.length,
      clinicians,
      pathways: o.pathways,
      finishedNotLoaded: stats.finished,
      unassignedPathways: stats.unassigned,
      byDefinition: stats.byDefinition,
      steps: stats.steps,
      stepsByStatus: stats.byStatus,
      openSteps: stats.open,
      events: stats.events,
      pendingTimers: stats.pending,
      firedTimers: stats.fired,
      timingsMs: { generate: generateMs, loadPeople: loadPeopleMs, loadPathways: loadPathwaysMs, analyse: analyseMs },
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    writeReady(loaded as unknown as Record<string, unknown>);
  } finally {
    await platform.close();
  }
}

/**
 * evaluateCondition, remembered: FHIRPath over a plain object of facts depends only on the
 * facts the expression names, so the answer for the same expression and the same values of
 * those facts is the same. Evaluating (about 13 µs) dominated generating the pathways.
 */
function rememberingEvaluator(): ConditionEvaluator {
  const names = new Map<string, string[]>();
  const results = new Map<string, boolean | null>();
  return (expression, facts) => {
    let used = names.get(expression);
    if (!used) {
      used = [...new Set(expression.replace(/'(?:[^'\\]|\\.)*'/g, '').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
      names.set(expression, used);
    }
    const key = `${expression}\u0000${used.map((n) => JSON.stringify(facts[n] ?? null)).join('\u0000')}`;
    let result = results.get(key);
    if (result === undefined) {
      result = evaluateCondition(expression, facts);
      results.set(key, result);
    }
    return result;
  };
}

const isQueue = (a: Assignee | null, role: string) => a !== null && 'role' in a && a.role === role;

/** The first sweep (quarter hour) at or after `ms`; strictly after it when the timer needs its moment passed (overdue). */
function firstSweepAfter(ms: number, strictly: boolean): number {
  const at = Math.ceil(ms / SWEEP_MS) * SWEEP_MS;
  return strictly && at === ms ? at + SWEEP_MS : at;
}

/**
 * The facts a definition counts from that no form of it asks for: enrolment supplies them
 * (the retirement pathway's planned leaving date comes from the workforce record, a dental
 * injury's moment from the referral). A fact that every step counted from it also tests in
 * its condition (the mental-health pathway's traumatic incident) is there for some
 * pathways only: a third of them.
 */
function factSources(
  definition: PathwayDefinition,
  catalogue: DefinitionCatalogue,
): { enrolmentFacts: Array<{ fact: string; share: number }>; forms: Map<string, StepForm> } {
  const forms = new Map<string, StepForm>();
  for (const s of definition.steps) if (s.questionnaire) forms.set(s.questionnaire, catalogue.form(s.questionnaire));
  const asked = new Set([...forms.values()].flatMap((f) => f.items.map((i) => i.linkId)));
  const anchors = [
    ...new Set(definition.steps.flatMap((s) => (s.timing.anchor.kind === 'fact' ? [s.timing.anchor.fact] : []))),
  ]
    .filter((f) => !asked.has(f))
    .sort();
  return {
    enrolmentFacts: anchors.map((fact) => {
      const counted = definition.steps.filter((s) => s.timing.anchor.kind === 'fact' && s.timing.anchor.fact === fact);
      return { fact, share: counted.every((s) => s.condition?.includes(fact)) ? 1 / 3 : 1 };
    }),
    forms,
  };
}

/** A value for a date fact supplied at enrolment: a planned leaving date lies ahead, anything else (an injury, an incident) just before the start. */
function enrolmentFact(fact: string, startedAt: Date, rng: () => number): Answer {
  if (/leaving|retire/i.test(fact))
    return londonDay(new Date(startedAt.getTime() + (60 + Math.floor(rng() * 300)) * DAY));
  return new Date(startedAt.getTime() - Math.floor(rng() * 3 * DAY)).toISOString();
}

/**
 * When a step that opened at `openedAt` gets done, or Infinity when it never is: seven in
 * ten within their window, the rest late (by about as long again as the window, at least
 * three days, on average), a few never (the person does not reply, the manager forgets; they
 * stay open, overdue and escalated, and hold up the steps after them).
 */
function completionTime(step: StepDefinition, plan: StepPlan, openedAt: number, rng: () => number): number {
  if (rng() >= (DONE_SHARE[step.performer] ?? 0.9)) return Infinity;
  const from = plan.dueFrom!.getTime();
  const by = plan.dueBy!.getTime();
  const span = Math.max(by - from, DAY);
  const at = rng() < 0.7 ? from + rng() * span : by - Math.log(1 - rng()) * Math.max(span, 3 * DAY);
  return Math.max(openedAt + HOUR, at);
}

/** Valid answers to a form, given at `at`, read as the service reads them (facts and scores). */
function answer(form: StepForm, at: Date, rng: () => number): { answers: Record<string, Answer>; facts: Facts } {
  const input: Record<string, unknown> = {};
  for (const item of form.items) {
    if (item.type === 'display' || (!item.required && rng() < 0.4)) continue;
    switch (item.type) {
      case 'choice':
        input[item.linkId] = item.options[Math.floor(rng() * item.options.length)]!.code;
        break;
      case 'boolean':
        input[item.linkId] = rng() < 0.5;
        break;
      case 'integer':
        input[item.linkId] = Math.floor(rng() * 11);
        break;
      case 'date':
        input[item.linkId] = londonDay(new Date(at.getTime() + (Math.floor(rng() * 150) - 20) * DAY));
        break;
      case 'dateTime':
        input[item.linkId] = new Date(at.getTime() - Math.floor(rng() * 72) * HOUR).toISOString();
        break;
      default:
        input[item.linkId] = 'Benchmark answer.';
    }
  }
  try {
    return readAnswers(form, input);
  } catch (error) {
    throw new Error(
      `could not answer ${form.url}: ${JSON.stringify((error as { fields?: unknown }).fields ?? String(error))}`,
      { cause: error },
    );
  }
}

// Started by the runner: stop when its end of stdin closes (the runner died), so no load runs on unwatched.
if (process.env[PARENT_WATCH_ENV] === '1') {
  process.stdin.on('end', () => process.exit(1));
  process.stdin.on('error', () => process.exit(1));
  process.stdin.resume();
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench pathways-seed failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  })
  // stdin (the lifeline) keeps the event loop alive, so leave explicitly.
  .finally(() => process.exit());
