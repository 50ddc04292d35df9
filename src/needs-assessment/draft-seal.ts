import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { randomSecret, sha256 } from '../shared/ids.js';

/**
 * Answers in progress are sealed with a key only the respondent holds (NA-2): derived from their invitation
 * token, or from the secret their browser was given when they started from the home page. The platform keeps
 * neither, so neither a database reader nor an administrator can open a draft, and nothing in the draft row
 * can be matched to the invitation it came from (the digests use different, one-way derivations).
 */

/** The invitation's digest, kept on the invitation until it is used (and the invitation deleted). */
export function invitationDigest(token: string): string {
  return sha256(`survey-invitation:${token}`);
}

/** The draft's digest, by which the respondent's secret finds it again; not derivable from the invitation's. */
export function resumeDigest(secret: string): string {
  return sha256(`survey-resume:${secret}`);
}

/** A new secret for a respondent (an invitation token, or a resume secret). */
export function newSurveySecret(): string {
  return randomSecret(32);
}

function keyOf(secret: string, draftId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, draftId, 'blue-light-pathways survey draft', 32));
}

/** Seals a draft's content under the respondent's secret (AES-256-GCM; the draft id binds it to its row). */
export function sealDraft(secret: string, draftId: string, content: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, draftId), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Opens a sealed draft; null when the secret is not the one it was sealed with. */
export function openDraft(secret: string, draftId: string, sealed: string): unknown {
  try {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret, draftId), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
