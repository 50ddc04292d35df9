import { describe, expect, it } from 'vitest';
import type { NewAbsenceSpell } from '../attendance/attendance-types.js';
import { addDays } from '../shared/dates.js';
import { generateAbsenceHistory } from './absence-history.js';
import { ABSENT_FOR_DAYS, QUIET_DAYS, RETURNED, tellTeamStory, type TeamPerson } from './team-story.js';

const AS_OF = '2026-11-22';

function buildTeamPerson(n: number, overrides: Partial<TeamPerson> = {}): TeamPerson & { role: 'officer' } {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    organisationId: 'org-1',
    givenName: 'Alex',
    familyName: `Member${String.fromCharCode(65 + (n % 26))}`,
    serviceStartDate: '2015-06-01',
    leavingDate: null,
    workingPattern: {
      kind: 'rota',
      anchorDate: '2026-11-13',
      cycle: [true, true, true, true, true, true, false, false, false, false],
    },
    role: 'officer',
    ...overrides,
  };
}

/** A team whose generated history (at a high rate) certainly has recent spells to clear. */
function tell(team: ReturnType<typeof buildTeamPerson>[], teamMember = team[0]!) {
  const outsider = buildTeamPerson(99);
  const history = generateAbsenceHistory({
    people: [...team, outsider],
    asOf: AS_OF,
    years: 2,
    seed: 5,
    spellsPerPersonYear: 12,
  });
  return {
    history,
    outsider,
    story: tellTeamStory({ history, team, teamMember, asOf: AS_OF, seed: 5, newId: idSequence() }),
  };
}

function idSequence(): () => string {
  let n = 0;
  return () => `11111111-1111-4111-8111-${String((n += 1)).padStart(12, '0')}`;
}

const spellsOf = (spells: readonly NewAbsenceSpell[], personId: string) =>
  spells.filter((s) => s.personId === personId);

describe('tellTeamStory', () => {
  const team = [
    buildTeamPerson(1, { familyName: 'Adams' }),
    buildTeamPerson(2, { familyName: 'Zephaniah' }),
    buildTeamPerson(3, { familyName: 'Brown' }),
    buildTeamPerson(4, { familyName: 'Young' }),
    buildTeamPerson(5, { familyName: 'Clarke', leavingDate: addDays(AS_OF, -20) }),
  ];
  const { history, outsider, story } = tell(team);

  it('when told, then the member whose name sorts last is absent since 10 days ago and the next one was absent from 6 to 3 days ago', () => {
    expect(story.absentNow).toMatchObject({
      personId: team[1]!.id,
      startDate: addDays(AS_OF, -ABSENT_FOR_DAYS),
      endDate: null,
      reasonCategory: 'musculoskeletal-back',
      certification: 'medical',
    });
    expect(story.returned).toMatchObject({
      personId: team[3]!.id,
      startDate: addDays(AS_OF, -RETURNED.fromDaysAgo),
      endDate: addDays(AS_OF, -RETURNED.toDaysAgo),
      countsAsSickness: true,
    });
    expect(story.history).toContain(story.returned);
    expect(story.history).not.toContain(story.absentNow);
  });

  it('when told, then the staff member has three closed spells in the past year and none in the last 45 days', () => {
    const own = spellsOf(story.history, team[0]!.id).filter((s) => (s.endDate ?? AS_OF) >= addDays(AS_OF, -364));
    expect(own).toEqual(story.teamMemberSpells);
    expect(own).toHaveLength(3);
    for (const s of own)
      expect(s.endDate !== null && s.endDate < addDays(AS_OF, -QUIET_DAYS) && s.startDate >= addDays(AS_OF, -364)).toBe(
        true,
      );
  });

  it('when told, then nobody else in the team, leavers included, has a spell in the last 45 days, and people outside the team keep their history', () => {
    expect(
      history.some((s) => team.some((p) => p.id === s.personId) && (s.endDate ?? AS_OF) >= addDays(AS_OF, -QUIET_DAYS)),
      'the generated history had recent spells to clear',
    ).toBe(true);
    for (const member of [team[2]!, team[4]!]) {
      expect(
        spellsOf(story.history, member.id).every((s) => s.endDate !== null && s.endDate < addDays(AS_OF, -QUIET_DAYS)),
      ).toBe(true);
    }
    expect(spellsOf(story.history, outsider.id)).toEqual(spellsOf(history, outsider.id));
  });

  it('when told twice with the same seed, then the story is the same', () => {
    expect(tell(team).story).toEqual(story);
  });

  it('when the team has fewer than four people in post, then it is refused', () => {
    expect(() => tell(team.slice(0, 3))).toThrow(/at least four/);
  });
});
