import { authenticator } from 'otplib';

/** TOTP (RFC 6238): 6 digits, 30-second steps, one step of tolerance either side. */
const STEP_MS = 30_000;

/** A new base32 secret for enrolment. */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secret: string, accountName: string): string {
  return authenticator.keyuri(accountName, 'Blue Light Pathways', secret);
}

/** The code for `secret` at `at` (tests, and the demo's documented secrets). */
export function totpCode(secret: string, at: Date): string {
  return authenticator.clone({ epoch: at.getTime() }).generate(secret);
}

/**
 * Checks `code` against `secret` at time `at`. Returns the time step the code belongs to
 * (so the caller can refuse its reuse), or null when the code is wrong.
 */
export function verifyTotp(secret: string, code: string, at: Date): number | null {
  const cleaned = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(cleaned)) return null;
  const delta = authenticator.clone({ epoch: at.getTime(), window: 1 }).checkDelta(cleaned, secret);
  if (delta === null) return null;
  return Math.floor(at.getTime() / STEP_MS) + delta;
}
