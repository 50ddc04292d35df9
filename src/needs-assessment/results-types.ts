import type { HseBand, HseDomain, ResponseRateBand } from './scoring.js';

/** A figure as every results view and export gives it (CONF-5): its value, how many people it is from, suppressed or not. */
export interface ResultFigure {
  /** null when suppressed. */
  value: number | null;
  n: number;
  suppressed: boolean;
}

/** One answer option's share of those who answered a question (value 0–1). */
export interface OptionShare {
  code: string;
  share: ResultFigure;
}

/**
 * A campaign's results for everyone or one reporting group (issue 17 §6), every figure suppressed as CONF-5
 * requires, the differencing protection included. Labels are not here: pages word them from the questionnaire.
 */
export interface CampaignResults {
  campaignId: string;
  /** The reporting group shown, or null for everyone. */
  group: string | null;
  threshold: number;
  /** How many answered (in the group shown). */
  responses: ResultFigure;
  /** Everyone's response rate over invitations, 0–1, with HSE's band (NA-3). Not suppressed: it names no answer. */
  responseRate: { value: number; band: ResponseRateBand };
  /** Each reporting group: its invitations, its responses, and whether it may be shown on its own. */
  groups: Array<{ key: string; invited: number; responses: ResultFigure; queryable: boolean }>;
  /** HSE Management Standards (NA-3, NA-5). */
  hse: null | {
    domains: Array<{
      domain: HseDomain;
      mean: ResultFigure;
      /** NA-5: null until a benchmark is configured. */
      band: HseBand | null;
      previous: ResultFigure | null;
      /** This mean less the previous campaign's, when both are shown. */
      change: number | null;
      /** The same domain per reporting group (only when showing everyone), suppressed with its complements. */
      byGroup: Array<{ key: string; mean: ResultFigure }>;
    }>;
    items: Array<{ item: number; linkId: string; domain: HseDomain; reversed: boolean; distribution: OptionShare[] }>;
  };
  /** SWEMWBS metric score mean (NA-6). */
  swemwbs: null | { mean: ResultFigure; previous: ResultFigure | null; change: number | null };
  /** PHQ-4: the share screening positive on each subscale (value 0–1). */
  phq4: null | { anxietyPositive: ResultFigure; depressionPositive: ResultFigure };
  /** Access barriers (NA-1): the share reporting each (value 0–1), and the previous campaign's. */
  barriers: null | Array<{ code: string; share: ResultFigure; previous: ResultFigure | null }>;
  /** Every other choice or yes/no question: its answers' distribution. */
  questions: Array<{ linkId: string; answered: ResultFigure; distribution: OptionShare[] }>;
  /** Free-text comments, only when the group shown has at least the threshold of responses; otherwise null. */
  comments: string[] | null;
  /** Every figure above, flat, for the API and CSV: `code` names it (e.g. `hse.demands.mean`). */
  figures: Array<{ code: string } & ResultFigure>;
}
