import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OTHER_GROUP, reportingGroups } from './population-groups.js';

const people = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([key, n]) =>
    Array.from({ length: n }, (_, i) => ({ personId: `${key}-${i}`, key: key === 'none' ? null : key })),
  );

describe('reporting groups (CONF-5, NA-2)', () => {
  it('when every unit has enough people, then each unit is its own group', () => {
    const { groups, groupOf } = reportingGroups(people({ a: 12, b: 10 }), 'unit', 10);
    expect(groups).toEqual([
      { key: 'a', invited: 12 },
      { key: 'b', invited: 10 },
    ]);
    expect(groupOf.get('b-9')).toBe('b');
  });

  it('when a unit has 9 people, then it is pooled as other, and other grows until it has enough', () => {
    const { groups, groupOf } = reportingGroups(people({ a: 30, b: 12, c: 9 }), 'unit', 10);
    // c (9) alone is too small, so the smallest named group, b (12), joins it.
    expect(groups).toEqual([
      { key: 'a', invited: 30 },
      { key: OTHER_GROUP, invited: 21 },
    ]);
    expect(groupOf.get('c-0')).toBe(OTHER_GROUP);
    expect(groupOf.get('b-0')).toBe(OTHER_GROUP);
  });

  it('when only one group would remain, or the breakdown is none, then answers carry no group', () => {
    expect(reportingGroups(people({ a: 30, b: 5 }), 'unit', 10).groups).toEqual([]);
    expect(reportingGroups(people({ a: 30, b: 30 }), 'none', 10).groupOf.get('a-0')).toBeNull();
  });

  it('for any population, every group has at least the threshold and the groups partition everyone', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'none'), fc.integer({ min: 1, max: 40 })),
        fc.integer({ min: 5, max: 12 }),
        (counts, threshold) => {
          const invitees = people(counts);
          const { groups, groupOf } = reportingGroups(invitees, 'unit', threshold);
          for (const g of groups) expect(g.invited).toBeGreaterThanOrEqual(threshold);
          if (groups.length > 0) {
            expect(groups.reduce((s, g) => s + g.invited, 0)).toBe(invitees.length);
            for (const g of groups) expect([...groupOf.values()].filter((k) => k === g.key)).toHaveLength(g.invited);
          } else expect([...groupOf.values()].every((k) => k === null)).toBe(true);
        },
      ),
    );
  });
});
