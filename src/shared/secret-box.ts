import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1:';

/**
 * Secrets at rest (a partner's bearer token or private key): AES-256-GCM with the platform's
 * key, so a copy of the database alone does not give them away. Sealed values are
 * `v1:` + base64(iv ‖ tag ‖ ciphertext); opening one that was changed fails.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RangeError('The secrets key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(VERSION)) throw new Error('Not a sealed value');
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** Whether this box's key opens a sealed value to the expected text (false for another key, or a changed value). */
  opens(sealed: string, expected: string): boolean {
    try {
      return this.open(sealed) === expected;
    } catch {
      return false;
    }
  }

  /** Whether a stored value is sealed (values written before sealing are plain). */
  static isSealed(value: string): boolean {
    return value.startsWith(VERSION);
  }
}
