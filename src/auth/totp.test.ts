import { describe, expect, it } from 'vitest';
import { newTotpSecret, totpCode, verifyTotp } from './totp.js';

describe('TOTP', () => {
  const secret = newTotpSecret();
  const at = new Date('2026-11-22T10:00:10Z');

  it('when the code is for now, then it verifies and names its time step', () => {
    expect(verifyTotp(secret, totpCode(secret, at), at)).toBe(Math.floor(at.getTime() / 30_000));
  });
  it('when the code is from the previous step, then it is still accepted (clock drift)', () => {
    const earlier = new Date(at.getTime() - 30_000);
    expect(verifyTotp(secret, totpCode(secret, earlier), at)).toBe(Math.floor(earlier.getTime() / 30_000));
  });
  it('when the code is two minutes old, then it is refused', () => {
    expect(verifyTotp(secret, totpCode(secret, new Date(at.getTime() - 120_000)), at)).toBeNull();
  });
  it('when the code is not six digits, then it is refused', () => {
    expect(verifyTotp(secret, 'abcdef', at)).toBeNull();
    expect(verifyTotp(secret, '12345', at)).toBeNull();
  });
});
