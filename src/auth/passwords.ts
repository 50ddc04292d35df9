import { hash, verify } from '@node-rs/argon2';

/** Password hashing with argon2id (OWASP's recommended parameters). */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password for storage. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verified against when the account does not exist, so timing does not reveal which emails are registered.
let dummyHash: Promise<string> | undefined;

/** True when `password` matches `storedHash`; with no hash, spends the same time and returns false. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hashPassword('not-a-real-password-but-costs-the-same');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Password rules: long rather than complex (NCSC guidance). Returns a problem, or null. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < 12) return 'Use at least 12 characters';
  if (password.length > 200) return 'Use at most 200 characters';
  if (email && password.toLowerCase().includes(email.split('@')[0]!.toLowerCase()))
    return 'Do not include your email address';
  if (/^(.)\1+$/.test(password)) return 'Do not repeat one character';
  return null;
}
