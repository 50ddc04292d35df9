import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPerson,
  buildWorld,
  createTestPlatform,
  type TestPlatform,
  type World,
} from '../support/test-platform.js';

/**
 * Durable pathway timers (issue 4 §3): several app processes sweep the same database; one is
 * killed part-way through. Every due, overdue and escalation event must be recorded exactly once.
 */
describe('pathway timers across processes', () => {
  let t: TestPlatform;
  let w: World;
  const PEOPLE = 40;
  const now = '2026-12-20T09:00:00.000Z';

  beforeAll(async () => {
    t = await createTestPlatform();
    t.clock.set('2026-11-02T09:00:00Z');
    w = await buildWorld(t);
    const people = Array.from({ length: PEOPLE }, (_, i) =>
      buildPerson(w.host.id, { unitId: w.unit.id, lineManagerId: w.manager.id, givenName: `Timer${i}` }),
    );
    await t.platform.repositories.people.insertPeople(people, t.clock.now());
    const system = { actor: null, requestId: 'test', ip: null } as const;
    for (const p of people) {
      await t.platform.services.pathways.enrol(system, {
        personId: p.id,
        definition: 'msk',
        startedAt: new Date('2026-11-02T09:00:00Z'),
        source: 'automatic',
      });
    }
  });
  afterAll(async () => t.destroy());

  function worker(env: Record<string, string>): {
    done: Promise<number | null>;
    output: () => string;
    kill: () => void;
  } {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/support/sweep-worker.ts'], {
      env: { ...process.env, SWEEP_DB: JSON.stringify(t.database.config), SWEEP_NOW: now, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    return {
      done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
      output: () => out,
      kill: () => child.kill('SIGKILL'),
    };
  }

  it('when two workers sweep at once and one is killed mid-sweep, then after a restart every timer has fired exactly once', async () => {
    const db = t.database.db;
    const open = await db('pathway_steps')
      .where({ status: 'open' })
      .where('escalate_at', '<=', now)
      .count<{ n: number }[]>({ n: '*' });
    const expectedSteps = Number(open[0]!.n);
    expect(expectedSteps).toBeGreaterThanOrEqual(PEOPLE);

    const a = worker({ SWEEP_BATCH: '3', SWEEP_PAUSE_MS: '40' });
    const b = worker({ SWEEP_BATCH: '3', SWEEP_PAUSE_MS: '25' });
    const deadline = Date.now() + 60_000;
    while ((a.output().match(/^batch /gm) ?? []).length < 2) {
      if (Date.now() > deadline) throw new Error(`worker A never swept:\n${a.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    a.kill();
    expect(await a.done).toBeNull(); // killed, not finished
    expect(a.output()).not.toContain('done');
    expect(await b.done).toBe(0);
    // The restart: a fresh process sweeps whatever is left.
    const c = worker({});
    expect(await c.done).toBe(0);
    expect(c.output()).toContain('done');

    const rows = await db('pathway_events')
      .whereIn('kind', ['step-due', 'step-overdue', 'step-escalated'])
      .select('step_id', 'kind')
      .count<{ step_id: string; kind: string; n: number }[]>({ n: '*' })
      .groupBy('step_id', 'kind');
    const byKind = (k: string) => rows.filter((r) => r.kind === k);
    for (const k of ['step-due', 'step-overdue', 'step-escalated']) {
      expect(byKind(k)).toHaveLength(expectedSteps);
      expect(byKind(k).every((r) => Number(r.n) === 1)).toBe(true);
    }
    // Each escalated step moved up one level, once.
    const levels = await db('pathway_steps')
      .where({ status: 'open' })
      .where('escalate_at', '<=', now)
      .select('escalation_level');
    expect(levels.every((r) => Number(r.escalation_level) === 1)).toBe(true);
  }, 120_000);
});
