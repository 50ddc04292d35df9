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
} as const;

export type PolicyKind = keyof typeof POLICY_KINDS;
export type PolicyContent<K extends PolicyKind> = z.infer<(typeof POLICY_KINDS)[K]['schema']>;

export function isPolicyKind(value: string): value is PolicyKind {
  return Object.hasOwn(POLICY_KINDS, value);
}
