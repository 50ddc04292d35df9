import type { IsoDate } from '../shared/dates.js';
import type { TriggerCode } from './bradford.js';

const MASK: Record<TriggerCode, number> = { bradford: 1, spells: 2, continuous: 4 };

/**
 * ATT-18: whether a manager must review the triggers reached now. An episode is the latest
 * counted spell (by its first day); decisions dated on or after it cover the triggers they
 * name. A review is needed while any reached trigger is not covered; each combination of
 * episode and triggers reached is its own review (`sequence`: the episode as YYYYMMDD, then
 * the triggers as one digit), so a trigger newly reached after a decision asks again.
 */
export function triggerReviewNeeded(input: {
  reached: readonly TriggerCode[];
  episode: IsoDate | null;
  decisions: ReadonlyArray<{ asOf: IsoDate; triggerCodes: readonly string[] }>;
}): { sequence: number } | null {
  if (input.reached.length === 0 || input.episode === null) return null;
  const covered = new Set(input.decisions.filter((d) => d.asOf >= input.episode!).flatMap((d) => d.triggerCodes));
  if (input.reached.every((code) => covered.has(code))) return null;
  const mask = input.reached.reduce((m, code) => m | MASK[code], 0);
  return { sequence: Number(input.episode.replaceAll('-', '')) * 10 + mask };
}
