import { createHash } from 'node:crypto';

/** The invitation token of invitee `i` in the surveys benchmark: the server seeds its digest, the runner sends it. */
export function surveyToken(i: number): string {
  return createHash('sha256').update(`survey-bench:${i}`).digest('base64url');
}
