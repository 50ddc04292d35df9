import type { ReasonCategory } from '../attendance/attendance-schemas.js';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';
import type { NewPerson } from '../people/people-types.js';
import { addDays, daysBetween, type IsoDate } from '../shared/dates.js';
import { firstRosteredDate, randomFor, storySpell } from './absence-history.js';

/** The manager's team has no absence in these last days other than the story's: browser tests record absences for them there. */
export const QUIET_DAYS = 45;
/** The team member who is absent today started this many days ago. */
export const ABSENT_FOR_DAYS = 10;
/** The team member who is back: absent from 6 to 3 days ago. */
export const RETURNED = { fromDaysAgo: 6, toDaysAgo: 3 } as const;

export type TeamPerson = Pick<
  NewPerson,
  'id' | 'organisationId' | 'givenName' | 'familyName' | 'serviceStartDate' | 'leavingDate' | 'workingPattern'
>;

export interface TeamStory {
  /** The generated history less what the story replaces, plus the story's closed spells. */
  history: NewAbsenceSpell[];
  /** The team member absent today (ABSENT_FOR_DAYS). */
  absentNow: NewAbsenceSpell;
  /** The team member back since RETURNED.toDaysAgo, whose return-to-work interview is due. */
  returned: NewAbsenceSpell;
  /** The demo staff member's spells in the past year, oldest first. */
  teamMemberSpells: NewAbsenceSpell[];
}

/** The demo staff member's year: three short self-certified spells (so one ATT-18 trigger, three spells in 12 months, is reached). */
const TEAM_MEMBER_YEAR: ReadonlyArray<{ at: number; days: number; reason: ReasonCategory }> = [
  { at: 0.1, days: 2, reason: 'cold-flu' },
  { at: 0.45, days: 1, reason: 'gastrointestinal' },
  { at: 0.8, days: 3, reason: 'headache-migraine' },
];

const searchName = (p: TeamPerson) => `${p.familyName} ${p.givenName}`.toLowerCase();

/**
 * The demo accounts' story in the line manager's direct team, told over the generated history
 * (src/demo/README.md): one member absent now, one back recently with the interview to do,
 * the demo staff member with three spells in the past year but none lately, and nobody else
 * absent in the last QUIET_DAYS days. The absent and returned members are the two whose names
 * sort last, so neither heads the manager's people list. Pure and deterministic for the seed.
 */
export function tellTeamStory(input: {
  history: readonly NewAbsenceSpell[];
  /** The manager's direct reports, leavers included. */
  team: readonly TeamPerson[];
  /** The demo staff member (one of `team`), with at least a year's service. */
  teamMember: TeamPerson;
  asOf: IsoDate;
  seed: number;
  newId: () => string;
}): TeamStory {
  const { asOf, teamMember } = input;
  const inPost = input.team.filter((p) => p.leavingDate === null || p.leavingDate > asOf);
  const others = inPost
    .filter((p) => p.id !== teamMember.id && p.serviceStartDate <= addDays(asOf, -ABSENT_FOR_DAYS))
    .sort((a, b) => (searchName(a) < searchName(b) ? 1 : searchName(a) > searchName(b) ? -1 : a.id < b.id ? 1 : -1));
  if (inPost.length < 4 || others.length < 2 || !inPost.some((p) => p.id === teamMember.id))
    throw new Error('The demo team needs at least four people in post, the staff member among them');
  const [absent, back] = others as [TeamPerson, TeamPerson];

  const yearFrom = addDays(asOf, -364);
  const quietFrom = addDays(asOf, -QUIET_DAYS);
  const teamIds = new Set(input.team.map((p) => p.id));
  const history = input.history.filter((s) => {
    if (!teamIds.has(s.personId)) return true;
    const lastDay = s.endDate ?? asOf;
    return lastDay < (s.personId === teamMember.id ? yearFrom : quietFrom);
  });

  if (teamMember.serviceStartDate > yearFrom) throw new Error('The demo staff member needs a year’s service');
  // Spread over the year before the quiet days; the draws and the roster shift stay well inside it.
  const windowEnd = addDays(quietFrom, -1);
  const span = daysBetween(yearFrom, windowEnd);
  const rng = randomFor(input.seed, teamMember.id);
  const teamMemberSpells = TEAM_MEMBER_YEAR.map((plan) => {
    const drawn = addDays(yearFrom, Math.floor(span * plan.at) + Math.floor(rng() * 10));
    const startDate = firstRosteredDate(teamMember.workingPattern, drawn);
    return storySpell(
      teamMember,
      { id: input.newId(), startDate, endDate: addDays(startDate, plan.days - 1), reasonCategory: plan.reason },
      asOf,
    );
  });

  const absentNow = storySpell(
    absent,
    {
      id: input.newId(),
      startDate: addDays(asOf, -ABSENT_FOR_DAYS),
      endDate: null,
      reasonCategory: 'musculoskeletal-back',
    },
    asOf,
  );
  const returned = storySpell(
    back,
    {
      id: input.newId(),
      startDate: addDays(asOf, -RETURNED.fromDaysAgo),
      endDate: addDays(asOf, -RETURNED.toDaysAgo),
      reasonCategory: 'gastrointestinal',
    },
    asOf,
  );
  return { history: [...history, ...teamMemberSpells, returned], absentNow, returned, teamMemberSpells };
}
