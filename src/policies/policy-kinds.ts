import { z } from 'zod';

/**
 * Policy kinds: the thresholds and periods a force may set differently, with the value
 * the platform ships as the default. Each organisation's changes are stored as numbered
 * versions; a calculation records the version it used. Later capabilities (attendance,
 * pathways, consent) add their kinds here.
 */
export const POLICY_KINDS = {
  /**
   * CONF-5: aggregate views suppress any figure computed from fewer than this many people.
   * Configurable, never below 5.
   */
  disclosure: {
    description: 'Small-number suppression for aggregate views (CONF-5).',
    schema: z
      .object({
        minimumCellSize: z.number().int().min(5, 'Never below 5 (CONF-5)').max(100),
      })
      .strict(),
    defaults: { minimumCellSize: 10 },
  },
  /**
   * The attendance policy (seed 003, domain brief §2). Shipped values are the seed's; fields
   * added later get defaults so earlier published versions still read.
   */
  attendance: {
    description: 'Attendance management thresholds and periods (ATT-15 … ATT-19).',
    schema: z
      .object({
        /** ATT-15: the Bradford window. */
        bradfordWindowWeeks: z.number().int().min(4).max(104).default(52),
        /** ATT-18 */
        bradfordThreshold: z.number().int().min(1).max(100_000).default(200),
        spellsThreshold: z.number().int().min(1).max(50).default(3),
        spellsWindowMonths: z.number().int().min(1).max(24).default(12),
        /** ATT-18: 4 weeks' consecutive absence (ATT-12 long-term absence is also 28 days). */
        continuousDaysThreshold: z.number().int().min(1).max(365).default(28),
      })
      .strict(),
    defaults: { bradfordWindowWeeks: 52, bradfordThreshold: 200, spellsThreshold: 3, spellsWindowMonths: 12, continuousDaysThreshold: 28 },
  },
} as const;

export type PolicyKind = keyof typeof POLICY_KINDS;
export type PolicyContent<K extends PolicyKind> = z.infer<(typeof POLICY_KINDS)[K]['schema']>;

export function isPolicyKind(value: string): value is PolicyKind {
  return Object.hasOwn(POLICY_KINDS, value);
}
