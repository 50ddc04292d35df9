import { mulberry32 } from '../../src/demo/absence-history.js';
import type { WorkforceRole, WorkingPattern } from '../../src/people/people-schemas.js';
import type { NewPerson, Organisation, Unit } from '../../src/people/people-types.js';
import { addDays, type IsoDate } from '../../src/shared/dates.js';

/**
 * A large synthetic workforce for benchmarks, deterministic for a seed: plain arithmetic on
 * one seeded stream, no faker (faker per person makes 50,000 people take tens of seconds,
 * and benchmarks need neither realistic names nor NHS numbers). Shapes follow the demo
 * organisation (src/demo/demo-data.ts): a host force and two partner agencies, units with a
 * head, team leaders and teams of eight; weekday patterns (full- and part-time) and shift
 * rotas; one in twelve joined within the last year (ATT-17); leavers across the history.
 */
export interface Workforce {
  organisations: Organisation[];
  units: Unit[];
  /** Managers before their reports, so inserting in order satisfies every foreign key. */
  people: NewPerson[];
}

type UnitPlan = {
  name: string;
  code: string;
  weight: number;
  roles: ReadonlyArray<readonly [WorkforceRole, number]>;
  shift: boolean;
};

const HOST_UNITS: UnitPlan[] = [
  {
    name: 'Response',
    code: 'RESP',
    weight: 28,
    roles: [
      ['officer', 0.9],
      ['special-constable', 0.1],
    ],
    shift: true,
  },
  {
    name: 'Neighbourhood Policing',
    code: 'NHP',
    weight: 11,
    roles: [
      ['officer', 0.5],
      ['pcso', 0.4],
      ['volunteer', 0.1],
    ],
    shift: true,
  },
  {
    name: 'Criminal Investigation',
    code: 'CID',
    weight: 9,
    roles: [
      ['officer', 0.8],
      ['police-staff', 0.2],
    ],
    shift: false,
  },
  {
    name: 'Public Protection',
    code: 'PPU',
    weight: 7,
    roles: [
      ['officer', 0.7],
      ['police-staff', 0.3],
    ],
    shift: false,
  },
  { name: 'Roads Policing', code: 'RPU', weight: 5, roles: [['officer', 1]], shift: true },
  {
    name: 'Custody',
    code: 'CUST',
    weight: 6,
    roles: [
      ['officer', 0.4],
      ['police-staff', 0.6],
    ],
    shift: true,
  },
  {
    name: 'Force Control Room',
    code: 'FCR',
    weight: 9,
    roles: [
      ['police-staff', 0.9],
      ['officer', 0.1],
    ],
    shift: true,
  },
  {
    name: 'Professional Standards',
    code: 'PSD',
    weight: 2,
    roles: [
      ['officer', 0.6],
      ['police-staff', 0.4],
    ],
    shift: false,
  },
  { name: 'People Services', code: 'HR', weight: 4, roles: [['police-staff', 1]], shift: false },
  { name: 'Corporate Services', code: 'CORP', weight: 6, roles: [['police-staff', 1]], shift: false },
];
const PARTNER_UNITS: UnitPlan[] = [
  { name: 'Operational Crews', code: 'OPS', weight: 6, roles: [['police-staff', 1]], shift: true },
  { name: 'Control', code: 'CTRL', weight: 2, roles: [['police-staff', 1]], shift: true },
  { name: 'Support', code: 'SUP', weight: 2, roles: [['police-staff', 1]], shift: false },
];

/** Shift rotas (police rotas run through bank holidays): a 10-day response rota and a 4-on-4-off. */
const ROTAS: ReadonlyArray<readonly boolean[]> = [
  [true, true, true, true, true, true, false, false, false, false],
  [true, true, true, true, false, false, false, false],
];
/** Part-time weekday patterns. */
const PART_TIME: ReadonlyArray<readonly number[]> = [
  [1, 2, 3],
  [1, 2, 3, 4],
  [2, 3, 4, 5],
  [1, 3, 5],
];
const GIVEN = [
  'Alex',
  'Bethan',
  'Carys',
  'Dafydd',
  'Emma',
  'Gareth',
  'Hannah',
  'Ieuan',
  'Jade',
  'Kieran',
  'Lowri',
  'Mohammed',
  'Nia',
  'Owen',
  'Priya',
  'Rhys',
  'Sian',
  'Tom',
];
const FAMILY = [
  'Davies',
  'Evans',
  'Hughes',
  'Jones',
  'Khan',
  'Lewis',
  'Morgan',
  'Owen',
  'Price',
  'Roberts',
  'Smith',
  'Thomas',
  'Williams',
  'Wright',
];
/** Team size under one leader, as in the demo organisation. */
const TEAM = 8;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Generates the workforce of `size` people as of `asOf`, with leavers over the last `years` years. */
export function generateWorkforce(options: { size: number; seed: number; asOf: IsoDate; years: number }): Workforce {
  const rng = mulberry32(options.seed);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  let sequence = 0;
  // UUID-shaped (version 4 layout), from the stream, with a counter in the last group so ids never repeat.
  const id = () => {
    sequence += 1;
    const r = Array.from({ length: 8 }, () => HEX[int(0, 255)]!);
    const count = sequence.toString(16).padStart(12, '0');
    return `${r[0]}${r[1]}${r[2]}${r[3]}-${r[4]}${r[5]}-4${r[6]!.slice(1)}${r[7]}-${'89ab'[int(0, 3)]}${HEX[int(0, 255)]!.slice(1)}${HEX[int(0, 255)]}-${count}`;
  };
  const pickRole = (roles: UnitPlan['roles']): WorkforceRole => {
    const u = rng();
    let acc = 0;
    for (const [role, share] of roles) if (u < (acc += share)) return role;
    return roles[0]![0];
  };

  const host: Organisation = {
    id: id(),
    name: 'Bench Constabulary',
    kind: 'host-force',
    odsCode: null,
    hostOrganisationId: null,
  };
  const fire: Organisation = {
    id: id(),
    name: 'Bench Fire and Rescue Service',
    kind: 'partner-agency',
    odsCode: null,
    hostOrganisationId: host.id,
  };
  const ambulance: Organisation = {
    id: id(),
    name: 'Bench Ambulance Service',
    kind: 'partner-agency',
    odsCode: null,
    hostOrganisationId: host.id,
  };
  const units: Unit[] = [];
  const people: NewPerson[] = [];
  const staffNumbers = new Map<string, number>();

  const person = (
    o: Organisation,
    prefix: string,
    unit: Unit,
    role: WorkforceRole,
    manager: string | null,
    shift: boolean,
  ): NewPerson => {
    const age = int(19, 63);
    const birth = addDays(options.asOf, -(age * 365 + int(0, 364)));
    // About one in twelve joined within the last year (ATT-17 projects their score).
    const serviceStart =
      rng() < 0.08
        ? addDays(options.asOf, -int(14, 360))
        : addDays(options.asOf, -int(366, Math.max(366, Math.min(35, age - 18) * 365)));
    const u = rng();
    const pattern: WorkingPattern = shift
      ? { kind: 'rota', anchorDate: addDays(options.asOf, -int(0, 9)), cycle: [...ROTAS[u < 0.75 ? 0 : 1]!] }
      : u < 0.85
        ? { kind: 'weekly', days: [1, 2, 3, 4, 5] }
        : { kind: 'weekly', days: [...PART_TIME[int(0, PART_TIME.length - 1)]!] };
    const n = (staffNumbers.get(prefix) ?? 10000) + 1;
    staffNumbers.set(prefix, n);
    const collared = role === 'officer' || role === 'pcso' || role === 'special-constable';
    return {
      id: id(),
      organisationId: o.id,
      staffNumber: `${prefix}${n}`,
      collarNumber: collared ? String(int(1000, 9999)) : null,
      givenName: GIVEN[int(0, GIVEN.length - 1)]!,
      familyName: FAMILY[int(0, FAMILY.length - 1)]!,
      dateOfBirth: birth,
      nhsNumber: null,
      role,
      unitId: unit.id,
      lineManagerId: manager,
      serviceStartDate: serviceStart,
      leavingDate: null,
      workingPattern: pattern,
      protectedIdentity: rng() < 0.02,
      workEmail: `${prefix.toLowerCase()}${n}@bench.test`,
      personalEmail: null,
    };
  };

  /** A head of the organisation, a head per unit, team leaders with teams of eight. */
  const workforce = (o: Organisation, prefix: string, plans: UnitPlan[], total: number) => {
    const orgUnits = plans.map((p): Unit => ({
      id: id(),
      organisationId: o.id,
      name: p.name,
      code: `${prefix}-${p.code}`,
      parentUnitId: null,
    }));
    units.push(...orgUnits);
    const top = person(o, prefix, orgUnits[0]!, plans[0]!.roles[0]![0], null, false);
    people.push(top);
    const weights = plans.reduce((s, p) => s + p.weight, 0);
    let remaining = total - 1;
    plans.forEach((plan, i) => {
      const size =
        i === plans.length - 1
          ? remaining
          : Math.min(remaining, Math.max(2, Math.round(((total - 1) * plan.weight) / weights)));
      if (size <= 0) return;
      remaining -= size;
      const unit = orgUnits[i]!;
      const head = person(o, prefix, unit, plan.roles[0]![0], top.id, false);
      people.push(head);
      let leader: NewPerson | null = null;
      for (let k = 1; k < size; k++) {
        if (leader === null || (k - 1) % (TEAM + 1) === 0) {
          leader = person(o, prefix, unit, plan.roles[0]![0], head.id, plan.shift);
          people.push(leader);
        } else {
          people.push(person(o, prefix, unit, pickRole(plan.roles), leader.id, plan.shift));
        }
      }
    });
  };

  const partner = Math.max(6, Math.round(options.size * 0.05));
  workforce(host, 'BC', HOST_UNITS, Math.max(20, options.size - 2 * partner));
  workforce(fire, 'FR', PARTNER_UNITS, partner);
  workforce(ambulance, 'AM', PARTNER_UNITS, partner);

  // Leavers: about 3 % a year of the history, among people who manage nobody.
  const managers = new Set(people.map((p) => p.lineManagerId));
  const leaverShare = Math.min(0.5, 0.03 * options.years);
  for (const p of people) {
    if (managers.has(p.id) || rng() >= leaverShare) continue;
    const leaving = addDays(options.asOf, -int(1, Math.round(options.years * 365)));
    if (leaving > p.serviceStartDate) p.leavingDate = leaving;
  }
  return { organisations: [host, fire, ambulance], units, people };
}
