import type { Breakdown, ReportingGroup } from './survey-types.js';

/** The group everyone outside a named group of enough people falls into. */
export const OTHER_GROUP = 'other';

/**
 * The reporting groups of a campaign, made once at launch (CONF-5, NA-2). Answers carry their group, so a
 * group must never be small enough to point at anyone: every group has at least `threshold` people
 * invited. Named groups (a unit, a workforce role) smaller than that are pooled as "other"; if "other" is
 * then still too small, the smallest named groups join it until it is not. When fewer than two groups
 * remain there is no breakdown at all, and answers carry no group.
 */
export function reportingGroups(
  invitees: ReadonlyArray<{ personId: string; key: string | null }>,
  breakdown: Breakdown,
  threshold: number,
): { groups: ReportingGroup[]; groupOf: Map<string, string | null> } {
  const none = { groups: [], groupOf: new Map(invitees.map((i) => [i.personId, null])) };
  if (breakdown === 'none' || invitees.length < 2 * threshold) return none;
  const sizes = new Map<string, number>();
  for (const i of invitees) {
    const key = i.key ?? OTHER_GROUP;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  const pooled = new Set<string>();
  for (const [key, n] of sizes) if (key === OTHER_GROUP || n < threshold) pooled.add(key);
  const pooledSize = () => [...pooled].reduce((sum, key) => sum + (sizes.get(key) ?? 0), 0);
  // Smallest first, ties by key, so the same population always gives the same groups.
  const named = () =>
    [...sizes.entries()].filter(([key]) => !pooled.has(key)).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  while (pooledSize() > 0 && pooledSize() < threshold && named().length > 0) pooled.add(named()[0]![0]);
  const groups: ReportingGroup[] = named()
    .map(([key, n]) => ({ key, invited: n }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  if (pooledSize() > 0) groups.push({ key: OTHER_GROUP, invited: pooledSize() });
  if (groups.length < 2) return none;
  const groupOf = new Map(
    invitees.map((i) => {
      const key = i.key ?? OTHER_GROUP;
      return [i.personId, pooled.has(key) ? OTHER_GROUP : key];
    }),
  );
  return { groups, groupOf };
}
