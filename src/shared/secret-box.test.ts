import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('secret box', () => {
  const box = new SecretBox(randomBytes(32));

  it('when a secret is sealed, then it opens to the same text and the sealed form does not contain it', () => {
    const sealed = box.seal('{"kind":"bearer","token":"partner-token-123"}');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain('partner-token');
    expect(box.open(sealed)).toBe('{"kind":"bearer","token":"partner-token-123"}');
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('when a sealed value is changed or opened with another key, then opening fails', () => {
    const sealed = box.seal('secret');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => new SecretBox(randomBytes(16))).toThrow(RangeError);
  });
});
