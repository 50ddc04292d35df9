import type { DefinitionCode } from '../pathways/definition-format.js';
import type { PathwayService } from '../pathways/pathway-service.js';
import type { NewPerson } from '../people/people-types.js';
import { addDays, londonDay, startOfLondonDay } from '../shared/dates.js';

const DAY = 86_400_000;

/** The demo's pathways: who, which, and how many days ago they started (so the clinician's list has due and overdue steps). */
const PLAN: ReadonlyArray<{
  definition: DefinitionCode;
  daysAgo: number;
  facts?: (startedAt: Date) => Record<string, string>;
}> = [
  { definition: 'msk', daysAgo: 1 },
  { definition: 'msk', daysAgo: 9 },
  { definition: 'msk', daysAgo: 20 },
  {
    definition: 'mental-health',
    daysAgo: 2,
    facts: (s) => ({ incidentAt: new Date(s.getTime() - 10 * 3_600_000).toISOString() }),
  },
  { definition: 'mental-health', daysAgo: 12 },
  {
    definition: 'dental',
    daysAgo: 3,
    facts: (s) => ({ injuryAt: new Date(s.getTime() - 5 * 3_600_000).toISOString() }),
  },
];

/**
 * Pathways for the demo (src/demo/README.md): a handful of people on each pathway, led by the
 * demo OH clinician, started over the last weeks, plus one person a year from leaving on the
 * retirement pathway. Chosen deterministically from people who hold no demo account.
 */
export async function seedDemoPathways(
  deps: { pathways: Pick<PathwayService, 'enrol'> },
  input: { people: readonly NewPerson[]; exclude: ReadonlySet<string>; clinicianUserId: string; now: Date },
): Promise<number> {
  const system = { actor: null, requestId: 'demo', ip: null } as const;
  const today = londonDay(input.now);
  const candidates = input.people
    .filter((p) => !input.exclude.has(p.id) && (p.leavingDate === null || p.leavingDate > today))
    .sort((a, b) => (a.staffNumber < b.staffNumber ? -1 : 1));
  // Every seventh person from the end of the staff list, away from the people browser tests use.
  const chosen = candidates.filter((_, i) => i % 7 === 3).reverse();
  let made = 0;
  for (const [i, plan] of PLAN.entries()) {
    const person = chosen[i];
    if (!person) break;
    // 09:00 UK time, `daysAgo` UK days before today.
    const startedAt = new Date(startOfLondonDay(addDays(today, -plan.daysAgo)).getTime() + 9 * 3_600_000);
    await deps.pathways.enrol(system, {
      personId: person.id,
      definition: plan.definition,
      startedAt,
      facts: plan.facts?.(startedAt),
      source: 'clinician',
      leadClinicianUserId: input.clinicianUserId,
    });
    made += 1;
  }
  const leaver = candidates.find((p) => p.leavingDate === null && !chosen.slice(0, PLAN.length).includes(p));
  if (leaver) {
    const leaving = addDays(today, 330);
    const startedAt = new Date(input.now.getTime() - 35 * DAY);
    await deps.pathways.enrol(system, {
      personId: leaver.id,
      definition: 'retirement',
      startedAt,
      facts: { leavingDate: leaving },
      source: 'clinician',
      leadClinicianUserId: input.clinicianUserId,
    });
    made += 1;
  }
  return made;
}
