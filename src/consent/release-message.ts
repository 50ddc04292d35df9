import type { IsoDate } from '../shared/dates.js';
import type { Consent } from './consent-types.js';

/**
 * THE one place that says when a report consent's report may be released, as the person reads it
 * (issue 15 §5). The pages (show, report, mine) and the review letter show this and nothing else,
 * so the person is never told both "it may be released on …" and "it will not be released until
 * you have told us your decision". `earliest` is consent-rules `earliestReleaseDate` (AMRA-4, §5b).
 * The words are `consents.release.<state>` in English and Welsh, with `date` where one is given.
 */
export type ReleaseState =
  /** Waiting for them to read it: it may go on `date` if they have not read it by then. */
  | 'releaseOn'
  /** The time to read it first has passed: it may go now. */
  | 'releaseNow'
  /** They did not ask to see it first: it may go now (they may still ask). */
  | 'notAskedToSee'
  /** They have read it (or arranged to): it waits for their decision. */
  | 'waitingForDecision'
  /** A correction they asked for is waiting for an answer. */
  | 'correctionOpen'
  /** Released on `date`. */
  | 'released'
  /** They refused its release: it is never released. */
  | 'withheld';

export interface ReleaseMessage {
  state: ReleaseState;
  date: IsoDate | null;
}

export function releaseMessage(c: Consent, earliest: IsoDate | null, today: IsoDate): ReleaseMessage | null {
  if (c.kind === 'nhs-sharing') return null;
  if (c.status === 'supplied') return { state: 'released', date: c.suppliedOn };
  if (c.status === 'withheld') return { state: 'withheld', date: null };
  if (c.status !== 'report-received') return null;
  if (c.corrections.some((r) => r.response === null)) return { state: 'correctionOpen', date: null };
  if (!c.wishesToSeeReport) return { state: 'notAskedToSee', date: null };
  if (earliest === null) return { state: 'waitingForDecision', date: null };
  if (earliest > today) return { state: 'releaseOn', date: earliest };
  return { state: 'releaseNow', date: null };
}

/** The message's locale key and values: `t(key, values)` (the date already in the reader's words). */
export function releaseWords(
  m: ReleaseMessage,
  date: (iso: IsoDate) => string,
): { key: string; values: Record<string, string> } {
  return { key: `consents.release.${m.state}`, values: m.date ? { date: date(m.date) } : {} };
}
